"""Model speed: per-step cost against an empty Mesa model, lockstep throughput, default run time.

Run on demand: ``.venv/bin/python benchmarks/bench_model.py`` (``--step-only``: the per-step
costs alone, a quick check while optimising). Targets (issues 2 and 9): at most 10x the
empty-model floor per step at R=1 (multivector; every shipped strategy is printed); R=100 at
least 30x the R=1 replicate-step throughput; the no-argument ``multivector run`` under 15 s on 2
cores; `run`'s peak memory flat in the replicates.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mesa
import numpy as np

from sim.model import BalancingModel
from sim.model.scenario import load_scenario
from sim.model.strategies import STRATEGIES

ROOT = Path(__file__).resolve().parent.parent


class _Idle(mesa.Agent):
    def step(self) -> None:
        pass


class EmptyModel(mesa.Model):
    """The floor: a Mesa model with five agents that do nothing."""

    def __init__(self, rng: int = 1):
        super().__init__(rng=rng)
        for _ in range(5):
            _Idle(self)

    def step(self) -> None:
        self.agents.do("step")


def per_step_seconds(make, steps: int = 48, repeats: int = 40) -> float:
    """Best-of-repeats time per step, excluding construction."""
    best = float("inf")
    for i in range(repeats):
        model = make(i)
        start = time.perf_counter()
        for _ in range(steps):
            model.step()
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def main(step_only: bool = False) -> None:
    scenario = load_scenario("baseline_2023")
    floor = per_step_seconds(lambda i: EmptyModel(i))
    print(f"empty Mesa model, 5 agents:       {floor * 1e6:8.1f} us/step")
    for strategy in STRATEGIES:
        ours = per_step_seconds(lambda i, s=strategy: BalancingModel(scenario, s, 1, rng=i, collect=False))
        print(
            f"BalancingModel R=1 {strategy:17s} {ours * 1e6:8.1f} us/step  ({ours / floor:4.1f}x the floor)"
        )
    if step_only:
        return
    rates = {}
    for r in (1, 100, 1000):
        step = per_step_seconds(
            lambda i, r=r: BalancingModel(scenario, "multivector", r, rng=i, collect=False), repeats=10
        )
        rates[r] = r / step
        print(f"R={r:<5d} multivector: {rates[r]:12,.0f} replicate-steps/s ({rates[r] / rates[1]:6.1f}x R=1)")
    drawn = per_step_seconds(
        lambda i: BalancingModel(
            scenario, "multivector", 100, rng=i, collect=False, draws=spread(scenario, 100, i)
        ),
        repeats=10,
    )
    print(
        f"R=100 multivector, every PER_REPLICATE parameter drawn per replicate: {100 / drawn:12,.0f} "
        f"replicate-steps/s ({100 / drawn / rates[1]:6.1f}x R=1)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "sim.cli", "run", "--out", tmp, "--force", "--quiet", "--no-report"],
            check=True,
            cwd=ROOT,
        )
        print(f"multivector run (defaults, no report): {time.perf_counter() - start:6.1f} s wall")
    run_memory()


def spread(scenario, replicates: int, seed: int) -> dict:
    """Per-replicate values of every parameter that can vary: the scenario's value x U(0.8, 1.2)."""
    from sim.model.catalogue import sweepable
    from sim.model.draws import PER_REPLICATE

    rng = np.random.default_rng(seed)
    known = sweepable(scenario)
    out = {}
    for path in PER_REPLICATE:
        info = known[path]
        values = float(info.default) * rng.uniform(0.8, 1.2, replicates)
        out[path] = np.clip(
            values,
            info.low if info.low is not None else -np.inf,
            info.high if info.high is not None else np.inf,
        )
    return out


def run_memory() -> None:
    """Peak memory of `run` at 20,000 and 200,000 replicates: rows stream to disk, so it stays flat."""
    import resource

    for replicates in (20_000, 200_000):
        with tempfile.TemporaryDirectory() as tmp:
            args = ["run", "baseline_2023", "-s", "multivector", "-r", str(replicates), "--steps", "4"]
            args += ["--record-every", "0", "--no-report", "--quiet", "--out", tmp, "--force"]
            subprocess.run([sys.executable, "-m", "sim.cli", *args], check=True, cwd=ROOT)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest child so far
        print(f"multivector run, {replicates:,} replicates: peak memory {peak:6.0f} MB (any child so far)")


if __name__ == "__main__":
    main(step_only="--step-only" in sys.argv[1:])
