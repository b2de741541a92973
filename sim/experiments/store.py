"""The streamed, resumable result store of a sweep.

Workers send back each finished task's rows already serialised; the driver writes them as
part files under ``<out>/.parts/`` (each written atomically), then appends one line to
``ledger.jsonl`` saying the task is done, how many of its runs failed, and each part file's
size, row count and SHA-256. Nothing else is kept in memory. A resume trusts a part only if
it still matches its ledger line; a part that was cut, emptied or changed is computed again.
At the end the parts are concatenated in task order — the plan's order, not the order tasks
finished — into ``runs.csv`` and ``timeseries.csv``, so the
files are byte-identical whatever the number of workers, the backend, or how often the sweep
was killed and resumed. ``plan.json`` holds the spec hash that a resume checks.

Layout while running::

    <out>/design.csv
    <out>/.parts/plan.json
    <out>/.parts/ledger.jsonl
    <out>/.parts/runs-000000.csv         (one per task)
    <out>/.parts/timeseries-000000.csv
"""

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.files import atomic_file, clear_own_files

PARTS = ".parts"
FORMATS = ("csv",)  # parquet was dropped (docs/sweeps.md); plan.json still records the format


@dataclass(frozen=True)
class TaskOutput:
    """What a worker returns for one task: serialised rows and counts."""

    task: int
    runs: bytes
    timeseries: bytes | None
    n_runs: int
    n_failed: int
    n_series: int = 0  # rows of the timeseries part


@dataclass
class Finished:
    """The tasks a resume may keep, and the damaged parts it found (to be computed again)."""

    tasks: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # task -> runs, failed, series
    damaged: list[str] = field(default_factory=list)  # "runs-000003.csv (12 rows, expected 20)"
    unreadable_lines: int = 0  # ledger lines that could not be parsed (cut short by a kill)


def part_record(data: bytes, rows: int) -> dict[str, Any]:
    """What the ledger records of one part file: its rows, size and SHA-256."""
    return {"rows": rows, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


class SweepStore:
    """Part files, the ledger of finished tasks, and the final merge, in one folder."""

    def __init__(self, out: Path, fmt: str = "csv"):
        self.out = out
        self.fmt = fmt
        self.parts = out / PARTS

    def part(self, table: str, task: int) -> Path:
        """The part file of one table (runs, timeseries) and task."""
        return self.parts / f"{table}-{task:06d}.{self.fmt}"

    def final(self, table: str) -> Path:
        """The merged result file of a table."""
        return self.out / f"{table}.{self.fmt}"

    # Starting and resuming.

    def state(self, spec_hash: str) -> str:
        """``"new"``, ``"partial"`` (parts of this spec) or ``"complete"``; refuses a changed spec.

        Raises:
            UserError: the folder holds a sweep of another spec.
        """
        plan = self.parts / "plan.json"
        manifest = self.out / "manifest.json"
        if plan.is_file():
            found = self.plan().get("spec_hash")
        elif manifest.is_file():
            sweep = _read_object(manifest, "the sweep's manifest").get("sweep")
            found = sweep.get("spec_hash") if isinstance(sweep, dict) else None
        else:
            return "new"
        if found != spec_hash:
            raise UserError(
                f"{self.out}: cannot resume: the spec, its scenarios or its design changed "
                f"since this sweep started (hash {str(found)[:12]} != {spec_hash[:12]}); "
                "start over with `force=True` instead of `resume=True`"
            )
        return "partial" if plan.is_file() else "complete"

    def clear(self) -> None:
        """Remove a previous sweep's parts and result files (to start over with ``force``)."""
        shutil.rmtree(self.parts, ignore_errors=True)
        clear_own_files(self.out)

    def begin(self, plan: dict) -> None:
        """Create the parts folder and record the plan (spec hash, tasks, start time)."""
        self.parts.mkdir(parents=True, exist_ok=True)
        with atomic_file(self.parts / "plan.json") as fh:
            fh.write(json.dumps(plan, indent=2).encode())

    def plan(self) -> dict:
        """The recorded plan (checked: an object with the keys a resume reads).

        Raises:
            UserError: plan.json is unreadable or lacks a key.
        """
        file = self.parts / "plan.json"
        plan = _read_object(file, "the sweep's plan")
        missing = [k for k in ("spec_hash", "format", "tasks", "chunks", "started") if k not in plan]
        if missing:
            raise UserError(
                f"{file}: missing {missing[0]!r}; expected the plan a sweep writes "
                "(start over with `force=True`)"
            )
        return plan

    def finished(self) -> Finished:
        """Tasks recorded in the ledger whose part files still match what the ledger recorded.

        A part whose size, row count or SHA-256 differs (cut, emptied, edited) or that is
        missing is reported in ``damaged`` and its task left out, so it is computed again.
        The last ledger line of a task counts (a recomputed task is recorded again).
        """
        found = Finished()
        ledger = self.parts / "ledger.jsonl"
        if not ledger.is_file():
            return found
        entries: dict[int, dict] = {}
        for line in ledger.read_bytes().splitlines():
            try:
                entry = json.loads(line)
                task, _, _ = int(entry["task"]), int(entry["runs"]), int(entry["failed"])
            except (ValueError, KeyError, TypeError, RecursionError):
                found.unreadable_lines += 1  # cut short by a kill: that task is simply run again
                continue
            entries[task] = entry
        for task, entry in sorted(entries.items()):
            parts = entry.get("parts")
            if not isinstance(parts, dict) or "runs" not in parts:
                parts = {"runs": None}  # no checksums recorded: the part cannot be trusted
            problems = [
                problem
                for table, record in parts.items()
                if (problem := self._check_part(table, task, record)) is not None
            ]
            if problems:
                found.damaged += problems
                continue
            series = (parts.get("timeseries") or {}).get("rows", 0)
            found.tasks[task] = (int(entry["runs"]), int(entry["failed"]), int(series))
        return found

    def _check_part(self, table: str, task: int, record: Any) -> str | None:
        """Why a part does not match its ledger record, or None when it does."""
        path = self.part(table, task) if table in ("runs", "timeseries") else None
        if path is None or not isinstance(record, dict):
            return f"task {task} ({table}: no checksum in the ledger)"
        if not path.is_file():
            return f"{path.name} (missing)"
        data = path.read_bytes()
        rows = max(data.count(b"\n") - 1, 0)  # minus the header line
        if rows != record.get("rows"):
            return f"{path.name} ({rows} rows, expected {record.get('rows')})"
        if len(data) != record.get("bytes"):
            return f"{path.name} ({len(data)} bytes, expected {record.get('bytes')})"
        if hashlib.sha256(data).hexdigest() != record.get("sha256"):
            return f"{path.name} (checksum differs)"
        return None

    # Streaming.

    def write(self, output: TaskOutput) -> None:
        """Write one task's parts, then mark it done in the ledger with their checksums."""
        parts = {"runs": part_record(output.runs, output.n_runs)}
        if output.timeseries is not None:
            with atomic_file(self.part("timeseries", output.task)) as fh:
                fh.write(output.timeseries)
            parts["timeseries"] = part_record(output.timeseries, output.n_series)
        with atomic_file(self.part("runs", output.task)) as fh:
            fh.write(output.runs)
        entry = {"task": output.task, "runs": output.n_runs, "failed": output.n_failed, "parts": parts}
        with (self.parts / "ledger.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    # Finishing.

    def merge(self, table: str, n_tasks: int) -> None:
        """Concatenate a table's parts in task order into its final file."""
        parts = [self.part(table, task) for task in range(n_tasks)]
        missing = [p.name for p in parts if not p.is_file()]
        if missing:
            raise UserError(f"{self.parts}: missing part files {missing[:3]}; rerun with `resume=True`")
        self._merge_csv(self.final(table), parts)

    @staticmethod
    def _merge_csv(target: Path, parts: list[Path]) -> None:
        with atomic_file(target) as out:
            for i, part in enumerate(parts):
                with part.open("rb") as fh:
                    header = fh.readline()
                    if i == 0:
                        out.write(header)
                    shutil.copyfileobj(fh, out, 1 << 20)

    def discard_parts(self) -> None:
        """Remove the parts folder once the final files and manifest are written."""
        trash = self.out / f"{PARTS}.done"
        shutil.rmtree(trash, ignore_errors=True)
        if self.parts.is_dir():
            os.replace(self.parts, trash)  # one atomic step: no half-deleted parts left behind
        shutil.rmtree(trash, ignore_errors=True)


def _read_object(file: Path, what: str) -> dict:
    """A JSON object from ``file``, or a UserError naming it and what was expected."""
    try:
        data = json.loads(file.read_bytes())
    except (ValueError, RecursionError) as err:
        raise UserError(
            f"{file}: not valid JSON ({' '.join(str(err).split())}); expected {what} "
            "(the folder is damaged: start over with `force=True`)"
        ) from None
    except OSError as err:
        raise UserError(f"{file}: cannot read file: {err.strerror or err}") from None
    if not isinstance(data, dict):
        raise UserError(
            f"{file}: expected {what} (a JSON object); the folder is damaged: start over with `force=True`"
        )
    return data
