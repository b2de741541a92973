"""One model instance (a chunk of replicates) in, plain result tables out; seeds derived here.

Seeds come from ``numpy.random.SeedSequence`` keyed by (root seed, scenario, design point,
replicate chunk) — never by the order runs finish. The strategy is deliberately not in the key:
every strategy meets the same random world (common random numbers), so differences between
strategies are paired comparisons.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.model import metrics
from sim.model.balancing import BalancingModel
from sim.model.quarters import quarter_labels
from sim.model.scenario import Scenario

CHUNK_SIZE = 100


def stable_key(text: str) -> int:
    """A 32-bit integer from a name, the same on every machine and Python run."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def derive_seed(root_seed: int, scenario: str, design_point: int, chunk: int) -> int:
    """The seed of one model instance."""
    seq = np.random.SeedSequence(root_seed, spawn_key=(stable_key(scenario), design_point, chunk))
    return int(seq.generate_state(1, dtype=np.uint64)[0])


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


@dataclass
class ChunkResult:
    """Rows of one chunk: one per replicate run, and one per run and recorded step."""

    runs: pd.DataFrame
    timeseries: pd.DataFrame | None


def replicate_chunks(replicates: int, chunk_size: int = CHUNK_SIZE) -> list[tuple[int, int]]:
    """(chunk index, replicates in it) for ``replicates`` split into fixed-size chunks."""
    return [
        (chunk, min(chunk_size, replicates - start))
        for chunk, start in enumerate(range(0, replicates, chunk_size))
    ]


def plan_chunks(
    scenarios: list[Scenario],
    strategies: list[str],
    replicates: int,
    root_seed: int,
    record_every: int = 4,
    chunk_size: int = CHUNK_SIZE,
) -> list[ChunkSpec]:
    """All chunks of a scenarios x strategies run, in the deterministic order of the files."""
    specs = []
    for scenario in scenarios:
        for strategy in strategies:
            for chunk, size in replicate_chunks(replicates, chunk_size):
                specs.append(
                    ChunkSpec(
                        scenario=scenario,
                        strategy=strategy,
                        replicates=size,
                        chunk=chunk,
                        seed=derive_seed(root_seed, scenario.name, 0, chunk),
                        record_every=record_every,
                        chunk_size=chunk_size,
                    )
                )
    return specs


def run_chunk(spec: ChunkSpec) -> ChunkResult:
    """Build the model, run it to the end, and return its rows."""
    model = BalancingModel(spec.scenario, spec.strategy, spec.replicates, rng=spec.seed, collect=False)
    steps = model.params.steps
    frames = [snapshot(model)] if spec.record_every else []
    for step in range(1, steps + 1):
        model.step()
        if spec.record_every and (step % spec.record_every == 0 or step == steps):
            frames.append(snapshot(model))
    replicate = spec.chunk * spec.chunk_size + np.arange(spec.replicates)
    run_ids = [f"{spec.scenario.name}.{spec.strategy}.p{spec.design_point}.r{r}" for r in replicate]
    runs = {
        "run_id": run_ids,
        "scenario": spec.scenario.name,
        "strategy": spec.strategy,
        "design_point": spec.design_point,
        "chunk": spec.chunk,
        "replicate": replicate,
        "seed": np.uint64(spec.seed),
        "status": "ok",
        "error": "",
        **spec.inputs,
        **outcomes(model),
    }
    timeseries = None
    if frames:
        labels = quarter_labels(spec.scenario.start, steps)
        recorded = [s for s, _ in frames]
        timeseries = pd.DataFrame(
            {
                "run_id": np.repeat(run_ids, len(recorded)),
                "step": np.tile(recorded, spec.replicates),
                "date": np.tile([labels[s] for s in recorded], spec.replicates),
                **{col: np.stack([f[col] for _, f in frames], axis=1).ravel() for col in frames[0][1]},
            }
        )
    return ChunkResult(pd.DataFrame(runs), timeseries)


def snapshot(model: BalancingModel) -> tuple[int, dict[str, np.ndarray]]:
    """The state and metrics of every replicate at this step, by timeseries column."""
    st, pv, w = model.structure, model.pivot, model.world
    cols: dict[str, np.ndarray] = {}
    exports = metrics.export_shares(pv.trade, st.export_fraction)
    for k, key in enumerate(st.partners):
        cols[f"share_{key}"] = pv.trade[:, k]
        cols[f"export_share_{key}"] = exports[:, k]
        cols[f"fdi_share_{key}"] = pv.fdi[:, k]
    for p, key in enumerate(st.powers):
        cols[f"bloc_share_{key}"] = pv.bloc_shares[:, p]
        cols[f"effort_{key}"] = pv.effort[:, p]
        cols[f"relation_{key}"] = pv.relations[:, p]
        cols[f"pressure_{key}"] = pv.pressures[:, p]
        cols[f"reward_{key}"] = pv.rewards[:, p]
    cols.update(
        oil_price=w.oil,
        uranium_price=w.uranium,
        rivalry=w.rivalry,
        sanctions=np.full(model.replicates, st.sanctions),
        welfare=pv.gdp,
        autonomy=metrics.autonomy(pv.bloc_shares),
        max_dependence=metrics.max_dependence(pv.bloc_shares),
        security_risk=metrics.security_risk(pv.pressures),
        sanctions_exposure=metrics.sanctions_exposure(st.sanctions, pv.bloc_shares[:, st.target_bloc]),
        relation_min=metrics.relation_min(pv.relations),
        relation_spread=metrics.relation_spread(pv.relations),
    )
    return int(model.time), {k: np.array(v, dtype=float) for k, v in cols.items()}


def outcomes(model: BalancingModel) -> dict[str, np.ndarray]:
    """Per-run outcome columns of runs.csv (see sim.metrics.OUTCOMES and docs/outputs.md)."""
    st, pv, steps = model.structure, model.pivot, model.time
    out = {
        "welfare_final": pv.gdp,
        "growth_annual": metrics.annual_growth(pv.gdp, steps),
        "autonomy_mean": model.totals["autonomy"] / steps,
        "autonomy_final": metrics.autonomy(pv.bloc_shares),
        "max_dependence_final": metrics.max_dependence(pv.bloc_shares),
        "security_risk_mean": model.totals["security_risk"] / steps,
        "security_risk_max": model.peak_risk,
        "crises": model.totals["crises"],
        "sanctions_exposure_mean": model.totals["exposure"] / steps,
        "relation_min_final": metrics.relation_min(pv.relations),
        "relation_spread_final": metrics.relation_spread(pv.relations),
    }
    exports = metrics.export_shares(pv.trade, st.export_fraction)
    for k, key in enumerate(st.partners):
        out[f"share_{key}_final"] = pv.trade[:, k]
        out[f"export_share_{key}_final"] = exports[:, k]
    for p, key in enumerate(st.powers):
        out[f"effort_{key}_final"] = pv.effort[:, p]
        out[f"relation_{key}_final"] = pv.relations[:, p]
        out[f"pressure_{key}_mean"] = model.pressure_sum[:, p] / steps
    return {k: np.array(v, dtype=float) for k, v in out.items()}


def iterate_chunks(specs: list[ChunkSpec]) -> Iterator[ChunkResult]:
    """Run chunks in order (the plain serial engine used by ``multivector run``)."""
    for spec in specs:
        yield run_chunk(spec)
