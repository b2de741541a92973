"""Metamorphic tests: every parameter an event can set changes the simulation, in the documented way.

The first model version let dated events change parameters that nothing read again (trade
attraction was cached at the start) and let a price collapse raise welfare. Here each
event-settable parameter is changed by a dated event in a noise-free run, through the same path a
user takes (a scenario event), and the run must differ from the same scenario without it. Only
parameters documented as initial state are exempt, and for them an event is a clear error.
"""

import numpy as np
import pytest

from sim.experiments.runner import outcomes
from sim.model.balancing import BalancingModel
from sim.model.catalogue import ParameterInfo, sweepable
from sim.model.events import Event
from sim.model.scenario import Scenario, load_scenario
from sim.model.strategies import STRATEGIES

STEPS = 12
PROBES = ("multivector", "neutrality", "pivot_west", "pivot_china", "opportunist")
EVENT_AT = "2024Q3"  # step 3


def quiet_scenario() -> Scenario:
    """baseline_2023 without noise, with prices and rivalry away from their means.

    A context event at step 1 moves military spending, market size and corridor capacities off
    their start values, so parameters that scale a change since the start (elasticities, a
    partner's reliance on a corridor) have something to scale.
    """
    base = load_scenario("baseline_2023")
    changes = {f"powers.{k}.noise": 0.0 for k in base.powers}
    changes |= {"world.rivalry_volatility": 0.0, "world.rivalry_initial": 0.45}
    for commodity in ("oil", "metals", "uranium"):
        changes |= {f"world.{commodity}.volatility": 0.0, f"world.{commodity}.initial": 0.8}
    data = base.with_overrides(changes | {"steps": STEPS}).model_dump()
    data["events"] = [
        Event(
            at="2024Q1",
            name="context",
            set={
                "powers.russia.milex_usd_m": 150000.0,
                "powers.china.gdp_usd_bn": 21000.0,
                "world.corridors.cpc_pipeline": 0.9,
                "world.corridors.northern": 0.95,
                "world.corridors.middle": 1.3,
                "world.corridors.china": 1.1,
                "world.corridors.atasu_alashankou": 0.8,
            },
        ).model_dump()
    ]
    return Scenario.model_validate(data)


QUIET = quiet_scenario()
TENSE = QUIET.with_overrides(  # pressure bites, and gains and security pull apart
    {
        "world.rivalry": 0.95,
        "world.rivalry_initial": 0.95,
        "powers.russia.tolerance": 0.1,
        "powers.china.reward_budget": 0.8,
    }
)
CATALOGUE = sweepable(QUIET)


def with_event(scenario: Scenario, changes: dict, at: str = EVENT_AT) -> Scenario:
    data = scenario.model_dump()
    data["events"].append(Event(at=at, name="probe", set=changes).model_dump())
    return Scenario.model_validate(data)


def fingerprint(scenario: Scenario, strategy: str) -> np.ndarray:
    model = BalancingModel(scenario, strategy, replicates=1, rng=5, collect=False)
    model.run_for(STEPS)
    values = [*model.state().values(), *outcomes(model).values()]
    return np.concatenate([np.ravel(v) for v in values])


_REFERENCE: dict[tuple[str, str], np.ndarray] = {}


def reference(scenario: Scenario, label: str, strategy: str) -> np.ndarray:
    if (label, strategy) not in _REFERENCE:
        _REFERENCE[label, strategy] = fingerprint(scenario, strategy)
    return _REFERENCE[label, strategy]


def candidates(info: ParameterInfo) -> list:
    """New values far from the default, toward each end of the allowed range."""
    if info.kind == "bool":
        return [not info.default]
    default = info.default
    if info.kind == "integer":
        return [default + 1, default - 1]
    if default is None:  # optional: "default" means derived; set it outright
        return [0.95 * (info.high or 1.0), 0.05 * (info.high or 1.0)]
    low = info.low if info.low is not None else -10.0 * abs(default)
    high = info.high if info.high is not None else 2.0 * abs(default) + 1.0
    # Far toward each end, then halved (keeps shares that must sum to at most 1 valid).
    return [high - 0.1 * (high - low), low + 0.1 * (high - low), default / 2, low]


def probe_strategies(path: str) -> tuple[str, ...]:
    if path.startswith("strategies."):
        return (path.split(".")[1],)
    return PROBES


EVENT_SETTABLE = [p for p, info in CATALOGUE.items() if not info.initial]


def test_the_catalogue_is_large_and_marks_initial_state():
    assert len(EVENT_SETTABLE) > 150
    initial = [p for p, info in CATALOGUE.items() if info.initial]
    assert "powers.russia.initial_relation" in initial and "world.oil.initial" in initial
    assert all("initial state only" in CATALOGUE[p].description for p in initial)


@pytest.mark.parametrize("path", EVENT_SETTABLE)
def test_an_event_that_changes_the_parameter_changes_the_run(path):
    info = CATALOGUE[path]
    # A strategy's rule: from step 1, before it has converged, in a tense world where it must trade
    # security against gains.
    lever = path.startswith("strategies.")
    base, label, at = (TENSE, "tense", "2024Q1") if lever else (QUIET, "quiet", EVENT_AT)
    tried = []
    for value in candidates(info):
        if info.kind != "bool" and not info.contains(value):
            continue
        changed = with_event(base, {path: value}, at)
        try:
            changed.timeline()
        except ValueError:  # e.g. a commodity mix summing past 1: try the next value
            continue
        for strategy in probe_strategies(path):
            if not np.array_equal(fingerprint(changed, strategy), reference(base, label, strategy)):
                return
        tried.append(value)
    pytest.fail(f"{path}: setting it by an event to {tried} changed nothing (default {info.default})")


def test_an_event_after_the_start_cannot_set_the_initial_state():
    data = load_scenario("baseline_2023").model_dump()
    data["events"].append(
        Event(at="2025Q1", name="x", set={"powers.russia.initial_relation": 0.1}).model_dump()
    )
    with pytest.raises(ValueError, match=r"powers\.russia\.initial_relation sets the starting state only"):
        Scenario.model_validate(data).timeline()


def test_events_cannot_touch_the_run_settings():
    data = load_scenario("baseline_2023").model_dump()
    data["events"].append(Event(at="2025Q1", name="x", set={"steps": 60.0}).model_dump())
    with pytest.raises(ValueError, match="'steps' is not a parameter an event can change"):
        Scenario.model_validate(data).timeline()


def welfare_path(scenario: Scenario, strategy: str, replicates: int = 30) -> np.ndarray:
    """Mean GDP index per quarter (paired seeds: the same draws with and without an event)."""
    model = BalancingModel(scenario, strategy, replicates=replicates, rng=11, collect=False)
    path = []
    for _ in range(scenario.steps):
        model.step()
        path.append(model.welfare.mean())
    return np.array(path)


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_an_oil_collapse_event_lowers_welfare_for_every_strategy(strategy):
    """A one-off shock oil = -0.7 in 2024Q2, prices then free to recover: GDP is lower throughout.

    By the estimated GDP equation a transitory price fall has no permanent level effect (the
    gap term's integral returns to zero with the reference), so the loss is large during the
    slump and small but still negative by 2035, while prices have not fully recovered.
    """
    base = load_scenario("baseline_2023")
    data = base.model_dump()
    data["events"].append(Event(at="2024Q2", name="collapse", shock={"oil": -0.7}).model_dump())
    collapse = Scenario.model_validate(data)
    with_collapse, without = welfare_path(collapse, strategy), welfare_path(base, strategy)
    assert with_collapse[-1] < without[-1]
    assert np.all(with_collapse[1:] < without[1:])
    assert with_collapse.mean() < 0.995 * without.mean()


def test_commodity_bust_is_a_bust_and_a_corridor_cut_costs_exports():
    base = load_scenario("baseline_2023")
    bust = load_scenario("commodity_bust")
    assert welfare_path(bust, "multivector")[-1] < welfare_path(base, "multivector")[-1]
    cut = with_event(base, {"world.corridors.cpc_pipeline": 0.3})
    model = BalancingModel(cut, replicates=10, rng=2, collect=False)
    model.run_for(8)
    assert model.state()["export_value"].mean() < 0.8


def test_dated_corridor_events_reach_trade():
    """bri_acceleration's corridor events move trade shares (they were once ignored)."""
    with_events = load_scenario("bri_acceleration")
    data = with_events.model_dump()
    data["events"] = [e for e in data["events"] if not any("corridors" in k for k in e["set"])]
    without = Scenario.model_validate(data)
    a = BalancingModel(with_events, replicates=20, rng=3, collect=False)
    b = BalancingModel(without, replicates=20, rng=3, collect=False)
    a.run_for(with_events.steps)
    b.run_for(without.steps)
    assert np.abs(a.pivot.trade.mean(axis=0) - b.pivot.trade.mean(axis=0)).max() > 1e-3
