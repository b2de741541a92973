"""Strategies: each returns a valid allocation; helpers keep the simplex and the cap."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.model.balancing import BalancingModel
from sim.model.strategies import STRATEGIES, cap_shares, make_strategy, simplex_grid


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_each_strategy_returns_rows_on_the_simplex(name):
    model = BalancingModel(strategy=name, replicates=6, rng=4)
    model.run_for(3)
    obs = model.pivot.observe()
    chosen = model.pivot.strategy.choose(obs)
    assert chosen.shape == obs.effort.shape
    assert np.all(chosen >= -1e-12)
    np.testing.assert_allclose(chosen.sum(axis=1), 1.0, atol=1e-9)


def test_at_least_seven_strategies_with_descriptions():
    assert len(STRATEGIES) >= 7
    for cls in STRATEGIES.values():
        assert cls.summary and cls.__doc__


@given(arrays(float, (5, 4), elements=st.floats(0.001, 10.0)), st.floats(0.25, 1.0))
def test_cap_shares_is_a_capped_distribution(target, cap):
    out = cap_shares(target, cap)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-9)
    assert np.all(out <= cap + 1e-9)
    assert np.all(out >= 0)


def test_simplex_grid_counts_and_sums():
    grid = simplex_grid(4, 10)
    assert len(grid) == 286  # C(13, 3)
    np.testing.assert_allclose(grid.sum(axis=1), 1.0)
    assert len(np.unique(grid, axis=0)) == len(grid)


def test_multivector_respects_its_cap_after_adjustment():
    overrides = {"strategies.multivector.rate": 1.0, "strategies.multivector.cap": 0.3}
    model = BalancingModel(strategy="multivector", replicates=4, rng=1, overrides=overrides)
    model.run_for(12)
    assert np.all(model.pivot.effort <= 0.3 + 1e-9)
    assert model.pivot.strategy.params.cap == 0.3


def test_strategy_parameters_are_validated():
    with pytest.raises(ValueError):
        make_strategy("multivector", {"cap": 3}, ("a", "b"))
    with pytest.raises(ValueError):
        make_strategy("equidistance", {"speed": 1}, ("a", "b"))


def test_adaptive_hedging_stays_put_when_moving_costs_more_than_it_gains():
    model = BalancingModel(
        strategy="adaptive_hedging",
        replicates=3,
        rng=1,
        overrides={"strategies.adaptive_hedging.adjustment_cost": 10.0},
    )
    start = model.pivot.effort.copy()
    model.run_for(4)
    np.testing.assert_allclose(model.pivot.effort, start)
