"""Hindcasts over a posterior: each replicate draws its parameters; `--posterior none` turns it off."""

import pytest

from sim.errors import UserError
from sim.evidence.hindcast import run_hindcast
from sim.evidence.observed import read_observed

TEXT = """spec = "test"
method = "ABC-SMC"
seed = 1

[prior."pivot.trade_inertia"]
low = 0.02
high = 0.4
source = "assumption (test)"

[prior."world.sanctions_friction"]
low = 0.0
high = 0.6
source = "assumption (test)"

[particles]
weight = [0.5, 0.3, 0.2]
"pivot.trade_inertia" = [0.03, 0.2, 0.38]
"world.sanctions_friction" = [0.0, 0.3, 0.6]
"""


@pytest.fixture(scope="module")
def posterior(tmp_path_factory):
    path = tmp_path_factory.mktemp("posterior") / "posterior.toml"
    path.write_text(TEXT)
    return path


@pytest.fixture(scope="module")
def observed():
    return read_observed()


def _band(result):
    table = result.table[result.table["year"] > 2011]
    return (table["p95"] - table["p5"]).mean()


def test_posterior_draws_widen_the_band_and_none_restores_fixed_values(observed, posterior):
    fixed = run_hindcast(observed, 2011, 2013, replicates=12, seed=1, posterior="none")
    drawn = run_hindcast(observed, 2011, 2013, replicates=12, seed=1, posterior=posterior)
    assert _band(drawn) > _band(fixed)
    assert any(posterior.name in note for note in drawn.notes)
    assert "fixed parameter values" in fixed.notes
    again = run_hindcast(observed, 2011, 2013, replicates=12, seed=1, posterior=posterior)
    assert again.summary.equals(drawn.summary)


def test_an_override_keeps_its_value_over_the_posterior(observed, posterior):
    over = {"pivot.trade_inertia": 0.1, "world.sanctions_friction": 0.2}
    a = run_hindcast(observed, 2011, 2013, replicates=6, seed=1, posterior=posterior, overrides=over)
    b = run_hindcast(observed, 2011, 2013, replicates=6, seed=1, posterior="none", overrides=over)
    assert a.summary.equals(b.summary)


def test_missing_or_bad_posterior_is_one_clear_error(observed, tmp_path):
    with pytest.raises(UserError, match="no such posterior file"):
        run_hindcast(observed, 2011, 2013, replicates=2, posterior=tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text(TEXT.replace("weight = [0.5,", "weight = [-0.5,"))
    with pytest.raises(UserError, match=str(bad)):
        run_hindcast(observed, 2011, 2013, replicates=2, posterior=bad)
