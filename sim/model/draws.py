"""Per-replicate parameters: values that differ across the lockstep replicates of one run.

A posterior ensemble gives every replicate its own parameter set (docs/calibration.md). The
model's arithmetic broadcasts over the leading replicate axis, so a parameter listed in
``PER_REPLICATE`` enters the parameters in force as an array shaped for where it is used:
``(R, 1)`` where it multiplies per-partner or per-power rows, ``(R,)`` where it meets
per-replicate scalars such as the export index. Every other parameter stays one number.
"""

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

from sim.model.scenario import Scenario

Shape = Literal["rows", "scalars"]

PER_REPLICATE: dict[str, Shape] = {
    "pivot.trade_inertia": "rows",
    "pivot.fdi_inertia": "rows",
    "pivot.relation_elasticity": "rows",
    "pivot.engagement_elasticity": "rows",
    "pivot.market_size_elasticity": "rows",
    "pivot.base_growth": "scalars",
    "pivot.export_elasticity": "scalars",
    "pivot.export_gap_effect": "scalars",
    "pivot.export_reference_rate": "scalars",
    "pivot.import_elasticity": "scalars",
    "world.eaeu_trade_bonus": "rows",
    "world.wto_trade_bonus": "rows",
    "world.sanctions_friction": "rows",
    "strategies.multivector.market_weight": "rows",
}
"""Parameters that may vary per replicate, and how their arrays are shaped (see module doc).

Each one is checked by tests/test_draws.py: replicates drawing the same value reproduce the
scalar run, and each replicate of a mixed run follows its own value.
"""


def check_draws(draws: Mapping[str, Any], replicates: int, scenario: Scenario) -> dict[str, np.ndarray]:
    """Validate per-replicate values: known paths, one finite value per replicate, in range.

    Raises ValueError naming the path and what was expected.
    """
    from sim.model.catalogue import sweepable  # the catalogue imports the strategies' tables

    if not draws:
        return {}
    known = sweepable(scenario)
    out = {}
    for path, values in draws.items():
        if path not in PER_REPLICATE:
            raise ValueError(
                f"{path}: cannot vary per replicate; parameters that can: {', '.join(PER_REPLICATE)}"
            )
        array = np.asarray(values, dtype=float)
        if array.shape != (replicates,):
            raise ValueError(
                f"{path}: expected {replicates} values (one per replicate), got shape {array.shape}"
            )
        if not np.isfinite(array).all():
            raise ValueError(f"{path}: values must be finite numbers")
        info = known[path]
        outside = [v for v in array if not info.contains(float(v))]
        if outside:
            raise ValueError(f"{path}: {outside[0]:g} is outside the allowed range {info.range_text}")
        out[path] = array
    return out


def scalar_value(params: Scenario, path: str) -> float:
    """The one value of a drawable path in scalar (undrawn) parameters."""
    if path.startswith("strategies."):
        from sim.model.strategies import STRATEGIES

        _, name, field = path.split(".")
        return float(getattr(STRATEGIES[name].Params.model_validate(params.strategies.get(name, {})), field))
    node: Any = params
    for part in path.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return float(node)


class DrawsInForce:
    """Per-replicate draws as events change the parameters: an event's ``set`` wins from then on.

    An event that sets a drawn parameter replaces the draws with its value for every replicate
    (a dated decision is the same in every world); one that adds to it shifts each replicate's
    draw by the amount, kept within the parameter's range.
    """

    def __init__(self, draws: Mapping[str, np.ndarray], start: Scenario):
        self.draws = dict(draws)
        self.start = start
        self.base = {path: scalar_value(start, path) for path in draws}
        self.set_by_events: set[str] = set()

    def note_event(self, event_set: Iterable[str]) -> None:
        """Record the paths an event sets: from now on they take the event's value."""
        self.set_by_events |= set(event_set) & set(self.draws)

    def current(self, params: Scenario) -> dict[str, np.ndarray]:
        """The draws in force under ``params`` (the scalar parameters after the events so far)."""
        out = {}
        for path, values in self.draws.items():
            if path in self.set_by_events:
                continue
            shift = scalar_value(params, path) - self.base[path]
            if shift:  # an event added to it: rare, so the ranges are looked up only then
                from sim.model.catalogue import sweepable

                info = sweepable(self.start)[path]
                low = -np.inf if info.low is None else info.low
                high = np.inf if info.high is None else info.high
                values = np.clip(values + shift, low, high)
            out[path] = values
        return out


def with_draws(params: Scenario, draws: Mapping[str, np.ndarray]) -> Scenario:
    """The parameters in force with each drawn path replaced by its per-replicate array.

    Strategy parameters are left out: they enter through ``strategy_draws``. The copy is not
    validated again (pydantic would refuse arrays); ``check_draws`` has validated the values.
    """
    updates: dict[str, Any] = {}  # nested by path, so that each parent is copied once
    for path, values in draws.items():
        if not path.startswith("strategies."):
            *parents, leaf = path.split(".")
            node = updates
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = shaped(path, values)
    return _replace(params, updates) if updates else params


def strategy_draws(draws: Mapping[str, np.ndarray], strategy: str) -> dict[str, np.ndarray]:
    """The drawn parameters of one strategy, by field name, shaped for the model."""
    prefix = f"strategies.{strategy}."
    return {path[len(prefix) :]: shaped(path, v) for path, v in draws.items() if path.startswith(prefix)}


def shaped(path: str, values: np.ndarray) -> np.ndarray:
    """A drawn parameter's values in the shape the model's arithmetic needs (module doc)."""
    return values[:, None] if PER_REPLICATE[path] == "rows" else values


def _replace(node: Any, updates: dict[str, Any]) -> Any:
    """A copy of ``node`` with the leaves in the nested ``updates`` replaced, each parent copied once."""
    if isinstance(node, dict):
        return {**node, **{k: _replace(node[k], v) if isinstance(v, dict) else v for k, v in updates.items()}}
    if isinstance(node, BaseModel):
        changed = {k: _replace(getattr(node, k), v) if isinstance(v, dict) else v for k, v in updates.items()}
        return node.model_copy(update=changed)
    raise KeyError(".".join(updates))
