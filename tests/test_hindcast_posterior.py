"""Hindcasts over a posterior: each replicate draws its parameters; `--posterior none` turns it off."""

import pytest
from posterior_helpers import small_posterior

from sim.errors import UserError
from sim.evidence.fitted import load_fitted
from sim.evidence.hindcast import run_hindcast
from sim.evidence.observed import read_observed

TEXT = small_posterior("test")


@pytest.fixture(scope="module")
def posterior(tmp_path_factory):
    path = tmp_path_factory.mktemp("posterior") / "posterior.toml"
    path.write_text(TEXT)
    return path


@pytest.fixture(scope="module")
def observed():
    return read_observed()


def test_posterior_draws_change_the_run_and_none_restores_fixed_values(observed, posterior):
    fixed = run_hindcast(observed, 2011, 2016, replicates=8, seed=1, posterior="none")
    drawn = run_hindcast(observed, 2011, 2016, replicates=8, seed=1, posterior=posterior)
    assert not drawn.table.equals(fixed.table)
    assert any(posterior.name in note for note in drawn.notes)
    assert "fixed parameter values" in fixed.notes
    again = run_hindcast(observed, 2011, 2016, replicates=8, seed=1, posterior=posterior)
    assert again.summary.equals(drawn.summary)


def test_a_one_point_posterior_at_the_fixed_values_reproduces_the_fixed_run(observed, tmp_path):
    fitted = load_fitted()
    keys = ["pivot.trade_inertia", "world.sanctions_friction"]
    one = "\n".join(
        [
            'spec = "test"\nmethod = "ABC-SMC"\nseed = 1',
            *(f'[prior."{k}"]\nlow = 0.0\nhigh = 1.0\nsource = "test"' for k in keys),
            "[particles]\nweight = [1.0]",
            *(f'"{k}" = [{fitted[k]!r}]' for k in keys),
        ]
    )
    path = tmp_path / "one.toml"
    path.write_text(one + "\n")
    fixed = run_hindcast(observed, 2011, 2016, replicates=8, seed=1, posterior="none")
    pinned = run_hindcast(observed, 2011, 2016, replicates=8, seed=1, posterior=path)
    assert pinned.table.equals(fixed.table)


def test_an_override_keeps_its_value_over_the_posterior(observed, posterior):
    over = {"pivot.trade_inertia": 0.1, "world.sanctions_friction": 0.2}
    a = run_hindcast(observed, 2011, 2016, replicates=6, seed=1, posterior=posterior, overrides=over)
    b = run_hindcast(observed, 2011, 2016, replicates=6, seed=1, posterior="none", overrides=over)
    assert a.summary.equals(b.summary)


def test_missing_or_bad_posterior_is_one_clear_error(observed, tmp_path):
    with pytest.raises(UserError, match="no such posterior file"):
        run_hindcast(observed, 2011, 2013, replicates=2, posterior=tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text(TEXT.replace("weight = [0.5,", "weight = [-0.5,"))
    with pytest.raises(UserError, match=str(bad)):
        run_hindcast(observed, 2011, 2013, replicates=2, posterior=bad)


def test_cli_hindcast_records_the_posterior_in_the_manifest(tmp_path, posterior):
    import hashlib
    import json

    import typer
    from typer.testing import CliRunner

    from sim.cli.evidence import hindcast

    app = typer.Typer()
    app.command("hindcast")(hindcast)
    app.command("noop")(lambda: None)
    args = ["hindcast", "--start", "2011", "--end", "2013", "-r", "4", "--quiet", "--posterior"]
    done = CliRunner().invoke(app, [*args, str(posterior), "--out", str(tmp_path / "a")])
    assert done.exit_code == 0, done.output
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert list(manifest["inputs"]["posteriors"].values()) == [
        hashlib.sha256(posterior.read_bytes()).hexdigest()
    ]
    assert (tmp_path / "a" / "pit.png").is_file()
    done = CliRunner().invoke(app, [*args, "none", "--out", str(tmp_path / "b")])
    assert (
        done.exit_code == 0
        and "posteriors" not in json.loads((tmp_path / "b" / "manifest.json").read_text())["inputs"]
    )
    bad = CliRunner().invoke(app, [*args, str(tmp_path / "missing.toml"), "--out", str(tmp_path / "c")])
    assert bad.exit_code != 0 and len(bad.output.strip().splitlines()) == 1
