"""The sweep's units of work: the plan, its tasks, and the worker that runs one into rows.

A chunk is one ``BalancingModel`` running ``chunk_size`` replicates in lockstep, seeded by
``sim.experiments.seeding.derive_seed(seed, scenario, design point, chunk)``. Consecutive chunks
form a task, large enough that scheduling overhead stays small; ``run_task`` runs in a worker
(local process or dask) and returns the task's rows as bytes, in the sweep's column layout,
which ``probe_layout`` fixes before any task runs. A chunk that raises becomes rows with
``status = "error"`` and the message.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.runner import ChunkSpec, id_columns, run_chunk
from sim.experiments.seeding import derive_seed, replicate_chunks
from sim.experiments.store import TaskOutput
from sim.experiments.sweep_spec import Sweep
from sim.files import csv_bytes
from sim.model.scenario import Scenario

TASK_RUNS = 1000  # at most this many replicate-runs per task
MIN_TASKS = 64  # ... but split into at least this many tasks when the plan allows
ERROR_CHARS = 500  # longest error message kept in runs.csv

Columns = tuple[tuple[str, str], ...]  # (name, dtype) in file order


@dataclass(frozen=True)
class Chunk:
    """One model instance of the plan."""

    design_point: int
    scenario_index: int  # into sweep.scenarios
    strategy: str
    chunk: int
    replicates: int


@dataclass(frozen=True)
class Job:
    """A chunk as shipped to a worker: the base scenario, the overrides and the seed."""

    chunk: Chunk
    scenario: Scenario
    overrides: dict[str, Any]
    seed: int


@dataclass(frozen=True)
class Task:
    """A group of consecutive chunks run by one worker call, written as one part."""

    index: int
    jobs: tuple[Job, ...]
    record_every: int
    chunk_size: int
    fmt: str
    runs_columns: Columns
    timeseries_columns: Columns | None
    root_seed: int = 0


def plan_chunks(sweep: Sweep) -> list[Chunk]:
    """Every model instance, in result-file order."""
    size, reps = sweep.spec.chunk_size, sweep.spec.replicates
    return [
        Chunk(point, s, strategy, chunk, n)
        for point in range(len(sweep.design))
        for s in range(len(sweep.scenarios))
        for strategy in sweep.strategies
        for chunk, n in replicate_chunks(reps, size)
    ]


def group_tasks(chunks: list[Chunk], chunk_size: int) -> list[list[Chunk]]:
    """Consecutive chunks grouped into tasks (a function of the plan only)."""
    per_task = max(1, min(TASK_RUNS // chunk_size, len(chunks) // MIN_TASKS))
    return [chunks[i : i + per_task] for i in range(0, len(chunks), per_task)]


def design_inputs(sweep: Sweep, point: int) -> dict[str, Any]:
    """The parameter values of one design point as plain Python values."""
    row = sweep.design.iloc[point]
    return {k: v.item() if isinstance(v, np.generic) else v for k, v in row.items()}


def make_task(
    sweep: Sweep, index: int, chunks: list[Chunk], layout: tuple[Columns, Columns | None], fmt: str
) -> Task:
    """The worker's payload for one task."""
    jobs = tuple(
        Job(
            c,
            sweep.scenarios[c.scenario_index],
            design_inputs(sweep, c.design_point),
            derive_seed(sweep.spec.seed, sweep.scenarios[c.scenario_index].name, c.design_point, c.chunk),
        )
        for c in chunks
    )
    s = sweep.spec
    return Task(index, jobs, s.record_every, s.chunk_size, fmt, layout[0], layout[1], s.seed)


def run_task(task: Task) -> TaskOutput:
    """Run a task's chunks; a chunk that raises becomes error rows. Runs in a worker."""
    runs, series, failed = [], [], 0
    for job in task.jobs:
        try:
            runs_frame, ts_frame = _run_job(job, task)
        except Exception as err:  # any failure of a run is recorded, not fatal
            runs_frame, ts_frame = error_rows(job, task.chunk_size, err), None
            failed += job.chunk.replicates
        runs.append(runs_frame)
        if ts_frame is not None:
            series.append(ts_frame)
    runs_table = conform(pd.concat(runs, ignore_index=True), task.runs_columns)
    ts_bytes, ts_rows = None, 0
    if task.timeseries_columns is not None:
        ts_table = conform(
            pd.concat(series, ignore_index=True) if series else pd.DataFrame(),
            task.timeseries_columns,
        )
        ts_bytes, ts_rows = serialise(ts_table, task.fmt), len(ts_table)
    return TaskOutput(task.index, serialise(runs_table, task.fmt), ts_bytes, len(runs_table), failed, ts_rows)


def _run_job(job: Job, task: Task) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    scenario = job.scenario.with_overrides(job.overrides) if job.overrides else job.scenario
    spec = ChunkSpec(
        scenario=scenario,
        strategy=job.chunk.strategy,
        replicates=job.chunk.replicates,
        chunk=job.chunk.chunk,
        seed=job.seed,
        record_every=task.record_every,
        design_point=job.chunk.design_point,
        chunk_size=task.chunk_size,
        inputs=job.overrides,
        root_seed=task.root_seed,
    )
    result = run_chunk(spec)
    return result.runs, result.timeseries


def error_rows(job: Job, chunk_size: int, err: BaseException) -> pd.DataFrame:
    """One row per replicate of a failed chunk: ids, seed, status "error", message, inputs."""
    c = job.chunk
    message = " ".join(f"{type(err).__name__}: {err}".split())[:ERROR_CHARS]
    ids = id_columns(
        job.scenario.name, c.strategy, c.design_point, c.chunk, c.replicates, chunk_size, job.seed, message
    )
    return pd.DataFrame({**ids, **job.overrides})


def conform(frame: pd.DataFrame, columns: Columns) -> pd.DataFrame:
    """Put a frame in the sweep's column order and dtypes (missing columns become empty)."""
    frame = frame.reindex(columns=[name for name, _ in columns])
    for name, dtype in columns:
        if frame[name].dtype != dtype and dtype != "str" and not frame[name].isna().any():
            frame[name] = frame[name].astype(dtype)
    return frame


def serialise(frame: pd.DataFrame, fmt: str) -> bytes:
    """A frame as CSV text (with header), in bytes; ``fmt`` is ``"csv"``, the one format left."""
    return csv_bytes(frame)


def probe_layout(sweep: Sweep) -> tuple[Columns, Columns | None]:
    """Column names and dtypes of the result files: the union over scenarios, in order.

    Each scenario runs one replicate for one step (milliseconds), with the first design
    point's values as inputs, so that every part — even one holding only failed runs — has
    the same columns.
    """
    runs: dict[str, str] = {}
    series: dict[str, str] = {}
    inputs = design_inputs(sweep, 0)
    for scenario in sweep.scenarios:
        short = scenario.with_overrides({"steps": 1})
        for strategy in sweep.strategies:
            spec = ChunkSpec(short, strategy, 1, 0, 0, min(sweep.spec.record_every, 1), inputs=inputs)
            try:
                result = run_chunk(spec)
            except Exception:  # this strategy fails here; try the next
                continue
            for name, dtype in result.runs.dtypes.items():
                runs.setdefault(str(name), str(dtype))
            if result.timeseries is not None:
                for name, dtype in result.timeseries.dtypes.items():
                    series.setdefault(str(name), str(dtype))
            break
    if not runs:  # nothing runs at all: keep the id columns so every row still says why
        probe_job = Job(Chunk(0, 0, sweep.strategies[0], 0, 1), sweep.scenarios[0], inputs, 0)
        frame = error_rows(probe_job, 1, RuntimeError())
        runs = {str(k): str(v) for k, v in frame.dtypes.items()}
    timeseries = tuple(series.items()) if sweep.spec.record_every and series else None
    return tuple(runs.items()), timeseries
