"""History scenario, hindcast re-basing, skill scores on a hand-computed toy, and the CLI."""

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from sim.cli.evidence import hindcast
from sim.errors import UserError
from sim.evidence.hindcast import Simulated, compare_gdp, rebase, run_hindcast, simulate
from sim.evidence.observed import PARTNER_KEYS, read_observed
from sim.evidence.observed_gdp import ObservedGDP
from sim.evidence.scores import gdp_scores, skill_scores
from sim.evidence.unga import read_agreement, relation_correlations
from sim.model.scenario import load_scenario

app = typer.Typer()
app.command("hindcast")(hindcast)
app.command("noop")(lambda: None)  # keeps "hindcast" a subcommand


@pytest.fixture(scope="module")
def observed():
    return read_observed()


def test_history_starts_from_2011_observed_shares_and_is_not_present_day(observed):
    s = load_scenario("history_2011_2023")
    assert not s.present_day and s.start == "2011Q1"
    for key in PARTNER_KEYS:
        assert s.partners[key].trade_share == pytest.approx(observed.shares.loc[2011, key], abs=1e-4)


def test_history_ends_with_baseline_2023_parameters():
    history, base = load_scenario("history_2011_2023"), load_scenario("baseline_2023")
    end = history.timeline()[-1].params
    assert end.powers == base.powers
    assert end.world.model_dump(
        exclude={"oil", "metals", "uranium", "rivalry_initial"}
    ) == base.world.model_dump(exclude={"oil", "metals", "uranium", "rivalry_initial"})


def test_oil_events_follow_the_brent_data_file():
    brent = pd.read_csv("seeds/data/brent_monthly.csv")
    yearly = brent.groupby(brent.month.str[:4].astype(int)).brent_usd_per_barrel.mean()
    level = yearly / yearly[2011]
    oil = [e for e in load_scenario("history_2011_2023").events if "world.oil.mean" in e.set]
    assert len(oil) == 12
    for event in oil:
        year = int(event.at[:4])
        assert event.at.endswith("Q1") and "D08" in event.facts
        assert event.set["world.oil.mean"] == pytest.approx(level[year], abs=1e-4)
        assert event.shock["oil"] == pytest.approx(math.log(level[year] / level[year - 1]), abs=1e-4)


def test_metals_and_uranium_events_follow_the_price_data_file():
    """Metals: copper, zinc, aluminium, lead relatives weighted 4.5 : 1.1 : 0.9 : 0.3 (D13, D14)."""
    prices = pd.read_csv("seeds/data/commodity_prices_annual.csv").pivot_table(
        index="year", columns="commodity", values="value"
    )
    weights = {"copper": 4.5, "zinc": 1.1, "aluminum": 0.9, "lead": 0.3}
    metals = sum(w * prices[c] / prices.loc[2011, c] for c, w in weights.items()) / sum(weights.values())
    uranium = prices["uranium_u3o8_spot_imf"].copy()
    uranium[2023] = prices.loc[2023, "uranium_u3o8_spot_imf_partial_jan_aug"]
    uranium = uranium / uranium[2011]
    events = [e for e in load_scenario("history_2011_2023").events if "world.metals.mean" in e.set]
    assert [int(e.at[:4]) for e in events] == list(range(2012, 2024))
    for event in events:
        year = int(event.at[:4])
        assert event.set["world.metals.mean"] == pytest.approx(metals[year], abs=1e-4)
        assert event.shock["metals"] == pytest.approx(math.log(metals[year] / metals[year - 1]), abs=1e-4)
        assert event.set["world.uranium.mean"] == pytest.approx(uranium[year], abs=1e-4)
        assert event.shock["uranium"] == pytest.approx(math.log(uranium[year] / uranium[year - 1]), abs=1e-4)


def test_rebase_folds_earlier_events_and_rebases_oil(observed):
    history = load_scenario("history_2011_2023")
    s = rebase(history, observed, 2016, 2018)
    assert s.start == "2016Q1" and s.steps == 11
    assert s.world.sanctions == 0.3 and s.world.memberships.eaeu and s.world.memberships.wto
    assert s.world.oil.initial == 1.0 and s.world.oil.mean == 1.0
    later = {e.at: e.set["world.oil.mean"] for e in s.events if "world.oil.mean" in e.set}
    assert later["2017Q1"] == pytest.approx(0.4876 / 0.3914, abs=1e-3)
    assert min(parse for parse in later) > "2016Q1"
    assert s.partners["china"].trade_share == pytest.approx(observed.shares.loc[2016, "china"])


def test_skill_scores_on_a_hand_computed_toy():
    observed = pd.DataFrame(
        {"a": [0.5, 0.6, 0.7, 0.6], "b": [0.5, 0.4, 0.3, 0.4]}, index=[2000, 2001, 2002, 2003]
    )
    table = pd.DataFrame(
        {
            "year": [2003, 2003],
            "partner": ["a", "b"],
            "observed": [0.6, 0.4],
            "simulated_mean": [0.8, 0.2],
            "p5": [0.7, 0.1],
            "p95": [0.9, 0.45],
        }
    )
    s = skill_scores(table, observed, start=2002)
    assert s["rmse"] == pytest.approx(0.2)  # errors +0.2, -0.2
    assert s["rmse_persistence"] == pytest.approx(0.1)  # stays at 0.7 / 0.3
    # Trend on 2000-2001 (the years before 2002): a = 0.5 + 0.1 (y - 2000) -> 0.8 in 2003.
    assert s["rmse_trend"] == pytest.approx(0.2)
    assert s["skill_vs_persistence"] == pytest.approx(1 - 0.2 / 0.1)
    assert s["skill_vs_trend"] == pytest.approx(0.0)
    assert s["direction_hit_rate"] == pytest.approx(0.0)  # observed fell/rose, simulated rose/fell
    assert s["coverage_90"] == pytest.approx(0.5)  # 0.6 outside [0.7, 0.9]; 0.4 inside


def test_in_sample_hindcast_scores_every_year_after_the_start(observed):
    result = run_hindcast(observed, 2013, 2018, replicates=20, seed=3)
    scored = result.table[result.table.year > 2013]
    assert sorted(scored.year.unique()) == list(range(2014, 2019))
    assert (result.table.p5 <= result.table.simulated_mean + 1e-12).all()
    scores = dict(zip(result.summary.metric, result.summary.value, strict=True))
    assert 0 < scores["rmse"] < 0.1 and 0 <= scores["coverage_90"] <= 1
    again = run_hindcast(observed, 2013, 2018, replicates=20, seed=3)
    pd.testing.assert_frame_equal(result.table, again.table)
    pd.testing.assert_frame_equal(result.gdp, again.gdp)
    pd.testing.assert_frame_equal(result.summary, again.summary)


def test_cli_in_sample_hindcast_end_to_end(tmp_path):
    out = tmp_path / "hc"
    done = CliRunner().invoke(
        app, ["hindcast", "--start", "2013", "--end", "2018", "--replicates", "20", "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    table = pd.read_csv(out / "hindcast.csv")
    bands = ["p5", "p95", "predictive_p5", "predictive_p95"]
    assert list(table.columns) == ["year", "partner", "observed", "simulated_mean", *bands]
    gdp = pd.read_csv(out / "hindcast_gdp.csv")
    assert list(gdp.columns) == ["year", "observed", "simulated_mean", *bands]
    assert list(gdp.year) == list(range(2014, 2019))
    summary = pd.read_csv(out / "hindcast_summary.csv")
    needed = {"rmse", "rmse_persistence", "rmse_trend", "skill_vs_persistence", "skill_vs_trend"}
    assert needed | {"direction_hit_rate", "coverage_90"} <= set(summary.metric)
    gdp_rows = {"gdp_growth_rmse", "gdp_growth_rmse_persistence", "gdp_growth_skill", "gdp_growth_n_years"}
    assert gdp_rows | {"unga_corr_russia", "unga_corr_us"} <= set(summary.metric)
    assert "gdp_growth_skill" in done.output
    assert (out / "hindcast.png").stat().st_size > 10_000 and (out / "manifest.json").is_file()
    assert "skill_vs_persistence" in done.output and "BNS: 2018, 2023" in done.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2019", "--end", "2023"], "--start 2019: .* has no complete year 2019"),
        (["--start", "2013", "--end", "2013"], r"--end 2013: expected a year after --start \(2013\)"),
        (["--start", "2013", "--end", "2030"], "--end 2030: scenario history_2011_2023 runs only to"),
        (
            ["--start", "2013", "--end", "2018", "--observed", "nope.csv"],
            "nope.csv: no such observed-data file",
        ),
        (
            ["--start", "2013", "--end", "2018", "--observed-gdp", "nogdp.csv"],
            "nogdp.csv: no such observed-GDP file",
        ),
    ],
)
def test_cli_errors_are_one_line(tmp_path, args, message):
    done = CliRunner().invoke(app, ["hindcast", *args, "--out", str(tmp_path / "x")])
    assert done.exit_code == 2
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert re.search(message, lines[0]), lines[0]


def test_yearly_band_contains_the_mean(observed):
    result = run_hindcast(observed, 2011, 2014, replicates=10, seed=1)
    t = result.table
    assert np.all((t.p5 <= t.simulated_mean + 1e-12) & (t.simulated_mean <= t.p95 + 1e-12))


def test_rebase_rebases_every_commodity_price_table(observed):
    history = load_scenario("history_2011_2023")
    levels = {
        int(e.at[:4]): {c: e.set[f"world.{c}.mean"] for c in ("oil", "metals", "uranium")}
        for e in history.events
        if "world.metals.mean" in e.set
    }
    s = rebase(history, observed, 2016, 2018)
    for commodity in ("oil", "metals", "uranium"):
        table = getattr(s.world, commodity)
        assert (table.initial, table.mean) == (1.0, 1.0)
        (later,) = [e for e in s.events if e.at == "2017Q1" and f"world.{commodity}.mean" in e.set]
        expected = levels[2017][commodity] / levels[2016][commodity]
        assert later.set[f"world.{commodity}.mean"] == pytest.approx(expected, abs=1e-3)


def simulated(gdp, year_of):
    years = sorted(set(year_of))
    n = len(gdp)
    return Simulated(years, np.zeros((n, len(years), 1)), np.zeros((n, len(years), 1)), gdp, year_of, ("p",))


def test_annual_gdp_growth_is_the_ratio_of_four_quarter_sums():
    year_of = np.array([2011] * 4 + [2012] * 4 + [2013] * 2)  # 2013 incomplete
    q = 0.01
    gdp = np.array([(1 + q) ** np.arange(10), np.ones(10)])
    growth, years = simulated(gdp, year_of).gdp_growth()
    assert years == [2012]
    assert growth[:, 0] == pytest.approx([(1 + q) ** 4 - 1, 0.0])
    # Step 0 is the start year's first quarter: a jump in the first step counts in the start year.
    jump = np.array([[1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]])
    growth, _ = simulated(jump, year_of).gdp_growth()
    assert growth[0, 0] == pytest.approx(8.0 / 7.0 - 1.0)


def test_gdp_scores_on_a_hand_computed_toy():
    gdp = ObservedGDP(Path("toy"), pd.Series({2010: 0.05, 2011: 0.01, 2012: 0.03}), {}, [])
    growth = np.array([[0.02, 0.02], [0.04, 0.02]])  # replicates x years 2011, 2012
    table = compare_gdp(gdp, growth, [2011, 2012], start=2010)
    assert list(table.simulated_mean) == pytest.approx([0.03, 0.02])
    s = gdp_scores(table, gdp, start=2010)
    assert s["gdp_growth_rmse"] == pytest.approx(math.sqrt((0.02**2 + 0.01**2) / 2))
    assert s["gdp_growth_rmse_persistence"] == pytest.approx(math.sqrt((0.04**2 + 0.02**2) / 2))
    assert s["gdp_growth_skill"] == pytest.approx(0.5)  # 1 - sqrt(2.5e-4) / sqrt(1e-3), by hand
    assert s["gdp_growth_n_years"] == 2


def test_the_bands_are_the_5_to_95_percent_range_of_the_replicates():
    """validation.md's 90% band: with replicates 0, 0.01, ..., 1 its ends are 0.05 and 0.95."""
    gdp = ObservedGDP(Path("toy"), pd.Series({2010: 0.05, 2011: 0.01}), {}, [])
    growth = np.linspace(0.0, 1.0, 101)[:, None]
    table = compare_gdp(gdp, growth, [2011], start=2010, predictive=growth + 1.0)
    row = table.iloc[0]
    assert (row.p5, row.p95) == pytest.approx((0.05, 0.95))
    assert (row.predictive_p5, row.predictive_p95) == pytest.approx((1.05, 1.95))


def test_hindcast_scores_gdp_growth_and_unga_agreement(observed):
    result = run_hindcast(observed, 2011, 2016, replicates=10, seed=2)
    scores = dict(zip(result.summary.metric, result.summary.value, strict=True))
    assert list(result.gdp.year) == list(range(2012, 2017))
    assert result.gdp.observed.tolist() == pytest.approx([0.048, 0.060, 0.042, 0.012, 0.011])
    assert (result.gdp.p5 <= result.gdp.simulated_mean + 1e-12).all()
    assert scores["gdp_growth_n_years"] == 5 and scores["gdp_growth_rmse"] > 0
    assert scores["gdp_growth_rmse_persistence"] == pytest.approx(
        math.sqrt(np.mean((0.074 - result.gdp.observed) ** 2))
    )
    for power in ("russia", "china", "eu", "us"):
        assert -1 <= scores[f"unga_corr_{power}"] <= 1 and scores[f"unga_n_years_{power}"] == 6


def test_unga_agreement_maps_powers_and_scores_rank_correlation():
    agreement = read_agreement()
    assert set(agreement.columns) == {"russia", "china", "eu", "us"}
    assert agreement.at[2011, "russia"] == pytest.approx(0.7938)
    assert agreement.loc[2005:2015, "eu"].notna().all()
    years = list(range(2011, 2016))
    rising = np.tile(np.linspace(0, 1, 5)[None, :, None], (3, 1, 1))
    toy = pd.DataFrame({"a": [0.1, 0.2, 0.3, 0.4, 0.5]}, index=years)
    scores, notes = relation_correlations(rising, years, ("a",), toy)
    assert scores == {"unga_corr_a": pytest.approx(1.0), "unga_n_years_a": 5.0}
    scores, notes = relation_correlations(-rising, years, ("a",), toy)
    assert scores["unga_corr_a"] == pytest.approx(-1.0)
    scores, notes = relation_correlations(rising[:, :3], years[:3], ("a",), toy)
    assert scores == {} and "only 3 simulated year(s)" in notes[0]


def test_malformed_vote_file_is_one_line_naming_the_row(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(
        "year,country_a,country_b,share_identical_votes\n2011,Kazakhstan,Russia,0.8\n2012,Kazakhstan,China,x\n"
    )
    with pytest.raises(
        UserError, match=r"v.csv: line 3: share_identical_votes: expected a share 0..1, got 'x'"
    ):
        read_agreement(path)
    path.write_text("year,country_a,country_b,share_identical_votes\n2011,Kazakhstan,Russia,1.5\n")
    with pytest.raises(UserError, match=r"line 2: share_identical_votes: expected a share 0..1"):
        read_agreement(path)


def test_pipeline_corridor_follows_the_d23_data_file():
    """2011 level = the 2012-2013 mean of Kazakh crude through the pipeline over 2023's 1.2 Mt."""
    rows = pd.read_csv("seeds/data/kz_china_oil_pipeline.csv")
    kazakh = rows[rows["item"].str.contains("Kazakh") & ~rows["item"].str.contains("Russian")]
    volume = kazakh.set_index("year")["value"]
    history, base = load_scenario("history_2011_2023"), load_scenario("baseline_2023")
    level = history.world.corridors["atasu_alashankou"]
    assert level == pytest.approx((volume[2012] + volume[2013]) / 2 / volume[2023], abs=0.05)
    assert base.world.corridors["atasu_alashankou"] == 1.0
    dated = [e for e in history.events if "world.corridors.atasu_alashankou" in e.set]
    assert [e.at for e in dated] == ["2014Q1", "2015Q1"] and all("D23" in e.facts for e in dated)
    assert dated[-1].set["world.corridors.atasu_alashankou"] == 1.0


def test_russian_transit_in_the_pipeline_lowers_chinas_share(observed):
    """Without the D23 events Kazakh crude keeps its 2011 place in the pipeline to China."""
    history = load_scenario("history_2011_2023").model_copy(update={"posterior": ""})
    kept = history.model_copy(
        update={"events": [e for e in history.events if "world.corridors.atasu_alashankou" not in e.set]}
    )
    china = PARTNER_KEYS.index("china")
    shares = {}
    for label, scenario in (("with", history), ("without", kept)):
        paths = simulate(rebase(scenario, observed, 2011, 2018), 10, 1)
        shares[label] = paths.shares.mean(axis=0)[paths.years.index(2016), china]
    assert shares["with"] < shares["without"] - 0.02


def test_history_partner_oil_mixes_add_up_to_the_national_oil_share(observed):
    """The 2011 partner mixes weighted by the 2011 export shares give world.oil.export_share."""
    history = load_scenario("history_2011_2023")
    weights = observed.export_shares.loc[2011]
    weighted = sum(weights[k] * history.partners[k].export_mix.get("oil", 0.0) for k in PARTNER_KEYS)
    assert weighted == pytest.approx(history.world.oil.export_share, abs=0.005)
