"""Shared by the directional tests: a noise-free baseline, dated events and what to measure.

A run here is one replicate without posterior draws and without noise on offers, pressure,
rivalry and prices, so that an event is the only difference between two runs.
"""

from collections.abc import Callable

from sim.model.balancing import BalancingModel
from sim.model.events import Event
from sim.model.scenario import Scenario, load_scenario

STEPS = 16
EVENT_AT = "2024Q3"  # fires in step 3


def noise_free(scenario: Scenario) -> Scenario:
    """The scenario with no noise on offers and pressure and none on rivalry and prices."""
    changes = {f"powers.{k}.noise": 0.0 for k in scenario.powers}
    changes["world.rivalry_volatility"] = 0.0
    changes |= {f"world.{c}.volatility": 0.0 for c in ("oil", "metals", "uranium")}
    return scenario.with_overrides(changes)


BASE = noise_free(load_scenario("baseline_2023")).with_overrides({"steps": STEPS})


def with_events(scenario: Scenario, *events: dict) -> Scenario:
    data = scenario.model_dump()
    data["events"] += [Event(name=f"probe {i}", **e).model_dump() for i, e in enumerate(events)]
    return Scenario.model_validate(data)


def run(scenario: Scenario, strategy: str) -> BalancingModel:
    """One noise-free replicate, no posterior draws: the event is the only difference."""
    model = BalancingModel(scenario, strategy, replicates=1, rng=1, collect=False, draws={})
    model.run_for(scenario.steps)
    return model


def column(name: str) -> Callable[[BalancingModel], float]:
    """A timeseries column (docs/outputs.md) at the end of the run."""
    return lambda m: float(m.state()[name][0])


def bloc_trade(power: str) -> Callable[[BalancingModel], float]:
    return column(f"bloc_share_{power}")


def tolerance(power: str) -> Callable[[BalancingModel], float]:
    return lambda m: float(m.pivot.tolerance[0, m.structure.powers.index(power)])


def pressure_over_run(power: str) -> Callable[[BalancingModel], float]:
    return lambda m: float(m.pressure_sum[0, m.structure.powers.index(power)])
