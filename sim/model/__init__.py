"""The agent-based model: parameters and scenarios, events, world, strategies, agents, metrics.

``BalancingModel`` (in ``balancing``) steps one quarter in the order of docs/ODD.md. The public
names below load on first use, so ``import sim.model.scenario`` does not import Mesa.
"""

from typing import TYPE_CHECKING

from sim import lazy_exports

_EXPORTS = {
    "BalancingModel": "balancing",
    "Scenario": "scenario",
    "load_scenario": "scenario",
    "shipped_scenarios": "scenario",
    "STRATEGIES": "strategies",
    "Strategy": "strategies",
    "ParameterInfo": "catalogue",
    "sweepable": "catalogue",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from sim.model.balancing import BalancingModel as BalancingModel
    from sim.model.catalogue import ParameterInfo as ParameterInfo
    from sim.model.catalogue import sweepable as sweepable
    from sim.model.scenario import Scenario as Scenario
    from sim.model.scenario import load_scenario as load_scenario
    from sim.model.scenario import shipped_scenarios as shipped_scenarios
    from sim.model.strategies import STRATEGIES as STRATEGIES
    from sim.model.strategies import Strategy as Strategy
