"""Observed real GDP growth: the shipped series, the BNS-first rule, and one-line errors."""

import pytest

from sim.errors import UserError
from sim.evidence.observed_gdp import read_observed_gdp

HEADER = "year,series,value,unit,derived,source\n"


def test_shipped_series_is_bns_with_the_2015_slowdown_and_2020_contraction():
    gdp = read_observed_gdp()
    assert set(gdp.series.values()) == {"BNS"}
    assert gdp.growth[2020] == pytest.approx(-0.025)
    assert gdp.growth[2015] < 0.02 and gdp.growth[2016] < 0.02 < gdp.growth[2014]
    assert set(range(2000, 2025)) <= set(gdp.years)
    assert any("largest difference 0.2" in note for note in gdp.notes)


def test_imf_fills_a_year_without_bns_and_says_so(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text(
        HEADER
        + "2001,bns_real_growth_pct,5.0,,,s\n2001,imf_weo_real_growth_pct,5.1,,,s\n"
        + "2002,imf_weo_real_growth_pct,3.0,,,s\n2002,bns_gdp_volume_index,103.0,,,s\n"
    )
    gdp = read_observed_gdp(path)
    assert gdp.growth.to_dict() == {2001: pytest.approx(0.05), 2002: pytest.approx(0.03)}
    assert gdp.series == {2001: "BNS", 2002: "IMF WEO"}
    assert any("IMF WEO used: 2002" in note for note in gdp.notes)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("2001,bns_real_growth_pct,five,,,s\n", r"line 2: value: expected a growth rate in %, got 'five'"),
        (
            "2001,bns_gdp_volume_index,105,,,s\n2001x,bns_real_growth_pct,5,,,s\n",
            r"line 3: year: expected an integer year, got '2001x'",
        ),
        ("2001,bns_real_growth_pct,250,,,s\n", r"line 2: value: expected a growth rate in % \(-100 to 100\)"),
        (
            "2001,bns_real_growth_pct,5,,,s\n2001,bns_real_growth_pct,6,,,s\n",
            "line 2: two different values for the same year, series",
        ),
        ("2001,other_series,5,,,s\n", "no rows of series bns_real_growth_pct"),
    ],
)
def test_malformed_file_gives_one_line_naming_file_row_and_field(tmp_path, body, message):
    path = tmp_path / "g.csv"
    path.write_text(HEADER + body)
    with pytest.raises(UserError, match=message) as err:
        read_observed_gdp(path)
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)


def test_missing_file_and_missing_column(tmp_path):
    with pytest.raises(UserError, match="no such observed-GDP file"):
        read_observed_gdp(tmp_path / "none.csv")
    path = tmp_path / "g.csv"
    path.write_text("year,value\n2001,5\n")
    with pytest.raises(UserError, match="missing column"):
        read_observed_gdp(path)


def test_four_quarter_sums_of_quarterly_gdp_reproduce_annual_growth():
    """The hindcast's convention (annual growth = ratio of four-quarter sums) matches the data."""
    import pandas as pd

    rows = pd.read_csv("seeds/data/kz_gdp_real_quarterly.csv")
    levels = rows[rows.series == "real_gdp_level"]
    full = levels.groupby("year").filter(lambda d: len(d) == 4)
    sums = full.groupby("year")["value"].sum()
    growth = (sums / sums.shift(1) - 1).dropna()
    annual = read_observed_gdp().growth
    assert len(growth) >= 10
    assert (growth - annual[growth.index]).abs().max() < 0.003
