"""Weights of the outcomes in the robustness ranking, and the ranking under other weightings.

Equal weight per outcome lets a concern measured by several correlated outcomes decide the
ranking: diversification is counted by three (``autonomy_mean``, ``autonomy_final``,
``max_dependence_final``), relations by two. The default here is **equal weight per concern**
(:data:`CONCERNS`), split equally among the concern's outcomes that are analysed. Users set
their own with ``--weights``: a small TOML file (``welfare = 2`` or, per outcome,
``crises = 0.5``; optionally under a ``[weights]`` table) or the same inline,
``"welfare=2,security=1"``. Names not given get weight 0.

:func:`weighting_table` ranks the strategies again under other reasonable weightings
(:data:`ALTERNATIVES`), so a reader sees whether the verdict rests on the weights.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.files import read_toml

CONCERNS: dict[str, tuple[str, ...]] = {
    "welfare": ("welfare_", "growth_"),
    "diversification": ("autonomy_", "max_dependence_"),
    "security": ("security_risk_", "crises"),
    "sanctions": ("sanctions_",),
    "relations": ("relation_",),
}
"""Concern -> prefixes of its outcome columns (an outcome matching none is its own concern)."""

ALTERNATIVES: dict[str, dict[str, float]] = {
    "welfare first": {"welfare": 3},
    "security first": {"security": 3},
    "diversification first": {"diversification": 3},
    "relations first": {"relations": 3},
}
"""Other weightings tried: one concern three times the others (which keep weight 1)."""

TIE = 0.05
"""Strategies whose weighted mean regret ranks differ by less than this tie."""


def concern_of(metric: str) -> str:
    """The concern an outcome column measures (its own name when no prefix matches)."""
    for concern, prefixes in CONCERNS.items():
        if any(metric.startswith(p) for p in prefixes):
            return concern
    return metric


def resolve_weights(metrics: list[str], spec: dict[str, float] | None = None) -> dict[str, float]:
    """Weight per metric, summing to 1.

    Args:
        metrics: the ranked metrics (outcomes with a direction).
        spec: weight by concern or metric name; None for equal weight per concern. A concern's
            weight is split equally among its metrics; a metric named directly gets its own.

    Raises:
        UserError: an unknown name, a negative weight, or weights that are all zero.
    """
    groups: dict[str, list[str]] = {}
    for metric in metrics:
        groups.setdefault(concern_of(metric), []).append(metric)
    if spec is None:
        spec = dict.fromkeys(groups, 1.0)
    raw = dict.fromkeys(metrics, 0.0)
    for name, weight in spec.items():
        if not _is_weight(weight):
            raise UserError(f"`weights`: {name} = {weight!r}; expected a finite number >= 0")
        if name in groups:
            for metric in groups[name]:
                raw[metric] += weight / len(groups[name])
        elif name in raw:
            raw[name] += weight
        else:
            known = ", ".join(sorted(set(groups) | set(metrics)))
            raise UserError(
                f"`weights`: {name!r} is not an analysed concern or metric; expected one of {known}"
            )
    total = sum(raw.values())
    if total <= 0:
        raise UserError("`weights`: every weight is 0; expected at least one positive weight")
    return {m: w / total for m, w in raw.items()}


def _is_weight(weight: object) -> bool:
    """A finite number >= 0 (not a bool, which TOML and Python would let count as 1)."""
    return (
        isinstance(weight, int | float)
        and not isinstance(weight, bool)
        and math.isfinite(weight)
        and weight >= 0
    )


def parse_weights(text: str | None) -> dict[str, float] | None:
    """Weights from a TOML file path or an inline ``name=number,...`` list (None: default)."""
    if text is None or not text.strip():
        return None
    path = Path(text)
    if path.suffix == ".toml" or path.is_file():
        data = read_toml(path)
        table = data.get("weights", data)
        if not isinstance(table, dict):
            raise UserError(f"{path}: `weights` must be a table of name = number")
        for name, weight in table.items():  # named here with the file; names are checked later
            if not _is_weight(weight):
                raise UserError(f"{path}: {name} = {weight!r}; expected a finite number >= 0")
        return dict(table)
    out: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise UserError(
                f"`weights`: {part.strip()!r} is malformed; expected NAME=NUMBER pairs such as "
                "welfare=2,security=1, or a .toml file"
            )
    return out


def describe(weights: dict[str, float], detail: bool = True) -> str:
    """The weights as text, by concern: ``welfare 0.2 (welfare_final 0.1, growth_annual 0.1)``.

    Without ``detail``, concerns only (``welfare 0.2, security 0.2``), or "equally by concern
    (a, b, ...)" when they weigh the same.
    """
    groups: dict[str, list[str]] = {}
    for metric, weight in weights.items():
        if weight > 0:
            groups.setdefault(concern_of(metric), []).append(metric)
    totals = {c: sum(weights[m] for m in ms) for c, ms in groups.items()}
    if not detail:
        if len(set(np.round(list(totals.values()), 6))) == 1:
            return f"equally by concern ({', '.join(totals)})"
        return ", ".join(f"{c} {t:.2g}" for c, t in totals.items())
    parts = []
    for concern, metrics in groups.items():
        inner = ", ".join(f"{m} {weights[m]:.3g}" for m in metrics)
        total = sum(weights[m] for m in metrics)
        parts.append(f"{concern} {total:.2g} ({inner})" if metrics != [concern] else f"{concern} {total:.2g}")
    return "; ".join(parts)


def weighted_ranks(regret: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """Weighted mean of each strategy's minimax-regret ranks over the metrics (1 = best)."""
    table = regret[regret["metric"].isin([m for m, w in weights.items() if w > 0])]
    w = table["metric"].map(weights)
    score = (table["rank"] * w).groupby(table["strategy"]).sum() / w.groupby(table["strategy"]).sum()
    return score.sort_values()


def ties(score: pd.Series, tolerance: float = TIE) -> dict[str, list[str]]:
    """Strategy -> the strategies whose score is within ``tolerance`` of its own."""
    return {
        s: [o for o in score.index if o != s and abs(score[o] - score[s]) < tolerance] for s in score.index
    }


def weighting_table(regret: pd.DataFrame, metrics: list[str], chosen: dict[str, float]) -> pd.DataFrame:
    """Rank of each strategy under the chosen weights, equal per outcome and :data:`ALTERNATIVES`.

    Returns:
        Columns ``strategy`` and one rank column per weighting (1 = most robust; tied
        strategies share the better rank).
    """
    ranked = [m for m in metrics if m in set(regret["metric"])]
    if not ranked:
        return pd.DataFrame(columns=["strategy"])
    groups = {concern_of(m) for m in ranked}
    schemes = {"chosen weights": chosen, "equal per outcome": dict.fromkeys(ranked, 1.0)}
    for name, boost in ALTERNATIVES.items():
        if set(boost) <= groups:
            schemes[name] = resolve_weights(ranked, {g: boost.get(g, 1.0) for g in groups})
    columns = {}
    for name, weights in schemes.items():
        score = weighted_ranks(regret, weights)
        columns[name] = _rank_with_ties(score)
    table = pd.DataFrame(columns)
    table.index.name = "strategy"
    return table.sort_values("chosen weights").reset_index()


def _rank_with_ties(score: pd.Series) -> pd.Series:
    """Dense-from-the-top ranks where scores within :data:`TIE` share a rank."""
    ranks, previous, rank = {}, None, 0
    for position, (strategy, value) in enumerate(score.sort_values().items(), start=1):
        if previous is None or value - previous >= TIE:
            rank = position
        ranks[strategy] = rank
        previous = value
    return pd.Series(ranks, dtype=int).reindex(score.index).fillna(np.nan)
