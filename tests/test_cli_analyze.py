"""The analyze and export commands: output on success, one clear line on a user's mistake."""

import re

import pandas as pd
import pytest
import typer
from analysis_fixtures import make_run_folder
from typer.testing import CliRunner

from sim.cli.analyze import analyze, export


@pytest.fixture
def app():
    app = typer.Typer()
    app.command("analyze")(analyze)
    app.command("export")(export)
    return app


@pytest.fixture
def folder(tmp_path):
    return make_run_folder(tmp_path / "results", replicates=3, steps=2)


def run(app, *args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_analyze_writes_the_report(app, folder, tmp_path):
    out = tmp_path / "analysis"
    result = run(app, "analyze", folder, "--out", out, "--no-figures", "-t", "crises<=2",
                 "--metric", "welfare_final", "--metric", "crises", "--reference", "pivot_china")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "report.html" in result.stdout
    paired = pd.read_csv(out / "paired.csv")
    assert set(paired["reference"]) == {"pivot_china"}
    assert set(paired["metric"]) == {"welfare_final", "crises"}
    assert set(pd.read_csv(out / "satisficing.csv")["threshold"]) == {"crises<=2", "all"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "{missing}"], "not a folder"),
        (["analyze", "{empty}"], "not a results folder (no runs.csv)"),
        (["analyze", "{folder}", "--metric", "autonomy"], "unknown metric 'autonomy'"),
        (["analyze", "{folder}", "--reference", "hedging"], "unknown strategy 'hedging'"),
        (
            ["analyze", "{folder}", "-t", "autonomy_mean=>0.7"],
            "--threshold: 'autonomy_mean=>0.7' is malformed",
        ),
        (["analyze", "{folder}", "-t", "welfare>=1"], "unknown metric 'welfare'"),
        (["analyze", "{broken}"], "missing column 'strategy'"),
    ],
)
def test_user_mistakes_print_one_line_and_exit_2(app, folder, tmp_path, args, message):
    empty = tmp_path / "empty"
    empty.mkdir()
    broken = tmp_path / "broken"
    broken.mkdir()
    pd.read_csv(folder / "runs.csv").drop(columns="strategy").to_csv(broken / "runs.csv", index=False)
    (broken / "manifest.json").write_bytes((folder / "manifest.json").read_bytes())
    places = {"folder": folder, "missing": tmp_path / "missing", "empty": empty, "broken": broken}
    result = run(app, *[a.format(**places) for a in args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not re.search(r"`[a-z_]+(=True)?`", result.stderr), "a Python parameter name reached the CLI"


def test_export_command(app, folder, tmp_path):
    pytest.importorskip("ema_workbench", reason="export --format ema needs EMA Workbench")
    target = tmp_path / "ema.tar.gz"
    result = run(app, "export", folder, "--format", "ema", "--out", target)
    assert result.exit_code == 0, result.output
    assert target.is_file()
    again = run(app, "export", folder, "--format", "ema", "--out", target)
    assert again.exit_code == 2
    assert f"error: --out {target}: exists already" in again.stderr


def test_export_rejects_an_unknown_format(app, folder):
    result = run(app, "export", folder, "--format", "csv")
    assert result.exit_code == 2
    assert "csv" in result.output


def test_commands_have_help(app):
    for command in ("analyze", "export"):
        result = run(app, command, "--help")
        assert result.exit_code == 0
        assert "RESULTS_DIR" in result.stdout


@pytest.mark.parametrize("command", ["analyze", "export"])
def test_a_truncated_runs_file_is_refused_against_its_manifest(app, folder, tmp_path, command):
    """A runs.csv cut short (a copy interrupted, a disk full) must not be analysed as if whole."""
    runs = folder / "runs.csv"
    lines = runs.read_text().splitlines(keepends=True)
    runs.write_text("".join(lines[: len(lines) // 2]))
    result = run(app, command, folder, "--out", tmp_path / f"{command}_out")
    assert result.exit_code != 0
    message = result.stderr.strip().splitlines()
    assert len(message) == 1 and "manifest.json records" in message[0] and "runs.csv" in message[0]
    assert not (tmp_path / f"{command}_out").exists()


@pytest.mark.parametrize("command", ["analyze", "export"])
def test_quiet_analyze_and_export_print_nothing(app, folder, tmp_path, command):
    out = tmp_path / ("a" if command == "analyze" else "e.tar.gz")
    result = run(app, command, folder, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and out.exists()
