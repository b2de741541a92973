"""Shared pieces of the hostile-input tables (tests/test_hostile*.py).

``made`` builds, once per module, a finished run folder, a finished sweep and a sweep stopped
after three tasks; :class:`Place` builds each case's hostile inputs in its own folder;
:func:`check_one_line` is what every case asserts.
"""

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sweep_helpers import write_spec
from typer.testing import CliRunner

import sim.experiments.store
from sim.cli.app import app
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_spec import load_sweep

ROOT = Path(__file__).resolve().parent.parent
ISSUE = str(ROOT / "scenarios" / "issues" / "kz_csto_role.toml")
TRADE = ROOT / "seeds" / "data" / "kz_trade_by_partner.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A finished run folder, a finished sweep and a sweep stopped after three tasks."""
    base = tmp_path_factory.mktemp("made")
    run = base / "run"
    args = ["run", "baseline_2023", "-r", "2", "--steps", "2", "--no-report", "--quiet", "--out", str(run)]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    spec = write_spec(base)
    sweep = load_sweep(spec)
    run_sweep(sweep, base / "sweep", workers=1)
    write = sim.experiments.store.SweepStore.write
    calls = []

    def stop_after_three(self, output):
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(output.task)
        write(self, output)

    sim.experiments.store.SweepStore.write = stop_after_three
    try:
        run_sweep(sweep, base / "partial", workers=1)
    except KeyboardInterrupt:
        pass
    finally:
        sim.experiments.store.SweepStore.write = write
    assert (base / "partial" / ".parts" / "plan.json").is_file()
    return base


@dataclass
class Place:
    """A test's folder with helpers that build hostile inputs in it."""

    root: Path
    made: Path

    def file(self, name: str, content: bytes | str) -> str:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return str(path)

    def folder(self, name: str = "adir") -> str:
        (self.root / name).mkdir(exist_ok=True)
        return str(self.root / name)

    def copy(self, which: str, change: Callable[[Path], object] = lambda folder: None) -> str:
        """A copy of a made folder (run, sweep, partial), changed by ``change``."""
        target = self.root / which
        shutil.copytree(self.made / which, target)
        change(target)
        return str(target)

    def out(self, name: str = "out") -> str:
        return str(self.root / name)

    def readonly(self) -> str:
        """A folder nobody may write in (root included: it is made immutable)."""
        folder = self.root / "readonly"
        folder.mkdir(exist_ok=True)
        folder.chmod(0o555)
        if os.geteuid() == 0:
            done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
            if done.returncode != 0:
                pytest.skip("root ignores permissions and chattr +i is not available here")
        return str(folder)

    def release(self) -> None:
        folder = self.root / "readonly"
        if folder.exists():
            if os.geteuid() == 0:
                subprocess.run(["chattr", "-i", str(folder)], capture_output=True, check=False)
            folder.chmod(0o755)


def cut(path: Path, keep: int) -> None:
    """Keep the first ``keep`` bytes of a file."""
    path.write_bytes(path.read_bytes()[:keep])


def head(path: Path, lines: int) -> None:
    """Keep the first ``lines`` lines of a file."""
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:lines]))


RANDOM = bytes(range(256))[::-7] * 3  # fixed "random" bytes: not UTF-8, not TOML, not CSV
SCENARIO = 'extends = "baseline_2023"\n'
POINTS_SPEC = (
    'name = "p"\nscenarios = ["baseline_2023"]\nstrategies = ["multivector"]\ndesign = "list"\n'
    'points = "{points}"\nreplicates = 1\nsteps = 2\n'
)
Build = Callable[[Place], list[str]]


def run_(p: Place, *args: str) -> list[str]:
    return ["run", *args, "-r", "2", "--steps", "2", "--no-report", "--out", p.out()]


def sweep_(p: Place, spec: str, *args: str) -> list[str]:
    return ["sweep", spec, "-w", "1", *args]


def spec_(p: Place, text: str) -> str:
    return p.file("spec.toml", text)


def after(_made: object, args: list[str]) -> list[str]:
    """``args``, once the first argument (a file written for the case) exists."""
    return args


def part_file(folder: Path, name: str) -> Path:
    return folder / ".parts" / name


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and modification time, and every folder."""
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) if p.is_file() else (-1, 0)
        for p in root.rglob("*")
    }


def check_one_line(result, pattern: str) -> None:
    """Non-zero exit, exactly one ``error:`` line on stderr matching ``pattern``, no traceback.

    Nothing on stdout either: a mistake is found before any work or progress is reported.
    """
    assert result.exit_code not in (0, None), result.output
    assert not result.stdout.strip(), result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert re.search(pattern, lines[0]), lines[0]
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def run_case(build: Build, pattern: str, made: Path, tmp_path: Path, monkeypatch) -> None:
    """Build a case's inputs, run it in-process, and check the line and that nothing changed."""
    monkeypatch.chdir(tmp_path)  # default output folders (results/...) land here if made at all
    place = Place(tmp_path, made)
    try:
        args = build(place)
        before = snapshot(tmp_path)
        result = runner.invoke(app, args)
        check_one_line(result, pattern)
        assert snapshot(tmp_path) == before, "the command left files behind"
    finally:
        place.release()
