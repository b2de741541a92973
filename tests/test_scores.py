"""Probabilistic scores: CRPS against hand-computed cases, the PIT's range and meaning, hindcast rows."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.evidence.hindcast import run_hindcast, write_hindcast
from sim.evidence.observed import read_observed
from sim.evidence.scores import coverage, crps, pit

members = arrays(np.float64, st.integers(1, 30), elements=st.floats(-10, 10))


def test_crps_matches_hand_computed_cases():
    # ensemble {0, 1}: E|X - y| - E|X - X'| / 2 with E|X - X'| = 1/2
    assert crps(np.array(0.5), np.array([0.0, 1.0])) == pytest.approx(0.5 - 0.25)
    assert crps(np.array(2.0), np.array([0.0, 1.0])) == pytest.approx(1.5 - 0.25)
    # {1, 2, 4} at 2: E|X - 2| = 1, E|X - X'| = (0 + 1 + 3 + 1 + 0 + 2 + 3 + 2 + 0) / 9 = 4/3
    assert crps(np.array(2.0), np.array([1.0, 2.0, 4.0])) == pytest.approx(1.0 - 2.0 / 3.0)


@given(y=st.floats(-10, 10), x=st.floats(-10, 10))
def test_crps_of_a_point_forecast_is_its_absolute_error(y, x):
    assert crps(np.array([y]), np.array([[x]]))[0] == pytest.approx(abs(x - y), abs=1e-9)


@given(ens=members, y=st.floats(-10, 10))
def test_crps_is_non_negative_and_never_above_the_mean_absolute_error(ens, y):
    score = float(crps(np.array(y), ens))
    assert -1e-9 <= score <= np.mean(np.abs(ens - y)) + 1e-9


def test_crps_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="does not match"):
        crps(np.zeros(3), np.zeros((2, 5)))


@given(ens=members, y=st.floats(-20, 20))
def test_pit_is_inside_the_unit_interval(ens, y):
    value = float(pit(np.array(y), ens))
    assert 0.0 < value < 1.0


def test_pit_ranks_below_inside_and_above():
    ens = np.arange(1.0, 10.0)  # 9 members
    assert pit(np.array([0.0, 5.0, 99.0]), np.tile(ens, (3, 1))).tolist() == pytest.approx([0.05, 0.5, 0.95])


def test_coverage_counts_observations_on_the_band_edges_as_inside():
    table = pd.DataFrame(
        {
            "observed": [0.1, 0.5, 0.9, 0.95],
            "p5": [0.1, 0.2, 0.2, 0.2],
            "p95": [0.8, 0.5, 0.8, 0.8],
            "predictive_p5": [0.0, 0.0, 0.0, 0.0],
            "predictive_p95": [1.0, 1.0, 0.9, 0.9],
        }
    )
    assert coverage(table) == 0.5  # both edges inside; 0.9 and 0.95 above
    assert coverage(table, predictive=True) == 0.75  # only 0.95 above the predictive band


def test_calibrated_ensemble_gives_a_flat_pit_and_a_narrow_one_a_u():
    rng = np.random.default_rng(1)
    obs = rng.normal(size=4000)
    good = pit(obs, rng.normal(size=(4000, 39)))
    narrow = pit(obs, 0.3 * rng.normal(size=(4000, 39)))
    counts_good = np.histogram(good, bins=5, range=(0, 1))[0] / len(obs)
    counts_narrow = np.histogram(narrow, bins=5, range=(0, 1))[0] / len(obs)
    assert np.all(np.abs(counts_good - 0.2) < 0.03)
    assert counts_narrow[0] > 0.3 and counts_narrow[-1] > 0.3


def test_hindcast_summary_has_crps_rows_and_a_pit_figure(tmp_path):
    result = run_hindcast(read_observed(), 2011, 2014, replicates=8, seed=1)
    written = write_hindcast(result, tmp_path)
    summary = pd.read_csv(tmp_path / "hindcast_summary.csv").set_index("metric")["value"]
    for metric in ("crps", "crps_persistence", "gdp_growth_crps", "gdp_growth_crps_persistence"):
        assert summary[metric] >= 0
    # persistence's CRPS is its mean absolute error over the same partner-years
    table = result.table[result.table["year"] > 2011]
    start = read_observed().shares.loc[2011]
    mae = np.mean(np.abs(table["observed"].to_numpy() - start[table["partner"]].to_numpy()))
    assert summary["crps_persistence"] == pytest.approx(mae, rel=1e-5)  # the CSV keeps 6 digits
    assert len(result.pit["shares"]) == len(table) and len(result.pit["GDP growth"]) == 3
    assert all(0 < v < 1 for values in result.pit.values() for v in values)
    assert tmp_path / "pit.png" in written and (tmp_path / "pit.png").stat().st_size > 1000
