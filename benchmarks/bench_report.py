"""Report benchmark (issue 12): time to write the default run's analysis and report.html.

Run: ``.venv/bin/python benchmarks/bench_report.py [--results DIR] [--source SRC ...]``.
Without ``--results`` it first writes the default run (``multivector run --no-report``) into a
temporary folder. Each timing is a fresh process that imports the analysis, then times
``write_analysis`` alone (imports are shared with ``multivector run``, which has already paid
them when it writes its report). ``--source`` compares other checkouts of ``sim`` (e.g. an
export of the main branch: ``git archive main | tar -x -C /tmp/base``), interleaved with this
one so machine load hits both alike. Target: under 3 s for the default run.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import sys, time, tempfile
start = time.perf_counter()
from sim.analysis.report import write_analysis
imported = time.perf_counter()
write_analysis(sys.argv[1], tempfile.mkdtemp())
print(imported - start, time.perf_counter() - imported)
"""


def timed(source: Path, results: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(source)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(results)],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    imported, written = map(float, done.stdout.split())
    return imported, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, help="results folder (default: write the default run)")
    parser.add_argument("--source", type=Path, action="append", default=[], help="another checkout to time")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = args.results
    if results is None:
        results = Path(tempfile.mkdtemp()) / "default"
        run = [sys.executable, "-m", "sim.cli", "run", "--out", str(results), "--no-report", "--quiet"]
        subprocess.run(run, cwd=ROOT, check=True)
    results = results.resolve()
    sources = [ROOT, *(s.resolve() for s in args.source)]
    times: dict[Path, list[tuple[float, float]]] = {s: [] for s in sources}
    for _ in range(args.repeat):
        for source in sources:
            times[source].append(timed(source, results))
    print("| source | import (s) | write_analysis (s), median | runs |")
    print("|---|---|---|---|")
    for source, rows in times.items():
        imported = statistics.median(r[0] for r in rows)
        written = statistics.median(r[1] for r in rows)
        print(f"| {source} | {imported:.2f} | **{written:.2f}** | {', '.join(f'{r[1]:.2f}' for r in rows)} |")


if __name__ == "__main__":
    main()
