"""Forecasts against known outcomes: absolute error of each model and of both baselines.

An issue file may record the real outcome on its scale, with a band of values that count as
a hit (for categorical issues, the stretch of scale nearest the chosen category). The score is
the absolute error in scale points and whether the value falls in the band; forecast, weighted
mean and weighted median are scored alike, so a bargaining model earns its place only by
beating the baselines.
"""

import pandas as pd

from sim.bargaining.issues import Issue

SCORE_COLUMNS = (
    "issue",
    "model",
    "outcome",
    "outcome_low",
    "outcome_high",
    "forecast",
    "forecast_error",
    "forecast_hit",
    "weighted_mean",
    "mean_error",
    "mean_hit",
    "weighted_median",
    "median_error",
    "median_hit",
    "known_when_inputs_set",
)


def score(issues: list[Issue], forecast: pd.DataFrame) -> pd.DataFrame:
    """One row per issue with a recorded outcome and per model; empty when no issue has one."""
    outcomes = {issue.name: issue.outcome for issue in issues if issue.outcome is not None}
    rows = []
    for row in forecast.itertuples(index=False):
        outcome = outcomes.get(row.issue)
        if outcome is None:
            continue
        entry = {
            "issue": row.issue,
            "model": row.model,
            "outcome": outcome.value,
            "outcome_low": outcome.low,
            "outcome_high": outcome.high,
            "known_when_inputs_set": outcome.known_when_inputs_set,
        }
        for column, prefix in (
            ("forecast", "forecast"),
            ("weighted_mean", "mean"),
            ("weighted_median", "median"),
        ):
            value = getattr(row, column)
            entry[column] = value
            entry[f"{prefix}_error"] = abs(value - outcome.value)
            entry[f"{prefix}_hit"] = bool(outcome.low <= value <= outcome.high)
        rows.append(entry)
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS))
