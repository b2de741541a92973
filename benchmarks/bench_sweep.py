"""Sweep benchmarks (issue 3): speed against mesa.batch_run, scaling with workers, memory.

Run: ``.venv/bin/python benchmarks/bench_sweep.py [--quick]``. Prints a Markdown table for
docs/performance.md ("Sweeps"). Targets: >= 20x faster than batch_run for the same
replicate-runs and steps; >= 1.6x with 2 workers on 2 cores; peak memory of a sweep of 10x
more runs (timeseries off) < 1.5x the smaller one.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC = """
name = "bench"
scenarios = ["baseline_2023"]
strategies = {strategies}
design = "grid"
replicates = {replicates}
seed = 1
steps = {steps}
record_every = {record_every}

[parameters."world.rivalry"]
values = {values}
"""

MEMORY_CHILD = """
import resource, sys
from pathlib import Path
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_spec import load_sweep
run_sweep(load_sweep(sys.argv[1]), Path(sys.argv[2]), workers=1)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write_spec(folder: Path, name: str, **fields) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(SPEC.format(**fields), encoding="utf-8")
    return path


def timed_sweep(spec: Path, out: Path, workers: int) -> float:
    from sim.experiments.sweep import run_sweep
    from sim.experiments.sweep_spec import load_sweep

    sweep = load_sweep(spec)
    start = time.perf_counter()
    run_sweep(sweep, out, workers=workers, force=True)
    return time.perf_counter() - start


def bench_batch_run(folder: Path, runs: int, steps: int) -> dict:
    """Our sweep vs mesa.batch_run, both on one core, runs.csv only vs end-of-run data."""
    import mesa

    from sim.model.balancing import BalancingModel
    from sim.model.scenario import load_scenario

    scenario = load_scenario("baseline_2023").with_overrides({"steps": steps})
    start = time.perf_counter()
    mesa.batch_run(
        BalancingModel,
        parameters={"scenario": [scenario], "strategy": ["multivector"], "replicates": [1]},
        number_processes=1,
        data_collection_period=-1,
        max_steps=steps,
        display_progress=False,
        rng=list(range(runs)),
    )
    batch = time.perf_counter() - start
    spec = write_spec(
        folder, "vs_batch", strategies='["multivector"]', replicates=runs, steps=steps,
        record_every=0, values="[0.6]",
    )  # fmt: skip
    ours = timed_sweep(spec, folder / "vs_batch", workers=1)
    return {"runs": runs, "steps": steps, "batch_run_s": batch, "sweep_s": ours}


def bench_workers(folder: Path, replicates: int) -> dict:
    """The same sweep (timeseries on) with 1 and 2 workers."""
    spec = write_spec(
        folder, "workers", strategies='["multivector", "adaptive_hedging"]',
        replicates=replicates, steps=48, record_every=4, values="[0.3, 0.5, 0.7, 0.9]",
    )  # fmt: skip
    one = timed_sweep(spec, folder / "w1", workers=1)
    two = timed_sweep(spec, folder / "w2", workers=2)
    same = (folder / "w1" / "runs.csv").read_bytes() == (folder / "w2" / "runs.csv").read_bytes()
    return {"runs": 8 * replicates, "one_s": one, "two_s": two, "identical": same}


def peak_rss_kb(spec: Path, out: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(spec), str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(done.stdout.strip().splitlines()[-1])


def bench_memory(folder: Path, replicates: int) -> dict:
    """Peak RSS of a sweep and of one with 10x the runs, timeseries off, in fresh processes."""
    small = write_spec(
        folder, "small", strategies='["multivector", "equidistance"]', replicates=replicates,
        steps=48, record_every=0, values="[0.3, 0.5, 0.7, 0.9]",
    )  # fmt: skip
    big = write_spec(
        folder, "big", strategies='["multivector", "equidistance"]', replicates=replicates * 10,
        steps=48, record_every=0, values="[0.3, 0.5, 0.7, 0.9]",
    )  # fmt: skip
    return {
        "small_runs": 8 * replicates,
        "big_runs": 80 * replicates,
        "small_kb": peak_rss_kb(small, folder / "m_small"),
        "big_kb": peak_rss_kb(big, folder / "m_big"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    args = parser.parse_args()
    scale = 0.1 if args.quick else 1.0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        vs = bench_batch_run(folder, runs=int(1000 * scale), steps=48)
        workers = bench_workers(folder, replicates=int(2500 * scale))
        memory = bench_memory(folder, replicates=int(1000 * scale))
    results = {"batch_run": vs, "workers": workers, "memory": memory}
    print(json.dumps(results, indent=2), file=sys.stderr)
    print("| measure | result | target |")
    print("|---|---|---|")
    print(
        f"| sweep vs `mesa.batch_run`, {vs['runs']:,} runs x {vs['steps']} steps, 1 core | "
        f"{vs['batch_run_s']:.1f} s vs {vs['sweep_s']:.2f} s: "
        f"**{vs['batch_run_s'] / vs['sweep_s']:.0f}x** faster | >= 20x |"
    )
    print(
        f"| `--workers 2` vs `--workers 1`, {workers['runs']:,} runs, timeseries on | "
        f"{workers['one_s']:.1f} s vs {workers['two_s']:.1f} s: "
        f"**{workers['one_s'] / workers['two_s']:.2f}x** (files identical: "
        f"{workers['identical']}) | >= 1.6x |"
    )
    print(
        f"| peak memory, {memory['small_runs']:,} vs {memory['big_runs']:,} runs, timeseries "
        f"off | {memory['small_kb'] / 1024:.0f} MB vs {memory['big_kb'] / 1024:.0f} MB: "
        f"**{memory['big_kb'] / memory['small_kb']:.2f}x** | < 1.5x |"
    )


if __name__ == "__main__":
    main()
