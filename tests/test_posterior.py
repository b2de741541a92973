"""Runs over a calibration posterior (sim.model.posterior): each replicate draws a particle."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli.app import app
from sim.errors import UserError
from sim.model.posterior import draw_parameters, read_posterior, scenario_draws
from sim.model.scenario import load_scenario, posterior_file

HERE = Path(__file__).parent / "data" / "posterior"
SMALL = HERE / "small.toml"


def cli(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


def test_draws_follow_the_weights():
    posterior = read_posterior(SMALL)
    draws = draw_parameters(posterior, [1, 2], range(4000))
    values, counts = np.unique(draws["pivot.trade_inertia"], return_counts=True)
    np.testing.assert_allclose(values, [0.03, 0.2, 0.38])
    np.testing.assert_allclose(counts / 4000, [0.5, 0.3, 0.2], atol=0.03)
    # a particle is drawn whole: the two parameters come from the same row
    pairs = set(zip(draws["pivot.trade_inertia"], draws["pivot.base_growth"], strict=True))
    assert pairs == {(0.03, 0.02), (0.2, 0.06), (0.38, 0.041)}


def test_a_replicate_draws_the_same_whatever_the_chunk():
    """Replicate i's draw depends on (seed, scenario, i) only."""
    posterior = read_posterior(SMALL)
    whole = draw_parameters(posterior, [7, 3], range(10))
    part = draw_parameters(posterior, [7, 3], range(5, 10))
    np.testing.assert_array_equal(whole["pivot.trade_inertia"][5:], part["pivot.trade_inertia"])
    other_seed = draw_parameters(posterior, [8, 3], range(10))
    assert not np.array_equal(whole["pivot.trade_inertia"], other_seed["pivot.trade_inertia"])


def test_scenario_draws_are_keyed_by_the_scenario_name_and_the_seed():
    """ODD 4: the draw depends on the root seed, the scenario's name and the replicate number."""
    base = load_scenario("baseline_2023")
    renamed = base.model_copy(update={"name": "baseline_renamed"})
    a, again = scenario_draws(base, 4, range(40)), scenario_draws(base, 4, range(40))
    for path in a:
        np.testing.assert_array_equal(a[path], again[path])
    other_name, other_seed = scenario_draws(renamed, 4, range(40)), scenario_draws(base, 5, range(40))
    assert any(not np.array_equal(a[p], other_name[p]) for p in a)
    assert any(not np.array_equal(a[p], other_seed[p]) for p in a)


def test_a_scenario_names_its_posterior_beside_it():
    scenario = load_scenario(str(HERE / "with_posterior.toml"))
    assert posterior_file(scenario) == SMALL.resolve()
    draws = scenario_draws(scenario, 1, range(3), skip={"pivot.base_growth": 0.03})
    assert list(draws) == ["pivot.trade_inertia"]  # a path the run sets is not drawn


def test_a_missing_posterior_is_one_clear_error(tmp_path):
    (tmp_path / "s.toml").write_text('extends = "baseline_2023"\nposterior = "nowhere"\n')
    with pytest.raises(UserError, match="posterior: no posterior file 'nowhere'"):
        load_scenario(str(tmp_path / "s.toml"))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("weight = [0.5, 0.3, 0.2]", "weight = [0.5, 0.3]"), "same, non-zero length"),
        (("weight = [0.5, 0.3, 0.2]", "weight = [0.5, -0.3, 0.2]"), "weights must be >= 0"),
        (('"pivot.trade_inertia" = [0.03', '"pivot.trade_inertia" = [0.01'), "outside the prior"),
        (
            ('[prior."pivot.base_growth"]', '[prior."powers.russia.tolerance"]'),
            "particles: pivot.base_growth not in the prior; no particles for powers.russia.tolerance",
        ),
    ],
)
def test_a_damaged_posterior_is_one_clear_error(tmp_path, edit, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(SMALL.read_text().replace(*edit))
    with pytest.raises(UserError, match=message) as err:
        read_posterior(bad)
    assert str(err.value).startswith(str(bad))


def test_a_run_over_a_posterior_draws_per_replicate(tmp_path):
    """The CLI run draws each replicate's parameters: several values, and results that differ."""
    out = tmp_path / "r"
    cli("run", str(HERE / "with_posterior.toml"), "-r", "6", "--seed", "3", "--out", str(out), "--no-report")
    runs = pd.read_csv(out / "runs.csv")
    draws = scenario_draws(load_scenario(str(HERE / "with_posterior.toml")), 3, range(6))
    assert len(set(draws["pivot.trade_inertia"])) > 1
    plain = tmp_path / "plain"
    scenario = tmp_path / "plain.toml"
    scenario.write_text(
        (HERE / "with_posterior.toml").read_text().replace('posterior = "small"', 'posterior = ""')
    )
    cli("run", str(scenario), "-r", "6", "--seed", "3", "--out", str(plain), "--no-report")
    with_post = runs.pivot_table(index="replicate", columns="strategy", values="welfare_final")
    without = pd.read_csv(plain / "runs.csv").pivot_table(
        index="replicate", columns="strategy", values="welfare_final"
    )
    assert not np.allclose(with_post.to_numpy(), without.to_numpy())


def test_the_model_draws_from_its_scenarios_posterior_by_itself():
    """BalancingModel(scenario) does what the scenario file says; draws={} turns the posterior off."""
    from sim.model import BalancingModel

    scenario = load_scenario(str(HERE / "with_posterior.toml"))
    model = BalancingModel(scenario, replicates=50, rng=2)
    inertia = model.params.pivot.trade_inertia[:, 0]
    assert set(np.round(inertia, 6)) == {0.03, 0.2, 0.38}
    np.testing.assert_array_equal(inertia, scenario_draws(scenario, 2, range(50))["pivot.trade_inertia"])
    off = BalancingModel(scenario, replicates=5, rng=2, draws={})
    assert np.ndim(off.params.pivot.trade_inertia) == 0
