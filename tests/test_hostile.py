"""Hostile input, command by command: one error line, a non-zero exit, nothing half-written.

Each case builds its inputs in a fresh folder, runs the command in-process and checks that
the exit code is not 0, that stderr is exactly one line naming the file, field or flag and
what was expected (the case's pattern), that no traceback shows, and that the folder holds
exactly what it held before (no new file, no ``*.tmp``, no output folder). Property tests
at the end vary the input: random bytes and random TOML as sweep specs, CSVs cut at any byte.
"""

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sweep_helpers import TINY, write_spec
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


CASES: dict[str, tuple[Build, str]] = {
    # run
    "run/missing file": (lambda p: run_(p, p.out("nope.toml")), r"nope\.toml: no such scenario file"),
    "run/directory": (lambda p: run_(p, p.folder()), r"adir: no such scenario file"),
    "run/not UTF-8": (lambda p: run_(p, p.file("s.toml", b'name = "\xff"\n')), r"s\.toml: not UTF-8 text"),
    "run/random bytes": (lambda p: run_(p, p.file("s.toml", RANDOM)), r"s\.toml: not UTF-8 text"),
    "run/empty file": (lambda p: run_(p, p.file("s.toml", "")), r"s\.toml: powers: Field required"),
    "run/bad TOML": (lambda p: run_(p, p.file("s.toml", "name = [\n")), r"s\.toml: invalid TOML"),
    "run/wrong type": (
        lambda p: run_(p, p.file("s.toml", SCENARIO + '[world]\nrivalry = "high"\n')),
        r"s\.toml: world\.rivalry: Input should be a valid number",
    ),
    "run/out of range": (
        lambda p: run_(p, p.file("s.toml", SCENARIO + "[world]\nrivalry = 2\n")),
        r"s\.toml: world\.rivalry: .*1",
    ),
    "run/unknown field": (
        lambda p: run_(p, p.file("s.toml", SCENARIO + "colour = 1\n")),
        r"s\.toml: colour: Extra inputs are not permitted",
    ),
    "run/unknown scenario": (lambda p: run_(p, "atlantis"), r"unknown scenario 'atlantis'"),
    "run/unknown strategy": (
        lambda p: run_(p, "baseline_2023", "-s", "isolation"),
        r"unknown strategy 'isolation'",
    ),
    "run/nan": (
        lambda p: run_(p, p.file("s.toml", SCENARIO + "[world]\nrivalry = nan\n")),
        r"s\.toml: world\.rivalry: Input should be a finite number",
    ),
    "run/inf": (
        lambda p: run_(p, p.file("s.toml", SCENARIO + "[world]\nrivalry = inf\n")),
        r"s\.toml: world\.rivalry: Input should be a finite number",
    ),
    "run/huge steps in file": (
        lambda p: run_(p, p.file("s.toml", SCENARIO + "steps = 100000000000000000000000\n")),
        r"s\.toml: steps: Input should be less than or equal to 400",
    ),
    "run/huge replicates": (
        lambda p: ["run", "baseline_2023", "-r", "1" + "0" * 30, "--out", p.out()],
        r"--replicates: expected at most 10,000,000",
    ),
    "run/huge seed": (
        lambda p: ["run", "baseline_2023", "--seed", str(2**64), "--out", p.out()],
        r"--seed: expected 0 to 2\*\*64 - 1",
    ),
    "run/replicates not a number": (
        lambda p: ["run", "baseline_2023", "-r", "many", "--out", p.out()],
        r"'--replicates'.*valid integer.*\(see: .*run --help\)",
    ),
    "run/negative record interval": (
        lambda p: run_(p, "baseline_2023", "--record-every", "-1"),
        r"--record-every: expected 0 \(off\) or more",
    ),
    "run/unknown option": (lambda p: run_(p, "--colour", "red"), r"No such option: --colour"),
    "run/out is a file": (
        lambda p: ["run", "baseline_2023", "-r", "2", "--steps", "2", "--out", p.file("f", "x")],
        r"f: output path is a file, expected a folder",
    ),
    "run/out under a file": (
        lambda p: ["run", "baseline_2023", "-r", "2", "--steps", "2", "--out", p.file("f", "x") + "/o"],
        r"f/o: cannot create output folder: .*f is a file",
    ),
    "run/out read-only": (
        lambda p: ["run", "baseline_2023", "-r", "2", "--steps", "2", "--out", p.readonly() + "/o"],
        r"readonly/o: cannot create output folder in .*readonly: (Permission denied|Operation not permitted)",
    ),
    "run/out not empty": (
        lambda p: ["run", "baseline_2023", "-r", "2", "--steps", "2", "--out", p.copy("run")],
        r"run: output folder is not empty; use --force to overwrite",
    ),
    "run/out name too long": (
        lambda p: ["run", "baseline_2023", "-r", "2", "--steps", "2", "--out", p.out("x" * 300)],
        r"x{300}: File name too long",
    ),
    "run/scenario nested too deeply": (
        lambda p: run_(p, p.file("s.toml", "a = " + "[" * 5000 + "]" * 5000 + "\n")),
        r"s\.toml: invalid TOML: arrays or tables nested too deeply",
    ),
    # validate
    "validate/missing file": (
        lambda p: ["validate", p.out("nope.toml")],
        r"nope\.toml: no such scenario file",
    ),
    "validate/directory": (lambda p: ["validate", p.folder()], r"adir: no such scenario file"),
    "validate/random bytes": (lambda p: ["validate", p.file("s.toml", RANDOM)], r"s\.toml: not UTF-8 text"),
    "validate/bad TOML": (lambda p: ["validate", p.file("s.toml", "[world\n")], r"s\.toml: invalid TOML"),
    "validate/extends missing": (
        lambda p: ["validate", p.file("s.toml", 'extends = "nowhere.toml"\n')],
        r"s\.toml: .*nowhere",
    ),
    "validate/extends itself": (
        lambda p: ["validate", p.file("s.toml", 'extends = "s.toml"\n')],
        r"s\.toml: .*extends",
    ),
    "validate/no file named": (
        lambda p: ["validate"],
        r"Missing argument 'FILES...'|Missing argument 'files",
    ),
    # sweep
    "sweep/missing file": (lambda p: sweep_(p, p.out("nope.toml")), r"nope\.toml: no such sweep spec file"),
    "sweep/directory": (lambda p: sweep_(p, p.folder()), r"adir: no such sweep spec file"),
    "sweep/random bytes": (lambda p: sweep_(p, spec_(p, RANDOM)), r"spec\.toml: not UTF-8 text"),
    "sweep/empty file": (lambda p: sweep_(p, spec_(p, "")), r"spec\.toml: name: Field required"),
    "sweep/bad TOML": (lambda p: sweep_(p, spec_(p, "name = [")), r"spec\.toml: invalid TOML"),
    "sweep/wrong type": (
        lambda p: sweep_(p, spec_(p, TINY.replace("replicates = 5", 'replicates = "five"'))),
        r"spec\.toml: replicates: Input should be a valid integer",
    ),
    "sweep/out of range": (
        lambda p: sweep_(p, spec_(p, TINY.replace("high = 0.6", "high = 7"))),
        r"spec\.toml: parameters\.\"powers\.russia\.tolerance\"",
    ),
    "sweep/unknown field": (
        lambda p: sweep_(p, spec_(p, "colour = 1\n" + TINY)),
        r"spec\.toml: colour: Extra inputs are not permitted",
    ),
    "sweep/unknown strategy": (
        lambda p: sweep_(p, spec_(p, TINY.replace('"equidistance"', '"isolation"'))),
        r"spec\.toml: strategies\[1\]: unknown strategy 'isolation'",
    ),
    "sweep/unknown scenario": (
        lambda p: sweep_(p, spec_(p, TINY.replace('"baseline_2023"', '"atlantis"'))),
        r"spec\.toml: scenarios\[0\]: unknown scenario 'atlantis'",
    ),
    "sweep/nan": (
        lambda p: sweep_(p, spec_(p, TINY.replace("high = 0.6", "high = nan"))),
        r"spec\.toml: parameters\.\"powers\.russia\.tolerance\": nan",
    ),
    "sweep/inf": (
        lambda p: sweep_(p, spec_(p, TINY.replace("replicates = 5", "replicates = inf"))),
        r"spec\.toml: replicates: Input should be a finite number",
    ),
    "sweep/huge replicates": (
        lambda p: sweep_(p, spec_(p, TINY.replace("replicates = 5", "replicates = 100000000000000"))),
        r"spec\.toml: replicates: Input should be less than or equal to 10000000",
    ),
    "sweep/huge design": (
        lambda p: sweep_(
            p, spec_(p, TINY.replace('design = "lhs"\nsamples = 3', 'design = "lhs"\nsamples = 9999999'))
        ),
        r"spec\.toml: .*samples|spec\.toml: design: the lhs design would make",
    ),
    "sweep/points outside (absolute)": (
        lambda p: sweep_(p, spec_(p, POINTS_SPEC.format(points="/etc/passwd"))),
        r"spec\.toml: points: '/etc/passwd' is outside the spec's folder",
    ),
    "sweep/points outside (parent)": (
        lambda p: after(
            p.file("points.csv", "world.rivalry\n0.5\n"),
            sweep_(p, p.file("deep/spec.toml", POINTS_SPEC.format(points="../points.csv"))),
        ),
        r"spec\.toml: points: '\.\./points\.csv' is outside the spec's folder",
    ),
    "sweep/points truncated": (
        lambda p: after(
            p.file("points.csv", 'world.rivalry\n"0.5\n'),
            sweep_(p, spec_(p, POINTS_SPEC.format(points="points.csv"))),
        ),
        r"spec\.toml: points: cannot read .*points\.csv",
    ),
    "sweep/unknown backend": (
        lambda p: sweep_(p, spec_(p, TINY), "--backend", "ray", "--out", p.out()),
        r"--backend: expected one of local, dask",
    ),
    "sweep/workers zero": (
        lambda p: sweep_(p, spec_(p, TINY), "--workers", "0", "--out", p.out()),
        r"'--workers'.*greater than or equal to 1",
    ),
    "sweep/out is a file": (
        lambda p: sweep_(p, spec_(p, TINY), "--out", p.file("f", "x")),
        r"f: output path is a file, expected a folder",
    ),
    "sweep/out read-only": (
        lambda p: sweep_(p, spec_(p, TINY), "--out", p.readonly()),
        r"readonly: cannot write in output folder: (Permission denied|Operation not permitted)",
    ),
    "sweep/resume a run folder": (
        lambda p: sweep_(p, spec_(p, TINY), "--resume", "--out", p.copy("run")),
        r"run: cannot resume: the spec",
    ),
    "sweep/resume, plan.json not JSON": (
        lambda p: sweep_(
            p,
            spec_(p, TINY),
            "--resume",
            "--out",
            p.copy("partial", lambda f: part_file(f, "plan.json").write_bytes(RANDOM)),
        ),
        r"plan\.json: not valid JSON .*expected the sweep's plan .*start over with --force",
    ),
    "sweep/resume, plan.json a list": (
        lambda p: sweep_(
            p,
            spec_(p, TINY),
            "--resume",
            "--out",
            p.copy("partial", lambda f: part_file(f, "plan.json").write_text("[1, 2]")),
        ),
        r"plan\.json: expected the sweep's plan \(a JSON object\)",
    ),
    "sweep/resume, plan.json without format": (
        lambda p: sweep_(
            p,
            spec_(p, TINY),
            "--resume",
            "--out",
            p.copy("partial", lambda f: part_file(f, "plan.json").write_text('{"spec_hash": "x"}')),
        ),
        r"plan\.json: missing 'format'",
    ),
    "sweep/resume, manifest not JSON": (
        lambda p: sweep_(
            p,
            spec_(p, TINY),
            "--resume",
            "--out",
            p.copy("sweep", lambda f: (f / "manifest.json").write_bytes(b"\x00\xff{")),
        ),
        r"manifest\.json: not valid JSON .*expected the sweep's manifest",
    ),
    "sweep/resume, manifest a string": (
        lambda p: sweep_(
            p,
            spec_(p, TINY),
            "--resume",
            "--out",
            p.copy("sweep", lambda f: (f / "manifest.json").write_text('"done"')),
        ),
        r"manifest\.json: expected the sweep's manifest \(a JSON object\)",
    ),
    # analyze
    "analyze/missing folder": (lambda p: ["analyze", p.out("nope")], r"nope: not a folder"),
    "analyze/a file": (lambda p: ["analyze", p.file("f", "x")], r"f: not a folder"),
    "analyze/no runs.csv": (
        lambda p: ["analyze", p.folder()],
        r"adir: not a results folder \(no runs\.csv\)",
    ),
    "analyze/no manifest": (
        lambda p: ["analyze", p.copy("run", lambda f: (f / "manifest.json").unlink())],
        r"manifest\.json: missing; .* incomplete",
    ),
    "analyze/manifest random bytes": (
        lambda p: ["analyze", p.copy("run", lambda f: (f / "manifest.json").write_bytes(RANDOM))],
        r"manifest\.json: not valid JSON",
    ),
    "analyze/manifest a list": (
        lambda p: ["analyze", p.copy("run", lambda f: (f / "manifest.json").write_text("[]"))],
        r"manifest\.json: expected a JSON object",
    ),
    "analyze/manifest counts wrong type": (
        lambda p: ["analyze", p.copy("run", lambda f: (f / "manifest.json").write_text('{"counts": "x"}'))],
        r"manifest\.json: field 'counts' must be an object",
    ),
    "analyze/manifest outcomes wrong type": (
        lambda p: [
            "analyze",
            p.copy("run", lambda f: (f / "manifest.json").write_text('{"outcomes": {"a": 1}}')),
        ],
        r"manifest\.json: field 'outcomes\.a' must be an object",
    ),
    "analyze/runs random bytes": (
        lambda p: ["analyze", p.copy("run", lambda f: (f / "runs.csv").write_bytes(RANDOM))],
        r"runs\.csv: not a readable CSV file",
    ),
    "analyze/runs empty": (
        lambda p: ["analyze", p.copy("run", lambda f: (f / "runs.csv").write_bytes(b""))],
        r"runs\.csv: not a readable CSV file",
    ),
    "analyze/runs cut mid-row": (
        lambda p: ["analyze", p.copy("run", lambda f: cut(f / "runs.csv", -40))],
        r"runs\.csv: ends in the middle of a row",
    ),
    "analyze/runs cut at a row": (
        lambda p: ["analyze", p.copy("run", lambda f: head(f / "runs.csv", 10))],
        r"runs\.csv: 9 rows, but manifest\.json records",
    ),
    "analyze/timeseries cut mid-row": (
        lambda p: ["analyze", p.copy("run", lambda f: cut(f / "timeseries.csv", -30))],
        r"timeseries\.csv: ends in the middle of a row",
    ),
    "analyze/sweep timeseries cut at a row": (
        lambda p: ["analyze", p.copy("sweep", lambda f: head(f / "timeseries.csv", 20))],
        r"timeseries\.csv: 19 rows, but manifest\.json records",
    ),
    "analyze/design random bytes": (
        lambda p: ["analyze", p.copy("sweep", lambda f: (f / "design.csv").write_bytes(RANDOM))],
        r"design\.csv: not a readable CSV file",
    ),
    "analyze/folder name too long": (lambda p: ["analyze", p.out("x" * 300)], r"x{300}: File name too long"),
    "analyze/manifest count not a number": (
        lambda p: [
            "analyze",
            p.copy("run", lambda f: (f / "manifest.json").write_text(json.dumps({"counts": {"runs": "16"}}))),
        ],
        r"manifest\.json: field 'counts\.runs' must be an integer",
    ),
    "analyze/timeseries missing": (
        lambda p: ["analyze", p.copy("run", lambda f: (f / "timeseries.csv").unlink())],
        r"timeseries\.csv: missing, but manifest\.json records \d+ rows",
    ),
    "analyze/unknown metric": (
        lambda p: ["analyze", p.copy("run"), "--metric", "happiness"],
        r"unknown metric 'happiness'",
    ),
    "analyze/unknown reference": (
        lambda p: ["analyze", p.copy("run"), "--reference", "isolation"],
        r"unknown strategy 'isolation'",
    ),
    "analyze/threshold huge": (
        lambda p: ["analyze", p.copy("run"), "-t", "welfare_final>=1e999"],
        r"--threshold: 'welfare_final>=1e999': the number is too large; expected a finite number",
    ),
    "analyze/weights nan": (
        lambda p: ["analyze", p.copy("run"), "--weights", "welfare=nan"],
        r"--weights: welfare = nan; expected a finite number >= 0",
    ),
    "analyze/weights file random bytes": (
        lambda p: ["analyze", p.copy("run"), "--weights", p.file("w.toml", RANDOM)],
        r"w\.toml: not UTF-8 text",
    ),
    "analyze/out is a file": (
        lambda p: ["analyze", p.copy("run"), "--out", p.file("f", "x")],
        r"--out .*f: is a file; expected a folder",
    ),
    "analyze/out read-only": (
        lambda p: ["analyze", p.copy("run"), "--out", p.readonly() + "/a"],
        r"readonly/a: cannot create output folder in .*readonly",
    ),
    # export
    "export/missing folder": (lambda p: ["export", p.out("nope")], r"nope: not a folder"),
    "export/no manifest": (
        lambda p: ["export", p.copy("run", lambda f: (f / "manifest.json").unlink())],
        r"manifest\.json: missing",
    ),
    "export/runs cut mid-row": (
        lambda p: ["export", p.copy("run", lambda f: cut(f / "runs.csv", -40))],
        r"runs\.csv: ends in the middle of a row",
    ),
    "export/runs cut at a row": (
        lambda p: ["export", p.copy("sweep", lambda f: head(f / "runs.csv", 10))],
        r"runs\.csv: 9 rows, but manifest\.json records",
    ),
    "export/unknown format": (
        lambda p: ["export", p.copy("run"), "--format", "xlsx"],
        r"'--format'.*'xlsx' is not",
    ),
    "export/out exists": (
        lambda p: ["export", p.copy("run"), "--out", p.file("e.tar.gz", "x")],
        r"--out .*e\.tar\.gz: exists already",
    ),
    "export/out parent missing": (
        lambda p: ["export", p.copy("run"), "--out", p.out("no/such/e.tar.gz")],
        r"--out .*e\.tar\.gz: folder .*no/such does not exist",
    ),
    "export/out read-only": (
        lambda p: ["export", p.copy("run"), "--out", p.readonly() + "/e.tar.gz"],
        r"readonly: cannot write in output folder",
    ),
    "export/out not tar.gz": (
        lambda p: ["export", p.copy("run"), "--out", p.out("e.zip")],
        r"--out .*e\.zip: expected a file name ending in \.tar\.gz",
    ),
    # hindcast
    **{
        f"hindcast/{name}": (
            lambda p, content=content: [
                "hindcast",
                "--start",
                "2011",
                "--end",
                "2013",
                "-r",
                "2",
                "--observed",
                p.file("obs.csv", content),
                "--out",
                p.out(),
            ],
            pattern,
        )
        for name, content, pattern in [
            ("observed random bytes", RANDOM, r"obs\.csv: cannot read as CSV"),
            ("observed empty", b"", r"obs\.csv: cannot read as CSV"),
            ("observed not UTF-8", b"year,partner\n\xff\xfe,1\n", r"obs\.csv: cannot read as CSV"),
            ("observed truncated", TRADE.read_bytes()[:500], r"obs\.csv: "),
            ("observed wrong columns", b"a,b\n1,2\n", r"obs\.csv: missing column"),
        ]
    },
    "hindcast/observed missing": (
        lambda p: ["hindcast", "--start", "2011", "--end", "2013", "--observed", p.out("nope.csv")],
        r"nope\.csv: no such observed-data file",
    ),
    "hindcast/observed a folder": (
        lambda p: ["hindcast", "--start", "2011", "--end", "2013", "--observed", p.folder()],
        r"'--observed'.*is a directory",
    ),
    "hindcast/gdp random bytes": (
        lambda p: [
            "hindcast",
            "--start",
            "2011",
            "--end",
            "2013",
            "--observed-gdp",
            p.file("g.csv", RANDOM),
            "--out",
            p.out(),
        ],
        r"g\.csv: cannot read as CSV",
    ),
    "hindcast/end before start": (
        lambda p: ["hindcast", "--start", "2030", "--end", "2011", "--out", p.out()],
        r"--end 2011: expected a year after --start",
    ),
    "hindcast/missing --end": (lambda p: ["hindcast", "--start", "2011"], r"Missing option '--end'"),
    "hindcast/out is a file": (
        lambda p: ["hindcast", "--start", "2011", "--end", "2013", "-r", "2", "--out", p.file("f", "x")],
        r"f: output path is a file",
    ),
    "hindcast/out read-only": (
        lambda p: ["hindcast", "--start", "2011", "--end", "2013", "-r", "2", "--out", p.readonly() + "/h"],
        r"readonly/h: cannot create output folder in",
    ),
    # bargain
    "bargain/missing file": (lambda p: ["bargain", p.out("nope.csv")], r"nope\.csv: cannot read file"),
    "bargain/directory": (lambda p: ["bargain", p.folder()], r"adir: expected a \.csv or \.toml issue file"),
    "bargain/random bytes CSV": (
        lambda p: ["bargain", p.file("i.csv", RANDOM)],
        r"i\.csv: not a readable CSV",
    ),
    "bargain/random bytes TOML": (
        lambda p: ["bargain", p.file("i.toml", RANDOM)],
        r"i\.toml: not UTF-8 text",
    ),
    "bargain/empty CSV": (lambda p: ["bargain", p.file("i.csv", b"")], r"i\.csv: not a readable CSV"),
    "bargain/truncated CSV": (
        lambda p: ["bargain", p.file("i.csv", "issue,actor,position\nx,RUS,")],
        r"i\.csv row 1, field 'capability': missing column",
    ),
    "bargain/nan in TOML": (
        lambda p: ["bargain", p.file("i.toml", Path(ISSUE).read_text().replace("=", "= nan #", 3))],
        r"i\.toml: name: Input should be a valid string",
    ),
    "bargain/unknown model": (
        lambda p: ["bargain", ISSUE, "--model", "zz"],
        r"'--model'.*'zz' is not one of",
    ),
    "bargain/from-run missing": (
        lambda p: ["bargain", ISSUE, "--from-run", p.out("nope"), "--at", "2027Q4"],
        r"nope/timeseries\.csv: cannot read file",
    ),
    "bargain/at not recorded": (
        lambda p: ["bargain", ISSUE, "--from-run", p.copy("run"), "--at", "2099Q9"],
        r"timeseries\.csv, field 'date': no rows at --at = '2099Q9'",
    ),
    "bargain/from-run timeseries cut": (
        lambda p: [
            "bargain",
            ISSUE,
            "--at",
            "2023Q4",
            "--from-run",
            p.copy("run", lambda f: cut(f / "timeseries.csv", -20)),
        ],
        r"timeseries\.csv: ends in the middle of a row",
    ),
    "bargain/from-run timeseries random bytes": (
        lambda p: [
            "bargain",
            ISSUE,
            "--at",
            "2023Q4",
            "--from-run",
            p.copy("run", lambda f: (f / "timeseries.csv").write_bytes(RANDOM)),
        ],
        r"timeseries\.csv: not a readable CSV file",
    ),
    "bargain/out is a file": (
        lambda p: ["bargain", ISSUE, "-r", "2", "--out", p.file("f", "x")],
        r"f: output path is a file",
    ),
    "bargain/out read-only": (
        lambda p: ["bargain", ISSUE, "-r", "2", "--out", p.readonly() + "/b"],
        r"readonly/b: cannot create output folder in",
    ),
    # scenarios, parameters
    "scenarios show/random bytes": (
        lambda p: ["scenarios", "show", p.file("s.toml", RANDOM)],
        r"s\.toml: not UTF-8 text",
    ),
    "scenarios show/directory": (lambda p: ["scenarios", "show", p.folder()], r"adir: no such scenario file"),
    "scenarios show/unknown name": (
        lambda p: ["scenarios", "show", "atlantis"],
        r"unknown scenario 'atlantis'",
    ),
    "scenarios show/huge number": (
        lambda p: ["scenarios", "show", p.file("s.toml", SCENARIO + "[world]\nrivalry = 1e400\n")],
        r"s\.toml: world\.rivalry: Input should be a finite number",
    ),
    "parameters/unknown scenario": (
        lambda p: ["parameters", "--scenario", "atlantis"],
        r"unknown scenario 'atlantis'",
    ),
    "parameters/random bytes": (
        lambda p: ["parameters", "--scenario", p.file("s.toml", RANDOM)],
        r"s\.toml: not UTF-8 text",
    ),
    "parameters/no match": (lambda p: ["parameters", "zzzz"], r"no parameter path contains 'zzzz'"),
    # calibrate (its internals belong to the calibration work; the command is tested as it is)
    "calibrate/missing spec": (
        lambda p: ["calibrate", p.out("nope.toml")],
        r"nope\.toml: no such calibration spec",
    ),
    "calibrate/random bytes": (lambda p: ["calibrate", p.file("c.toml", RANDOM)], r"c\.toml: not UTF-8 text"),
    "calibrate/empty spec": (
        lambda p: ["calibrate", p.file("c.toml", "")],
        r"c\.toml: parameters: Field required",
    ),
    "calibrate/bad TOML": (lambda p: ["calibrate", p.file("c.toml", "[x")], r"c\.toml: invalid TOML"),
    "calibrate/observed random bytes": (
        lambda p: ["calibrate", "trade_2011_2018", "--observed", p.file("o.csv", RANDOM), "--out", p.out()],
        r"o\.csv: cannot read as CSV",
    ),
    "calibrate/out read-only": (
        lambda p: [
            "calibrate",
            "trade_2011_2018",
            "--out",
            p.readonly() + "/c",
            "--fitted",
            p.out("fit.toml"),
        ],
        r"readonly/c: cannot create output folder in",
    ),
    "calibrate/fitted read-only": (
        lambda p: [
            "calibrate",
            "trade_2011_2018",
            "--out",
            p.out(),
            "--fitted",
            p.readonly() + "/fit.toml",
        ],
        r"readonly: cannot write in output folder",
    ),
    "calibrate/fitted a folder": (
        lambda p: ["calibrate", "trade_2011_2018", "--out", p.out(), "--fitted", p.folder()],
        r"'--fitted'.*is a directory",
    ),
}


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and modification time, and every folder."""
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) if p.is_file() else (-1, 0)
        for p in root.rglob("*")
    }


def check_one_line(result, pattern: str) -> None:
    """Non-zero exit, exactly one ``error:`` line on stderr matching ``pattern``, no traceback."""
    assert result.exit_code not in (0, None), result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert re.search(pattern, lines[0]), lines[0]
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_input_is_one_line_and_changes_nothing(case, made, tmp_path, monkeypatch):
    build, pattern = CASES[case]
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


def test_the_table_covers_every_command():
    """Every command of the app has hostile cases (explore serves a browser: not in the table)."""
    names = {c.name or c.callback.__name__ for c in app.registered_commands} | {"scenarios show"}
    covered = {case.split("/")[0] for case in CASES}
    assert names - {"explore", "strategies"} <= covered, sorted(names - covered)
    assert len(CASES) >= 100


# Property tests: the input varies.

TOML_KEYS = ["name", "scenarios", "strategies", "design", "samples", "replicates", "seed", "steps",
             "chunk_size", "record_every", "points", "levels", "description"]  # fmt: skip
TOML_VALUES = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.booleans(),
    st.lists(st.one_of(st.integers(-5, 5), st.text(max_size=6)), max_size=3),
)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


@given(content=st.one_of(st.binary(max_size=300), st.dictionaries(st.sampled_from(TOML_KEYS), TOML_VALUES)))
def test_any_sweep_spec_is_refused_in_one_line_or_planned(tmp_path_factory, content):
    """Random bytes or random TOML as a sweep spec: one error line and no output folder."""
    folder = tmp_path_factory.mktemp("spec")
    if isinstance(content, dict):
        content = "\n".join(f"{k} = {toml_value(v)}" for k, v in content.items()).encode()
    spec = folder / "spec.toml"
    spec.write_bytes(content)
    result = runner.invoke(app, ["sweep", str(spec), "--out", str(folder / "out"), "--quiet"])
    check_one_line(result, r"spec\.toml: ")
    assert not (folder / "out").exists()


@given(data=st.data())
def test_a_results_file_cut_at_any_byte_is_refused(made, tmp_path_factory, data):
    """runs.csv or timeseries.csv cut anywhere short of its end: analyze and export refuse it."""
    table = data.draw(st.sampled_from(["runs.csv", "timeseries.csv"]))
    command = data.draw(st.sampled_from(["analyze", "export"]))
    source = made / data.draw(st.sampled_from(["run", "sweep"]))
    folder = tmp_path_factory.mktemp("cut") / "results"
    shutil.copytree(source, folder)
    size = (folder / table).stat().st_size
    cut(folder / table, data.draw(st.integers(0, size - 1)))
    before = snapshot(folder)
    result = runner.invoke(app, [command, str(folder)])
    check_one_line(result, re.escape(table))
    assert snapshot(folder) == before
