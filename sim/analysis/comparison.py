"""Strategy comparison: summary statistics and paired differences against a reference.

Every function takes a :class:`~sim.analysis.Results` record (or its runs table) and returns a
tidy DataFrame, one row per strategy x scenario x metric (plus the run-status counts). Only
successful runs (``status == "ok"``) enter the statistics.

Confidence intervals of a mean use Student's t (``scipy.stats``). Paired differences follow
common random numbers: runs with the same scenario, design point, replicate chunk and
replicate index share a seed, so the difference strategy - reference is taken within each pair
and the interval is that of a paired t-test. Where the seeds of a pair differ (results written
by another tool), the two samples are compared unpaired with Welch's t-test and the row says so.
"""

import numpy as np
import pandas as pd
from scipy import special, stats

from sim.analysis.results import Results, better_sign
from sim.schema import PAIR_KEYS

CONFIDENCE = 0.95
"""Level of every confidence interval in the tables."""

SUMMARY_COLUMNS = [
    "strategy",
    "scenario",
    "metric",
    "direction",
    "n",
    "mean",
    "sd",
    "p5",
    "p50",
    "p95",
    "ci_low",
    "ci_high",
    "rank",
]

PAIRED_COLUMNS = [
    "strategy",
    "reference",
    "scenario",
    "metric",
    "direction",
    "n_pairs",
    "paired",
    "mean_diff",
    "sd_diff",
    "ci_low",
    "ci_high",
    "p_value",
    "share_better",
]


def run_status(results: Results) -> pd.DataFrame:
    """Count runs per strategy and scenario by status.

    Returns:
        Columns ``strategy, scenario, runs, ok, error, first_error``.
    """
    runs = results.runs
    grouped = runs.groupby(["strategy", "scenario"], sort=True)
    table = grouped.agg(
        runs=("run_id", "size"),
        ok=("status", lambda s: int((s == "ok").sum())),
    ).reset_index()
    table["error"] = table["runs"] - table["ok"]
    errors = runs[runs["status"] == "error"].groupby(["strategy", "scenario"])["error"].first()
    table["first_error"] = [errors.get((row.strategy, row.scenario), "") for row in table.itertuples()]
    return table


def mean_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Student-t confidence interval of the mean of ``values`` (NaN when fewer than 2)."""
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return (np.nan, np.nan)
    if _constant(values):
        return (float(values.mean()), float(values.mean()))
    low, high, _ = _t_interval(values, confidence)
    return (low, high)


def _t_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Student-t interval of the mean and the two-sided p-value of mean = 0.

    The formulas of ``scipy.stats.ttest_1samp`` written out: the scipy call costs about 1 ms
    (argument checking), which made the report's tables take seconds for the default run.
    """
    n = values.size
    mean = float(values.mean())
    se = float(values.std(ddof=1)) / np.sqrt(n)
    half = float(special.stdtrit(n - 1, 0.5 + confidence / 2)) * se
    p_value = float(2 * special.stdtr(n - 1, -abs(mean / se))) if se > 0 else np.nan
    return (mean - half, mean + half, p_value)


def summary_table(results: Results, metrics: list[str]) -> pd.DataFrame:
    """Per strategy x scenario x metric: n, mean, sd, 5/50/95 percentiles, 95% CI and rank.

    The rank is 1 for the strategy with the best mean in that scenario and metric (by the
    metric's direction; ties share the lower rank) and is empty for descriptive metrics.

    Args:
        results: the loaded results.
        metrics: outcome columns to summarise.

    Returns:
        A DataFrame with :data:`SUMMARY_COLUMNS`.
    """
    rows = []
    for (strategy, scenario), group in results.ok.groupby(["strategy", "scenario"], sort=True):
        for metric in metrics:
            values = group[metric].dropna().to_numpy(dtype=float)
            low, high = mean_interval(values)
            has = values.size > 0
            p5, p50, p95 = np.percentile(values, [5, 50, 95]) if has else (np.nan,) * 3
            rows.append(
                {
                    "strategy": strategy,
                    "scenario": scenario,
                    "metric": metric,
                    "direction": results.outcomes[metric].direction or "",
                    "n": int(values.size),
                    "mean": values.mean() if has else np.nan,
                    "sd": values.std(ddof=1) if values.size > 1 else np.nan,
                    "p5": p5,
                    "p50": p50,
                    "p95": p95,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    table = pd.DataFrame(rows, columns=SUMMARY_COLUMNS[:-1])
    sign = table["metric"].map(lambda m: better_sign(results.outcomes[m].direction))
    score = -(table["mean"] * sign)
    table["rank"] = score.groupby([table["scenario"], table["metric"]]).rank(method="min")
    table["rank"] = table["rank"].astype("Int64")
    return table[SUMMARY_COLUMNS]


def paired_differences(results: Results, reference: str, metrics: list[str]) -> pd.DataFrame:
    """Differences of each strategy from ``reference``, pair by pair, with confidence intervals.

    ``mean_diff`` is strategy minus reference in the metric's own unit; ``share_better`` is the
    share of pairs in which the strategy did strictly better than the reference (by the
    metric's direction; empty for descriptive metrics).

    Args:
        results: the loaded results.
        reference: the strategy every other strategy is compared with.
        metrics: outcome columns to compare.

    Returns:
        A DataFrame with :data:`PAIRED_COLUMNS`, one row per other strategy x scenario x metric.
    """
    ok = results.ok
    base = ok[ok["strategy"] == reference]
    rows = []
    for strategy in sorted(set(ok["strategy"]) - {reference}):
        other = ok[ok["strategy"] == strategy]
        merged = other.merge(base, on=PAIR_KEYS, suffixes=("", "_ref"))
        for scenario in sorted(set(other["scenario"])):
            pairs = merged[merged["scenario"] == scenario]
            paired = len(pairs) > 1 and bool((pairs["seed"] == pairs["seed_ref"]).all())
            for metric in metrics:
                sign = better_sign(results.outcomes[metric].direction)
                if paired:
                    a = pairs[metric].to_numpy(float)
                    b = pairs[f"{metric}_ref"].to_numpy(float)
                else:
                    a = other.loc[other["scenario"] == scenario, metric].to_numpy(float)
                    b = base.loc[base["scenario"] == scenario, metric].to_numpy(float)
                rows.append(
                    {
                        "strategy": strategy,
                        "reference": reference,
                        "scenario": scenario,
                        "metric": metric,
                        "direction": results.outcomes[metric].direction or "",
                        "paired": paired,
                        **_difference(a, b, paired, sign),
                    }
                )
    return pd.DataFrame(rows, columns=PAIRED_COLUMNS)


def _difference(a: np.ndarray, b: np.ndarray, paired: bool, sign: float) -> dict[str, float]:
    """Mean difference a - b with its CI and p-value, paired or (Welch) unpaired."""
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if paired:
        diff = a - b
        n = diff.size
        mean = diff.mean() if n else np.nan
        sd = diff.std(ddof=1) if n > 1 else np.nan
        better = np.mean(sign * diff > 0) if n and not np.isnan(sign) else np.nan
        if n > 1 and not _constant(diff):
            low, high, p_value = _t_interval(diff)
        else:
            low = high = mean if n > 1 else np.nan
            p_value = np.nan
    else:
        n = min(a.size, b.size)
        mean = a.mean() - b.mean() if a.size and b.size else np.nan
        sd = np.nan
        better = np.nan
        if a.size > 1 and b.size > 1 and not (_constant(a) and _constant(b)):
            test = stats.ttest_ind(a, b, equal_var=False)
            low, high = test.confidence_interval(CONFIDENCE)
            p_value = test.pvalue
        else:
            low = high = p_value = np.nan
    return {
        "n_pairs": int(n),
        "mean_diff": float(mean),
        "sd_diff": float(sd),
        "ci_low": float(low),
        "ci_high": float(high),
        "p_value": float(p_value),
        "share_better": float(better),
    }


def _constant(values: np.ndarray) -> bool:
    """True when values are equal up to rounding (a t-interval is then degenerate)."""
    return bool(np.ptp(values) <= 1e-9 * max(1.0, float(np.abs(values).max())))
