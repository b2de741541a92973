"""Properties of the model the ODD states outside its direction table.

Monotone responses over any pair of event values (hypothesis), the settled start (ODD 5), the
fixed strategies' levels (7.4), simultaneous moves (3), the effective tolerance by hand (7.3),
and the two rules the code once broke: tolerance clipped once, security dependence at its own rate.
"""

import numpy as np
import pytest
from direction_helpers import (
    BASE,
    EVENT_AT,
    column,
    pressure_over_run,
    run,
    tolerance,
    with_events,
)
from hypothesis import given
from hypothesis import strategies as st

from sim.model.balancing import BalancingModel
from sim.model.scenario import Scenario
from sim.model.strategies import STRATEGIES


def _end_state(scenario: Scenario, strategy: str, change: dict) -> BalancingModel:
    return run(with_events(scenario, {"at": EVENT_AT, **change}), strategy)


@given(st.floats(0.0, 0.9), st.floats(0.0, 0.9))
def test_russias_pressure_never_rises_with_its_tolerance(a, b):
    """7.3, for any two tolerances an event may set: the more tolerant Russia presses no more."""
    low, high = sorted((a, b))
    pressed = [
        pressure_over_run("russia")(_end_state(BASE, "equidistance", {"set": {"powers.russia.tolerance": t}}))
        for t in (low, high)
    ]
    assert pressed[0] >= pressed[1] - 1e-12


@given(st.floats(-0.8, 0.8), st.floats(-0.8, 0.8))
def test_gdp_never_falls_with_a_higher_oil_price_shock(a, b):
    """7.6, for any two oil shocks: the economy after the larger one (in logs) is no smaller."""
    low, high = sorted((a, b))
    gdp = [column("welfare")(_end_state(BASE, "equidistance", {"shock": {"oil": s}})) for s in (low, high)]
    assert gdp[0] <= gdp[1] + 1e-12


@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_larger_offers_from_china_mean_a_closer_relation_and_more_chinese_fdi(a, b):
    """7.3, 7.5 and 7.7 for any two reward budgets: more offered, no worse relation, no less FDI."""
    low, high = sorted((a, b))
    runs = [_end_state(BASE, "equidistance", {"set": {"powers.china.reward_budget": v}}) for v in (low, high)]
    for name in ("reward_china", "relation_china", "fdi_share_china"):
        assert column(name)(runs[0]) <= column(name)(runs[1]) + 1e-12, name


@pytest.mark.parametrize("strategy", ["multivector", "adaptive_hedging", "equidistance"])
def test_a_settled_start_begins_where_the_policy_rests_with_trade_and_relations_held(strategy):
    """ODD 5: ``pivot.settled_start`` plays the policy against the powers' expected responses first.

    Trade and relations start as the scenario states them; engagement starts where the policy
    rests, so a noise-free first quarter does not move it, while without the spin-up it does.
    """
    settled = BalancingModel(BASE.with_overrides({"pivot.settled_start": True}), strategy, draws={}, rng=1)
    plain = BalancingModel(BASE, strategy, draws={}, rng=1)
    for name in ("share_china", "share_russia", "relation_eu", "relation_russia", "welfare"):
        np.testing.assert_allclose(settled.state()[name], plain.state()[name], err_msg=name)
    engaged = [f"engagement_{p}" for p in BASE.powers]
    start = {m: np.array([m.state()[c][0] for c in engaged]) for m in (settled, plain)}
    assert np.abs(start[settled] - start[plain]).max() > 0.05
    settled.step()
    plain.step()
    moved = {m: np.abs(np.array([m.state()[c][0] for c in engaged]) - start[m]).max() for m in start}
    assert moved[settled] < 1e-6 < 0.01 < moved[plain]


FIXED_TARGETS = {  # docs/ODD.md 7.4, engagement with (russia, china, eu, us)
    "neutrality": (0.15, 0.15, 0.15, 0.15),
    "equidistance": (0.5, 0.5, 0.5, 0.5),
    "bandwagon_russia": (0.9, 0.2, 0.2, 0.2),
    "pivot_china": (0.2, 0.9, 0.2, 0.2),
    "pivot_west": (0.2, 0.2, 0.9, 0.8),
}


@pytest.mark.parametrize("strategy", sorted(FIXED_TARGETS))
def test_a_fixed_strategy_settles_at_the_levels_the_odd_table_states(strategy):
    """ODD 7.4's table: the fixed strategies' targets, reached at their rate (0.7^40 of the gap left)."""
    model = BalancingModel(BASE.with_overrides({"steps": 40}), strategy, draws={}, rng=1, collect=False)
    model.run_for(40)
    levels = [model.state()[f"engagement_{p}"][0] for p in ("russia", "china", "eu", "us")]
    np.testing.assert_allclose(levels, FIXED_TARGETS[strategy], atol=1e-4)


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_the_order_in_which_the_scenario_lists_powers_and_partners_changes_nothing(strategy):
    """ODD 3: the powers act simultaneously, so there is no activation-order effect.

    The scenario with its powers and partners listed in reverse order (and a dated event) gives,
    noise-free, the same state for every power and partner by name, to rounding.
    """
    scenario = with_events(BASE, {"at": EVENT_AT, "shock": {"rivalry": 0.2, "oil": -0.3}})
    data = scenario.model_dump()
    data["powers"] = dict(reversed(data["powers"].items()))
    data["partners"] = dict(reversed(data["partners"].items()))
    other = Scenario.model_validate(data)
    assert tuple(other.powers) == ("us", "eu", "china", "russia")
    listed, reversed_ = run(scenario, strategy).state(), run(other, strategy).state()
    for name, values in listed.items():
        np.testing.assert_allclose(reversed_[name], values, rtol=1e-9, atol=1e-12, err_msg=name)


def effective_tolerance_of_russia(overrides: dict) -> float:
    """Russia's effective tolerance after one noise-free quarter (rivalry stays at its level)."""
    return tolerance("russia")(run(BASE.with_overrides({"steps": 1, **overrides}), "equidistance"))


def test_effective_tolerance_follows_odd_7_3_by_hand():
    """tau~ = clip(tau + b m - k (rho - rho_ref), 0, 0.99): Russia shares 5 memberships in force
    (CIS, EAEU, CSTO, SCO, WTO), b = 0.05, k = 0.4, rho_ref = 0.5, rho = 0.6."""
    assert effective_tolerance_of_russia({}) == pytest.approx(0.45 + 5 * 0.05 - 0.4 * (0.6 - 0.5))
    high = {"world.rivalry": 0.9, "world.rivalry_initial": 0.9}
    assert effective_tolerance_of_russia(high) == pytest.approx(0.45 + 5 * 0.05 - 0.4 * (0.9 - 0.5))


def test_effective_tolerance_is_clipped_once_after_the_rivalry_term():
    overrides = {"powers.russia.tolerance": 0.95, "world.rivalry": 0.9, "world.rivalry_initial": 0.9}
    assert effective_tolerance_of_russia(overrides) == pytest.approx(0.99)  # clip(1.04, 0, 0.99)


def test_the_relation_rate_moves_relations_and_not_security_dependence():
    """With a fixed policy, security dependence follows engagement alone (ODD 7.6)."""
    leave = {"at": "2024Q2", "set": {"world.memberships.csto": False}}  # d moves toward 0
    before = with_events(BASE, leave)
    after = with_events(before, {"at": EVENT_AT, "set": {"pivot.relation_rate": 0.3}})
    slow, fast = run(before, "equidistance").state(), run(after, "equidistance").state()
    assert fast["relation_us"][0] != pytest.approx(slow["relation_us"][0])  # the rate does act
    assert fast["security_dependence"][0] == pytest.approx(slow["security_dependence"][0])


def test_a_faster_security_rate_moves_security_dependence_further_toward_its_target():
    """After leaving the CSTO, d falls toward 0 (ODD 7.6): faster at a higher pivot.security_rate."""
    leave = {"at": "2024Q2", "set": {"world.memberships.csto": False}}
    before = with_events(BASE, leave)
    after = with_events(before, {"at": "2024Q2", "set": {"pivot.security_rate": 0.3}})
    slow, fast = run(before, "equidistance").state(), run(after, "equidistance").state()
    assert fast["security_dependence"][0] < slow["security_dependence"][0]
    assert fast["relation_us"][0] == pytest.approx(slow["relation_us"][0])
