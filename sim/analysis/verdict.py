"""The report's verdict in plain sentences, generated from the analysis tables.

Four questions, in the order a reader asks them: which strategy is most robust and by which
measure; where it loses and to whom; which scenario changes the ranking most; and how sure we
are. Every number in a sentence comes from a table of the report (ranking, summary, paired
differences, weightings), so the words cannot drift from the evidence.
"""

from dataclasses import replace

import numpy as np
import pandas as pd

from sim.analysis.comparison import paired_differences
from sim.analysis.results import Results
from sim.analysis.weights import describe

LOSSES_SHOWN = 3
"""Largest losses of the most robust strategy named in the verdict."""


def scenario_scores(summary: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Weighted mean rank of each strategy's mean within each scenario (rows strategies).

    1 means best on every weighted outcome in that scenario; the number of strategies means worst.
    """
    table = summary[summary["metric"].isin([m for m, w in weights.items() if w > 0])].dropna(subset=["rank"])
    w = table["metric"].map(weights)
    num = (table["rank"].astype(float) * w).groupby([table["strategy"], table["scenario"]]).sum()
    den = w.groupby([table["strategy"], table["scenario"]]).sum()
    return (num / den).unstack("scenario")


def verdict(
    results: Results,
    tables: dict[str, pd.DataFrame],
    weights: dict[str, float],
    thresholds: list[str],
) -> list[str]:
    """Sentences answering the four questions (empty when fewer than two strategies)."""
    ranking = tables.get("ranking")
    if ranking is None or ranking.empty or len(ranking) < 2:
        return []
    top, runner = ranking["strategy"].iloc[0], ranking["strategy"].iloc[1]
    out = [_most_robust(ranking, weights, thresholds, len(results.strategies))]
    out.append(_losses(tables["summary"], top, weights))
    scores = scenario_scores(tables["summary"], weights)
    if scores.shape[1] > 1:
        out.append(_scenario_change(scores, ranking))
    out.append(_how_sure(results, top, runner, weights, tables.get("weightings")))
    return [s for s in out if s]


def _most_robust(ranking: pd.DataFrame, weights: dict[str, float], thresholds: list[str], n: int) -> str:
    first = ranking.iloc[0]
    measure = (
        f"it has the lowest weighted mean minimax-regret rank ({first.mean_regret_rank:.2f}, where 1 "
        f"means the smallest worst-case shortfall on every outcome and {n} the largest)"
    )
    if thresholds and pd.notna(first.satisficing_share):
        measure = (
            f"it meets all thresholds ({', '.join(thresholds)}) in {first.satisficing_share:.0%} of runs, "
            f"the highest share, and then {measure}"
        )
    text = (
        f"{first.strategy} is the most robust strategy: {measure}. Outcomes are weighted "
        f"{describe(weights, detail=False)}; the ranking table lists every outcome and its weight."
    )
    tied = [s for s in str(first.tied_with or "").split(";") if s]
    if tied:
        text += f" It ties with {_join(tied)}: their ranks differ by less than 0.05, so neither is ahead."
    return text


def _losses(summary: pd.DataFrame, top: str, weights: dict[str, float]) -> str:
    table = summary[summary["metric"].isin([m for m, w in weights.items() if w > 0])]
    cases = []
    for (scenario, metric), group in table.groupby(["scenario", "metric"]):
        direction = group["direction"].iloc[0]
        means = group.set_index("strategy")["mean"]
        if top not in means or direction not in ("max", "min"):
            continue
        best = means.idxmax() if direction == "max" else means.idxmin()
        span = means.max() - means.min()
        if best == top or span <= 0:
            continue
        cases.append((abs(means[best] - means[top]) / span, scenario, metric, best, means[best], means[top]))
    if not cases:
        return f"{top} has the best mean on every weighted outcome in every scenario."
    cases.sort(reverse=True)
    parts = [
        f"on {metric} in {scenario}, where {best} does better ({b:.3g} against {t:.3g})"
        for _, scenario, metric, best, b, t in cases[:LOSSES_SHOWN]
    ]
    beaten_by = pd.Series([c[3] for c in cases]).value_counts()
    pairs = table.groupby(["scenario", "metric"]).ngroups
    return (
        f"{top} is not best everywhere: it is beaten in {len(cases)} of {pairs} scenario-outcome pairs, most "
        f"clearly {_join(parts)}. Most often it loses to {beaten_by.index[0]} "
        f"({beaten_by.iloc[0]} of {len(cases)})."
    )


def _scenario_change(scores: pd.DataFrame, ranking: pd.DataFrame) -> str:
    overall = ranking.set_index("strategy")["rank"].reindex(scores.index)
    changes = {}
    for scenario in scores.columns:
        here = scores[scenario].rank(method="average")
        there = overall.rank(method="average")
        same = here.nunique() < 2 or there.nunique() < 2  # a correlation needs spread
        changes[scenario] = 1.0 if same else float(np.corrcoef(here, there)[0, 1])
    scenario = min(changes, key=lambda s: changes[s])
    order = scores[scenario].sort_values()
    leader = order.index[0]
    rho = changes[scenario]
    return (
        f"The ranking changes most under {scenario}: there {leader} leads and the order is "
        f"{', '.join(order.index)} (rank correlation with the overall order {rho:.2f}; 1 would be the "
        "same order)."
    )


def _how_sure(
    results: Results,
    top: str,
    runner: str,
    weights: dict[str, float],
    weightings: pd.DataFrame | None,
) -> str:
    metrics = [m for m, w in weights.items() if w > 0]
    pair = replace(results, runs=results.runs[results.runs["strategy"].isin([top, runner])])
    diffs = paired_differences(pair, top, metrics)
    sign = diffs["direction"].map({"max": 1.0, "min": -1.0})
    low, high = diffs["ci_low"] * sign, diffs["ci_high"] * sign
    lose = int(((low > 0) & (high > 0)).sum())  # runner minus top better with confidence
    win = int(((low < 0) & (high < 0)).sum())
    unresolved = len(diffs) - win - lose
    replicates = int(results.ok.groupby(["strategy", "scenario"]).size().min())
    text = (
        f"How sure: against the runner-up {runner}, {top} is better in {win} and worse in {lose} of "
        f"{len(diffs)} scenario-outcome pairs with 95% paired intervals that exclude zero; "
        f"{unresolved} are not resolved by the {replicates} replicates per scenario."
    )
    if weightings is not None and not weightings.empty:
        schemes = [c for c in weightings.columns if c != "strategy"]
        firsts = weightings.set_index("strategy").loc[top, schemes] == 1
        kept = int(firsts.sum())
        others = [s for s in schemes if not firsts[s]]
        text += f" {top} ranks first under {kept} of {len(schemes)} weightings tried"
        text += f" (not under: {', '.join(others)})." if others else "."
    return text


def _join(items: list[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
