"""Run a sweep: plan the model instances, execute them on a backend, stream rows to the store.

The plan is every (design point, scenario, strategy, replicate chunk), in that order — the
order of the rows in the result files. Each chunk is one ``BalancingModel`` running
``chunk_size`` replicates in lockstep, seeded by ``sim.experiments.seeding.derive_seed(seed,
scenario, design point, chunk)``; the chunk size comes from the spec, never from the scheduler, so the
numbers do not depend on how work is split. Consecutive chunks are grouped into tasks large
enough that scheduling overhead stays small; a task's rows come back serialised and are
written as one part file (see ``sim.experiments.store``). A chunk that raises becomes rows with
``status = "error"`` and the message; the sweep goes on.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.errors import UserError
from sim.experiments.backends import default_workers, open_backend
from sim.experiments.runner import Progress, no_progress
from sim.experiments.store import FORMATS, Finished, SweepStore
from sim.experiments.sweep_spec import Sweep
from sim.experiments.sweep_tasks import (
    Columns,
    Task,
    group_tasks,
    make_task,
    plan_chunks,
    probe_layout,
    run_task,
)
from sim.files import (
    atomic_write_csv,
    build_manifest,
    folder_lock,
    now,
    prepare_output_dir,
    write_manifest,
)
from sim.model.posterior import posterior_digests


@dataclass
class SweepSummary:
    """What a sweep did: counts, wall time and where the files are."""

    out: Path
    planned: int
    done: int = 0  # runs finished by this invocation
    resumed: int = 0  # runs found finished from an earlier invocation
    failed: int = 0  # failed runs in the result files
    seconds: float = 0.0
    workers: int = 1
    backend: str = "local"
    complete_before: bool = False
    files: list[str] = field(default_factory=list)
    timeseries_rows: int = 0  # rows of timeseries.csv (kept and new)
    recomputed: list[str] = field(default_factory=list)  # damaged parts a resume computed again

    @property
    def rate(self) -> float:
        """Runs per second in this invocation."""
        return self.done / self.seconds if self.seconds > 0 else float("nan")


def run_sweep(
    sweep: Sweep,
    out: Path,
    *,
    backend: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    fmt: str = "csv",
    progress: Progress = no_progress,
    notice: Callable[[str], None] = lambda message: None,
) -> SweepSummary:
    """Run (or resume) a sweep into ``out``; ``progress(runs, failed)`` is called as tasks end.

    A resume keeps only the part files that match the ledger (size, rows, SHA-256); any other
    is computed again, and ``notice`` gets one line saying which, before the work starts.

    Raises:
        UserError: bad options, an output folder that would be overwritten, a resume of a
            changed spec, or a backend that cannot start.
    """
    if fmt not in FORMATS:
        raise UserError(f"`fmt`: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    if resume and force:
        raise UserError("`resume=True` and `force=True`: choose one (resume keeps finished runs)")
    with folder_lock(out):
        return _run_sweep(sweep, out, backend, workers, scheduler, resume, force, fmt, progress, notice)


def _run_sweep(
    sweep: Sweep,
    out: Path,
    backend: str,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    force: bool,
    fmt: str,
    progress: Progress,
    notice: Callable[[str], None],
) -> SweepSummary:
    workers = default_workers() if workers is None else workers
    store = SweepStore(out, fmt)
    summary = SweepSummary(out, sweep.runs_planned, workers=workers, backend=backend)
    state = store.state(sweep.spec_hash) if resume and out.is_dir() else "new"
    if state == "complete":
        summary.complete_before = True
        return summary
    if state == "new" and not force:
        if not resume and (store.parts / "plan.json").is_file():
            raise UserError(
                f"{out}: output folder is not empty; use `force=True` to overwrite it, or "
                "`resume=True` to continue the interrupted sweep it holds"
            )
        prepare_output_dir(out, force)  # refuses a non-empty folder before any work
    chunks = plan_chunks(sweep)
    tasks = group_tasks(chunks, sweep.spec.chunk_size)
    started = time.perf_counter()
    # The backend opens first: an unreachable scheduler leaves no folder behind, and a forked
    # pool starts before the progress bar's thread does.
    with open_backend(backend, workers, scheduler) as engine:
        if state == "new":
            _start(sweep, store, force, fmt, len(tasks), len(chunks))
        elif store.plan().get("format") != fmt:
            raise UserError(f"{out}: this sweep was started in the {store.plan()['format']} format (`fmt`)")
        else:
            _write_design(sweep, store)  # rewritten on resume: the same bytes, even if it was damaged
        layout = probe_layout(sweep)
        found = store.finished()
        finished = found.tasks
        summary.recomputed = found.damaged
        if found.damaged or found.unreadable_lines:
            notice(_damage_note(store, found))
        summary.resumed = sum(runs for runs, _, _ in finished.values())
        summary.failed = sum(failed for _, failed, _ in finished.values())
        summary.timeseries_rows = sum(series for _, _, series in finished.values())
        todo = (make_task(sweep, i, group, layout, fmt) for i, group in enumerate(tasks))
        summary.workers = engine.workers
        progress(summary.resumed, summary.failed)
        for output in engine.imap_unordered(run_task, _skip(todo, finished)):
            store.write(output)
            summary.done += output.n_runs
            summary.failed += output.n_failed
            summary.timeseries_rows += output.n_series
            progress(output.n_runs, output.n_failed)
    summary.files = _finish(sweep, store, len(tasks), layout, summary)
    summary.seconds = time.perf_counter() - started
    return summary


def _damage_note(store: SweepStore, found: Finished) -> str:
    """One line on what a resume found damaged and computes again."""
    said = []
    if found.damaged:
        more = f" and {len(found.damaged) - 3} more" if len(found.damaged) > 3 else ""
        said.append(
            f"recomputing {len(found.damaged)} damaged part file(s): {', '.join(found.damaged[:3])}{more}"
        )
    if found.unreadable_lines:
        said.append(f"{found.unreadable_lines} unreadable ledger line(s) ignored (those tasks run again)")
    return f"{store.parts}: " + "; ".join(said)


def _skip(tasks: Iterator[Task], finished: dict[int, tuple[int, int, int]]) -> Iterator[Task]:
    return (t for t in tasks if t.index not in finished)


def _start(sweep: Sweep, store: SweepStore, force: bool, fmt: str, tasks: int, chunks: int) -> None:
    prepare_output_dir(store.out, force)
    if force:
        store.clear()
    _write_design(sweep, store)
    store.begin(
        {
            "spec_hash": sweep.spec_hash,
            "format": fmt,
            "tasks": tasks,
            "chunks": chunks,
            "started": now(),
        }
    )


def _write_design(sweep: Sweep, store: SweepStore) -> None:
    design = sweep.design.reset_index(drop=True)
    design.insert(0, "design_point", np.arange(len(design)))
    atomic_write_csv(store.out / "design.csv", [design])


def _finish(
    sweep: Sweep,
    store: SweepStore,
    n_tasks: int,
    layout: tuple[Columns, Columns | None],
    summary: SweepSummary,
) -> list[str]:
    """Merge the parts, write the manifest, drop the parts; return the files written."""
    tables = ["runs"] + (["timeseries"] if layout[1] is not None else [])
    for table in tables:
        store.merge(table, n_tasks)
    plan = store.plan()
    inputs = {
        "spec": sweep.spec.model_dump(mode="json"),
        "spec_file": str(sweep.path),
        "scenarios": {s.name: s.model_dump(mode="json") for s in sweep.scenarios},
        "strategies": list(sweep.strategies),
    }
    if posteriors := posterior_digests(sweep.scenarios):
        inputs["posteriors"] = posteriors  # sha256 of each posterior file the scenarios draw from
    counts = {
        "design_points": len(sweep.design),
        "scenarios": len(sweep.scenarios),
        "strategies": len(sweep.strategies),
        "chunks": plan["chunks"],
        "tasks": n_tasks,
        "runs": summary.planned,
        "errors": summary.failed,
    }
    if layout[1] is not None:
        counts["timeseries_rows"] = summary.timeseries_rows
    manifest = build_manifest("sweep", inputs, sweep.spec.seed, plan["started"], counts)
    manifest["sweep"] = sweep.manifest_section()
    manifest["execution"] = {
        "backend": summary.backend,
        "workers": summary.workers,
        "format": store.fmt,
    }
    write_manifest(store.out, manifest)
    store.discard_parts()
    return ["design.csv", *(store.final(t).name for t in tables), "manifest.json"]
