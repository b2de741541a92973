"""Issues to bargain over: one-dimensional positions, saliences and capabilities, read and checked.

Two inputs give the same :class:`Issue`:

* a CSV in long form, ``issue,actor,capability,position,salience`` (one row per actor and issue,
  any numeric position scale, salience 0..1; a row without a position is an actor without a
  stand and is left out; optional ``position_low, position_high, salience_low, salience_high``
  give the ranges replicates draw from);
* a TOML issue file (``scenarios/issues/*.toml``) naming the actors, the scale's meaning,
  positions and saliences with their sources and ranges, capabilities from seeds/data
  (:mod:`sim.bargaining.capability`) and the known outcome, if any.

Every mistake becomes one :class:`~sim.errors.UserError` line naming the file, the row (CSV
line, or TOML ``actor[i]``) and the field.
"""

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.bargaining.capability import national_index
from sim.errors import UserError, describe_validation
from sim.files import read_toml
from sim.paths import FACTS_FILE

REQUIRED_COLUMNS = ("issue", "actor", "capability", "position", "salience")
RANGE_COLUMNS = ("position_low", "position_high", "salience_low", "salience_high")


@dataclass(frozen=True)
class Outcome:
    """A known real outcome on the issue's scale, with the band of scale values that count as a hit."""

    value: float
    low: float
    high: float
    date: str
    description: str
    source: str
    known_when_inputs_set: bool


@dataclass(frozen=True)
class Issue:
    """One decision: actors' capabilities, positions (with ranges) and saliences (with ranges)."""

    name: str
    source: str
    actors: tuple[str, ...]
    capability: np.ndarray
    position: np.ndarray
    position_low: np.ndarray
    position_high: np.ndarray
    salience: np.ndarray
    salience_low: np.ndarray
    salience_high: np.ndarray
    scale_low: float
    scale_high: float
    powers: tuple[str | None, ...] = ()
    question: str = ""
    scale_meaning: str = ""
    outcome: Outcome | None = None
    facts: tuple[str, ...] = field(default=())

    @property
    def size(self) -> int:
        """Number of actors."""
        return len(self.actors)


def _number(raw: str, where: str, name: str, low: float | None = None, high: float | None = None) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise UserError(f"{where}, field {name!r}: expected a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise UserError(f"{where}, field {name!r}: expected a finite number, got {raw!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{low:g}..{high:g}" if high is not None else f"at least {low:g}"
        raise UserError(f"{where}, field {name!r}: expected a number in {bounds}, got {raw!r}")
    return value


def _range(row: dict, value: float, where: str, name: str, bounds: tuple[float | None, float | None]):
    low_raw, high_raw = row.get(f"{name}_low", ""), row.get(f"{name}_high", "")
    low = _number(low_raw, where, f"{name}_low", *bounds) if low_raw else value
    high = _number(high_raw, where, f"{name}_high", *bounds) if high_raw else value
    if not low <= value <= high:
        raise UserError(f"{where}, field {name!r}: {value:g} is outside its range {low:g}..{high:g}")
    return low, high


def _check_issue(name: str, rows: list[tuple[int, dict]], where: str) -> None:
    if len(rows) < 2:
        raise UserError(
            f"{where} row {rows[0][0]}, field 'issue': issue {name!r} has one actor; "
            "a bargain needs at least two"
        )


def _make_issue(name: str, source: str, records: list[dict], **extra: Any) -> Issue:
    arrays = {
        key: np.array([r[key] for r in records], dtype=float)
        for key in (
            "capability",
            "position",
            "position_low",
            "position_high",
            "salience",
            "salience_low",
            "salience_high",
        )
    }
    weight = arrays["capability"] * arrays["salience"]
    if not (weight > 0).any():
        raise UserError(f"{source}: issue {name!r}: every actor has zero capability x salience")
    low = extra.pop("scale_low", float(arrays["position_low"].min()))
    high = extra.pop("scale_high", float(arrays["position_high"].max()))
    return Issue(
        name, source, tuple(r["actor"] for r in records), **arrays, scale_low=low, scale_high=high, **extra
    )


def read_issue_csv(path: Path) -> list[Issue]:
    """Issues of a long-form CSV, in order of first appearance; bad rows raise a UserError."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except OSError as err:
        raise UserError(f"{path}: cannot read file: {err.strerror}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: not a readable CSV: {' '.join(str(err).split())}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise UserError(
            f"{path} row 1, field {missing[0]!r}: missing column (expected {', '.join(REQUIRED_COLUMNS)})"
        )
    grouped: dict[str, list[tuple[int, dict]]] = {}
    for index, raw in enumerate(frame.to_dict("records")):
        line = index + 2
        where = f"{path} row {line}"
        row = {k: str(v).strip() for k, v in raw.items()}
        if not row["issue"] or not row["actor"]:
            field_name = "issue" if not row["issue"] else "actor"
            raise UserError(f"{where}, field {field_name!r}: expected a name, got an empty cell")
        if not row["position"]:
            continue  # an actor without a stand on this issue
        position = _number(row["position"], where, "position")
        salience = _number(row["salience"], where, "salience", 0.0, 1.0)
        record = {
            "actor": row["actor"],
            "capability": _number(row["capability"], where, "capability", 0.0),
            "position": position,
            "salience": salience,
        }
        record["position_low"], record["position_high"] = _range(
            row, position, where, "position", (None, None)
        )
        record["salience_low"], record["salience_high"] = _range(row, salience, where, "salience", (0.0, 1.0))
        rows = grouped.setdefault(row["issue"], [])
        if any(r["actor"] == record["actor"] for _, r in rows):
            raise UserError(
                f"{where}, field 'actor': {record['actor']!r} appears twice in issue {row['issue']!r}"
            )
        rows.append((line, record))
    if not grouped:
        raise UserError(f"{path}: no rows with a position")
    issues = []
    for name, rows in grouped.items():
        _check_issue(name, rows, str(path))
        issues.append(_make_issue(name, str(path), [r for _, r in rows]))
    return issues


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActorSpec(_Strict):
    """One actor of a TOML issue: who, how strong, where it stands and how much it cares, with sources."""

    name: str = Field(min_length=1)
    power: str | None = Field(
        None, description="the model's power key, for --from-run (russia, china, eu, us)"
    )
    iso3: str | None = Field(None, description="capability = national index of this country x reach")
    reach: float | None = Field(None, ge=0, le=1)
    reach_source: str | None = None
    capability: float | None = Field(None, ge=0, description="capability given directly (no data row)")
    capability_source: str | None = None
    position: float
    position_range: tuple[float, float] | None = None
    position_source: str = Field(min_length=1)
    salience: float = Field(ge=0, le=1)
    salience_range: tuple[float, float] | None = None
    salience_source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> "ActorSpec":
        from_data = self.iso3 is not None
        if from_data == (self.capability is not None):
            raise ValueError(
                "give either iso3 and reach (capability from seeds/data) or capability, not both"
            )
        if from_data and (self.reach is None or not self.reach_source):
            raise ValueError("iso3 needs reach and reach_source")
        if not from_data and not self.capability_source:
            raise ValueError("capability needs capability_source")
        for name, bounds in (("position", self.position_range), ("salience", self.salience_range)):
            if bounds is not None and not bounds[0] <= getattr(self, name) <= bounds[1]:
                raise ValueError(
                    f"{name} {getattr(self, name):g} is outside {name}_range [{bounds[0]:g}, {bounds[1]:g}]"
                )
        if self.salience_range is not None and not 0 <= self.salience_range[0] <= self.salience_range[1] <= 1:
            raise ValueError("salience_range must lie in 0..1")
        return self


class ScaleSpec(_Strict):
    """The issue's position scale and what its values mean."""

    low: float
    high: float
    meaning: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> "ScaleSpec":
        if not self.low < self.high:
            raise ValueError("low must be below high")
        return self


class OutcomeSpec(_Strict):
    """The real outcome, where known: value, the band that counts as a hit, date, source."""

    value: float
    band: tuple[float, float]
    date: str
    description: str
    source: str = Field(min_length=1)
    known_when_inputs_set: bool


class IssueSpec(_Strict):
    """A TOML issue file."""

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    question: str
    as_of: str
    year: int = Field(description="year of the GDP and military-spending rows used for capabilities")
    facts: list[str]
    scale: ScaleSpec
    actor: list[ActorSpec] = Field(min_length=2)
    outcome: OutcomeSpec | None = None
    notes: str = ""


def known_fact_ids(facts_file: Path = FACTS_FILE) -> set[str]:
    """The ids of seeds/facts.toml."""
    return {fact["id"] for fact in read_toml(facts_file).get("fact", [])}


def read_issue_toml(path: Path) -> Issue:
    """The issue of a TOML file; every bad key is named with its path (``actor[2].salience``)."""
    try:
        spec = IssueSpec.model_validate(read_toml(path))
    except ValidationError as err:
        raise UserError(f"{path}: {describe_validation(err, model=IssueSpec)}") from None
    unknown = sorted(set(spec.facts) - known_fact_ids())
    if unknown:
        raise UserError(f"{path}, field 'facts': unknown fact ids {unknown} (see seeds/facts.toml)")
    records = []
    for i, actor in enumerate(spec.actor):
        where = f"{path} row actor[{i}]"
        if not spec.scale.low <= actor.position <= spec.scale.high:
            raise UserError(
                f"{where}, field 'position': {actor.position:g} is off the scale "
                f"{spec.scale.low:g}..{spec.scale.high:g}"
            )
        capability = actor.capability
        if capability is None:
            try:
                capability = national_index(actor.iso3, spec.year) * actor.reach
            except UserError as err:
                raise UserError(f"{where}, field 'iso3': {err}") from None
        p_low, p_high = actor.position_range or (actor.position, actor.position)
        s_low, s_high = actor.salience_range or (actor.salience, actor.salience)
        records.append(
            {
                "actor": actor.name,
                "capability": capability,
                "position": actor.position,
                "position_low": max(p_low, spec.scale.low),
                "position_high": min(p_high, spec.scale.high),
                "salience": actor.salience,
                "salience_low": s_low,
                "salience_high": s_high,
            }
        )
    names = [a.name for a in spec.actor]
    if len(set(names)) != len(names):
        raise UserError(f"{path}, field 'actor': an actor name appears twice")
    outcome = None
    if spec.outcome is not None:
        o = spec.outcome
        outcome = Outcome(
            o.value, o.band[0], o.band[1], o.date, o.description, o.source, o.known_when_inputs_set
        )
    return _make_issue(
        spec.name,
        str(path),
        records,
        scale_low=spec.scale.low,
        scale_high=spec.scale.high,
        powers=tuple(a.power for a in spec.actor),
        question=spec.question,
        scale_meaning=spec.scale.meaning,
        outcome=outcome,
        facts=tuple(spec.facts),
    )


def read_issues(paths: list[Path]) -> list[Issue]:
    """Issues of every file (``.csv`` or ``.toml``), in order; issue names must be unique."""
    if not paths:
        raise UserError("no issue files given")
    issues: list[Issue] = []
    for path in paths:
        path = Path(path)
        if path.suffix == ".toml":
            issues.append(read_issue_toml(path))
        elif path.suffix == ".csv":
            issues.extend(read_issue_csv(path))
        else:
            raise UserError(f"{path}: expected a .csv or .toml issue file")
    seen: set[str] = set()
    for issue in issues:
        if issue.name in seen:
            raise UserError(f"{issue.source}, field 'issue': issue name {issue.name!r} is used twice")
        seen.add(issue.name)
    return issues
