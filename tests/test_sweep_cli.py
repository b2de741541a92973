"""The sweep and parameters commands end to end (typer CliRunner on a tiny app)."""

import pytest
import typer
from sweep_helpers import TINY, result_bytes, write_spec
from typer.testing import CliRunner

import sim.experiments.sweep_tasks
from sim.cli.sweep import parameters, sweep
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_spec import load_sweep
from sim.model.scenario import load_scenario

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
app.command("sweep")(sweep)
app.command("parameters")(parameters)
runner = CliRunner()


def test_sweep_command_matches_the_library(tmp_path):
    spec = write_spec(tmp_path)
    result = runner.invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "cli"), "-w", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("planned: 3 design points (lhs) x 1 scenarios")
    assert "= 30 runs" in result.output and "done: 30 runs" in result.output
    run_sweep(load_sweep(spec), tmp_path / "lib", workers=1)
    assert result_bytes(tmp_path / "cli") == result_bytes(tmp_path / "lib")
    again = runner.invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "cli"), "-w", "1"])
    assert again.exit_code == 2
    assert again.output.strip().splitlines()[-1].startswith("error: ")
    assert "use --force" in again.output
    resumed = runner.invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "cli"), "--resume"])
    assert resumed.exit_code == 0 and "already complete" in resumed.output


def test_default_output_folder_is_results_sweeps_name(tmp_path, monkeypatch):
    spec = write_spec(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["sweep", str(spec), "-w", "1", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "results" / "sweeps" / "tiny" / "runs.csv").is_file()
    assert "done:" not in result.output  # --quiet


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--backend", "ray"], "--backend: expected one of local, dask"),
        (["--resume", "--force"], "--resume and --force: choose one"),
        (["--workers", "2", "--scheduler", "tcp://x:1"], "--scheduler: only used with the dask backend"),
    ],
)
def test_bad_options_give_one_error_line(tmp_path, args, message):
    spec = write_spec(tmp_path)
    result = runner.invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith("error: ")
    assert message in result.output
    assert "Traceback" not in result.output


def test_bad_spec_gives_one_error_line(tmp_path):
    spec = write_spec(tmp_path, TINY.replace("high = 0.6", "high = 2"))
    result = runner.invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "high: 2 is outside the allowed [0, 1]" in lines[0]
    assert not (tmp_path / "o").exists()


def test_failed_runs_exit_non_zero_and_say_how_many(tmp_path, monkeypatch):
    real = sim.experiments.sweep_tasks.run_chunk

    def flaky(spec):
        if spec.design_point == 0:
            raise ValueError("no equilibrium")
        return real(spec)

    monkeypatch.setattr(sim.experiments.sweep_tasks, "run_chunk", flaky)
    spec = write_spec(tmp_path)
    result = runner.invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "o"), "-w", "1"])
    assert result.exit_code == 1
    assert "error: 10 of 30 runs failed" in result.output
    assert (tmp_path / "o" / "runs.csv").is_file()


def test_parameters_lists_paths_types_defaults_and_ranges():
    result = runner.invoke(app, ["parameters"])
    assert result.exit_code == 0
    line = next(x for x in result.output.splitlines() if x.startswith("powers.russia.tolerance "))
    default = load_scenario("baseline_2023").powers["russia"].tolerance
    assert line.split()[1:3] == ["real", f"{default:g}"]
    assert "[0, 1]" in line
    assert "world.memberships.eaeu" in result.output and "true/false" in result.output
    assert "strategies.multivector.level" in result.output
    only = runner.invoke(app, ["parameters", "oil"])
    body = only.output.strip().splitlines()[1:-1]
    assert body and all("oil" in x.split()[0] for x in body)
    bad = runner.invoke(app, ["parameters", "--scenario", "atlantis"])
    assert bad.exit_code == 2 and "unknown scenario 'atlantis'" in bad.output


def test_quiet_prints_nothing_on_success(tmp_path):
    """--quiet means quiet: no plan, no progress, no summary (errors still go to stderr)."""
    from sim.cli.app import app

    spec = write_spec(tmp_path)
    result = CliRunner().invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    again = CliRunner().invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "o"), "--resume", "--quiet"])
    assert again.exit_code == 0 and again.stdout == ""
