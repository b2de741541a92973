"""The sweepable parameters of a scenario: every numeric or true/false leaf, with its range.

Built by walking the scenario's pydantic models (``sim.model.params`` and each strategy's
``Params`` in ``sim.model.strategies``): a field's type gives the kind, its ``ge``/``le``/``gt``/``lt``
constraints give the allowed range and its description the meaning. ``multivector
parameters`` prints this catalogue; sweep specs are checked against it.

Shares that must sum to 1 across actors (``trade_share``, ``fdi_share``) are left out: one of
them cannot be varied alone without breaking the scenario. Fields that set the starting state
only (``sim.model.params.is_initial_state``) are sweepable but say so in their meaning: an
event after the start cannot change them.
"""

import types
import typing
from dataclasses import dataclass, replace
from typing import Any, Literal

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.model.params import is_initial_state
from sim.model.scenario import Scenario
from sim.model.strategies import STRATEGIES

Kind = Literal["real", "integer", "bool"]

NOT_SWEEPABLE = frozenset({"trade_share", "fdi_share"})
"""Fields constrained to sum to 1 across actors."""


@dataclass(frozen=True)
class ParameterInfo:
    """One sweepable path: its kind, default in the scenario, allowed range and meaning."""

    path: str
    kind: Kind
    default: Any
    low: float | None = None  # None: unbounded below
    high: float | None = None
    low_open: bool = False  # True for ``gt`` (strictly greater than ``low``)
    high_open: bool = False
    description: str = ""
    initial: bool = False  # sets the starting state only; events after the start cannot change it

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the allowed range."""
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return not (self.high is not None and (value >= self.high if self.high_open else value > self.high))

    @property
    def range_text(self) -> str:
        """The allowed range, like ``[0, 1]``, ``(0, inf)`` or ``true/false``."""
        if self.kind == "bool":
            return "true/false"
        left = "(" if self.low_open or self.low is None else "["
        right = ")" if self.high_open or self.high is None else "]"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"{left}{low}, {high}{right}"


def sweepable(scenario: Scenario) -> dict[str, ParameterInfo]:
    """Every sweepable dotted path of ``scenario``, in schema order."""
    out = _sweepable(scenario)
    for path, info in out.items():
        if is_initial_state(path):
            text = f"{info.description} [initial state only: an event after the start cannot change it]"
            out[path] = replace(info, initial=True, description=text)
    return out


def _sweepable(scenario: Scenario) -> dict[str, ParameterInfo]:
    out: dict[str, ParameterInfo] = {}
    _walk_model(scenario.pivot, "pivot", out)
    for key, power in scenario.powers.items():
        _walk_model(power, f"powers.{key}", out)
    for key, partner in scenario.partners.items():
        _walk_model(partner, f"partners.{key}", out)
    _walk_model(scenario.world, "world", out)
    for name, cls in STRATEGIES.items():
        current = cls.Params.model_validate(scenario.strategies.get(name, {}))
        _walk_model(current, f"strategies.{name}", out)
    return out


def _walk_model(model: BaseModel, prefix: str, out: dict[str, ParameterInfo]) -> None:
    for name, field in type(model).model_fields.items():
        if name in NOT_SWEEPABLE:
            continue
        value = getattr(model, name)
        path = f"{prefix}.{name}"
        if isinstance(value, BaseModel):
            _walk_model(value, path, out)
        elif isinstance(value, dict):
            item_type = typing.get_args(field.annotation)[-1] if field.annotation else None
            for key, item in value.items():
                info = _leaf(f"{path}.{key}", item_type, [], item, field.description)
                if info is not None:
                    out[info.path] = info
        else:
            info = _leaf(path, field.annotation, field.metadata, value, field.description)
            if info is not None:
                out[path] = info


def _leaf(
    path: str, annotation: Any, metadata: list, value: Any, description: str | None
) -> ParameterInfo | None:
    """A ParameterInfo for a numeric or bool field, None for anything else (names, lists)."""
    base, constraints = _unwrap(annotation, list(metadata))
    if base is bool:
        kind: Kind = "bool"
    elif base is int:
        kind = "integer"
    elif base is float:
        kind = "real"
    else:
        return None
    low = high = None
    low_open = high_open = False
    for c in constraints:
        if isinstance(c, at.Ge):
            low = float(c.ge)
        elif isinstance(c, at.Gt):
            low, low_open = float(c.gt), True
        elif isinstance(c, at.Le):
            high = float(c.le)
        elif isinstance(c, at.Lt):
            high, high_open = float(c.lt), True
    return ParameterInfo(path, kind, value, low, high, low_open, high_open, description or "")


def _unwrap(annotation: Any, constraints: list) -> tuple[Any, list]:
    """Strip ``Annotated``, ``Optional`` and FieldInfo wrappers; collect the constraints."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *extra = typing.get_args(annotation)
            for item in extra:
                constraints.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return None, constraints
            annotation = args[0]
        else:
            return annotation, constraints
