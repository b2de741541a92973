"""The results view: a run or sweep folder, by metric, scenario and strategies.

:func:`panels` builds every section as HTML from the tables of :mod:`sim.analysis` (summary,
paired differences, regret, satisficing, PRIM), so what the page shows is what ``multivector
analyze`` computes; :func:`ResultsView` adds the controls. Sections: the strategy x scenario
heat table, fan charts over time, paired differences from the reference, regret and
satisficing, and for a sweep the outcome against each varied parameter and the PRIM boxes.
"""

import html
from pathlib import Path

import pandas as pd
import solara

from sim.analysis.comparison import paired_differences, summary_table
from sim.analysis.discovery import prim_available, prim_boxes
from sim.analysis.heat import HEAT_CSS, heat_table
from sim.analysis.palette import strategy_colours
from sim.analysis.results import TIMESERIES_KEY, Results, default_reference, load_results
from sim.analysis.robustness import parse_thresholds, regret_table, satisficing_table
from sim.analysis.svg import Band, fan_chart, forest, scatter
from sim.errors import UserError

PAGE_CSS = (
    "table.data{font-size:13px;border-collapse:collapse}table.data td,table.data th{padding:3px 8px}"
    ".charts{display:flex;flex-wrap:wrap;gap:12px}.charts svg{max-width:100%;height:auto}"
)
"""Style of the explorer's tables and chart rows."""

MAX_SCATTER_POINTS = 2000
"""Runs drawn per parameter plot (a sample when there are more)."""


def ranked_metrics(results: Results) -> list[str]:
    """Outcomes with a direction (better is higher or lower), in file order."""
    return [m for m, o in results.outcomes.items() if o.direction]


def _table(frame: pd.DataFrame, table_id: str) -> str:
    return frame.to_html(
        index=False, border=0, classes="data", table_id=table_id, float_format=lambda v: f"{v:.4g}"
    )


def panels(
    results: Results, metric: str, scenario: str, strategies: list[str], threshold: str = ""
) -> dict[str, str]:
    """Section title -> HTML for one choice of metric, scenario and strategies.

    Raises:
        UserError: a malformed threshold or an unknown metric.
    """
    chosen = [s for s in results.strategies if s in strategies] or results.strategies
    reference = default_reference(results)
    colours = strategy_colours(results.strategies, reference)
    direction = results.outcomes[metric].direction
    out: dict[str, str] = {}
    summary = summary_table(results, [metric])
    means = summary.pivot(index="strategy", columns="scenario", values="mean").reindex(index=chosen)
    arrow = {"max": "higher is better", "min": "lower is better"}.get(direction or "", "descriptive")
    out["Strategy x scenario"] = heat_table(
        means,
        direction=direction,
        table_id="rv-heatmap",
        caption=f"Mean {metric} over runs ({arrow}); colour: worst (dark) to best (light) in each scenario.",
    )
    out["Over time"] = _fans(results, scenario, chosen, colours)
    if len(results.strategies) > 1:
        paired = paired_differences(results, reference, [metric])
        rows = paired[(paired["scenario"] == scenario) & paired["strategy"].isin(chosen)]
        out[f"Paired differences from {reference}"] = forest(
            [(r.strategy, r.mean_diff, r.ci_low, r.ci_high, colours[r.strategy]) for r in rows.itertuples()],
            title=f"{metric}: strategy - {reference} in {scenario}, 95% CI",
            chart_id="rv-paired",
        )
        if direction:
            regret = regret_table(results, [metric])
            out["Regret across scenarios"] = _table(regret[regret["strategy"].isin(chosen)], "rv-regret")
    if threshold.strip():
        rules = parse_thresholds(results, [t for t in threshold.split(",") if t.strip()])
        shares = satisficing_table(results, rules)
        out["Satisficing"] = _table(shares[shares["strategy"].isin(chosen)], "rv-satisficing")
        if results.parameters and prim_available():
            out["PRIM boxes (where runs fail)"] = _table(prim_boxes(results, rules), "rv-prim")
    if results.parameters:
        out["Outcome against each varied parameter"] = _parameter_plots(
            results, metric, scenario, chosen, colours
        )
    return out


def _fans(results: Results, scenario: str, strategies: list[str], colours: dict[str, str]) -> str:
    series = results.timeseries
    if series is None or series.empty:
        return "<p>No timeseries.csv in this folder.</p>"
    data = series[(series["scenario"] == scenario) & series["strategy"].isin(strategies)]
    labels = {}
    if "date" in data.columns:
        labels = {float(k): str(v) for k, v in data.drop_duplicates("step").set_index("step")["date"].items()}
    charts = []
    for name in (n for n in TIMESERIES_KEY if n in data.columns):
        q = data.groupby(["strategy", "step"])[name].quantile([0.05, 0.5, 0.95]).unstack()
        bands = [
            Band(s, colours[s], q.loc[s].index.to_numpy(float), q.loc[s][0.5], q.loc[s][0.05], q.loc[s][0.95])
            for s in strategies
            if s in q.index.get_level_values(0)
        ]
        charts.append(
            fan_chart(
                bands, title=f"{name} ({scenario})", x_labels=labels, chart_id=f"rv-fan-{name}", width=440
            )
        )
    return f"<div class='charts'>{''.join(charts)}</div>"


def _parameter_plots(
    results: Results, metric: str, scenario: str, strategies: list[str], colours: dict[str, str]
) -> str:
    ok = results.ok
    data = ok[(ok["scenario"] == scenario) & ok["strategy"].isin(strategies)]
    if len(data) > MAX_SCATTER_POINTS:
        data = data.sample(MAX_SCATTER_POINTS, random_state=0)
    charts = []
    for parameter in results.parameters:
        points = {
            s: (g[parameter].to_numpy(float), g[metric].to_numpy(float)) for s, g in data.groupby("strategy")
        }
        charts.append(scatter(points, colours, title=f"{metric} against {parameter}"))
    return f"<div class='charts'>{''.join(charts)}</div>"


def _load(folder: str) -> tuple[Results | None, str]:
    if not folder.strip():
        return None, "Give a results folder (written by `multivector run` or `multivector sweep`)."
    try:
        return load_results(Path(folder)), ""
    except UserError as err:
        return None, str(err)


@solara.component
def ResultsView(initial: str = "") -> None:
    """The results view's page content."""
    folder = solara.use_reactive(initial)
    results, error = solara.use_memo(lambda: _load(folder.value), [folder.value])
    metric = solara.use_reactive("")
    scenario = solara.use_reactive("")
    chosen = solara.use_reactive([])
    threshold = solara.use_reactive("")
    with solara.Columns([1, 3]):
        with solara.Column():
            with solara.Card("Results folder"):
                solara.InputText("folder", value=folder, continuous_update=False)
                if error:
                    solara.Error(error)
            if results is not None:
                metrics = ranked_metrics(results)
                with solara.Card("Choose"):
                    solara.Select(
                        "metric", value=metric.value or metrics[0], values=metrics, on_value=metric.set
                    )
                    solara.Select(
                        "scenario",
                        value=scenario.value or results.scenarios[0],
                        values=results.scenarios,
                        on_value=scenario.set,
                    )
                    solara.SelectMultiple(
                        "strategies",
                        values=chosen.value or results.strategies,
                        all_values=results.strategies,
                        on_value=chosen.set,
                    )
                    solara.InputText(
                        "thresholds (e.g. autonomy_mean>=0.7)", value=threshold, continuous_update=False
                    )
        with solara.Column():
            if results is not None:
                Sections(
                    results,
                    metric.value or ranked_metrics(results)[0],
                    scenario.value or results.scenarios[0],
                    chosen.value or results.strategies,
                    threshold.value,
                )


@solara.component
def Sections(results: Results, metric: str, scenario: str, strategies: list[str], threshold: str) -> None:
    """Every section of :func:`panels`, or the one error line it raised."""
    try:
        parts = panels(results, metric, scenario, strategies, threshold)
    except UserError as err:
        solara.Error(str(err))
        return
    body = "".join(f"<h3>{html.escape(title)}</h3>{content}" for title, content in parts.items())
    style = f"<style>{HEAT_CSS}{PAGE_CSS}</style>"
    solara.HTML(tag="div", unsafe_innerHTML=style + body)
