"""Dated scenario events: sanctions packages, summits, pipeline disruptions, shocks.

An event fires at the start of the quarter it names. It can ``set`` or ``add`` to any numeric
or true/false parameter of the scenario by dotted path (``world.sanctions``,
``powers.russia.pressure_capacity``, ``world.memberships.brics_partner``) and apply one-off
``shock``s to the seeded world processes. Changes persist until another event changes them.
"""

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, field_validator

from sim.model.params import Strict
from sim.model.quarters import parse_quarter

ShockTarget = Literal["oil", "metals", "uranium", "rivalry"]
TABLES = ("pivot.", "powers.", "partners.", "world.", "strategies.")
"""Prefixes of the parameter paths an event may change."""


class Event(Strict):
    """One dated change to the scenario's parameters or world state."""

    at: str = Field(description="quarter the event fires in, like 2025Q2")
    name: str = Field(description="short label")
    description: str = Field("", description="what happens and why it matters")
    facts: list[str] = Field(default_factory=list, description="fact ids in seeds/facts.toml")
    set: dict[str, float | bool] = Field(default_factory=dict, description="path -> new value")
    add: dict[str, float] = Field(default_factory=dict, description="path -> amount added")
    shock: dict[ShockTarget, float] = Field(
        default_factory=dict,
        description="one-off shocks: log change of a commodity price, or change of rivalry",
    )

    @field_validator("at")
    @classmethod
    def _quarter(cls, value: str) -> str:
        parse_quarter(value)
        return value


def get_path(data: dict[str, Any], path: str) -> Any:
    """Return the value at a dotted path of a nested dict; KeyError names the missing part."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set an existing leaf at a dotted path of a nested dict (KeyError if absent)."""
    *parents, leaf = path.split(".")
    node = get_path(data, ".".join(parents)) if parents else data
    if not isinstance(node, dict) or leaf not in node or isinstance(node[leaf], dict | list):
        raise KeyError(path)
    node[leaf] = value


def set_parameter(data: dict[str, Any], path: str, value: Any) -> None:
    """Set a scenario parameter by dotted path (KeyError if unknown).

    A strategy's parameter may be set before the scenario has a table for that strategy; the
    field name is checked when the scenario is validated.
    """
    try:
        set_path(data, path, value)
    except KeyError:
        if not (path.startswith("strategies.") and path.count(".") == 2):
            raise
        _, name, field = path.split(".")
        data["strategies"].setdefault(name, {})[field] = value


def apply_event(data: dict[str, Any], event: Event, where: str) -> None:
    """Apply an event's ``set`` and ``add`` changes to a scenario dict in place.

    ``where`` is the event's key path (``events[2]``) used in error messages.
    """
    for path in (*event.set, *event.add):
        if not path.startswith(TABLES):
            raise ValueError(
                f"{where}: {path!r} is not a parameter an event can change; paths start with "
                + ", ".join(t.rstrip(".") for t in TABLES)
            )
    missing = object()
    for path, value in event.set.items():
        try:
            current = get_path(data, path)
        except KeyError:
            current = missing  # a strategy's parameter not written yet, or an unknown path
        if current is not missing and isinstance(current, bool) != isinstance(value, bool):
            kind = "true/false" if isinstance(current, bool) else "a number"
            raise ValueError(f"{where}.set.{path}: expected {kind}, got {value!r}")
        try:
            set_parameter(data, path, value)
        except KeyError:
            raise ValueError(f"{where}.set: unknown parameter path {path!r}") from None
    for path, amount in event.add.items():
        try:
            current = get_path(data, path)
            if isinstance(current, bool) or not isinstance(current, int | float):
                raise ValueError(f"{where}.add.{path}: can only add to a number")
            set_path(data, path, current + amount)
        except KeyError:
            raise ValueError(f"{where}.add: unknown parameter path {path!r}") from None


@dataclass(frozen=True)
class ScheduledEvent:
    """An event placed on the model's step axis, with the parameters in force after it."""

    step: int
    event: Event
    params: Any  # the Scenario after this and all earlier events
