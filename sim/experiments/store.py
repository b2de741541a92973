"""The streamed, resumable result store of a sweep.

Workers send back each finished task's rows already serialised; the driver writes them as
part files under ``<out>/.parts/`` (each written atomically), then appends one line to
``ledger.jsonl`` saying the task is done and how many of its runs failed. Nothing else is kept
in memory. At the end the parts are concatenated in task order — the plan's order, not the
order tasks finished — into ``runs.csv`` and ``timeseries.csv``, so the
files are byte-identical whatever the number of workers, the backend, or how often the sweep
was killed and resumed. ``plan.json`` holds the spec hash that a resume checks.

Layout while running::

    <out>/design.csv
    <out>/.parts/plan.json
    <out>/.parts/ledger.jsonl
    <out>/.parts/runs-000000.csv         (one per task)
    <out>/.parts/timeseries-000000.csv
"""

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

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
            found = json.loads(plan.read_text(encoding="utf-8")).get("spec_hash")
        elif manifest.is_file():
            found = json.loads(manifest.read_text(encoding="utf-8")).get("sweep", {}).get("spec_hash")
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
        """The recorded plan."""
        return json.loads((self.parts / "plan.json").read_text(encoding="utf-8"))

    def finished(self) -> dict[int, tuple[int, int]]:
        """Tasks recorded in the ledger whose parts exist: task -> (runs, failed)."""
        done: dict[int, tuple[int, int]] = {}
        ledger = self.parts / "ledger.jsonl"
        if not ledger.is_file():
            return done
        for line in ledger.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
                task, runs, failed = int(entry["task"]), int(entry["runs"]), int(entry["failed"])
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a kill: that task is simply run again
            if self.part("runs", task).is_file():
                done[task] = (runs, failed)
        return done

    # Streaming.

    def write(self, output: TaskOutput) -> None:
        """Write one task's parts, then mark it done in the ledger."""
        if output.timeseries is not None:
            with atomic_file(self.part("timeseries", output.task)) as fh:
                fh.write(output.timeseries)
        with atomic_file(self.part("runs", output.task)) as fh:
            fh.write(output.runs)
        entry = {"task": output.task, "runs": output.n_runs, "failed": output.n_failed}
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
