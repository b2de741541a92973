"""The report's charts as inline HTML and SVG: the verdict's heat table and per-scenario details.

Drawn as text rather than PNG (see :mod:`sim.analysis.svg`): a chart for each of nine scenarios
costs milliseconds, labels stay legible at any width, and the page stays one offline file.
"""

import html

import numpy as np
import pandas as pd

from sim.analysis.heat import heat_table
from sim.analysis.palette import OKABE_ITO
from sim.analysis.results import TIMESERIES_KEY
from sim.analysis.svg import Band, fan_chart, forest, scatter
from sim.analysis.verdict import scenario_scores

SERIES_TITLES = {
    "welfare": "Welfare (GDP index, start = 1) ↑",
    "autonomy": "Autonomy (1 - HHI of bloc trade) ↑",
    "security_risk": "Security risk (0..1) ↓",
    "max_dependence": "Largest bloc trade share ↓",
}


def weighted_heat(summary: pd.DataFrame, ranking: pd.DataFrame, weights: dict[str, float]) -> str:
    """Strategy x scenario heat table of the weighted mean rank, with the overall ranking first."""
    scores = scenario_scores(summary, weights)
    order = [s for s in ranking["strategy"] if s in scores.index]
    scores = scores.reindex(index=order)
    overall = ranking.set_index("strategy")["mean_regret_rank"].reindex(order)
    values = pd.concat([overall.rename("overall (regret)"), scores], axis=1)
    values.index.name = None
    return heat_table(
        values,
        direction="min",
        table_id="figure-heatmap",
        caption="Weighted mean rank of each strategy: within each scenario (rank of its mean, "
        "1 = best on every weighted outcome) and overall (minimax-regret rank across scenarios). "
        "Light = better.",
        fmt="{:.2f}",
    )


def quantiles(series: pd.DataFrame) -> pd.DataFrame:
    """5th, 50th and 95th percentile over runs of the fan-chart series, by scenario, strategy, step."""
    names = [n for n in TIMESERIES_KEY if n in series.columns]
    grouped = series.groupby(["scenario", "strategy", "step"])[names]
    return pd.concat({q: grouped.quantile(q) for q in (0.05, 0.5, 0.95)}, axis=1)


def scenario_fans(q: pd.DataFrame, scenario: str, colours: dict[str, str], labels: dict[float, str]) -> str:
    """Fan charts of the scenario's series, one per series, strategies as bands."""
    if scenario not in q.index.get_level_values(0):
        return "<p>No time series for this scenario.</p>"
    data = q.loc[scenario]
    charts = []
    for name in data[0.5].columns:
        bands = []
        for strategy, colour in colours.items():
            if strategy not in data.index.get_level_values(0):
                continue
            rows = data.loc[strategy]
            x = rows.index.to_numpy(float)
            bands.append(Band(strategy, colour, x, rows[(0.5, name)], rows[(0.05, name)], rows[(0.95, name)]))
        title = SERIES_TITLES.get(name, name)
        charts.append(fan_chart(bands, title=title, width=500, height=230, x_labels=labels))
    return f'<div class="charts" id="figure-fan_{html.escape(scenario)}">{"".join(charts)}</div>'


def trade_table(series: pd.DataFrame, scenario: str, strategies: list[str]) -> str:
    """Mean trade share by partner at the start and the last recorded step, per strategy."""
    partners = [c for c in series.columns if c.startswith("share_")]
    data = series[series["scenario"] == scenario]
    if data.empty or not partners:
        return ""
    last = data[data["step"] == data["step"].max()].groupby("strategy")[partners].mean()
    first = data[data["step"] == data["step"].min()][partners].mean()
    table = pd.concat([first.to_frame("start").T, last.reindex([s for s in strategies if s in last.index])])
    table.columns = [c.removeprefix("share_") for c in partners]
    body = table.to_html(border=0, classes="data", float_format=lambda v: f"{v:.1%}")
    return (
        f'<div id="figure-trade_{html.escape(scenario)}"><h4>Trade shares by partner at the end '
        f"(mean of runs; first row: the start)</h4>{body}</div>"
    )


def paired_forests(paired: pd.DataFrame, metrics: list[str], colours: dict[str, str]) -> str:
    """One forest plot per metric: mean paired difference from the reference over scenarios."""
    charts = []
    for metric in metrics:
        rows = (
            paired[paired["metric"] == metric].groupby("strategy")[["mean_diff", "ci_low", "ci_high"]].mean()
        )
        if rows.empty:
            continue
        direction = paired.loc[paired["metric"] == metric, "direction"].iloc[0]
        arrow = {"max": "higher better", "min": "lower better"}.get(direction, "")
        items = [
            (s, r.mean_diff, r.ci_low, r.ci_high, colours.get(s, OKABE_ITO[0]))
            for s, r in rows.reindex([s for s in colours if s in rows.index]).iterrows()
        ]
        charts.append(forest(items, title=f"{metric} ({arrow})", width=420))
    return f'<div class="charts" id="figure-paired">{"".join(charts)}</div>'


def step_labels(series: pd.DataFrame) -> dict[float, str]:
    """Step -> quarter label from the time series' ``date`` column (empty without one)."""
    if "date" not in series.columns:
        return {}
    dates = series.drop_duplicates("step").set_index("step")["date"]
    return {float(k): str(v) for k, v in dates.items() if not (isinstance(v, float) and np.isnan(v))}


def welfare_autonomy(runs: pd.DataFrame, colours: dict[str, str], sample: int = 250) -> str:
    """Runs (a sample per strategy, faint) and strategy means (large): welfare against autonomy."""
    points, means = {}, {}
    for strategy in colours:
        data = runs[runs["strategy"] == strategy]
        if data.empty:
            continue
        shown = data.sample(min(sample, len(data)), random_state=0)
        points[strategy] = (shown["autonomy_mean"].to_numpy(float), shown["welfare_final"].to_numpy(float))
        means[strategy] = (float(data["autonomy_mean"].mean()), float(data["welfare_final"].mean()))
    chart = scatter(
        points,
        colours,
        means=means,
        title="Welfare against autonomy: runs (dots) and strategy means (large)",
        width=640,
        height=380,
        x_label="autonomy_mean → better",
        y_label="welfare_final ↑ better",
    )
    return f'<div class="charts" id="figure-welfare_autonomy">{chart}</div>'
