"""Bargaining speed: 350 issues x 30 actors x 100 replicates through BDM (and KTAB), on 2 worker processes.

Run on demand: ``.venv/bin/python benchmarks/bench_bargain.py [--model bdm|ktab|all]``.
Target (issue 11): the BDM forecast of the whole batch under 60 s on 2 cores. The issues are
random (positions 0..100 with +-10 ranges, saliences 0.2..1 with +-0.1, capabilities 0..1),
written to a long-form CSV and read back, so the timing includes input checking.
"""

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.bargaining.forecast import bargain
from sim.bargaining.issues import read_issue_csv

ISSUES, ACTORS, REPLICATES = 350, 30, 100


def random_issues(path: Path, seed: int = 7) -> Path:
    rng = np.random.default_rng(seed)
    n = ISSUES * ACTORS
    position = rng.uniform(0, 100, n).round(1)
    salience = rng.uniform(0.2, 1.0, n).round(2)
    frame = pd.DataFrame(
        {
            "issue": np.repeat([f"issue_{i:03d}" for i in range(ISSUES)], ACTORS),
            "actor": np.tile([f"actor_{k:02d}" for k in range(ACTORS)], ISSUES),
            "capability": rng.uniform(0, 1, n).round(3),
            "position": position,
            "salience": salience,
            "position_low": np.clip(position - 10, 0, 100),
            "position_high": np.clip(position + 10, 0, 100),
            "salience_low": np.clip(salience - 0.1, 0, 1),
            "salience_high": np.clip(salience + 0.1, 0, 1),
        }
    )
    frame.to_csv(path, index=False)
    return path


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="bdm", choices=("bdm", "ktab", "all"))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    models = ("bdm", "ktab") if args.model == "all" else (args.model,)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        cpu_start = _cpu()
        issues = read_issue_csv(random_issues(Path(tmp) / "issues.csv"))
        result = bargain(issues, models, REPLICATES, seed=1, rounds=50, workers=args.workers)
        elapsed = time.perf_counter() - start
        cpu = _cpu() - cpu_start
    rounds = result.forecast.groupby("model")["rounds"].describe()[["mean", "max"]]
    print(
        f"{ISSUES} issues x {ACTORS} actors x {REPLICATES} replicates, models {', '.join(models)}, "
        f"{args.workers} worker processes: {elapsed:.1f} s (target < 60 s for bdm)"
    )
    print(
        f"CPU time (this process and its workers): {cpu:.1f} s = {cpu / 2:.1f} s on 2 dedicated cores; "
        f"load average now {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
    )
    print(f"central-run rounds per issue:\n{rounds.to_string()}")


if __name__ == "__main__":
    main()
