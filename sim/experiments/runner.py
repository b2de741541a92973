"""One model instance (a chunk of replicates) in, plain result tables out.

:func:`run_chunk` builds a ``BalancingModel`` for a :class:`ChunkSpec`, runs it to the end and
returns its rows: one per replicate run for ``runs.csv`` and one per run and recorded step for
``timeseries.csv`` (columns in docs/outputs.md). The chunk's seed comes with the spec
(``sim.experiments.seeding``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.seeding import CHUNK_SIZE, replicate_numbers
from sim.model import metrics
from sim.model.balancing import BalancingModel
from sim.model.posterior import scenario_draws
from sim.model.quarters import quarter_labels
from sim.model.scenario import Scenario
from sim.schema import run_ids

Progress = Callable[[int, int], None]
"""Called as runs finish with (runs finished, of which failed)."""


def no_progress(runs: int, failed: int) -> None:
    """The default progress callback: report nothing."""


@dataclass(frozen=True)
class ChunkSpec:
    """One model instance: a scenario, a strategy and a fixed chunk of replicates."""

    scenario: Scenario
    strategy: str
    replicates: int
    chunk: int
    seed: int
    record_every: int = 4
    design_point: int = 0
    chunk_size: int = CHUNK_SIZE
    inputs: dict[str, Any] = field(default_factory=dict)  # varied parameters, for the rows
    root_seed: int = 0  # the run's seed: posterior draws depend on it, the scenario and the replicate


@dataclass
class ChunkResult:
    """Rows of one chunk: one per replicate run, and one per run and recorded step."""

    runs: pd.DataFrame
    timeseries: pd.DataFrame | None


def run_chunk(spec: ChunkSpec) -> ChunkResult:
    """Build the model, run it to the end, and return its rows."""
    replicates = replicate_numbers(spec.chunk, spec.replicates, spec.chunk_size)
    draws = scenario_draws(spec.scenario, spec.root_seed, replicates, skip=spec.inputs)
    model = BalancingModel(
        spec.scenario, spec.strategy, spec.replicates, rng=spec.seed, collect=False, draws=draws
    )
    steps = model.params.steps
    frames = [snapshot(model)] if spec.record_every else []
    for step in range(1, steps + 1):
        model.step()
        if spec.record_every and (step % spec.record_every == 0 or step == steps):
            frames.append(snapshot(model))
    ids = id_columns(
        spec.scenario.name,
        spec.strategy,
        spec.design_point,
        spec.chunk,
        spec.replicates,
        spec.chunk_size,
        spec.seed,
    )
    runs = {**ids, **spec.inputs, **outcomes(model)}
    timeseries = None
    if frames:
        labels = quarter_labels(spec.scenario.start, steps)
        recorded = [s for s, _ in frames]
        timeseries = pd.DataFrame(
            {
                "run_id": np.repeat(ids["run_id"], len(recorded)),
                "scenario": spec.scenario.name,
                "strategy": spec.strategy,
                "step": np.tile(recorded, spec.replicates),
                "date": np.tile([labels[s] for s in recorded], spec.replicates),
                **{col: np.stack([f[col] for _, f in frames], axis=1).ravel() for col in frames[0][1]},
            }
        )
    return ChunkResult(pd.DataFrame(runs), timeseries)


def id_columns(
    scenario: str,
    strategy: str,
    design_point: int,
    chunk: int,
    replicates: int,
    chunk_size: int,
    seed: int,
    error: str = "",
) -> dict[str, Any]:
    """The id columns of ``runs.csv`` (``sim.schema.ID_COLUMNS``, in order) for a chunk's runs.

    ``error`` is the message of a chunk that failed: its runs get status "error".
    """
    replicate = replicate_numbers(chunk, replicates, chunk_size)
    return {
        "run_id": run_ids(scenario, strategy, design_point, replicate),
        "scenario": scenario,
        "strategy": strategy,
        "design_point": design_point,
        "chunk": chunk,
        "replicate": replicate,
        "seed": np.uint64(seed),
        "status": "error" if error else "ok",
        "error": error,
    }


def snapshot(model: BalancingModel) -> tuple[int, dict[str, np.ndarray]]:
    """The state and metrics of every replicate at this step, by timeseries column."""
    return int(model.time), model.state()


def outcomes(model: BalancingModel) -> dict[str, np.ndarray]:
    """Per-run outcome columns of runs.csv (``sim.schema.OUTCOMES`` and docs/outputs.md)."""
    st, pivot, steps = model.structure, model.pivot, model.time
    out = {
        "welfare_final": pivot.gdp,
        "growth_annual": metrics.annual_growth(pivot.gdp, steps),
        "autonomy_mean": model.totals["autonomy"] / steps,
        "autonomy_final": metrics.autonomy(pivot.bloc_shares),
        "max_dependence_final": metrics.max_dependence(pivot.bloc_shares),
        "security_risk_mean": model.totals["security_risk"] / steps,
        "security_risk_max": model.peak_risk,
        "crises": model.totals["crises"],
        "sanctions_exposure_mean": model.totals["exposure"] / steps,
        "relation_min_final": metrics.relation_min(pivot.relations),
        "relation_spread_final": metrics.relation_spread(pivot.relations),
    }
    exports = metrics.export_shares(pivot.trade, st.export_fraction)
    for k, key in enumerate(st.partners):
        out[f"share_{key}_final"] = pivot.trade[:, k]
        out[f"export_share_{key}_final"] = exports[:, k]
    for p, key in enumerate(st.powers):
        out[f"engagement_{key}_final"] = pivot.engagement[:, p]
        out[f"relation_{key}_final"] = pivot.relations[:, p]
        out[f"pressure_{key}_mean"] = model.pressure_sum[:, p] / steps
    return {k: np.array(v, dtype=float) for k, v in out.items()}
