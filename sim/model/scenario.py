"""The scenario: every parameter of a run in one typed, validated object, loaded from TOML.

A scenario file may ``extends = "baseline_2023"`` and state only what differs: tables merge
key by key, ``events`` and ``facts`` add to the parent's. All validation errors name the file
and the key path (``powers.russia.tolerance``) and say what was expected.
"""

import copy
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, model_validator

from sim.errors import UserError, describe_validation
from sim.files import read_toml
from sim.model.events import Event, ScheduledEvent, apply_event, set_parameter
from sim.model.params import (
    COMMODITIES,
    PartnerParams,
    PivotParams,
    PowerParams,
    Strict,
    WorldParams,
    is_initial_state,
)
from sim.model.quarters import parse_quarter
from sim.model.strategies import STRATEGIES
from sim.paths import SCENARIO_DIR

SHARE_TOLERANCE = 1e-3
MAX_EXTENDS = 32
"""Longest chain of ``extends`` a scenario may have."""


class Scenario(Strict):
    """A complete, validated model configuration (uncertainties plus strategy settings)."""

    name: str = Field("baseline", description="scenario name")
    description: str = Field("", description="what this scenario explores")
    facts: list[str] = Field(default_factory=list, description="fact ids it rests on")
    present_day: bool = Field(True, description="part of the default `multivector run`")
    start: str = Field(
        "2024Q1", description="first simulated quarter (step 1); step 0 is the state before it"
    )
    steps: Annotated[int, Field(ge=1, le=400)] = Field(48, description="quarters to simulate")
    posterior: str = Field(
        "",
        description="calibration posterior each replicate draws its parameters from, like "
        '"calibration/posterior" (beside the scenario file or among the shipped ones); "" for none',
    )
    pivot: PivotParams = Field(default_factory=PivotParams)
    powers: dict[str, PowerParams]
    partners: dict[str, PartnerParams]
    world: WorldParams = Field(default_factory=WorldParams)
    strategies: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="parameter overrides per strategy name"
    )
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cross_checks(self) -> "Scenario":
        parse_quarter(self.start)
        powers = set(self.powers)
        if not powers:
            raise ValueError("powers: at least one power is required")
        for key, power in self.powers.items():
            for rival in power.rivals:
                if rival not in powers or rival == key:
                    raise ValueError(f"powers.{key}.rivals: unknown power {rival!r}")
        if self.world.sanctions_target not in powers:
            raise ValueError(f"world.sanctions_target: unknown power {self.world.sanctions_target!r}")
        blocs = set()
        for key, partner in self.partners.items():
            if partner.bloc is not None and partner.bloc not in powers:
                raise ValueError(f"partners.{key}.bloc: unknown power {partner.bloc!r}")
            blocs.add(partner.bloc)
            for corridor in partner.corridors:
                if corridor not in self.world.corridors:
                    raise ValueError(f"partners.{key}.corridors: unknown corridor {corridor!r}")
        if missing := sorted(powers - blocs):
            raise ValueError(f"partners: no partner in the bloc of power(s) {missing}")
        _check_sum("partners.*.trade_share", [p.trade_share for p in self.partners.values()])
        _check_sum("partners.*.fdi_share", [p.fdi_share for p in self.partners.values()])
        w = self.world
        for commodity in COMMODITIES:
            for corridor in getattr(w, commodity).routes:
                if corridor not in w.corridors:
                    raise ValueError(f"world.{commodity}.routes: unknown corridor {corridor!r}")
        for corridor, power in w.corridor_transit.items():
            if corridor not in w.corridors:
                raise ValueError(f"world.corridor_transit: unknown corridor {corridor!r}")
            if power not in powers:
                raise ValueError(f"world.corridor_transit.{corridor}: unknown power {power!r}")
        for key, partner in self.partners.items():
            for commodity in partner.export_mix:
                if commodity not in COMMODITIES:
                    raise ValueError(
                        f"partners.{key}.export_mix: unknown commodity {commodity!r}; "
                        f"known: {list(COMMODITIES)}"
                    )
            if sum(partner.export_mix.values()) > 1.0 + SHARE_TOLERANCE:
                raise ValueError(f"partners.{key}.export_mix: shares sum to more than 1")
        if sum(getattr(w, c).export_share for c in COMMODITIES) > 1.0 + SHARE_TOLERANCE:
            raise ValueError("world.*.export_share: commodity export shares sum to more than 1")
        for name, overrides in self.strategies.items():
            if name not in STRATEGIES:
                raise ValueError(f"strategies.{name}: unknown strategy; known: {sorted(STRATEGIES)}")
            try:
                STRATEGIES[name].Params.model_validate(overrides)
            except ValidationError as err:
                raise ValueError(
                    describe_validation(err, f"strategies.{name}", STRATEGIES[name].Params)
                ) from None
        return self

    @property
    def start_index(self) -> int:
        """Quarter index of step 0."""
        return parse_quarter(self.start)

    def with_overrides(self, changes: dict[str, Any]) -> "Scenario":
        """A copy with parameters replaced by dotted path (as sweeps and events use)."""
        data = self.model_dump()
        for path, value in changes.items():
            try:
                set_parameter(data, path, value)
            except KeyError:
                raise ValueError(f"unknown parameter path {path!r}") from None
        return Scenario.model_validate(data)

    def timeline(self) -> list[ScheduledEvent]:
        """Events in firing order with the parameters in force after each one.

        An event fires in the step that simulates its quarter (step = quarters since start + 1);
        events dated before ``start`` have step <= 0 and are in force from the beginning.
        """
        data = self.model_dump()
        data["events"] = []
        order = sorted(range(len(self.events)), key=lambda i: parse_quarter(self.events[i].at))
        scheduled = []
        for i in order:
            event = self.events[i]
            apply_event(data, event, f"events[{i}]")
            try:
                after = Scenario.model_validate(data)
            except ValidationError as err:
                raise ValueError(
                    f"events[{i}] ({event.name}): {describe_validation(err, model=Scenario)}"
                ) from None
            # Validation keeps free-form values (strategy tables) by reference; the next event edits
            # a fresh dump, so no snapshot changes after it is taken (cheaper than a deep copy).
            data = after.model_dump()
            step = parse_quarter(event.at) - self.start_index + 1
            if step > 0:
                for path in (*event.set, *event.add):
                    if is_initial_state(path):
                        raise ValueError(
                            f"events[{i}] ({event.name}): {path} sets the starting state only; an "
                            f"event after the start ({self.start}) cannot change it"
                        )
            scheduled.append(ScheduledEvent(step, event, after))
        return scheduled

    def digest(self) -> str:
        """SHA-256 of the resolved scenario, for manifests and resume checks."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _check_sum(label: str, values: list[float]) -> None:
    total = sum(values)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"{label}: shares sum to {total:.4f}, expected 1 (within {SHARE_TOLERANCE})")


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario files by name."""
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}


def find_scenario(name_or_path: str, near: Path | None = None) -> Path:
    """Resolve a scenario name or file path to a file, or raise a clear UserError."""
    path = Path(name_or_path)
    if near is not None and not path.is_absolute() and (near / path).is_file():
        return near / path  # `extends` names a file beside the scenario that names it
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise UserError(f"{name_or_path}: no such scenario file")
        return path
    if near is not None and (near / f"{name_or_path}.toml").is_file():
        return near / f"{name_or_path}.toml"
    shipped = shipped_scenarios()
    if name_or_path not in shipped:
        raise UserError(f"unknown scenario {name_or_path!r}; shipped: {', '.join(shipped)}")
    return shipped[name_or_path]


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(parent)
    for key, value in child.items():
        if key == "events":
            out["events"] = out.get("events", []) + value
        elif key == "facts":
            out["facts"] = list(dict.fromkeys(out.get("facts", []) + value))
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def resolve_data(path: Path, stack: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file and everything it extends into one merged dict."""
    resolved = path.resolve()
    if len(stack) >= MAX_EXTENDS:
        raise UserError(f"{path}: extends: a chain of more than {MAX_EXTENDS} files; expected a short chain")
    if resolved in stack:
        chain = " -> ".join(p.stem for p in (*stack, resolved))
        raise UserError(f"{path}: extends: cycle {chain}")
    data = read_toml(path)
    parent = data.pop("extends", None)
    data.setdefault("name", path.stem)
    if isinstance(data.get("posterior"), str) and data["posterior"]:
        data["posterior"] = _posterior_reference(data["posterior"], path)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise UserError(f"{path}: extends: expected a scenario name or file, got {parent!r}")
    for key, expected in (("events", "[[events]] tables"), ("facts", "a list of fact ids")):
        if key in data and not isinstance(data[key], list):  # merging appends them to the parent's
            raise UserError(f"{path}: {key}: expected {expected}, got {data[key]!r}")
    try:
        parent_path = find_scenario(parent, near=path.parent)
    except UserError as err:
        raise UserError(f"{path}: extends: {err}") from None
    base = resolve_data(parent_path, (*stack, resolved))
    base.pop("description", None)
    base["present_day"] = base.get("present_day", True)
    return _merge(base, data)


def _posterior_reference(name: str, scenario_file: Path) -> str:
    """Where a scenario's ``posterior`` points: shipped ones by their portable name, others by path.

    The name is looked up beside the scenario file, then among the shipped scenarios; ".toml"
    may be left out.
    """
    candidates = [Path(name), Path(f"{name}.toml")]
    for folder in (scenario_file.parent, SCENARIO_DIR):
        for candidate in candidates:
            found = (folder / candidate).resolve()
            if found.is_file():
                if found.is_relative_to(SCENARIO_DIR.resolve()):
                    return found.relative_to(SCENARIO_DIR.resolve()).with_suffix("").as_posix()
                return str(found)
    raise UserError(f"{scenario_file}: posterior: no posterior file {name!r} beside the scenario or shipped")


def posterior_file(scenario: Scenario) -> Path | None:
    """The posterior file a scenario names, or None."""
    if not scenario.posterior:
        return None
    path = Path(scenario.posterior)
    return path if path.is_absolute() else SCENARIO_DIR / f"{scenario.posterior}.toml"


def load_scenario(name_or_path: str, known_facts: set[str] | None = None) -> Scenario:
    """Load, merge and validate a scenario by shipped name or file path."""
    path = find_scenario(name_or_path)
    data = resolve_data(path)
    try:
        scenario = Scenario.model_validate(data)
        scenario.timeline()
    except ValidationError as err:
        raise UserError(f"{path}: {describe_validation(err, model=Scenario)}") from None
    except ValueError as err:
        raise UserError(f"{path}: {err}") from None
    if known_facts is not None:
        _check_fact_ids(path, known_facts)
    return scenario


def _check_fact_ids(path: Path, known_facts: set[str]) -> None:
    """Every fact id cited in ``path`` and the files it extends, named by that file's own index.

    The merged scenario's lists join the files' lists, so its indices would point the user at
    the wrong line; this reads each file of the chain (already validated) on its own.
    """
    data = read_toml(path)  # its merged, validated form passed: the shapes below hold
    cited = [(f"facts[{i}]", f) for i, f in enumerate(data.get("facts", []))] + [
        (f"events[{i}].facts[{j}]", f)
        for i, e in enumerate(data.get("events", []))
        for j, f in enumerate(e.get("facts", []))
    ]
    for where, fact in cited:
        if fact not in known_facts:
            raise UserError(f"{path}: {where}: unknown fact id {fact!r} (see seeds/facts.toml)")
    parent = data.get("extends")
    if isinstance(parent, str):
        _check_fact_ids(find_scenario(parent, near=path.parent), known_facts)
