"""The model: construction, Mesa compatibility, invariants, determinism, directions, a toy."""

import gc
import weakref

import mesa
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.experiments.runner import ChunkSpec, run_chunk
from sim.model.balancing import BalancingModel
from sim.model.events import Event
from sim.model.scenario import Scenario, load_scenario, shipped_scenarios
from sim.model.strategies import STRATEGIES

BASE = load_scenario("baseline_2023")
CHANNEL = BASE.with_overrides({"pivot.engagement_elasticity": 0.5, "pivot.relation_elasticity": 0.8})
"""The baseline with the engagement-to-trade channel at its stated priors (sim/model/params.py):
the 2011-2018 data do not identify it (docs/calibration.md), so mechanism tests set it."""


def run(model: BalancingModel) -> BalancingModel:
    while model.running:
        model.step()
    return model


def test_constructible_with_no_arguments():
    model = BalancingModel()
    assert model.initial_params.name == "baseline_2023"
    assert model.strategy_name == "multivector"
    assert model.replicates == 1
    model.run_for(10)
    assert model.time == 10
    assert len(model.agents) == 5  # the pivot and four powers


def test_runs_under_mesa_batch_run():
    rows = mesa.batch_run(
        BalancingModel,
        parameters={"strategy": ["multivector", "bandwagon_russia"], "replicates": 1},
        rng=[1, 2],
        max_steps=8,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert len(rows) == 4
    assert {"welfare", "autonomy", "security_risk"} <= set(rows[0])
    assert all(0 <= r["autonomy"] <= 1 for r in rows)


def test_the_datacollector_reports_every_state_column_and_batch_run_works_with_replicates():
    """Mesa users get every outcome (replicate means), and replicates > 1 still gives rows."""
    rows = mesa.batch_run(
        BalancingModel,
        parameters={"strategy": "multivector", "replicates": 5},
        rng=[3],
        max_steps=4,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    assert len(rows) == 5  # steps 0-4
    model = BalancingModel(replicates=5, rng=3)
    columns = set(model.state())
    assert columns <= set(rows[-1])
    for family in ("relation_", "pressure_", "share_", "engagement_", "leverage_"):
        assert any(c.startswith(family) for c in columns)
    assert {"sanctions_exposure", "export_value", "welfare"} <= columns
    model.run_for(4)
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame["welfare"].iloc[-1] == pytest.approx(model.welfare.mean())


def test_stops_after_the_scenarios_steps():
    model = run(BalancingModel(BASE.with_overrides({"steps": 6}), rng=1))
    assert model.time == 6 and not model.running


def check_state(model: BalancingModel) -> None:
    pv = model.pivot
    for shares in (pv.trade, pv.fdi):
        assert np.all(np.isfinite(shares))
        assert np.all(shares >= -1e-12) and np.all(shares <= 1 + 1e-12)
        np.testing.assert_allclose(shares.sum(axis=1), 1.0, atol=1e-9)
    assert np.all((pv.engagement >= -1e-12) & (pv.engagement <= 1 + 1e-12))
    assert np.all((pv.security_dependence >= 0) & (pv.security_dependence <= 1))
    assert np.all(np.isfinite(pv.log_exports)) and np.all(pv.exposure >= 0)
    assert np.all(np.abs(pv.relations) <= 1 + 1e-12)
    assert np.all((pv.pressures >= 0) & (pv.pressures <= 1))
    assert np.all(pv.gdp > 0) and np.all(np.isfinite(pv.gdp))
    assert np.all((model.world.rivalry >= 0) & (model.world.rivalry <= 1))
    assert np.all((model.autonomy >= 0) & (model.autonomy <= 1))


@given(
    strategy=st.sampled_from(sorted(STRATEGIES)),
    tolerance=st.floats(0.0, 1.0),
    capacity=st.floats(0.0, 1.0),
    budget=st.floats(0.0, 1.0),
    noise=st.floats(0.0, 1.0),
    rivalry=st.floats(0.0, 1.0),
    sanctions=st.floats(0.0, 1.0),
    inertia=st.floats(0.01, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_invariants_hold_for_any_parameters(
    strategy, tolerance, capacity, budget, noise, rivalry, sanctions, inertia, seed
):
    scenario = BASE.with_overrides(
        {
            "steps": 12,
            "powers.russia.tolerance": tolerance,
            "powers.us.pressure_capacity": capacity,
            "powers.china.reward_budget": budget,
            "powers.eu.noise": noise,
            "world.rivalry": rivalry,
            "world.sanctions": sanctions,
            "pivot.trade_inertia": inertia,
        }
    )
    model = BalancingModel(scenario, strategy, replicates=4, rng=seed)
    check_state(model)
    for _ in range(12):
        model.step()
        check_state(model)


def test_same_seed_same_state_different_seed_different_state():
    a = run(BalancingModel(BASE, "opportunist", replicates=5, rng=7))
    b = run(BalancingModel(BASE, "opportunist", replicates=5, rng=7))
    c = run(BalancingModel(BASE, "opportunist", replicates=5, rng=8))
    np.testing.assert_array_equal(a.pivot.trade, b.pivot.trade)
    np.testing.assert_array_equal(a.pivot.gdp, b.pivot.gdp)
    assert not np.array_equal(a.pivot.gdp, c.pivot.gdp)


def test_toy_symmetric_pair_matches_hand_derivation(toy_path):
    """Equal engagement, no noise: shares stay 1/2, GDP grows exp(g/4 T), pressure is constant.

    Power A's rival B gets half of the engagement, above A's tolerance 0.2 (rivalry at its
    reference, so no tightening; nobody neglected; dependence leverage off), so A presses with
    capacity x salience x (0.5 - 0.2) / (1 - 0.2) = 0.15; the
    same for B. Security risk is 1 - (1 - 0.15)^2 = 0.2775. Pressure and rewards stay at their
    starting level, so relations and GDP growth do not move away from the start.
    """
    model = run(BalancingModel(str(toy_path), "equidistance", replicates=3, rng=1))
    np.testing.assert_allclose(model.pivot.trade, 0.5, atol=1e-12)
    np.testing.assert_allclose(model.pivot.pressures, 0.15, atol=1e-12)
    np.testing.assert_allclose(model.security_risk, 1 - 0.85**2, atol=1e-12)
    np.testing.assert_allclose(model.pivot.gdp, np.exp(0.04 / 4 * 40), rtol=1e-12)
    np.testing.assert_allclose(model.autonomy, 0.5, atol=1e-12)
    np.testing.assert_allclose(model.pivot.relations, 0.0, atol=1e-12)


def test_a_strategy_that_names_a_power_the_scenario_lacks_is_a_clear_error(toy_path):
    scenario = load_scenario(str(toy_path)).with_overrides({"strategies.bandwagon_russia.strength": 0.8})
    # The toy has no power called russia: a clear error, not a silent default.
    with pytest.raises(ValueError, match="needs power 'russia'"):
        run(BalancingModel(scenario, "bandwagon_russia", rng=1))


@pytest.mark.parametrize("bidder, other", [("a", "b"), ("b", "a")])
def test_toy_trade_follows_the_power_that_outbids_the_other_and_mirrors_when_they_swap(
    toy_path, bidder, other
):
    """A dated event raises one toy power's offers: the opportunist engages it, trade follows.

    The toy is symmetric, so the run where B outbids A is the mirror image of the one where A
    outbids B (shares swapped, to rounding).
    """
    data = load_scenario(str(toy_path)).model_dump()
    data["events"] = [
        Event(at="2024Q2", name="bid", set={f"powers.{bidder}.reward_budget": 0.6}).model_dump()
    ]
    model = run(BalancingModel(Scenario.model_validate(data), "opportunist", replicates=2, rng=1))
    b, o = model.structure.partners.index(bidder), model.structure.partners.index(other)
    assert np.all(model.pivot.engagement[:, b] > model.pivot.engagement[:, o] + 0.1)
    assert np.all(model.pivot.trade[:, b] > 0.5 + 0.01)
    mirror = data | {
        "events": [Event(at="2024Q2", name="bid", set={f"powers.{other}.reward_budget": 0.6}).model_dump()]
    }
    swapped = run(BalancingModel(Scenario.model_validate(mirror), "opportunist", replicates=2, rng=1))
    np.testing.assert_allclose(swapped.pivot.trade[:, [o, b]], model.pivot.trade[:, [b, o]], atol=1e-12)


def test_more_pressure_from_a_power_lowers_relations_with_it():
    """Raise Russia's coercive capacity mid-run and cut its tolerance: relations with it fall."""
    calm = BASE.with_overrides({"steps": 24})
    data = calm.model_dump()
    data["events"].append(
        Event(
            at="2024Q3",
            name="pressure",
            set={"powers.russia.pressure_capacity": 0.9, "powers.russia.tolerance": 0.1},
        ).model_dump()
    )
    pressed = Scenario.model_validate(data)
    a = run(BalancingModel(calm, "equidistance", replicates=50, rng=3))
    b = run(BalancingModel(pressed, "equidistance", replicates=50, rng=3))
    r = list(a.structure.powers).index("russia")
    assert b.pivot.pressures[:, r].mean() > a.pivot.pressures[:, r].mean() + 0.05
    assert b.pivot.relations[:, r].mean() < a.pivot.relations[:, r].mean() - 0.1


def test_bandwagoning_with_russia_raises_russias_share_compared_with_multivector():
    mv = run(BalancingModel(CHANNEL, "multivector", replicates=50, rng=5))
    bw = run(BalancingModel(CHANNEL, "bandwagon_russia", replicates=50, rng=5))
    r = list(mv.structure.powers).index("russia")
    assert bw.pivot.bloc_shares[:, r].mean() > mv.pivot.bloc_shares[:, r].mean() + 0.02
    assert bw.pivot.engagement[:, r].mean() > 0.8


def test_a_pivot_to_china_raises_dependence_on_china_and_its_leverage():
    """Leverage from dependence: the more the pivot trades with China, the more China can press."""
    eq = run(BalancingModel(CHANNEL, "equidistance", replicates=30, rng=5))
    cn = run(BalancingModel(CHANNEL, "pivot_china", replicates=30, rng=5))
    c = list(eq.structure.powers).index("china")
    assert cn.pivot.bloc_shares[:, c].mean() > eq.pivot.bloc_shares[:, c].mean() + 0.02
    assert cn.pivot.leverage[:, c].mean() > eq.pivot.leverage[:, c].mean()


@pytest.mark.parametrize("weight, more", [(0.0, False), (0.8, True)])
def test_moscow_reacts_to_a_pivot_to_china_only_where_the_scenario_says_they_are_rivals(weight, more):
    """Rivalry between every pair is a parameter: Russia presses a pivot to China as its weight rises."""
    calm = run(
        BalancingModel(BASE.with_overrides({"powers.russia.rivals.china": 0.0}), "pivot_china", 30, rng=4)
    )
    tense = run(
        BalancingModel(BASE.with_overrides({"powers.russia.rivals.china": weight}), "pivot_china", 30, rng=4)
    )
    r = list(calm.structure.powers).index("russia")
    gap = tense.pressure_sum[:, r].mean() - calm.pressure_sum[:, r].mean()
    assert (gap > 0.5) == more and gap >= 0


def test_more_transit_through_russia_raises_russias_leverage():
    """Hirschman: the CPC pipeline's share of oil exports is a source of Russian leverage."""
    low = BalancingModel(BASE.with_overrides({"world.oil.routes.cpc_pipeline": 0.3}), replicates=5, rng=1)
    high = BalancingModel(BASE.with_overrides({"world.oil.routes.cpc_pipeline": 0.9}), replicates=5, rng=1)
    r = list(low.structure.powers).index("russia")
    assert high.pivot.leverage[:, r].mean() > low.pivot.leverage[:, r].mean()


def test_neglect_brings_pressure_and_a_higher_sensitivity_brings_more():
    calm = run(
        BalancingModel(
            BASE.with_overrides({"powers.china.neglect_sensitivity": 0.0}), "neutrality", 20, rng=3
        )
    )
    hurt = run(
        BalancingModel(
            BASE.with_overrides({"powers.china.neglect_sensitivity": 1.5}), "neutrality", 20, rng=3
        )
    )
    c = list(calm.structure.powers).index("china")
    assert hurt.pressure_sum[:, c].mean() > calm.pressure_sum[:, c].mean() + 0.5


def test_sanctions_escalation_raises_western_pressure_on_russia_linked_trade():
    base = run(BalancingModel(BASE, "bandwagon_russia", replicates=30, rng=2))
    esc = run(BalancingModel(load_scenario("sanctions_escalation"), "bandwagon_russia", replicates=30, rng=2))
    us = list(base.structure.powers).index("us")
    assert esc.pivot.pressures[:, us].mean() > base.pivot.pressures[:, us].mean()


def test_one_replicate_and_a_hundred_agree_in_distribution():
    """100 single-replicate models and one 100-replicate model sample the same distribution."""
    scenario = BASE.with_overrides({"steps": 16})
    singles = [
        run(BalancingModel(scenario, "opportunist", replicates=1, rng=1000 + i)).pivot.gdp[0]
        for i in range(100)
    ]
    batch = run(BalancingModel(scenario, "opportunist", replicates=100, rng=99)).pivot.gdp
    assert stats.ks_2samp(singles, batch).pvalue > 0.01
    assert abs(np.mean(singles) - batch.mean()) < 4 * batch.std() / 10


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_every_shipped_scenario_runs_and_is_garbage_collected(name):
    scenario = load_scenario(name)
    spec = ChunkSpec(scenario.with_overrides({"steps": 8}), "multivector", 3, 0, 11, record_every=4)
    result = run_chunk(spec)
    assert len(result.runs) == 3 and (result.runs["status"] == "ok").all()
    model = BalancingModel(scenario, replicates=2, rng=1)
    model.run_for(4)
    check_state(model)
    ref = weakref.ref(model)
    model.remove_all_agents()
    del model
    gc.collect()
    assert ref() is None


@pytest.mark.parametrize("level, higher", [(0.0, False), (3.0, True)])
def test_a_pipeline_event_moves_chinas_share_the_way_of_its_volume(level, higher):
    """A dated event on the crude pipeline to China (D23) moves trade with China with its volume."""
    data = BASE.model_dump()
    data["events"] = [
        Event(at="2024Q3", name="pipeline", set={"world.corridors.atasu_alashankou": level}).model_dump()
    ]
    changed = run(BalancingModel(Scenario.model_validate(data), replicates=20, rng=3))
    same = run(BalancingModel(BASE, replicates=20, rng=3))
    c = list(same.structure.partners).index("china")
    gap = changed.pivot.trade[:, c].mean() - same.pivot.trade[:, c].mean()
    assert (gap > 0.002) if higher else (gap < -0.002)
