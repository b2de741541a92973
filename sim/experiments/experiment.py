"""A scenarios x strategies experiment: plan, run, write the result folder, summarise.

This is what ``multivector run`` does, as a plain function the CLI and tests both call.
"""

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.experiments.runner import ChunkSpec, Progress, no_progress, run_chunk
from sim.experiments.seeding import CHUNK_SIZE, derive_seed, replicate_chunks
from sim.files import (
    atomic_file,
    build_manifest,
    csv_bytes,
    folder_lock,
    now,
    prepare_output_dir,
    write_manifest,
)
from sim.model.posterior import posterior_digests
from sim.model.quarters import format_quarter, parse_quarter
from sim.model.scenario import Scenario, load_scenario, shipped_scenarios
from sim.model.strategies import STRATEGIES
from sim.schema import OUTCOMES

MAX_STEPS = 400
"""Longest run in quarters (a scenario's ``steps`` allows no more)."""

MAX_REPLICATES = 10_000_000
"""Most replicates per scenario x strategy (a sweep spec allows no more)."""

MAX_SEED = 2**64 - 1
"""Largest root seed: seeds are unsigned 64-bit throughout (runs.csv, the EMA export)."""

SUMMARY_OUTCOMES = (
    "welfare_final",
    "autonomy_mean",
    "security_risk_mean",
    "sanctions_exposure_mean",
    "relation_min_final",
)


@dataclass(frozen=True)
class RunRequest:
    """What the user asked ``multivector run`` for."""

    scenarios: tuple[str, ...] = ()
    strategies: tuple[str, ...] = ()
    replicates: int = 100
    steps: int | None = None
    seed: int = 1
    record_every: int = 4


def resolve_scenarios(names: tuple[str, ...], steps: int | None) -> list[Scenario]:
    """Load the named scenarios (default: every shipped present-day one), with ``steps`` if given."""
    if names:
        loaded = [load_scenario(n) for n in names]
    else:
        loaded = [s for s in (load_scenario(n) for n in shipped_scenarios()) if s.present_day]
    seen = set()
    for s in loaded:
        if s.name in seen:
            raise UserError(f"scenario {s.name!r} named twice")
        seen.add(s.name)
    return [s.with_overrides({"steps": steps}) for s in loaded] if steps is not None else loaded


def events_after_the_end(scenario: Scenario) -> str | None:
    """A note naming the scenario's dated events after its last quarter, which never fire; else None.

    Events before ``start`` are in force from the beginning (``Scenario.timeline``), but one
    after the end is silently left out of every run: a typo in its year (2204Q2) or a scenario
    cut too short. ``validate`` and ``run`` say so in one ``note:`` line.
    """
    late = [s.event for s in scenario.timeline() if s.step > scenario.steps]
    if not late:
        return None
    last = format_quarter(parse_quarter(scenario.start) + scenario.steps - 1)
    named = ", ".join(f"{e.name!r} at {e.at}" for e in late)
    return (
        f"scenario {scenario.name}: {len(late)} event(s) after its last quarter ({last}, "
        f"steps = {scenario.steps}) never fire: {named}"
    )


def resolve_strategies(names: tuple[str, ...]) -> list[str]:
    """Check strategy names (default: all registered)."""
    for name in names:
        if name not in STRATEGIES:
            raise UserError(f"unknown strategy {name!r}; known: {', '.join(STRATEGIES)}")
    return list(dict.fromkeys(names)) if names else list(STRATEGIES)


@dataclass(frozen=True)
class ExperimentPlan:
    """A checked request: the loaded scenarios and the strategies to run."""

    request: RunRequest
    scenarios: list[Scenario]
    strategies: list[str]

    @property
    def total_runs(self) -> int:
        """Replicate runs the experiment will make."""
        return len(self.scenarios) * len(self.strategies) * self.request.replicates

    def chunks(self) -> list[ChunkSpec]:
        """Every model instance, in the order of the result files: scenario, strategy, chunk."""
        request = self.request
        return [
            ChunkSpec(
                scenario=scenario,
                strategy=strategy,
                replicates=size,
                chunk=chunk,
                seed=derive_seed(request.seed, scenario.name, 0, chunk),
                record_every=request.record_every,
                root_seed=request.seed,
            )
            for scenario in self.scenarios
            for strategy in self.strategies
            for chunk, size in replicate_chunks(request.replicates, CHUNK_SIZE)
        ]


def plan_experiment(request: RunRequest) -> ExperimentPlan:
    """Check the request's options and load its scenarios and strategies (clear errors)."""
    if request.replicates < 1:
        raise UserError(f"`replicates`: expected at least 1, got {request.replicates}")
    if request.replicates > MAX_REPLICATES:
        raise UserError(f"`replicates`: expected at most {MAX_REPLICATES:,}, got {request.replicates:,}")
    if not 0 <= request.seed <= MAX_SEED:
        raise UserError(f"`seed`: expected 0 to 2**64 - 1 (unsigned 64-bit), got {request.seed}")
    if request.steps is not None and not 1 <= request.steps <= MAX_STEPS:
        raise UserError(f"`steps`: expected 1 to {MAX_STEPS} quarters, got {request.steps}")
    if request.record_every < 0:
        raise UserError(f"`record_every`: expected 0 (off) or more, got {request.record_every}")
    scenarios = resolve_scenarios(request.scenarios, request.steps)
    return ExperimentPlan(request, scenarios, resolve_strategies(request.strategies))


def run_experiment(
    plan: ExperimentPlan, out: Path, force: bool = False, progress: Progress = no_progress
) -> pd.DataFrame:
    """Run every scenario x strategy x replicate and write runs.csv, timeseries.csv, manifest.

    Rows are written chunk by chunk (memory stays bounded); the table returned holds only the
    columns :func:`summarise` needs. ``progress(runs, failed)`` is called as each chunk finishes.
    """
    with folder_lock(out):
        return _run_experiment(plan, out, force, progress)


def _run_experiment(plan: ExperimentPlan, out: Path, force: bool, progress: Progress) -> pd.DataFrame:
    request, scenarios, strategies = plan.request, plan.scenarios, plan.strategies
    started = now()
    prepare_output_dir(out, force)
    kept, n_runs, n_errors, ts_rows = [], 0, 0, 0
    # Each chunk's rows go to disk as they come, so memory does not grow with the replicates.
    with ExitStack() as files:
        runs_fh = files.enter_context(atomic_file(out / "runs.csv"))
        series_fh = files.enter_context(atomic_file(out / "timeseries.csv")) if request.record_every else None
        for spec in plan.chunks():
            result = run_chunk(spec)
            runs_fh.write(csv_bytes(result.runs, header=n_runs == 0))
            if series_fh is not None and result.timeseries is not None:
                series_fh.write(csv_bytes(result.timeseries, header=ts_rows == 0))
                ts_rows += len(result.timeseries)
            n_runs += len(result.runs)
            n_errors += int((result.runs["status"] != "ok").sum())
            kept.append(result.runs[["strategy", "status", *SUMMARY_OUTCOMES]])
            progress(len(result.runs), 0)
    inputs = {
        "scenarios": {s.name: s.model_dump(mode="json") for s in scenarios},
        "strategies": strategies,
        "replicates": request.replicates,
        "chunk_size": CHUNK_SIZE,
        "record_every": request.record_every,
    }
    if posteriors := posterior_digests(scenarios):
        inputs["posteriors"] = posteriors  # sha256 of each posterior file the scenarios draw from
    counts = {
        "scenarios": len(scenarios),
        "strategies": len(strategies),
        "runs": n_runs,
        "errors": n_errors,
        "timeseries_rows": ts_rows,
    }
    write_manifest(out, build_manifest("run", inputs, request.seed, started, counts))
    return pd.concat(kept, ignore_index=True)


def summarise(runs: pd.DataFrame, outcomes: tuple[str, ...] = SUMMARY_OUTCOMES) -> pd.DataFrame:
    """Strategies by outcome over all runs: mean and the 2.5-97.5 percentile range."""
    rows = []
    for strategy, group in runs.groupby("strategy", sort=False):
        row: dict[str, object] = {"strategy": strategy, "runs": len(group)}
        for name in outcomes:
            values = group[name].to_numpy()
            row[f"{name}_mean"] = float(np.mean(values))
            row[f"{name}_p2.5"] = float(np.percentile(values, 2.5))
            row[f"{name}_p97.5"] = float(np.percentile(values, 97.5))
        rows.append(row)
    return pd.DataFrame(rows)


def outcome_label(name: str) -> str:
    """Column header for an outcome, with its better direction."""
    arrow = "↑" if OUTCOMES[name].direction == "max" else "↓"
    return f"{name} {arrow}"
