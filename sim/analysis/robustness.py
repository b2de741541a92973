"""Robustness of strategies across scenarios and design points: regret and satisficing.

The two families follow robust decision making (Lempert et al. 2003; McPhail et al. 2018,
"Robustness metrics", Earth's Future 6):

- **Regret** (Savage's minimax regret): in each context (one scenario at one design point) the
  outcome of a strategy is its mean over replicates; its regret there is the shortfall from
  the best strategy in that context, by the metric's direction. A strategy's robustness is its
  maximum regret across contexts, with the 90th percentile and mean beside it.
- **Satisficing** (Starr's domain criterion): the share of runs that meet every threshold the
  user sets, e.g. ``autonomy_mean>=0.7``, pooled over contexts, with the worst context's share.

The robustness ranking orders strategies by their all-threshold satisficing share (when
thresholds are given), then by the weighted mean of their minimax-regret ranks over the metrics
(weights: :mod:`sim.analysis.weights`; equal per concern unless the user sets them), and names
the strategies that tie.
"""

import math
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.results import CONTEXT_KEYS, Results, better_sign, check_metric
from sim.analysis.weights import TIE, weighted_ranks
from sim.errors import UserError

_OPERATORS: dict[str, Callable[[object, object], object]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
}
_THRESHOLD = re.compile(
    r"^\s*(?P<metric>[A-Za-z_][\w.]*)\s*(?P<op>>=|<=|==|>|<)\s*"
    r"(?P<value>[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)\s*$"
)

REGRET_COLUMNS = [
    "strategy",
    "metric",
    "direction",
    "n_contexts",
    "regret_max",
    "regret_p90",
    "regret_mean",
    "rank",
]
SATISFICING_COLUMNS = ["strategy", "threshold", "n_runs", "share", "share_worst_context"]
RANKING_COLUMNS = ["strategy", "satisficing_share", "mean_regret_rank", "rank", "tied_with"]


@dataclass(frozen=True)
class Threshold:
    """A condition a run must meet, such as ``autonomy_mean >= 0.7``.

    Attributes:
        metric: outcome column.
        op: one of ``>=, <=, >, <, ==``.
        value: the bound.
    """

    metric: str
    op: str
    value: float

    @classmethod
    def parse(cls, text: str) -> "Threshold":
        """Parse ``METRIC OP NUMBER``; raise a UserError naming the expected form otherwise."""
        match = _THRESHOLD.match(text)
        if match is None:
            raise UserError(
                f"`thresholds`: {text!r} is malformed; expected METRIC OP NUMBER with OP one of "
                ">=, <=, >, <, == (e.g. autonomy_mean>=0.7)"
            )
        value = float(match["value"])
        if not math.isfinite(value):
            raise UserError(f"`thresholds`: {text!r}: the number is too large; expected a finite number")
        return cls(match["metric"], match["op"], value)

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"

    def holds(self, values: pd.Series) -> pd.Series:
        """Boolean Series: which values meet the threshold (NaN never does)."""
        return pd.Series(_OPERATORS[self.op](values, self.value), index=values.index) & (values.notna())


def parse_thresholds(results: Results, texts: list[str]) -> list[Threshold]:
    """Parse threshold expressions and check that each names an outcome column."""
    thresholds = [Threshold.parse(text) for text in texts]
    for threshold in thresholds:
        check_metric(results, threshold.metric)
    return thresholds


def context_means(results: Results, metric: str) -> pd.DataFrame:
    """Mean of ``metric`` over replicates: rows are contexts, columns strategies."""
    ok = results.ok
    means = ok.groupby([*CONTEXT_KEYS, "strategy"])[metric].mean()
    return means.unstack("strategy")


def _directed_means(results: Results, metrics: list[str]) -> Iterator[tuple[str, str, pd.DataFrame]]:
    """(metric, direction, context means signed so that larger is better) for directed metrics."""
    for metric in metrics:
        direction = results.outcomes[metric].direction
        if direction is None:
            continue
        means = context_means(results, metric).dropna()
        if not means.empty:
            yield metric, direction, means * better_sign(direction)


def regret_table(results: Results, metrics: list[str]) -> pd.DataFrame:
    """Maximum, 90th-percentile and mean regret of each strategy, per metric with a direction.

    Contexts where some strategy has no successful run are left out for that metric (a regret
    needs every strategy's outcome). ``rank`` 1 is the strategy with the smallest maximum regret
    (ties broken by the 90th percentile; strategies equal on both share the better rank).

    Args:
        results: the loaded results.
        metrics: outcome columns; descriptive ones (no direction) are skipped.

    Returns:
        A DataFrame with :data:`REGRET_COLUMNS`.
    """
    tables = []
    for metric, direction, signed in _directed_means(results, metrics):
        best = signed.max(axis=1)
        regret = best.to_numpy()[:, None] - signed.to_numpy()
        table = pd.DataFrame(
            {
                "strategy": signed.columns,
                "metric": metric,
                "direction": direction,
                "n_contexts": len(signed),
                "regret_max": regret.max(axis=0),
                "regret_p90": np.percentile(regret, 90, axis=0),
                "regret_mean": regret.mean(axis=0),
            }
        )
        table["rank"] = _tied_ranks(table["regret_max"], table["regret_p90"])
        tables.append(table)
    if not tables:
        return pd.DataFrame(columns=REGRET_COLUMNS)
    out = pd.concat(tables, ignore_index=True)
    out["rank"] = out["rank"].astype(int)
    return out[REGRET_COLUMNS]


def rank_stability(results: Results, metrics: list[str]) -> pd.DataFrame:
    """How stable each strategy's rank is across contexts (scenario x design point), per metric.

    In a sweep over uncertain parameters this answers "does the ranking survive the
    uncertainty?": the share of contexts where the strategy ranks first, and its mean, best and
    worst rank (1 = best, by the context's replicate mean; ties share the better rank).
    """
    rows = []
    for metric, _, signed in _directed_means(results, metrics):
        ranks = signed.rank(axis=1, ascending=False, method="min")
        for strategy in ranks.columns:
            column = ranks[strategy]
            rows.append(
                {
                    "metric": metric,
                    "strategy": strategy,
                    "n_contexts": len(ranks),
                    "share_first": float((column == 1).mean()),
                    "rank_mean": float(column.mean()),
                    "rank_best": int(column.min()),
                    "rank_worst": int(column.max()),
                }
            )
    columns = ["metric", "strategy", "n_contexts", "share_first", "rank_mean", "rank_best", "rank_worst"]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["metric", "rank_mean"], kind="stable").reset_index(drop=True)


def _tied_ranks(first: pd.Series, second: pd.Series) -> np.ndarray:
    """Ranks by ``first`` then ``second``; rows equal on both (to rounding) share the lower rank."""
    order = np.lexsort((second.to_numpy(), first.to_numpy()))
    ranks = np.empty(len(order), dtype=int)
    for position, i in enumerate(order):
        j = order[position - 1] if position else None
        same = (
            j is not None
            and np.isclose(first.iat[i], first.iat[j])
            and np.isclose(second.iat[i], second.iat[j])
        )
        ranks[i] = ranks[j] if same else position + 1
    return ranks


def satisficing_table(results: Results, thresholds: list[Threshold]) -> pd.DataFrame:
    """Share of runs meeting each threshold and all of them together, per strategy.

    ``share_worst_context`` is the lowest share over contexts (scenario x design point).

    Args:
        results: the loaded results.
        thresholds: parsed thresholds (empty gives an empty table).

    Returns:
        A DataFrame with :data:`SATISFICING_COLUMNS`; the ``threshold`` of the combined row is
        ``"all"``.
    """
    if not thresholds:
        return pd.DataFrame(columns=SATISFICING_COLUMNS)
    ok = results.ok
    met = pd.DataFrame({str(t): t.holds(ok[t.metric]) for t in thresholds}, index=ok.index)
    met["all"] = met.all(axis=1)
    rows = []
    for strategy, index in ok.groupby("strategy").groups.items():
        contexts = ok.loc[index, CONTEXT_KEYS]
        for name in met.columns:
            hit = met.loc[index, name]
            by_context = hit.groupby([contexts[k] for k in CONTEXT_KEYS]).mean()
            rows.append(
                {
                    "strategy": strategy,
                    "threshold": name,
                    "n_runs": len(hit),
                    "share": float(hit.mean()),
                    "share_worst_context": float(by_context.min()),
                }
            )
    return pd.DataFrame(rows, columns=SATISFICING_COLUMNS)


def failures(results: Results, thresholds: list[Threshold]) -> pd.Series:
    """Boolean Series over successful runs: True where a run misses any threshold."""
    ok = results.ok
    met = pd.concat([t.holds(ok[t.metric]) for t in thresholds], axis=1).all(axis=1)
    return ~met


def robustness_ranking(
    regret: pd.DataFrame, satisficing: pd.DataFrame, weights: dict[str, float] | None = None
) -> pd.DataFrame:
    """Rank strategies: higher all-threshold satisficing share first, then lower regret ranks.

    Args:
        regret: output of :func:`regret_table`.
        satisficing: output of :func:`satisficing_table` (may be empty).
        weights: weight per metric of the mean regret rank; None weighs every metric equally.

    Returns:
        A DataFrame with :data:`RANKING_COLUMNS`, sorted by rank. ``mean_regret_rank`` is the
        weighted mean; ``tied_with`` names the strategies with the same satisficing share whose
        mean regret rank is within :data:`sim.analysis.weights.TIE` (separated by ``;``).
    """
    strategies = sorted(set(regret["strategy"]) | set(satisficing["strategy"]))
    if not strategies:
        return pd.DataFrame(columns=RANKING_COLUMNS)
    table = pd.DataFrame({"strategy": strategies})
    if weights is None:
        weights = dict.fromkeys(regret["metric"].unique(), 1.0)
    table["mean_regret_rank"] = table["strategy"].map(weighted_ranks(regret, weights))
    share = satisficing[satisficing["threshold"] == "all"].set_index("strategy")["share"]
    table["satisficing_share"] = table["strategy"].map(share)
    table = table.sort_values(
        ["satisficing_share", "mean_regret_rank", "strategy"],
        ascending=[False, True, True],
        na_position="last",
    )
    table["rank"] = np.arange(1, len(table) + 1)
    table["tied_with"] = [_tied(table, row) for row in table.itertuples()]
    return table[RANKING_COLUMNS].reset_index(drop=True)


def _tied(table: pd.DataFrame, row) -> str:
    same_share = (table["satisficing_share"] == row.satisficing_share) | (
        table["satisficing_share"].isna() & pd.isna(row.satisficing_share)
    )
    close = (table["mean_regret_rank"] - row.mean_regret_rank).abs() < TIE
    others = table.loc[same_share & close & (table["strategy"] != row.strategy), "strategy"]
    return ";".join(others)
