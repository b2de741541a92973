"""ABC-SMC calibration: determinism, resume after an interrupt, the posterior file, the CLI."""

import shutil
import tomllib

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from sim.cli.evidence import calibrate as calibrate_command
from sim.errors import UserError
from sim.evidence.abc import AbcProblem, run_abc
from sim.evidence.calibration import load_spec
from sim.evidence.observed import read_observed
from sim.evidence.observed_gdp import read_observed_gdp
from sim.evidence.posterior_file import (
    default_output,
    identifiability,
    posterior_text,
    weighted_quantile,
)
from sim.model.posterior import read_posterior

pytest.importorskip("pyabc")

SMALL = (
    'name = "small"\nfit_end = 2014\nreplicates = 2\npopulation = 8\ngenerations = 3\n'
    '[parameters."pivot.trade_inertia"]\nlow = 0.05\nhigh = 0.3\nsource = "test"\n'
    '[parameters."world.sanctions_friction"]\nlow = 0.0\nhigh = 0.6\nsource = "test"\n'
)


@pytest.fixture(scope="module")
def observed():
    return read_observed()


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return load_spec(str(path))


def _text(spec, observed, work, **kwargs):
    return posterior_text(run_abc(spec, observed, work, **kwargs), observed, read_observed_gdp())


def test_same_seed_same_bytes_other_seed_other_particles(small, observed, tmp_path):
    first = _text(small, observed, tmp_path / "a")
    assert first == _text(small, observed, tmp_path / "b")
    other = _text(small.model_copy(update={"seed": 2}), observed, tmp_path / "c")
    assert other != first


def test_interrupted_run_resumes_to_the_same_posterior(small, observed, tmp_path, monkeypatch):
    whole = _text(small, observed, tmp_path / "whole")
    calls, model = [0], AbcProblem.model

    def interrupting(self, parameter):
        calls[0] += 1
        if calls[0] == 30:  # inside generation 1 (generation 0 takes 8 prior + >= 8 draws)
            raise KeyboardInterrupt
        return model(self, parameter)

    monkeypatch.setattr(AbcProblem, "model", interrupting)
    with pytest.raises(KeyboardInterrupt):
        run_abc(small, observed, tmp_path / "cut")
    monkeypatch.setattr(AbcProblem, "model", model)
    with pytest.raises(UserError, match="--resume"):
        run_abc(small, observed, tmp_path / "cut")
    assert _text(small, observed, tmp_path / "cut", resume=True) == whole


def test_resume_with_other_settings_is_refused(small, observed, tmp_path):
    run_abc(small.model_copy(update={"generations": 1}), observed, tmp_path)
    with pytest.raises(UserError, match="other settings"):
        run_abc(small.model_copy(update={"replicates": 3, "generations": 1}), observed, tmp_path, resume=True)


def test_posterior_file_is_valid(small, observed, tmp_path):
    result = run_abc(small, observed, tmp_path)
    data = tomllib.loads(posterior_text(result, observed, read_observed_gdp()))
    assert data["method"] == "ABC-SMC" and data["seed"] == small.seed
    assert set(data["versions"]) == {"multivector", "pyabc", "numpy", "mesa", "python"}
    particles = data["particles"]
    assert set(particles) - {"weight"} == set(data["prior"]) == set(small.parameters)
    assert sum(particles["weight"]) == pytest.approx(1.0, abs=1e-5)
    assert all(w > 0 for w in particles["weight"])
    for key, prior in data["prior"].items():
        assert len(particles[key]) == len(particles["weight"]) == small.population
        assert all(prior["low"] <= v <= prior["high"] for v in particles[key])
    generations = data["generations"]
    assert len(generations["epsilon"]) == small.generations
    assert np.all(np.diff(generations["epsilon"]) <= 0)  # the tolerance never grows
    assert all(0 < a <= 1 for a in generations["acceptance_rate"])


def test_identifiability_narrows_and_states_widths(small, observed, tmp_path):
    table = identifiability(run_abc(small, observed, tmp_path))
    assert list(table["parameter"]) == list(small.parameters)
    assert (table["width_ratio_90"] > 0).all() and (table["width_ratio_90"] <= 1).all()
    assert (table["p5"] <= table["posterior_mean"]).all() and (table["posterior_mean"] <= table["p95"]).all()


def test_weighted_quantile_matches_a_hand_case():
    values, weights = np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 2.0])
    # sorted 1, 2, 3 with mass 0.25, 0.5, 0.25: midpoints at 0.125, 0.5, 0.875
    assert weighted_quantile(values, weights, 0.5) == pytest.approx(2.0)
    assert weighted_quantile(values, weights, 0.125) == pytest.approx(1.0)
    assert weighted_quantile(values, weights, 0.6875) == pytest.approx(2.5)


def test_default_output_is_relative_to_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert default_output("x") == tmp_path.joinpath("x.posterior.toml").relative_to(tmp_path)
    (tmp_path / "scenarios" / "calibration").mkdir(parents=True)
    assert str(default_output("x", "posterior.toml")) == "scenarios/calibration/posterior.toml"


def _app():
    app = typer.Typer()
    app.command("calibrate")(calibrate_command)
    app.command("noop")(lambda: None)
    return app


def test_cli_quick_is_deterministic_and_writes_the_tables(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner, outputs = CliRunner(), []
    for name in ("a", "b"):
        done = runner.invoke(
            _app(),
            ["calibrate", "trade_2011_2018", "--quick", "--work", name, "--out", f"{name}.toml"],
        )
        assert done.exit_code == 0, done.output
        outputs.append((tmp_path / f"{name}.toml").read_bytes())
    assert outputs[0] == outputs[1]
    assert "generation 1: epsilon" in done.output
    assert (tmp_path / "a" / "identifiability.csv").is_file()
    assert (tmp_path / "a" / "posterior_pairs.png").stat().st_size > 1000
    # the model discrepancy, estimated in sample over the new posterior (sim.evidence.discrepancy_estimate)
    table = read_posterior(tmp_path / "a.toml").discrepancy
    assert table is not None and table.replicates == 4 and (table.fit_start, table.fit_end) == (2011, 2018)
    assert (tmp_path / "a" / "discrepancy_residuals.csv").is_file()
    shutil.copy(tmp_path / "a.toml", tmp_path / "d.toml")
    args = ["calibrate", "trade_2011_2018", "--quick", "--discrepancy-only", "--work", "a", "--out", "d.toml"]
    assert runner.invoke(_app(), args).exit_code == 0
    assert (tmp_path / "d.toml").read_bytes() == outputs[0]  # re-estimated: the same table
    again = runner.invoke(
        _app(), ["calibrate", "trade_2011_2018", "--quick", "--work", "a", "--out", "c.toml"]
    )
    assert again.exit_code != 0 and "--resume" in again.output
    resumed = runner.invoke(
        _app(), ["calibrate", "trade_2011_2018", "--quick", "--work", "a", "--out", "c.toml", "--resume"]
    )
    assert resumed.exit_code == 0 and (tmp_path / "c.toml").read_bytes() == outputs[0]


def test_cli_bad_spec_is_one_line(tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text(
        'population = 1\n[parameters."pivot.trade_inertia"]\nlow = 0.1\nhigh = 0.2\nsource = "x"\n'
    )
    done = CliRunner().invoke(_app(), ["calibrate", str(spec), "--work", str(tmp_path / "w")])
    assert done.exit_code != 0
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and "population" in lines[0] and str(spec) in lines[0]


def test_written_posterior_reads_back_through_the_model(small, observed, tmp_path):
    from sim.evidence.posterior_file import write_posterior
    from sim.model.posterior import draw_parameters, read_posterior

    path = write_posterior(
        run_abc(small, observed, tmp_path), observed, read_observed_gdp(), tmp_path / "p.toml"
    )
    posterior = read_posterior(path)
    assert posterior.parameters == list(small.parameters)
    draws = draw_parameters(posterior, [1, 2], range(5))
    assert all(len(v) == 5 for v in draws.values())


def test_missing_pyabc_is_one_line_naming_the_extra(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyabc", None)  # import pyabc now raises ImportError
    done = CliRunner().invoke(_app(), ["calibrate", "trade_2011_2018", "--quick", "--work", str(tmp_path)])
    assert done.exit_code != 0
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and "pyabc is not installed" in lines[0] and "calibration" in lines[0]
