"""Strategies: each returns engagement levels in [0, 1]; the capacity and the hedging rules hold."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.model.balancing import BalancingModel
from sim.model.strategies import STRATEGIES, level_grid, make_strategy, within_capacity


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_each_strategy_returns_levels_between_zero_and_one(name):
    model = BalancingModel(strategy=name, replicates=6, rng=4)
    model.run_for(3)
    obs = model.pivot.observe()
    chosen = model.pivot.strategy.choose(obs)
    assert chosen.shape == obs.engagement.shape
    assert np.all(chosen >= -1e-12) and np.all(chosen <= 1 + 1e-12)


def test_strategies_span_the_hedging_spectrum_with_cited_docstrings():
    assert {"neutrality", "equidistance", "multivector", "adaptive_hedging", "opportunist"} <= set(STRATEGIES)
    assert {"bandwagon_russia", "pivot_china", "pivot_west"} <= set(STRATEGIES)
    for cls in STRATEGIES.values():
        assert cls.summary and cls.__doc__
    cited = " ".join(cls.__doc__ for cls in STRATEGIES.values())
    for author in ("Kuik", "Walt", "Schweller", "Cooley"):
        assert author in cited


@given(arrays(float, (5, 4), elements=st.floats(0.0, 1.0)), st.floats(0.5, 4.0))
def test_within_capacity_caps_the_total_and_keeps_proportions(levels, capacity):
    out = within_capacity(levels, capacity)
    assert np.all(out.sum(axis=1) <= capacity + 1e-9)
    assert np.all(out <= levels + 1e-12) and np.all(out >= 0)
    under = levels.sum(axis=1) <= capacity
    np.testing.assert_allclose(out[under], levels[under])


def test_level_grid_counts():
    grid = level_grid(4, 4)
    assert len(grid) == 5**4
    assert grid.min() == 0 and grid.max() == 1
    assert len(np.unique(grid, axis=0)) == len(grid)


def test_engagement_is_not_zero_sum_relations_with_every_power_can_rise_together():
    """Engaging all four powers more (within capacity) improves relations with all of them."""
    low = BalancingModel(
        strategy="equidistance", replicates=20, rng=1, overrides={"strategies.equidistance.level": 0.3}
    )
    high = BalancingModel(
        strategy="equidistance", replicates=20, rng=1, overrides={"strategies.equidistance.level": 0.6}
    )
    low.run_for(24)
    high.run_for(24)
    assert np.all(high.pivot.relations.mean(axis=0) > low.pivot.relations.mean(axis=0))


def test_multivector_stays_within_the_diplomatic_capacity():
    overrides = {"strategies.multivector.rate": 1.0, "pivot.capacity": 1.6}
    model = BalancingModel(strategy="multivector", replicates=4, rng=1, overrides=overrides)
    model.run_for(12)
    assert np.all(model.pivot.engagement.sum(axis=1) <= 1.6 + 1e-9)


def test_strategy_parameters_are_validated():
    with pytest.raises(ValueError):
        make_strategy("multivector", {"level": 3}, ("a", "b"))
    with pytest.raises(ValueError):
        make_strategy("equidistance", {"speed": 1}, ("a", "b"))


def test_adaptive_hedging_stays_put_when_moving_costs_more_than_it_gains():
    model = BalancingModel(
        strategy="adaptive_hedging",
        replicates=3,
        rng=1,
        overrides={"strategies.adaptive_hedging.adjustment_cost": 10.0},
    )
    start = model.pivot.engagement.copy()
    model.run_for(4)
    np.testing.assert_allclose(model.pivot.engagement, start)


def test_opportunist_auctions_engagement_follows_the_highest_bidder():
    """Raise one power's competition (its bid for the pivot): the opportunist engages it more."""
    calm = BalancingModel(strategy="opportunist", replicates=20, rng=2)
    bid = BalancingModel(
        strategy="opportunist",
        replicates=20,
        rng=2,
        overrides={"powers.eu.competition": 3.0, "powers.eu.reward_budget": 0.8},
    )
    calm.run_for(16)
    bid.run_for(16)
    eu = calm.structure.powers.index("eu")
    assert bid.pivot.engagement[:, eu].mean() > calm.pivot.engagement[:, eu].mean() + 0.05


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_a_strategy_that_has_chosen_chooses_as_a_fresh_one_when_what_it_holds_changes(name):
    """Strategies keep terms fixed by their inputs (the adaptive grid's, multivector's established
    levels, the fixed targets) between quarters; new parameters, structure, capacity or anchor reach them."""
    model = BalancingModel(strategy=name, replicates=3, rng=2, draws={})
    model.run_for(2)
    strategy, obs = model.pivot.strategy, model.pivot.observe()
    strategy.choose(obs)
    other = BalancingModel("russian_pressure", strategy=name, replicates=3, rng=3, draws={})
    changed = replace(
        obs,
        structure=other.structure,
        capacity=obs.capacity * 0.7,
        returns=obs.returns * 0.9,
        anchor=obs.anchor[::-1].copy(),
    )
    fresh = make_strategy(name, strategy.params.model_dump(), strategy.powers)
    np.testing.assert_array_equal(strategy.choose(changed), fresh.choose(changed))
    fields = {k: v * 0.9 for k, v in strategy.params.model_dump().items() if isinstance(v, float)}
    strategy.params = strategy.params.model_copy(update=fields)
    fresh = make_strategy(name, strategy.params.model_dump(), strategy.powers)
    np.testing.assert_array_equal(strategy.choose(changed), fresh.choose(changed))
