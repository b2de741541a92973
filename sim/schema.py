"""The one definition of what result tables hold: outcomes, id columns and run ids.

Experiments write these columns and analysis reads them; ``manifest.json`` records the outcome
table, so a results folder carries its own meaning to a machine without the model.
docs/outputs.md lists every column.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Direction = Literal["max", "min"] | None


@dataclass(frozen=True)
class Outcome:
    """What an outcome column means and which way is better.

    Attributes:
        name: the column name in ``runs.csv``.
        direction: ``"max"`` if higher is better, ``"min"`` if lower is better, ``None`` if the
            outcome is descriptive only (e.g. a partner's trade share).
        unit: unit of the value.
        description: one-line meaning.
    """

    name: str
    direction: Direction
    unit: str = ""
    description: str = ""

    def declaration(self) -> dict[str, str | None]:
        """The outcome as ``manifest.json`` records it: direction, unit and description."""
        return {"direction": self.direction, "unit": self.unit, "description": self.description}

    @classmethod
    def declared(cls, name: str, declaration: dict[str, Any]) -> "Outcome":
        """The outcome a manifest declares; a direction other than max or min means none."""
        direction = declaration.get("direction")
        return cls(
            name,
            direction if direction in ("max", "min") else None,
            str(declaration.get("unit", "")),
            str(declaration.get("description", "")),
        )


OUTCOMES: dict[str, Outcome] = {
    o.name: o
    for o in (
        Outcome("welfare_final", "max", "index (start = 1)", "GDP index at the end"),
        Outcome("growth_annual", "max", "fraction per year", "annualised GDP growth"),
        Outcome("autonomy_mean", "max", "0..1", "mean over quarters of 1 - HHI of bloc trade shares"),
        Outcome("autonomy_final", "max", "0..1", "1 - HHI of bloc trade shares at the end"),
        Outcome("max_dependence_final", "min", "share", "largest bloc's trade share at the end"),
        Outcome("security_risk_mean", "min", "0..1", "mean over quarters of 1 - prod(1 - pressure)"),
        Outcome("security_risk_max", "min", "0..1", "highest quarterly security risk"),
        Outcome(
            "crises",
            "min",
            "quarters",
            "quarters in which one power's pressure passed the crisis threshold",
        ),
        Outcome(
            "sanctions_exposure_mean",
            "min",
            "0..1",
            "mean of sanctions level x trade share of the sanctioned bloc",
        ),
        Outcome("relation_min_final", "max", "-1..1", "worst relation with any power at the end"),
        Outcome("relation_spread_final", "min", "0..2", "best minus worst relation at the end"),
    )
}
"""The headline per-run outcomes of ``runs.csv``, in file order."""

PER_ACTOR_PREFIXES: dict[str, Direction] = {
    "export_share_": None,
    "share_": None,
    "engagement_": None,
    "relation_": "max",
    "pressure_": "min",
}
"""Per-partner and per-power outcome columns, by prefix, and the direction of each family."""

ID_COLUMNS: tuple[str, ...] = (
    "run_id",
    "scenario",
    "strategy",
    "design_point",
    "chunk",
    "replicate",
    "seed",
    "status",
    "error",
)
"""Columns every ``runs.csv`` has, in this order, before parameters and outcomes."""

INT_COLUMNS: tuple[str, ...] = ("design_point", "chunk", "replicate", "seed")
"""Id columns that hold integers."""

PAIR_KEYS: list[str] = ["scenario", "design_point", "chunk", "replicate"]
"""Runs sharing these keys (and differing only in strategy) share a seed: they are paired."""


def run_ids(scenario: str, strategy: str, design_point: int, replicates: Iterable[int]) -> list[str]:
    """The ``run_id`` of each replicate: ``SCENARIO.STRATEGY.pPOINT.rREPLICATE``."""
    return [f"{scenario}.{strategy}.p{design_point}.r{r}" for r in replicates]


def outcome_of(name: str) -> Outcome:
    """The meaning of an outcome column: a headline outcome, a per-actor family, or descriptive."""
    if name in OUTCOMES:
        return OUTCOMES[name]
    for prefix, direction in PER_ACTOR_PREFIXES.items():
        if name.startswith(prefix):
            return Outcome(name, direction)
    return Outcome(name, None)
