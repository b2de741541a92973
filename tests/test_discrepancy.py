"""Model discrepancy: its estimate in sample, its table in the posterior file, the predictive hindcast."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from posterior_helpers import small_posterior
from typer.testing import CliRunner

from sim.cli.evidence import calibrate, hindcast
from sim.errors import UserError
from sim.evidence.calibration import load_spec
from sim.evidence.discrepancy import predictive_shares, replicate_normals
from sim.evidence.discrepancy_estimate import add_discrepancy, estimate_discrepancy, strip_discrepancy
from sim.evidence.hindcast import run_hindcast
from sim.evidence.observed import PARTNER_KEYS, read_observed
from sim.evidence.observed_gdp import read_observed_gdp
from sim.model.posterior import read_posterior

ROOT = Path(__file__).resolve().parent.parent
TRADE = ROOT / "seeds" / "data" / "kz_trade_by_partner.csv"

POSTERIOR = small_posterior("trade_2011_2018")


def table(share: float | list[float] = 0.1, gdp: float | None = 0.01, **extra: str) -> str:
    """A ``[discrepancy]`` table with one sigma for every partner (or one each), and edits."""
    sigmas = share if isinstance(share, list) else [share] * len(PARTNER_KEYS)
    fields = {
        "form": '"log_share_random_walk"',
        "fit_start": "2011",
        "fit_end": "2018",
        "replicates": "4",
        "seed": "1",
        "share_scale": "0.03",
        "share_sigma": "{ "
        + ", ".join(f"{k} = {s!r}" for k, s in zip(PARTNER_KEYS, sigmas, strict=True))
        + " }",
    }
    if gdp is not None:
        fields["gdp_growth_sigma"] = repr(gdp)
    fields.update(extra)
    return "\n[discrepancy]\n" + "".join(f"{k} = {v}\n" for k, v in fields.items() if v != "DROP")


def posterior(folder: Path, name: str = "p.toml", text: str = "") -> Path:
    path = folder / name
    path.write_text(POSTERIOR + text)
    return path


def scores(result) -> dict[str, float]:
    return dict(zip(result.summary.metric, result.summary.value, strict=True))


@pytest.fixture(scope="module")
def observed():
    return read_observed()


@pytest.fixture(scope="module")
def spec():
    return load_spec("trade_2011_2018")


# --- the predictive ensemble ---------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    sigma=st.lists(st.floats(0.0, 2.0), min_size=6, max_size=6),
    seed=st.integers(0, 2**32 - 1),
)
def test_predictive_shares_stay_on_the_simplex(sigma, seed):
    rng = np.random.default_rng(seed)
    shares = rng.dirichlet(np.ones(6), size=(5, 4))  # (replicates, years, partners)
    out = predictive_shares(shares, np.array(sigma), rng.standard_normal((5, 3, 6)))
    assert (out > 0).all()
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(out[:, 0], shares[:, 0])  # no discrepancy in the start year


def test_zero_sigma_gives_the_simulated_shares_bit_for_bit():
    rng = np.random.default_rng(3)
    shares = rng.dirichlet(np.ones(6), size=(7, 5))
    out = predictive_shares(shares, np.zeros(6), rng.standard_normal((7, 4, 6)))
    assert np.array_equal(out, shares)


def test_a_replicates_draws_depend_on_the_seed_and_replicate_only():
    whole, g_whole = replicate_normals([1, 2], range(10), (3, 6), 4)
    part, g_part = replicate_normals([1, 2], range(5, 10), (3, 6), 4)
    np.testing.assert_array_equal(whole[5:], part)
    np.testing.assert_array_equal(g_whole[5:], g_part)
    other, _ = replicate_normals([2, 2], range(10), (3, 6), 4)
    assert not np.array_equal(whole, other)


# --- the hindcast ----------------------------------------------------------------------------------


def test_zero_sigma_reproduces_the_model_only_scores_exactly(observed, tmp_path):
    plain = run_hindcast(observed, 2011, 2016, replicates=8, seed=1, posterior=posterior(tmp_path))
    zero = run_hindcast(
        observed, 2011, 2016, replicates=8, seed=1, posterior=posterior(tmp_path, "z.toml", table(0.0, 0.0))
    )
    a, b = scores(plain), scores(zero)
    assert a == b
    for metric in ("coverage_90", "crps", "gdp_growth_coverage_90", "gdp_growth_crps"):
        assert b[metric] == b[f"{metric}_model"]
    assert (zero.table.p5 == zero.table.predictive_p5).all()
    assert any("has no [discrepancy] table" in note for note in plain.notes)


def test_a_larger_sigma_gives_wider_bands_and_no_lower_coverage(observed, tmp_path):
    runs = [
        run_hindcast(
            observed,
            2011,
            2016,
            replicates=20,
            seed=1,
            posterior=posterior(tmp_path, f"{s}.toml", table(s, s / 10)),
        )
        for s in (0.02, 0.1, 0.4)
    ]
    widths = [(r.table.predictive_p95 - r.table.predictive_p5)[r.table.year > 2011].mean() for r in runs]
    assert widths[0] < widths[1] < widths[2]
    coverage = [scores(r)["coverage_90"] for r in runs]
    assert coverage[0] <= coverage[1] <= coverage[2] and coverage[2] > scores(runs[0])["coverage_90_model"]
    # the simulator's own scores and the point scores do not move
    for metric in ("coverage_90_model", "crps_model", "rmse", "skill_vs_persistence"):
        assert len({scores(r)[metric] for r in runs}) == 1


def test_posterior_none_has_no_discrepancy_and_says_so(observed):
    result = run_hindcast(observed, 2011, 2013, replicates=4, seed=1, posterior="none")
    s = scores(result)
    assert s["coverage_90"] == s["coverage_90_model"] and s["crps"] == s["crps_model"]
    assert any(note.startswith("no model discrepancy (no posterior)") for note in result.notes)


def test_the_shipped_posterior_has_a_discrepancy_that_widens_the_bands(observed):
    result = run_hindcast(observed, 2011, 2014, replicates=10, seed=1)
    s = scores(result)
    assert any(note.startswith("model discrepancy from posterior.toml") for note in result.notes)
    after = result.table[result.table.year > 2011]
    assert ((after.predictive_p95 - after.predictive_p5) > (after.p95 - after.p5)).all()
    assert s["coverage_90"] >= s["coverage_90_model"]
    # the GDP growth term too (it passed unchecked when the predictive growth dropped it)
    gdp = result.gdp
    assert len(gdp) and ((gdp.predictive_p95 - gdp.predictive_p5) > (gdp.p95 - gdp.p5)).all()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("hindcast")(hindcast)
    app.command("calibrate")(calibrate)
    return app


def test_cli_hindcast_with_a_discrepancy_is_byte_identical_for_the_same_seed(tmp_path):
    path = posterior(tmp_path, text=table(0.1, 0.01))
    files = ("hindcast.csv", "hindcast_gdp.csv", "hindcast_summary.csv")
    outputs = []
    for name, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        args = ["hindcast", "--start", "2011", "--end", "2014", "-r", "6", "--seed", seed, "--quiet"]
        done = CliRunner().invoke(_app(), [*args, "--posterior", str(path), "--out", str(tmp_path / name)])
        assert done.exit_code == 0, done.output
        outputs.append([(tmp_path / name / f).read_bytes() for f in files])
    assert outputs[0] == outputs[1] and outputs[0] != outputs[2]
    summary = pd.read_csv(tmp_path / "a" / "hindcast_summary.csv")
    new = {"coverage_90_model", "crps_model", "gdp_growth_crps_model", "gdp_growth_coverage_90"}
    assert new <= set(summary.metric)


# --- the table in the posterior file ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (table(-0.1), r"discrepancy\.share_sigma\.russia: Input should be greater than or equal to 0"),
        (table(0.1, gdp=-1.0), r"discrepancy\.gdp_growth_sigma: Input should be greater than or equal to 0"),
        (table(0.1, form='"ar1"'), r"discrepancy\.form: Input should be 'log_share_random_walk'"),
        (table(0.1, fit_end="2010"), r"fit_end: expected a year after fit_start \(2011\)"),
        (table(0.1, share_sigma="{}"), "share_sigma: expected one sigma per partner"),
        (table(0.1, share_sigma="DROP"), r"discrepancy\.share_sigma: required, missing"),
        (table(0.1, colour='"blue"'), r"discrepancy\.colour: unknown key"),
        (table(0.1, share_scale="nan"), r"discrepancy\.share_scale: "),
        (table(0.1, replicates="0"), r"discrepancy\.replicates: Input should be greater than or equal to 1"),
    ],
)
def test_a_bad_discrepancy_table_is_one_line_naming_file_and_field(tmp_path, text, message):
    path = posterior(tmp_path, text=text)
    with pytest.raises(UserError, match=message) as err:
        read_posterior(path)
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)


def test_a_table_with_other_partners_is_refused_by_the_hindcast(observed, tmp_path):
    text = table(0.1).replace("row = 0.1", "mars = 0.1")
    path = posterior(tmp_path, text=text)
    read_posterior(path)  # the model layer does not know the hindcast's partners
    with pytest.raises(UserError, match=r"discrepancy\.share_sigma: partners .*mars"):
        run_hindcast(observed, 2011, 2013, replicates=2, posterior=path)


def test_a_posterior_without_the_table_still_reads():
    shipped = (ROOT / "scenarios" / "calibration" / "posterior.toml").read_text()
    assert read_posterior_text(strip_discrepancy(shipped)).discrepancy is None
    assert read_posterior_text(shipped).discrepancy is not None


def read_posterior_text(text: str):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.toml"
        path.write_text(text)
        return read_posterior(path)


# --- the estimate -------------------------------------------------------------------------------


def _changed(tmp_path: Path, year: int, partner: str) -> Path:
    trade = pd.read_csv(TRADE, dtype=str, keep_default_na=False)
    rows = (trade.year == str(year)) & (trade.partner == partner)
    assert rows.any()
    trade.loc[rows, "value_usd_millions"] = (trade.loc[rows, "value_usd_millions"].astype(float) * 2).astype(
        str
    )
    path = tmp_path / f"trade_{year}.csv"
    trade.to_csv(path, index=False)
    return path


def test_the_estimate_uses_no_observed_year_after_the_fit_window(spec, tmp_path):
    path, gdp = posterior(tmp_path), read_observed_gdp()
    base = estimate_discrepancy(path, spec, read_observed(TRADE), gdp, replicates=4)
    late = estimate_discrepancy(
        path, spec, read_observed(_changed(tmp_path, 2023, "China")), gdp, replicates=4
    )
    assert late.table == base.table
    early = estimate_discrepancy(
        path, spec, read_observed(_changed(tmp_path, 2015, "China")), gdp, replicates=4
    )
    assert early.table.share_sigma != base.table.share_sigma  # a fitted year does move it
    assert set(base.residuals.year) == set(range(2011, 2019))


def test_the_estimate_pools_one_scale_over_the_partners(spec, observed, tmp_path):
    est = estimate_discrepancy(posterior(tmp_path), spec, observed, read_observed_gdp(), replicates=4).table
    shares = observed.shares.loc[2011:2018, list(PARTNER_KEYS)].mean()
    for key in PARTNER_KEYS:
        assert est.share_sigma[key] == pytest.approx(est.share_scale / np.sqrt(shares[key]), rel=1e-5)
    assert est.share_sigma["us"] == max(est.share_sigma.values())  # the smallest share moves most in log
    assert 0 < est.gdp_growth_sigma < 0.05 and (est.fit_start, est.fit_end) == (2011, 2018)


def test_cli_discrepancy_only_adds_the_table_and_is_idempotent(tmp_path):
    path = posterior(tmp_path)
    before = path.read_text()
    args = [
        "calibrate",
        "trade_2011_2018",
        "--discrepancy-only",
        "--out",
        str(path),
        "--work",
        str(tmp_path / "w"),
    ]
    done = CliRunner().invoke(_app(), args)
    assert done.exit_code == 0, done.output
    assert "share_sigma.china" in done.output
    first = path.read_bytes()
    assert first.decode().startswith(before) and read_posterior(path).discrepancy.replicates == 100
    assert (tmp_path / "w" / "discrepancy_residuals.csv").is_file()
    done = CliRunner().invoke(_app(), [*args, "--quiet"])
    assert done.exit_code == 0 and path.read_bytes() == first and not done.output


def test_cli_discrepancy_only_replaces_a_damaged_table(tmp_path, spec, observed):
    path = posterior(tmp_path, text=table(-1.0))
    add_discrepancy(path, spec, observed, read_observed_gdp(), replicates=4)
    assert read_posterior(path).discrepancy.share_sigma["russia"] > 0


def test_cli_discrepancy_only_without_a_posterior_is_one_line(tmp_path):
    missing = tmp_path / "none.toml"
    args = ["calibrate", "trade_2011_2018", "--discrepancy-only", "--out", str(missing)]
    done = CliRunner().invoke(_app(), [*args, "--work", str(tmp_path / "w")])
    assert done.exit_code != 0
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and "no such posterior file" in lines[0] and str(missing) in lines[0]
    assert not missing.exists()
