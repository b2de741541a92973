"""Per-replicate parameters (sim.model.draws): each replicate follows its own value."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model import BalancingModel
from sim.model.catalogue import sweepable
from sim.model.draws import PER_REPLICATE
from sim.model.scenario import load_scenario

STEPS = 32
SCENARIO = "history_2011_2023"


def _scenario_for(path: str) -> str:
    """The history replay, or the baseline for a path that the history's events set."""
    history = load_scenario(SCENARIO)
    set_by_events = {p for event in history.events for p in (*event.set, *event.add)}
    return "baseline_2023" if path in set_by_events else SCENARIO


def _run(path, draws=None, overrides=None, replicates=3):
    model = BalancingModel(
        _scenario_for(path), "multivector", replicates, rng=5, overrides=overrides, collect=False, draws=draws
    )
    for _ in range(STEPS):
        model.step()
    return model.state()


def _two_values(path: str) -> tuple[float, float]:
    """The scenario's value of ``path`` and another inside its allowed range."""
    info = sweepable(load_scenario(_scenario_for(path)))[path]
    value = float(info.default)
    high = info.high if info.high is not None else value * 2 + 1
    other = value + 0.5 * (min(high, value + 1.0) - value) if value < high else value / 2
    if path.startswith("strategies.") and other == value:
        other = value / 2
    return value, other


@pytest.mark.parametrize("path", sorted(PER_REPLICATE))
def test_equal_draws_reproduce_the_scalar_run(path):
    """Every replicate drawing the scenario's own value gives the run without draws, to the bit."""
    value, _ = _two_values(path)
    plain, drawn = _run(path, {}), _run(path, {path: [value] * 3})  # {}: no posterior draws
    for column, values in plain.items():
        np.testing.assert_array_equal(drawn[column], values, err_msg=column)


@pytest.mark.parametrize("path", sorted(PER_REPLICATE))
def test_each_replicate_follows_its_own_value(path):
    """Replicate i of a mixed run is replicate i of a run with its value set for all (same noise)."""
    value, other = _two_values(path)
    mixed = _run(path, {path: [value, other, value]})
    # draws={}: no draws from a posterior the scenario names, as in the mixed run
    low, high = _run(path, {}, overrides={path: value}), _run(path, {}, overrides={path: other})
    changed = False
    for column in mixed:
        np.testing.assert_allclose(mixed[column][[0, 2]], low[column][[0, 2]], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(mixed[column][1], high[column][1], rtol=1e-12, atol=1e-14)
        changed |= not np.allclose(low[column][1], high[column][1])
    assert changed, f"{path} changed nothing in {STEPS} quarters: it does not belong in PER_REPLICATE"


def test_draws_survive_events():
    """The history scenario's events rebuild the parameters in force; the draws stay in force."""
    path = "pivot.trade_inertia"
    model = BalancingModel(SCENARIO, replicates=2, rng=1, collect=False, draws={path: [0.05, 0.3]})
    for _ in range(20):
        model.step()
    assert model.fired or any(e.step <= 20 for e in model.timeline)
    np.testing.assert_array_equal(model.params.pivot.trade_inertia[:, 0], [0.05, 0.3])


@pytest.mark.parametrize(
    ("draws", "message"),
    [
        ({"powers.russia.tolerance": [0.5, 0.5]}, "cannot vary per replicate"),
        ({"pivot.trade_inertia": [0.1]}, "expected 2 values"),
        ({"pivot.trade_inertia": [0.1, float("nan")]}, "finite"),
        ({"pivot.trade_inertia": [0.1, 7.0]}, "outside the allowed range"),
    ],
)
def test_bad_draws_are_refused(draws, message):
    with pytest.raises(ValueError, match=message):
        BalancingModel(replicates=2, draws=draws)


def test_an_event_that_sets_a_drawn_parameter_wins_from_its_quarter():
    """The 2020Q2 lockdown event sets base growth in every world, as it would set any parameter."""
    model = BalancingModel(
        SCENARIO, replicates=2, rng=1, collect=False, draws={"pivot.base_growth": [0.03, 0.05]}
    )
    np.testing.assert_array_equal(model.params.pivot.base_growth, [0.03, 0.05])
    lockdown = next(e.step for e in model.timeline if e.event.name == "COVID-19 lockdowns")
    for _ in range(lockdown):
        model.step()
    assert model.params.pivot.base_growth == -0.183


def test_an_event_that_adds_to_a_drawn_parameter_shifts_every_draw(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        'extends = "baseline_2023"\nposterior = ""\n[[events]]\nat = "2024Q3"\nname = "more friction"\n'
        'add = { "world.sanctions_friction" = 0.1 }\n'
    )
    model = BalancingModel(
        str(path), replicates=2, rng=1, collect=False, draws={"world.sanctions_friction": [0.1, 0.5]}
    )
    for _ in range(3):
        model.step()
    np.testing.assert_allclose(model.params.world.sanctions_friction[:, 0], [0.2, 0.6])


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_any_draws_within_the_ranges_keep_the_state_valid(data):
    """Random per-replicate values of every drawable parameter: shares on the simplex, levels in bounds."""
    scenario = load_scenario("baseline_2023")
    known = sweepable(scenario)
    draws = {}
    for path in PER_REPLICATE:
        info = known[path]
        low = info.low if info.low is not None else -1.0
        high = info.high if info.high is not None else 3.0
        low += 1e-6 if info.low_open else 0.0
        high -= 1e-6 if info.high_open else 0.0
        draws[path] = data.draw(st.lists(st.floats(low, high), min_size=3, max_size=3), label=path)
    model = BalancingModel(scenario, "multivector", 3, rng=1, collect=False, draws=draws)
    for _ in range(8):
        model.step()
    state = model.state()
    pv = model.pivot
    np.testing.assert_allclose(pv.trade.sum(axis=1), 1.0)
    np.testing.assert_allclose(pv.fdi.sum(axis=1), 1.0)
    assert (pv.trade >= 0).all() and (pv.engagement >= 0).all() and (pv.engagement <= 1).all()
    assert (pv.relations >= -1).all() and (pv.relations <= 1).all()
    assert all(np.isfinite(values).all() for values in state.values())
    assert (pv.gdp > 0).all()
