"""Interruptions, damaged parts and write errors: nothing lost, nothing half-written, one line.

- A resumed sweep recomputes every part file that no longer matches its ledger line (cut,
  emptied, a byte changed, deleted), says so in one line, and ends byte-identical to a sweep
  that was never interrupted.
- ``sweep`` and ``run`` killed with SIGKILL (in a subprocess, at a fixed point): the sweep
  resumes to identical files; the run's folder tells the next ``run`` to use ``--force``,
  which works.
- Write errors are found before the work starts (nothing simulated), and a full disk while
  writing is one line naming the file, with no partial file left.
"""

import errno
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sweep_helpers import result_bytes, write_spec
from typer.testing import CliRunner

import sim.experiments.sweep
import sim.files
from sim.cli.app import app
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_spec import load_sweep

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
ISSUE = Path(__file__).resolve().parent.parent / "scenarios" / "issues" / "kz_csto_role.toml"

# Eight tasks of 25 runs each (75 timeseries rows): big enough to cut a part to 20 lines.
PARTS_SPEC = """
name = "parts"
scenarios = ["baseline_2023"]
strategies = ["multivector", "equidistance"]
design = "grid"
replicates = 50
chunk_size = 25
seed = 3
steps = 4
record_every = 2

[parameters."world.rivalry"]
values = [0.2, 0.8]
"""


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    """The spec file and the result files of an uninterrupted sweep of it."""
    folder = tmp_path_factory.mktemp("parts")
    path = write_spec(folder, PARTS_SPEC)
    run_sweep(load_sweep(path), folder / "reference", workers=1)
    return path, result_bytes(folder / "reference")


def stopped_before_merge(spec_path: Path, out: Path, monkeypatch) -> None:
    """A sweep whose every task is written, stopped before it merges the parts."""

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(sim.experiments.sweep, "_finish", stop)
        with pytest.raises(KeyboardInterrupt):
            run_sweep(load_sweep(spec_path), out, workers=1)
    assert len((out / ".parts" / "ledger.jsonl").read_text().splitlines()) == 8


def flip_a_digit(path: Path) -> None:
    """Change one digit in the middle of a file: same size, same rows, other bytes."""
    data = bytearray(path.read_bytes())
    at = next(i for i in range(len(data) // 2, len(data)) if chr(data[i]).isdigit())
    data[at] = ord("7") if data[at] != ord("7") else ord("3")
    path.write_bytes(bytes(data))


def test_resume_recomputes_damaged_parts_and_says_so_in_one_line(spec, tmp_path, monkeypatch):
    spec_path, reference = spec
    out = tmp_path / "out"
    stopped_before_merge(spec_path, out, monkeypatch)
    parts = out / ".parts"
    runs1 = parts / "runs-000001.csv"
    runs1.write_bytes(b"".join(runs1.read_bytes().splitlines(keepends=True)[:20]))  # cut to 20 lines
    (parts / "timeseries-000002.csv").write_bytes(b"")  # emptied
    flip_a_digit(parts / "runs-000003.csv")  # one byte changed
    (parts / "timeseries-000005.csv").unlink()  # gone
    result = runner.invoke(app, ["sweep", str(spec_path), "--out", str(out), "--resume", "-w", "1", "-q"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("note: ") and "recomputing 4 damaged part file(s)" in lines[0]
    assert "runs-000001.csv (19 rows, expected 25)" in lines[0]
    assert "timeseries-000002.csv (0 rows, expected 75)" in lines[0]
    assert "runs-000003.csv (checksum differs)" in lines[0]
    assert result_bytes(out) == reference


def test_resume_recomputes_the_parts_of_a_damaged_ledger(spec, tmp_path, monkeypatch):
    spec_path, reference = spec
    out = tmp_path / "out"
    stopped_before_merge(spec_path, out, monkeypatch)
    ledger = out / ".parts" / "ledger.jsonl"
    lines = ledger.read_bytes().splitlines(keepends=True)
    ledger.write_bytes(b"".join(lines[:3]) + b"\xff\x00 not json\n" + lines[4][:30])
    summary = run_sweep(load_sweep(spec_path), out, workers=1, resume=True, notice=print)
    assert summary.resumed == 3 * 25 and summary.done == 5 * 25
    assert result_bytes(out) == reference


def test_a_ledger_line_without_checksums_is_not_trusted(spec, tmp_path, monkeypatch):
    spec_path, reference = spec
    out = tmp_path / "out"
    stopped_before_merge(spec_path, out, monkeypatch)
    ledger = out / ".parts" / "ledger.jsonl"
    (out / ".parts" / "runs-000000.csv").write_bytes(b"run_id\nforged\n")
    ledger.write_text('{"task": 0, "runs": 1, "failed": 0}\n' + ledger.read_text())
    notes = []
    summary = run_sweep(load_sweep(spec_path), out, workers=1, resume=True, notice=notes.append)
    assert summary.done == 25 and len(notes) == 1
    assert result_bytes(out) == reference


def test_a_task_recomputed_on_resume_is_trusted_by_its_last_ledger_line(spec, tmp_path, monkeypatch):
    """The ledger keeps the damaged task's first line; its new line, written last, is the one that counts.

    A first line that no longer matches the part (here made stale by hand) must not send a later
    resume back to compute the task again.
    """
    spec_path, reference = spec
    out = tmp_path / "out"
    stopped_before_merge(spec_path, out, monkeypatch)
    flip_a_digit(out / ".parts" / "runs-000003.csv")

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    damaged = []
    with monkeypatch.context() as patch:
        patch.setattr(sim.experiments.sweep, "_finish", stop)
        with pytest.raises(KeyboardInterrupt):
            run_sweep(load_sweep(spec_path), out, workers=1, resume=True, notice=damaged.append)
    assert len(damaged) == 1 and "runs-000003.csv (checksum differs)" in damaged[0]
    ledger_file = out / ".parts" / "ledger.jsonl"
    ledger = ledger_file.read_text().splitlines()
    assert len(ledger) == 9 and sum('"task": 3,' in line for line in ledger) == 2
    # Parts are deterministic, so the first line matches the recomputed part too; make it stale
    # (a record of other bytes) so that only the last line can vouch for the part.
    first = next(i for i, line in enumerate(ledger) if '"task": 3,' in line)
    entry = json.loads(ledger[first])
    entry["parts"]["runs"]["sha256"] = "0" * 64
    ledger[first] = json.dumps(entry)
    ledger_file.write_text("\n".join(ledger) + "\n")
    notes = []
    summary = run_sweep(load_sweep(spec_path), out, workers=1, resume=True, notice=notes.append)
    assert notes == [] and summary.resumed == 8 * 25 and summary.done == 0 and summary.recomputed == []
    assert result_bytes(out) == reference


def test_the_sweep_manifest_counts_timeseries_rows_that_analysis_checks(spec, tmp_path):
    import json

    spec_path, reference = spec
    out = tmp_path / "out"
    run_sweep(load_sweep(spec_path), out, workers=2)
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["timeseries_rows"] == 8 * 75
    assert result_bytes(out) == reference


# Killed in a subprocess at a fixed point, then continued.

KILL_SWEEP = """
import os, signal, sys
import sim.experiments.store
from sim.cli.app import app

write = sim.experiments.store.SweepStore.write
done = []

def write_then_die(self, output):
    write(self, output)
    done.append(output.task)
    if len(done) == 3:
        os.kill(os.getpid(), signal.SIGKILL)

sim.experiments.store.SweepStore.write = write_then_die
sys.argv = ["multivector", *sys.argv[1:]]
app()
"""

KILL_RUN = """
import os, signal, sys
import sim.experiments.experiment
from sim.cli.app import app

run_chunk = sim.experiments.experiment.run_chunk
calls = []

def run_then_die(spec):
    calls.append(1)
    if len(calls) == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return run_chunk(spec)

sim.experiments.experiment.run_chunk = run_then_die
sys.argv = ["multivector", *sys.argv[1:]]
app()
"""


def killed(tmp_path: Path, script: str, *args: str) -> None:
    path = tmp_path / "killer.py"
    path.write_text(textwrap.dedent(script))
    done = subprocess.run(
        [sys.executable, str(path), *args], cwd=ROOT, capture_output=True, timeout=120, check=False
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]


def test_a_killed_sweep_command_resumes_to_identical_files(spec, tmp_path):
    spec_path, reference = spec
    out = tmp_path / "out"
    killed(tmp_path, KILL_SWEEP, "sweep", str(spec_path), "--out", str(out), "-w", "1", "-q")
    assert len((out / ".parts" / "ledger.jsonl").read_text().splitlines()) == 3
    again = runner.invoke(app, ["sweep", str(spec_path), "--out", str(out), "-w", "1", "-q"])
    assert again.exit_code == 2 and "not empty; use --force" in again.stderr  # not silently mixed
    resumed = runner.invoke(app, ["sweep", str(spec_path), "--out", str(out), "--resume", "-w", "1", "-q"])
    assert resumed.exit_code == 0, resumed.output
    assert resumed.stderr == ""  # nothing was damaged
    assert result_bytes(out) == reference
    assert sorted(p.name for p in out.iterdir()) == [
        "design.csv",
        "manifest.json",
        "runs.csv",
        "timeseries.csv",
    ]


def test_a_killed_run_leaves_a_folder_the_next_run_explains_and_force_clears(tmp_path):
    args = [
        "run",
        "baseline_2023",
        "detente",
        "-s",
        "multivector",
        "-s",
        "equidistance",
        "-r",
        "4",
        "--steps",
        "3",
    ]
    args += ["--no-report", "--quiet"]
    out = tmp_path / "out"
    killed(tmp_path, KILL_RUN, *args, "--out", str(out))
    assert not (out / "runs.csv").exists() and not (out / "manifest.json").exists()
    again = runner.invoke(app, [*args, "--out", str(out)])
    assert again.exit_code == 2
    lines = again.stderr.strip().splitlines()
    assert len(lines) == 1 and "temporary files of an interrupted command; use --force" in lines[0]
    forced = runner.invoke(app, [*args, "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    clean = runner.invoke(app, [*args, "--out", str(tmp_path / "clean")])
    assert clean.exit_code == 0, clean.output
    assert result_bytes(out) == result_bytes(tmp_path / "clean")
    assert not list(out.glob(".*"))  # no temporary file, no lock file


# Write errors.


@pytest.fixture
def readonly(tmp_path):
    """A folder nobody may write in (root included: it is made immutable)."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
        if done.returncode != 0:
            pytest.skip("root ignores permissions and chattr +i is not available here")
    yield folder
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True, check=False)
    folder.chmod(0o755)


def never(*args, **kwargs):
    raise AssertionError("the work started although the output folder cannot be written")


@pytest.mark.parametrize("command", ["run", "sweep", "hindcast"])
def test_an_unwritable_output_folder_is_refused_before_the_work_starts(
    command, readonly, tmp_path, monkeypatch
):
    import sim.evidence.hindcast
    import sim.experiments.experiment

    monkeypatch.setattr(sim.experiments.experiment, "run_chunk", never)
    monkeypatch.setattr(sim.experiments.sweep, "open_backend", never)
    monkeypatch.setattr(sim.evidence.hindcast, "run_hindcast", never)
    out = str(readonly / "out")
    args = {
        "run": ["run", "baseline_2023", "-r", "2", "--steps", "2", "--out", out],
        "sweep": ["sweep", str(write_spec(tmp_path, PARTS_SPEC)), "--out", out],
        "hindcast": ["hindcast", "--start", "2011", "--end", "2013", "--out", out],
    }[command]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot create output folder in" in lines[0], result.output
    assert not list(readonly.iterdir())


class FullDisk:
    """A file whose writes fail with ENOSPC once ``room`` bytes are written."""

    def __init__(self, fh, room: int):
        self.fh, self.room = fh, room

    def write(self, data: bytes) -> int:
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return self.fh.write(data)

    def __getattr__(self, name):
        return getattr(self.fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()


def fill_disk(monkeypatch, room: int = 100) -> None:
    opener = sim.files._open_temp
    monkeypatch.setattr(sim.files, "_open_temp", lambda tmp: FullDisk(opener(tmp), room))


def test_a_full_disk_during_run_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    fill_disk(monkeypatch)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["run", "baseline_2023", "-r", "2", "--steps", "2", "--no-report", "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.search(r"out/(runs|timeseries)\.csv: cannot write: No space left on device", lines[0])
    assert not out.exists()  # the folder it made is removed again: no partial file, no temp file


def test_a_full_disk_during_a_sweep_is_one_line_and_resume_finishes_it(spec, tmp_path, monkeypatch):
    spec_path, reference = spec
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        fill_disk(patch, room=5000)  # design.csv and plan.json fit; a part does not
        result = runner.invoke(app, ["sweep", str(spec_path), "--out", str(out), "-w", "1", "-q"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.search(
        r"\.parts/(runs|timeseries)-000000\.csv: cannot write: No space left on device", lines[0]
    )
    assert not list(out.rglob("*.tmp"))
    resumed = runner.invoke(app, ["sweep", str(spec_path), "--out", str(out), "--resume", "-w", "1", "-q"])
    assert resumed.exit_code == 0, resumed.output
    assert result_bytes(out) == reference


def test_a_full_disk_during_analyze_is_one_line_and_leaves_no_partial_file(tmp_path, monkeypatch):
    out = tmp_path / "res"
    done = runner.invoke(
        app, ["run", "baseline_2023", "-r", "2", "--steps", "2", "--no-report", "-q", "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    fill_disk(monkeypatch, room=50)
    result = runner.invoke(app, ["analyze", str(out), "--no-figures", "-q"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write: No space left on device" in lines[0], result.stderr
    assert not list(out.rglob("*.tmp"))
    assert not (out / "analysis" / "report.html").exists()


def test_ctrl_c_during_run_is_one_line_and_leaves_no_folder(tmp_path, monkeypatch):
    import sim.experiments.experiment

    run_chunk = sim.experiments.experiment.run_chunk
    calls = []

    def interrupt_the_second(spec):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return run_chunk(spec)

    monkeypatch.setattr(sim.experiments.experiment, "run_chunk", interrupt_the_second)
    out = tmp_path / "out"
    args = [
        "run",
        "baseline_2023",
        "detente",
        "-s",
        "multivector",
        "-r",
        "2",
        "--steps",
        "2",
        "--out",
        str(out),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines() == ["error: interrupted"]
    assert not out.exists()


@settings(max_examples=6)
@given(data=st.data())
def test_any_cut_part_is_recomputed_to_identical_files(spec, tmp_path_factory, data):
    """A part of either table cut at any byte: resume recomputes it and the files are identical."""
    spec_path, reference = spec
    out = tmp_path_factory.mktemp("cut") / "out"
    with pytest.MonkeyPatch.context() as patch:
        stopped_before_merge(spec_path, out, patch)
    part = (
        out
        / ".parts"
        / f"{data.draw(st.sampled_from(['runs', 'timeseries']))}-{data.draw(st.integers(0, 7)):06d}.csv"
    )
    part.write_bytes(part.read_bytes()[: data.draw(st.integers(0, part.stat().st_size - 1))])
    notes = []
    summary = run_sweep(load_sweep(spec_path), out, workers=1, resume=True, notice=notes.append)
    assert summary.done == 25 and len(notes) == 1 and part.name in notes[0]
    assert result_bytes(out) == reference


@pytest.mark.parametrize("command", ["hindcast", "bargain"])
def test_ctrl_c_during_hindcast_or_bargain_is_one_line_and_the_next_run_works(command, tmp_path, monkeypatch):
    """The other commands that compute before writing: an interruption leaves a folder the next run takes."""
    import sim.bargaining.forecast
    import sim.evidence.hindcast

    module, name = {
        "hindcast": (sim.evidence.hindcast, "simulate"),
        "bargain": (sim.bargaining.forecast, "bargain"),
    }[command]
    original = getattr(module, name)

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    out = tmp_path / "out"
    args = {
        "hindcast": ["hindcast", "--start", "2016", "--end", "2018", "-r", "2", "--out", str(out)],
        "bargain": ["bargain", str(ISSUE), "--replicates", "2", "--out", str(out)],
    }[command]
    monkeypatch.setattr(module, name, interrupt)
    result = runner.invoke(app, args)
    assert result.exit_code == 130, result.output
    assert result.stderr.strip().splitlines() == ["error: interrupted"]
    assert not out.exists() or not [p for p in out.rglob("*") if p.is_file()]
    monkeypatch.setattr(module, name, original)
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
