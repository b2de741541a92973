"""Calibration speed: the full ABC-SMC of a spec (default trade_2011_2018), and one particle.

Run on demand: ``.venv/bin/python benchmarks/bench_calibration.py [--spec NAME] [--quick]``.
Target (issue 10): the shipped calibration in about 20 minutes or less on 2 cores. Prints the
wall and CPU time of the whole run, its generations and simulations, and the time of one
particle (one lockstep run of the spec's replicates), split into model construction and steps.
"""

import argparse
import tempfile
import time
from pathlib import Path

from sim.evidence.abc import quick_spec, run_abc
from sim.evidence.calibration import Objective, load_spec
from sim.evidence.observed import read_observed
from sim.model.scenario import load_scenario


def particle_time(spec, observed, repeats: int = 10) -> float:
    objective = Objective(spec, observed, load_scenario(spec.scenario))
    values = {key: (p.low + p.high) / 2 for key, p in spec.parameters.items()}
    objective.simulated(values)
    started = time.perf_counter()
    for _ in range(repeats):
        objective.simulated(values)
    return (time.perf_counter() - started) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default="trade_2011_2018")
    parser.add_argument("--quick", action="store_true", help="the --quick form (16 particles, 2 generations)")
    args = parser.parse_args()
    spec = load_spec(args.spec)
    spec = quick_spec(spec) if args.quick else spec
    observed = read_observed()
    print(f"one particle ({spec.replicates} replicates): {particle_time(spec, observed) * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as work:
        wall, cpu = time.perf_counter(), time.process_time()
        result = run_abc(spec, observed, Path(work))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    simulations = sum(g.simulations for g in result.generations)
    print(
        f"{args.spec}{' --quick' if args.quick else ''}: {len(result.generations)} generations, "
        f"{simulations} simulations (+ the prior sample), "
        f"final epsilon {result.generations[-1].epsilon:.4f}, "
        f"wall {wall:.0f} s, CPU {cpu:.0f} s"
    )


if __name__ == "__main__":
    main()
