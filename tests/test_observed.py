"""The observed-trade reader: the selection rule, its report, and clear errors."""

from pathlib import Path

import pandas as pd
import pytest

from sim.errors import UserError
from sim.evidence.observed import COLUMNS, OBSERVED_FILE, PARTNER_KEYS, read_observed

SHIPPED = pd.read_csv(OBSERVED_FILE)


def write(tmp_path: Path, frame: pd.DataFrame, name: str = "trade.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_shipped_file_uses_dots_then_national_statistics():
    obs = read_observed()
    assert set(range(2000, 2019)) | {2023} == set(obs.years)
    assert obs.series[2017] == "IMF DOTS" and obs.series[2018] == "BNS" and obs.series[2023] == "BNS"
    assert obs.shares.sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert list(obs.shares.columns) == list(PARTNER_KEYS)


def test_2023_shares_are_d01_and_2018_eu_is_the_derived_eu27():
    obs = read_observed()
    assert obs.shares.loc[2023, "russia"] == pytest.approx(0.1939, abs=1e-4)
    assert obs.shares.loc[2023, "italy"] == pytest.approx(0.1152, abs=1e-4)
    eu27 = obs.shares.loc[2018, ["eu_rest", "italy"]].sum()
    assert eu27 == pytest.approx(36425.079 / 94769.741, abs=1e-6)  # EU28 minus UK, not 37669.064
    assert any("EU28" in note for note in obs.notes)


def test_dots_turnover_is_exports_plus_imports():
    obs = read_observed()
    k = SHIPPED[(SHIPPED.reporter == "Kazakhstan") & (SHIPPED.year == 2011)]
    k = k[k.series.str.startswith("IMF_DOTS")].groupby("partner").value_usd_millions.sum()
    assert obs.shares.loc[2011, "china"] == pytest.approx(k["China"] / k["World"])


def test_press_and_mirror_rows_are_never_used():
    obs = read_observed()
    assert not obs.used["series"].str.startswith("press").any()
    assert (obs.used["reporter"] == "Kazakhstan").all()
    assert any("press rows" in n for n in obs.notes) and any("reporter" in n for n in obs.notes)


def test_more_years_and_extra_partners_are_accepted(tmp_path):
    later = SHIPPED[SHIPPED.series.str.startswith("BNS") & (SHIPPED.year == 2023)].assign(year=2021)
    early_eu28 = later.assign(year=2019)
    early_eu28 = early_eu28[~early_eu28.partner.str.startswith("EU27")]
    extra = later[later.partner == "Turkey"].assign(partner="Mongolia", value_usd_millions=1.0)
    obs = read_observed(write(tmp_path, pd.concat([SHIPPED, later, early_eu28, extra])))
    assert 2021 in obs.years, "BNS aggregate is the EU27 from 2021"
    assert 2019 not in obs.years, "BNS aggregate is the EU28 in 2019 and there is no derived EU27"
    assert any(n.startswith("2019: incomplete") and "eu27" in n for n in obs.notes)
    assert any("Mongolia" in n for n in obs.notes)
    assert obs.shares.loc[2021].to_numpy() == pytest.approx(obs.shares.loc[2023].to_numpy())


def test_missing_years_are_left_out(tmp_path):
    obs = read_observed(write(tmp_path, SHIPPED[SHIPPED.year != 2015]))
    assert 2015 not in obs.years and 2014 in obs.years


def test_a_year_missing_a_partner_falls_back_or_is_reported(tmp_path):
    rows = SHIPPED[
        ~((SHIPPED.year == 2018) & SHIPPED.series.str.startswith("BNS") & (SHIPPED.partner == "Italy"))
    ]
    obs = read_observed(write(tmp_path, rows))
    assert obs.series[2018] == "IMF DOTS", "national statistics incomplete, so DOTS"


def test_hand_computed_toy_file(tmp_path):
    values = {
        "Russia": 2,
        "China": 1,
        "Italy": 1,
        "United States": 1,
        "EU (IMF DOTS aggregate)": 3,
        "World": 10,
    }
    rows = [
        (2020, "Kazakhstan", partner, flow, value, "IMF_DOTS_test", "toy")
        for partner, value in values.items()
        for flow in ("exports_fob", "imports_cif")
    ]
    obs = read_observed(write(tmp_path, pd.DataFrame(rows, columns=COLUMNS)))
    expected = {"russia": 0.2, "china": 0.1, "eu_rest": 0.2, "italy": 0.1, "us": 0.1, "row": 0.3}
    assert obs.shares.loc[2020].to_dict() == pytest.approx(expected)
    assert obs.export_fraction.loc[2020].to_numpy() == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["flow"]), r"missing column\(s\) flow; expected columns year,reporter"),
        (
            lambda f: f.assign(year=f.year.astype(str).where(f.index != 5, "20x1")),
            r"line 7: year: expected an integer year, got '20x1'",
        ),
        (
            lambda f: f.assign(value_usd_millions=f.value_usd_millions.where(f.index != 0, -1)),
            r"line 2: value_usd_millions: expected a number >= 0",
        ),
        (
            lambda f: pd.concat([f, f.iloc[[0]].assign(value_usd_millions=1.0)]),
            r"two different values for the same year",
        ),
        (lambda f: f[f.reporter != "Kazakhstan"], r"no year has Kazakhstan-reported turnover"),
    ],
)
def test_bad_files_give_one_clear_error(tmp_path, change, message):
    path = write(tmp_path, change(SHIPPED.copy()))
    with pytest.raises(UserError, match=message) as err:
        read_observed(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(UserError, match="no such observed-data file"):
        read_observed(tmp_path / "none.csv")
