"""The CLI end to end: result files, byte-identical reruns, and one-line errors."""

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli.app import app
from sim.experiments.experiment import RunRequest, plan_experiment, run_experiment
from sim.schema import OUTCOMES

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def small_run(out: Path, *extra: str):
    return invoke(
        "run",
        "baseline_2023",
        "detente",
        "-s",
        "multivector",
        "-s",
        "pivot_china",
        "--replicates",
        "3",
        "--steps",
        "8",
        "--no-report",
        "--out",
        str(out),
        *extra,
    )


def test_run_writes_runs_timeseries_and_manifest(tmp_path):
    result = small_run(tmp_path / "r")
    assert result.exit_code == 0, result.output
    runs = pd.read_csv(tmp_path / "r" / "runs.csv")
    assert len(runs) == 2 * 2 * 3
    for col in ("run_id", "scenario", "strategy", "replicate", "seed", "status", *OUTCOMES):
        assert col in runs.columns
    assert runs["run_id"].is_unique
    ts = pd.read_csv(tmp_path / "r" / "timeseries.csv")
    assert set(ts["step"]) == {0, 4, 8}
    assert set(ts["date"]) == {"2023Q4", "2024Q4", "2025Q4"}
    share_cols = [c for c in ts.columns if c.startswith("share_")]
    assert (ts[share_cols].sum(axis=1) - 1).abs().max() < 1e-5  # written rounded to 6 decimals
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["root_seed"] == 1 and manifest["counts"]["runs"] == 12
    assert set(manifest["inputs"]["scenarios"]) == {"baseline_2023", "detente"}
    assert len(manifest["inputs_hash"]) == 64
    assert "Strategies across all scenarios" in result.output


def test_same_seed_gives_byte_identical_files_and_other_seed_differs(tmp_path):
    for name in ("a", "b"):
        assert small_run(tmp_path / name).exit_code == 0
    assert small_run(tmp_path / "c", "--seed", "2").exit_code == 0
    for file in ("runs.csv", "timeseries.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
        assert (tmp_path / "a" / file).read_bytes() != (tmp_path / "c" / file).read_bytes()


def test_cli_output_equals_the_library_function(tmp_path):
    assert small_run(tmp_path / "cli").exit_code == 0
    request = RunRequest(("baseline_2023", "detente"), ("multivector", "pivot_china"), 3, 8, 1, 4)
    run_experiment(plan_experiment(request), tmp_path / "lib", force=False)
    for file in ("runs.csv", "timeseries.csv"):
        assert (tmp_path / "cli" / file).read_bytes() == (tmp_path / "lib" / file).read_bytes()


def test_strategies_paired_by_seed_share_the_same_world(tmp_path):
    assert small_run(tmp_path / "r").exit_code == 0
    runs = pd.read_csv(tmp_path / "r" / "runs.csv")
    seeds = runs.groupby(["scenario", "replicate"])["seed"].nunique()
    assert (seeds == 1).all()


def test_record_every_zero_skips_the_timeseries(tmp_path):
    assert small_run(tmp_path / "r", "--record-every", "0").exit_code == 0
    assert not (tmp_path / "r" / "timeseries.csv").exists()


def test_user_scenario_file_runs(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\nextends = "baseline_2023"\n[world]\nrivalry = 0.9\n')
    result = invoke(
        "run",
        str(path),
        "-s",
        "equidistance",
        "-r",
        "2",
        "--steps",
        "4",
        "--no-report",
        "-o",
        str(tmp_path / "o"),
        "-q",
    )
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(tmp_path / "o" / "runs.csv")["scenario"]) == {"mine"}


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (("run", "atlantis"), r"unknown scenario 'atlantis'"),
        (("run", "missing.toml"), r"missing\.toml: no such scenario file"),
        (("run", "-s", "isolation"), r"unknown strategy 'isolation'"),
        (("run", "--replicates", "0"), r"--replicates: expected at least 1, got 0"),
        (("run", "--steps", "-1"), r"--steps: expected 1 to 400 quarters, got -1"),
        (("scenarios", "show", "atlantis"), r"unknown scenario 'atlantis'"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_nonzero_exit(tmp_path, args, pattern):
    result = invoke(*args, "--out", str(tmp_path / "o")) if args[0] == "run" else invoke(*args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(pattern, lines[0]), result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "o" / "runs.csv").exists()


def test_invalid_toml_is_reported_with_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("name = [\n")
    result = invoke("run", str(bad), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert re.search(r"bad\.toml: invalid TOML", result.stderr)


def test_output_path_that_is_a_file_or_a_non_empty_folder(tmp_path):
    file = tmp_path / "file"
    file.write_text("x")
    result = small_run(file)
    assert result.exit_code == 2 and "output path is a file" in result.stderr
    assert small_run(tmp_path / "r").exit_code == 0
    again = small_run(tmp_path / "r")
    assert again.exit_code == 2 and "not empty; use --force" in again.stderr
    assert small_run(tmp_path / "r", "--force").exit_code == 0


def test_scenarios_strategies_validate_and_version(tmp_path):
    listing = invoke("scenarios")
    assert listing.exit_code == 0 and "baseline_2023:" in listing.output
    shown = invoke("scenarios", "show", "detente")
    assert json.loads(shown.output)["world"]["rivalry"] == 0.6
    assert "multivector:" in invoke("strategies").output
    good = invoke("validate", str(ROOT / "scenarios" / "detente.toml"))
    assert good.exit_code == 0 and good.output.strip().endswith(": ok")
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "baseline_2023"\n[world]\nrivalry = 2\n')
    result = invoke("validate", str(bad))
    assert result.exit_code == 1 and "world.rivalry" in result.stderr
    assert invoke("--version").output.startswith("multivector ")


def test_every_command_has_help_and_appears_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert command.callback.__doc__, name
        assert f"multivector {name}" in readme, name
    assert "multivector scenarios" in readme


def test_ci_runs_the_readmes_test_command():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```")[1].splitlines()[1:]  # drop the language tag
    commands = [line for line in block if line.strip()]
    assert len(commands) == 2, commands
    assert "pytest" in commands[1]
    assert "multivector run" in commands[0]
    extracted = subprocess.run(
        [
            "bash",
            "-c",
            "awk '/^## Quick start/{q=1} q&&/^```/{n++; next} q&&n==1{print}' README.md | sed -n 2p",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert extracted == commands[1]
    assert "README.md" in (ROOT / ".ci" / "run").read_text()


def test_the_quick_start_and_ci_install_from_the_committed_lock_file():
    """A fresh clone gets the versions in uv.lock, and the lock covers every declared dependency."""
    import tomllib

    readme = (ROOT / "README.md").read_text()
    install = readme.split("## Quick start", 1)[1].split("```")[1].splitlines()[1]
    ci = (ROOT / ".ci" / "run").read_text()
    for text in (install, ci):
        assert "uv sync" in text and "--locked" in text and "--all-extras" in text
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    locked = {p["name"].lower().replace("_", "-") for p in lock["package"]}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += extra
    names = {re.split(r"[\[<>=!~; ]", d, maxsplit=1)[0].lower().replace("_", "-") for d in declared}
    assert names <= locked, sorted(names - locked)


def test_force_replaces_the_earlier_results_and_keeps_the_users_own_files(tmp_path):
    """--force never mixes old and new results: old timeseries and analysis go, a user's file stays."""
    out = tmp_path / "out"
    first = runner.invoke(
        app, ["run", "baseline_2023", "-r", "3", "--steps", "4", "--out", str(out), "--quiet"]
    )
    assert first.exit_code == 0, first.output
    assert (out / "timeseries.csv").is_file() and (out / "analysis" / "report.html").is_file()
    (out / "notes.txt").write_text("mine")
    (out / ".runs.csv.abc.tmp").write_text("left by a killed write")
    args = ["run", "baseline_2023", "-r", "3", "--steps", "4", "--record-every", "0", "--no-report"]
    second = runner.invoke(app, [*args, "--out", str(out), "--force", "--quiet"])
    assert second.exit_code == 0, second.output
    assert not (out / "timeseries.csv").exists() and not (out / "analysis").exists()
    assert not list(out.glob(".*.tmp"))
    assert (out / "notes.txt").read_text() == "mine" and (out / "runs.csv").is_file()


def test_two_commands_cannot_write_one_folder_at_once(tmp_path):
    """A second writer is refused with one line while the first holds the folder's lock."""
    from sim.files import LOCK_NAME, folder_lock

    out = tmp_path / "out"
    args = ["run", "baseline_2023", "-r", "2", "--steps", "2", "--no-report", "--quiet", "--out", str(out)]
    with folder_lock(out):
        blocked = runner.invoke(app, args)
        spec = str(ROOT / "scenarios" / "sweeps" / "eaeu_grid.toml")
        sweep = runner.invoke(app, ["sweep", spec, "--out", str(out), "--quiet"])
    for result in (blocked, sweep):
        assert result.exit_code != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "another multivector command is writing" in lines[0], result.output
    assert not (out / "runs.csv").exists()
    done = runner.invoke(app, args)  # the lock is released: the folder holds only the stale lock name
    assert done.exit_code == 0, done.output
    assert (out / "runs.csv").is_file() and not (out / LOCK_NAME).exists()


def _chain(folder: Path) -> Path:
    for i in range(40):
        parent = f"c{i + 1}.toml" if i < 39 else "baseline_2023"
        (folder / f"c{i}.toml").write_text(f'extends = "{parent}"\n')
    return folder / "c0.toml"


def _results_with_timeseries(folder: Path, content: bytes) -> Path:
    out = folder / "res"
    done = runner.invoke(
        app, ["run", "baseline_2023", "-r", "2", "--steps", "2", "--no-report", "--quiet", "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    (out / "timeseries.csv").write_bytes(content)
    return out


@pytest.mark.parametrize(
    "case, expected",
    [
        ("steps", r"--steps: expected 1 to 400 quarters, got 401"),
        ("chain", r"extends: a chain of more than 32 files"),
        ("empty_series", r"timeseries\.csv: not a readable CSV file"),
        ("binary_series", r"timeseries\.csv: not a readable CSV file"),
    ],
)
def test_more_hostile_input_ends_in_one_line_not_a_traceback(tmp_path, case, expected):
    if case == "steps":
        args = ["run", "baseline_2023", "--steps", "401", "--out", str(tmp_path / "o")]
    elif case == "chain":
        args = ["validate", str(_chain(tmp_path))]
    else:
        content = b"" if case == "empty_series" else b"\xff\xfe\x00"
        args = ["analyze", str(_results_with_timeseries(tmp_path, content))]
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(expected, lines[0]), result.stderr
    assert not (tmp_path / "o").exists()
