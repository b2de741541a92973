"""Files: the one atomic writer, the one CSV encoder, the output-folder guard, the manifest, TOML.

Every file the project writes goes under a temporary name in its folder, is flushed to disk,
made readable as the umask allows and renamed into place, so a reader (or an interrupted run)
never sees a half-written file. Every result table goes through :func:`csv_bytes`, so the same
rows give the same bytes whichever command, backend or worker count wrote them.
"""

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from sim import __version__
from sim.errors import UserError
from sim.paths import ROOT
from sim.schema import OUTCOMES

FLOAT_DECIMALS = 6  # result floats are written rounded to 6 decimal places
RESULT_FILES = ("runs.csv", "timeseries.csv", "manifest.json", "design.csv")
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK


def prepare_output_dir(out: Path, force: bool) -> Path:
    """Create ``out`` or check it may be written: a file is refused, a non-empty folder needs ``force``.

    With ``force`` the files an earlier command wrote there are removed first
    (:func:`clear_own_files`), so old and new results never mix.
    """
    check_writable(out)
    held = [p for p in out.iterdir() if p.name != LOCK_NAME] if out.is_dir() else []
    if held and not force:
        if all(p.name.startswith(".") and p.name.endswith(".tmp") for p in held):
            raise UserError(
                f"{out}: holds only the temporary files of an interrupted command; "
                "use `force=True` to clear them and write"
            )
        raise UserError(f"{out}: output folder is not empty; use `force=True` to overwrite")
    if held:
        clear_own_files(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"{out}: cannot create output folder: {err.strerror}") from None
    return out


def check_writable(out: Path) -> None:
    """Refuse, before any work, an output folder that could not be written.

    ``out`` may not exist yet: then its nearest existing parent must be a folder we can write
    in. The test writes and removes a temporary file (permission bits do not tell for root, a
    read-only mount or an immutable folder), and creates nothing that stays.

    Raises:
        UserError: ``out`` or a parent is a file, or the folder cannot be written.
    """
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: output path is a file, expected a folder")
    existing = out
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"{out}: cannot create output folder: {existing} is a file")
    try:
        fd, name = tempfile.mkstemp(dir=existing, prefix=".multivector-probe.", suffix=".tmp")
    except OSError as err:
        what = "write in output folder" if existing == out else f"create output folder in {existing}"
        raise UserError(f"{out}: cannot {what}: {err.strerror or err}") from None
    os.close(fd)
    os.unlink(name)


LOCK_NAME = ".multivector.lock"
"""The lock file a writing command holds in its output folder (:func:`folder_lock`)."""


@contextmanager
def folder_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on output folder ``out`` (created if missing) while a command writes.

    A second command writing the same folder fails at once with a clear error instead of mixing
    its files with the first one's. The lock is an OS file lock, released if the process dies.
    """
    import fcntl

    check_writable(out)
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        fh = (out / LOCK_NAME).open("a")
    except OSError as err:
        raise UserError(f"{out}: cannot create output folder: {err.strerror}") from None
    failed = False
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(
                f"{out}: another multivector command is writing this folder; wait for it"
            ) from None
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            (out / LOCK_NAME).unlink(missing_ok=True)
    finally:
        fh.close()
        if failed and created and out.is_dir() and not any(out.iterdir()):
            out.rmdir()  # a command that failed leaves no empty folder it made itself


def clear_own_files(out: Path) -> None:
    """Remove what earlier commands wrote in ``out``; leave everything else.

    Result files (CSV or parquet), ``analysis/`` (when it holds ``analysis.json``), a sweep's
    ``.parts/`` (when it holds ``plan.json``) and temporary files left by an interrupted write.
    """
    for name in (*RESULT_FILES, "runs.parquet", "timeseries.parquet"):
        (out / name).unlink(missing_ok=True)
    for folder, marker in (
        ("analysis", "analysis.json"),
        (".parts", "plan.json"),
        (".parts.done", "plan.json"),
    ):
        if (out / folder / marker).is_file():
            shutil.rmtree(out / folder, ignore_errors=True)
    for tmp in out.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` for a writer; on success fsync it and rename it into place.

    For writers that take a file name (matplotlib, EMA Workbench); :func:`atomic_file` gives a
    handle. On any failure the temporary file is removed and ``path`` is left as it was; an
    OSError (disk full, no permission) becomes a UserError naming the file.
    """
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise UserError(f"{path}: cannot write: {err.strerror or err}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        if err.filename is not None and Path(err.filename) not in (tmp, path):
            raise UserError(f"{err.filename}: {err.strerror or err} (while writing {path})") from None
        raise UserError(f"{path}: cannot write: {err.strerror or err}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path`` for writing; on success it replaces ``path``."""
    with atomic_path(path) as tmp, _open_temp(tmp) as fh:
        yield fh


def _open_temp(tmp: Path) -> BinaryIO:
    """Open a temporary file for writing (one place, so tests can make the disk "full")."""
    return tmp.open("wb")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write bytes to ``path`` atomically."""
    with atomic_file(path) as fh:
        fh.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def csv_bytes(frame: pd.DataFrame, header: bool = True) -> bytes:
    """The one CSV encoding of result tables: floats rounded to FLOAT_DECIMALS, written by Arrow.

    Every result file goes through here, so the same rows give the same bytes whichever
    command, backend or worker count produced them.
    """
    columns = {
        name: np.round(col.to_numpy(), FLOAT_DECIMALS) if col.dtype.kind == "f" else col
        for name, col in frame.items()
    }
    table = pa.Table.from_pydict({k: pa.array(v) for k, v in columns.items()})
    buffer = pa.BufferOutputStream()
    pacsv.write_csv(table, buffer, write_options=pacsv.WriteOptions(include_header=header))
    return buffer.getvalue().to_pybytes()


def atomic_write_csv(path: Path, frames: Iterable[pd.DataFrame]) -> int:
    """Write frames (same columns) one after another as one CSV, atomically; return rows."""
    rows = 0
    with atomic_file(path) as fh:
        for i, frame in enumerate(frames):
            fh.write(csv_bytes(frame, header=i == 0))
            rows += len(frame)
    return rows


def digest(data: Any) -> str:
    """SHA-256 of a JSON-serialisable value (keys sorted)."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape results."""
    out = {"python": platform.python_version(), "multivector": __version__}
    for name in ("mesa", "numpy", "pandas", "scipy", "pydantic"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit() -> str | None:
    """The commit of the source tree, when it is a git checkout.

    An installed wheel is no checkout, even inside someone's repository (a project's .venv):
    without ``.git`` at the root there is no commit of ours to report.
    """
    if not (ROOT / ".git").exists():  # a file in a git worktree, a folder in a clone
        return None
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def now() -> str:
    """The current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def build_manifest(
    kind: str, inputs: dict[str, Any], root_seed: int, started: str, counts: dict, outcomes: bool = True
) -> dict:
    """The manifest of a results folder: command, resolved inputs and their hash, provenance.

    ``outcomes``: declare the model's outcome columns (not for folders without model runs).
    """
    manifest = {
        "kind": kind,
        "command": " ".join(["multivector", *sys.argv[1:]]),
        "root_seed": root_seed,
        "inputs_hash": digest(inputs),
        "inputs": inputs,
        "versions": versions(),
        "git_commit": git_commit(),
        "started": started,
        "finished": now(),
        "counts": counts,
    }
    if outcomes:
        manifest["outcomes"] = {name: outcome.declaration() for name, outcome in OUTCOMES.items()}
    return manifest


def write_manifest(out: Path, manifest: dict) -> None:
    """Write manifest.json atomically."""
    atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=2, sort_keys=False) + "\n")


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; any failure becomes a UserError naming the file."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as err:
        raise UserError(f"{path}: cannot read file: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"{path}: invalid TOML: {err}") from None
    except RecursionError:
        raise UserError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: not UTF-8 text (byte {err.start}); TOML files must be UTF-8") from None


def read_result_csv(file: Path, **options: Any) -> pd.DataFrame:
    """Read a CSV table the project wrote; any failure is a UserError naming the file.

    Every table written here ends in a newline, so a file that does not was cut inside its
    last row (which would otherwise read as a row of NaN, with the same row count).
    """
    try:
        frame = pd.read_csv(file, **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{file}: not a readable CSV file ({first})") from exc
    except OSError as exc:
        raise UserError(f"{file}: cannot read file: {exc.strerror or exc}") from exc
    if not _ends_with_newline(file):
        raise UserError(
            f"{file}: ends in the middle of a row (the file was cut short); expected complete rows"
        )
    return frame


def _ends_with_newline(file: Path) -> bool:
    with file.open("rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return True
        fh.seek(-1, 2)
        return fh.read(1) == b"\n"
