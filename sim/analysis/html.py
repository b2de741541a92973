"""The HTML page of an analysis: verdict first, then the evidence, then provenance.

:func:`render_html` turns an :class:`~sim.analysis.report.Analysis` into one self-contained page:
the verdict in sentences with its strategy x scenario heat table, the ranking and how it
changes under other weightings, one tab per scenario (pure CSS, no script), charts across
scenarios, reading notes, provenance and folded detail tables. Charts are inline SVG, figures
base64 PNG and the style sheet inline, so the file can be sent on its own and opened offline.
Each table has the id ``table-<name>`` and each figure or chart the id ``figure-<name>``.
"""

import base64
import html
from typing import TYPE_CHECKING

import pandas as pd

from sim.analysis.charts import weighted_heat
from sim.analysis.heat import HEAT_CSS
from sim.analysis.weights import describe

if TYPE_CHECKING:
    from sim.analysis.report import Analysis

TABLES: dict[str, tuple[str, str]] = {
    "ranking": (
        "Robustness ranking",
        "Ordered by the all-threshold satisficing share (when thresholds are given), then by "
        "the weighted mean of the strategy's minimax-regret ranks over the outcomes.",
    ),
    "weightings": (
        "Ranking under other weightings",
        "Rank of each strategy (1 = most robust) when one concern counts three times the others, "
        "or every outcome counts the same; strategies within 0.05 share a rank.",
    ),
    "satisficing": (
        "Satisficing",
        "Share of runs meeting each threshold and all of them; share_worst_context is the "
        "lowest share in any scenario x design point.",
    ),
    "rank_stability": (
        "Rank stability across contexts",
        "Share of scenario x design points where each strategy ranks first, and its mean, best "
        "and worst rank: in a sweep over uncertain parameters, whether the ranking survives them.",
    ),
    "posterior_robustness": (
        "Robust to parameter uncertainty?",
        "Each replicate drew its parameters from the calibration posterior. For each pair of "
        "strategies adjacent in the ranking: share of paired draws in which the higher-ranked one "
        "did better (scenario 'all' pools every scenario); robust when at least 90%.",
    ),
    "regret": (
        "Regret across contexts",
        "Shortfall from the best strategy in each scenario x design point (replicate means); "
        "rank 1 has the smallest maximum regret (minimax regret).",
    ),
    "sobol": (
        "Sobol sensitivity indices",
        "S1: share of outcome variance due to the parameter alone; ST: including its "
        "interactions. ST near 0 means the parameter can be fixed; conf is a 95% half-width.",
    ),
    "morris": (
        "Morris screening",
        "mu*: mean absolute elementary effect (importance, in outcome units); sigma: "
        "non-linearity or interaction; mu with a sign tells the direction.",
    ),
    "prim": (
        "Scenario discovery (PRIM)",
        "Boxes of parameter values where runs fail the thresholds. coverage: share of all "
        "failures inside the box; density: share of runs inside the box that fail.",
    ),
    "paired": (
        "Paired differences from the reference",
        "Strategy minus reference within runs that share a seed; an interval that excludes "
        "0 is a difference the replicates resolve. share_better: pairs where the strategy won.",
    ),
    "summary": (
        "Outcome statistics",
        "Mean, sd, 5/50/95th percentiles and the 95% confidence interval of the mean over "
        "runs; rank 1 is the best mean in the scenario by the metric's direction.",
    ),
    "status": ("Runs by status", "Runs per strategy and scenario; failed runs are left out."),
}
"""Table name -> (title, reading note). The CSV of table ``name`` is ``<name>.csv``."""

COLLAPSED = ("regret", "summary", "paired", "status")
"""Long tables shown folded under "Detailed tables" (the headline and figures cover them)."""

MAX_HTML_ROWS = 80
"""Longer tables are cut in the HTML report (the CSV holds every row)."""


FIGURE_TITLES: dict[str, str] = {
    "fan": "Outcomes over time",
    "trade": "Trade shares by partner",
    "heatmap": "Strategy x scenario heatmap",
    "welfare_autonomy": "Welfare against autonomy",
    "paired": "Paired differences from the reference",
    "sensitivity": "Sensitivity to swept parameters",
}
FIGURE_NOTES: dict[str, str] = {
    "fan": "Line: median over runs; band: 5th to 95th percentile. Overlapping bands mean the "
    "strategies are not distinguishable run by run, though their means may still differ.",
    "trade": "Mean share of Kazakhstan's trade by partner; the stack sums to 1.",
    "heatmap": "Colour: position between the worst (dark) and best (light) strategy in that "
    "scenario; number: the mean. Compare colours along a column.",
    "welfare_autonomy": "Up and to the right is better on both. A strategy whose cloud is "
    "wide is less predictable.",
    "paired": "Mean over scenarios of strategy minus reference, with its 95% interval; a bar that "
    "does not cross 0 is a difference the replicates resolve.",
    "sensitivity": "Longer bars: parameters that drive the outcome; fix the short ones.",
}


def render_html(analysis: "Analysis") -> str:
    """The self-contained report: verdict, its figure and rankings, per-scenario tabs, details."""
    results, tables = analysis.results, analysis.tables
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>multivector analysis: {html.escape(results.path.name)}</title>",
        f"<style>{_CSS}{HEAT_CSS}{_tab_css(len(results.scenarios))}</style></head><body><main>",
        f"<h1>Which strategy holds up? <small>{html.escape(str(results.path))}</small></h1>",
        f'<p class="note">{len(results.ok)} runs of {len(results.strategies)} strategies in '
        f"{len(results.scenarios)} scenarios ({results.kind}). The verdict first; the evidence below.</p>",
        _verdict(analysis),
    ]
    for name in ("ranking", "weightings"):
        if name in tables:
            parts.append(
                _table_section(name, tables[name], note=_weights_note(analysis) if name == "ranking" else "")
            )
    for name in (
        n for n in TABLES if n in tables and n not in COLLAPSED and n not in ("ranking", "weightings")
    ):
        parts.append(_table_section(name, tables[name]))
    if "summary" in tables:
        parts.append(_scenario_tabs(analysis))
    if "regret" in tables and not tables["regret"].empty:
        parts.append(_regret_overview(tables["regret"]))
    across = [n for n in analysis.charts if not n.startswith(("fan_", "trade_"))]
    if across or analysis.figures:
        parts.append('<h2 id="figures">Across scenarios</h2>')
    for name in across:
        parts.append(_chart(name, analysis.charts[name]))
    for name, png in analysis.figures.items():
        parts.append(_figure(name, png))
    parts.append(_reading(analysis))
    parts.append(_provenance(analysis))
    if any(n in tables for n in COLLAPSED):
        parts.append('<h2 id="details">Detailed tables</h2>')
    for name in (n for n in TABLES if n in tables and n in COLLAPSED):
        parts.append(_table_section(name, tables[name], collapsed=True))
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _verdict(analysis: "Analysis") -> str:
    if not analysis.verdict:
        return '<section id="verdict"><h2>Verdict</h2><p>One strategy only: nothing to compare.</p></section>'
    items = "".join(f"<li>{html.escape(s)}</li>" for s in analysis.verdict)
    heat = ""
    if "ranking" in analysis.tables:
        heat = weighted_heat(analysis.tables["summary"], analysis.tables["ranking"], analysis.weights)
    return f'<section id="verdict"><h2>Verdict</h2><ol class="verdict">{items}</ol>{heat}</section>'


def _weights_note(analysis: "Analysis") -> str:
    return (
        f"Outcomes and weights of the mean regret rank: {describe(analysis.weights)}. Set others "
        "with --weights (e.g. welfare=2,security=1 or a TOML file); the next table ranks the "
        "strategies under other weightings. tied_with: ranks within 0.05."
    )


def _scenario_tabs(analysis: "Analysis") -> str:
    """One tab per scenario: its headline table, fan charts and trade shares (CSS only)."""
    scenarios = analysis.results.scenarios
    heads, panels = [], []
    for i, scenario in enumerate(scenarios):
        checked = " checked" if i == 0 else ""
        heads.append(
            f'<input type="radio" name="scenario-tab" id="tab-{i}"{checked}/>'
            f'<label for="tab-{i}">{html.escape(scenario)}</label>'
        )
        body = [_headline_table(analysis, scenario)]
        body += [analysis.charts.get(f"fan_{scenario}", ""), analysis.charts.get(f"trade_{scenario}", "")]
        panels.append(f'<div class="panel" id="panel-{i}">{"".join(body)}</div>')
    return (
        '<section><h2 id="scenarios">Scenario by scenario</h2><p class="note">Pick a scenario. Fan '
        "charts: line = median of runs, band = 5th to 95th percentile; overlapping bands mean runs "
        f'of the strategies overlap, though their means may differ.</p><div class="tabs">'
        f"{''.join(heads)}{''.join(panels)}</div></section>"
    )


def _tab_css(count: int) -> str:
    shown = ",".join(f"#tab-{i}:checked~#panel-{i}" for i in range(count))
    return f"{shown}{{display:block}}" if count else ""


def _chart(name: str, content: str) -> str:
    title = FIGURE_TITLES.get(name, name)
    note = FIGURE_NOTES.get(name, "")
    return f'<section><h3>{html.escape(title)}</h3><p class="note">{html.escape(note)}</p>{content}</section>'


def _provenance(analysis: "Analysis") -> str:
    results, manifest = analysis.results, analysis.results.manifest
    rows = [
        ("kind", results.kind),
        ("command", manifest.get("command", "")),
        ("created", manifest.get("created", manifest.get("finished", ""))),
        ("root seed", manifest.get("root_seed", "")),
        ("git commit", manifest.get("git_commit") or ""),
        ("inputs hash", manifest.get("inputs_hash", "")),
        ("runs", f"{len(results.runs)} ({len(results.ok)} ok)"),
        ("strategies", ", ".join(results.strategies)),
        ("scenarios", ", ".join(results.scenarios)),
        ("versions", _pairs(manifest.get("versions"))),
        ("counts", _pairs(manifest.get("counts"))),
    ]
    sweep = results.sweep
    if sweep:
        rows.append(("sweep design", f"{sweep.get('design', '')}, samples {sweep.get('samples', '')}"))
        rows.append(("parameters", _pairs(sweep.get("parameters"))))
    rows += [
        ("reference strategy", analysis.reference),
        ("metrics", ", ".join(analysis.metrics)),
        ("thresholds", ", ".join(str(t) for t in analysis.thresholds) or "none"),
    ]
    if not manifest:
        rows.insert(0, ("manifest", "none: manifest.json is missing"))
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f'<h2 id="provenance">Provenance</h2><table id="table-provenance">{body}</table>'


def _pairs(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_pairs(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _reading(analysis: "Analysis") -> str:
    items = [
        "Each run is one replicate world; strategies with the same seed chunk face the same "
        "random shocks, so their differences are paired.",
        "Read the paired differences before the raw means: they cancel the shared noise.",
        "Robustness asks which strategy is least bad across scenarios and design points "
        "(regret) or most often good enough (satisficing), not which is best on average.",
        *analysis.notes,
    ]
    notes = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    return f'<h2 id="reading">How to read this report</h2><ul class="notes">{notes}</ul>'


def _headline_table(analysis: "Analysis", scenario: str) -> str:
    summary = analysis.tables["summary"]
    table = summary[summary["scenario"] == scenario]
    cell = table.apply(
        lambda r: f"{r['mean']:.3g}" + (f" (#{r['rank']})" if pd.notna(r["rank"]) else ""),
        axis=1,
    )
    wide = table.assign(cell=cell).pivot(index="metric", columns="strategy", values="cell")
    wide = wide.reindex(index=analysis.metrics)
    arrows = {"max": " ↑", "min": " ↓"}
    wide.index = [f"{m}{arrows.get(analysis.results.outcomes[m].direction or '', '')}" for m in wide.index]
    wide = wide.rename_axis(index="metric", columns=None).reset_index()
    return (
        f'<p class="note">Mean over runs in {html.escape(scenario)}; (#rank) 1 = best; ↑ higher is '
        "better, ↓ lower is better.</p>" + wide.to_html(index=False, border=0, classes="data", na_rep="")
    )


def _regret_overview(regret: pd.DataFrame) -> str:
    wide = regret.pivot(index="metric", columns="strategy", values="regret_max")
    wide = wide.reindex(index=list(dict.fromkeys(regret["metric"]))).reset_index()
    wide.columns.name = None
    table = wide.to_html(
        index=False,
        border=0,
        classes="data",
        table_id="table-regret-overview",
        float_format=lambda v: f"{v:.3g}",
        na_rep="",
    )
    return (
        '<section><h2 id="regret-overview">Maximum regret by metric</h2><p class="note">'
        "The worst shortfall of each strategy from the best one over all scenarios and design "
        "points, in the metric's unit (0 = never beaten). Details under Regret across contexts."
        f"</p>{table}</section>"
    )


def _table_section(name: str, table: pd.DataFrame, collapsed: bool = False, note: str = "") -> str:
    title, reading = TABLES[name]
    note = f"{reading} {note}".strip()
    shown = table.head(MAX_HTML_ROWS)
    cut = (
        f'<p class="note">First {MAX_HTML_ROWS} of {len(table)} rows; all in {name}.csv.</p>'
        if len(table) > MAX_HTML_ROWS
        else f'<p class="note">Also in {name}.csv.</p>'
    )
    body = (
        shown.to_html(
            index=False,
            border=0,
            classes="data",
            table_id=f"table-{name}",
            na_rep="",
            float_format=lambda v: f"{v:.4g}",
        )
        if not table.empty
        else f'<p id="table-{name}" class="note">No rows.</p>'
    )
    if collapsed:
        return (
            f'<section><details><summary id="{name}">{html.escape(title)} ({len(table)} rows)'
            f'</summary><p class="note">{html.escape(note)}</p>{body}{cut}</details></section>'
        )
    return (
        f'<section><h2 id="{name}">{html.escape(title)}</h2>'
        f'<p class="note">{html.escape(note)}</p>{body}{cut}</section>'
    )


def _figure(name: str, png: bytes) -> str:
    kind = name.split("_")[0] if name.split("_")[0] in ("fan", "trade") else name
    title = FIGURE_TITLES.get(kind, name)
    scenario = name.split("_", 1)[1] if kind in ("fan", "trade") else ""
    caption = f"{title}{f' ({scenario})' if scenario else ''}. {FIGURE_NOTES.get(kind, '')}"
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure id="figure-{html.escape(name)}"><img alt="{html.escape(title)}" '
        f'src="data:image/png;base64,{data}"><figcaption>{html.escape(caption)}'
        "</figcaption></figure>"
    )


_CSS = """
.verdict li{margin:.5rem 0;font-size:1rem;line-height:1.45}
.tabs>input{position:absolute;opacity:0}
.tabs>label{display:inline-block;padding:.35rem .7rem;margin:0 .2rem .2rem 0;border:1px solid #ccd;
border-radius:4px;cursor:pointer;font-size:.85rem;background:#f3f5f8}
.tabs>input:checked+label{background:#0072B2;color:#fff;border-color:#0072B2}
.tabs>.panel{display:none;border-top:1px solid #ddd;padding-top:.5rem}
.charts{display:flex;flex-wrap:wrap;gap:12px}.charts svg{max-width:100%;height:auto}
h1 small{font-size:.8rem;color:#666;font-weight:400}
h4{font-size:.9rem;margin:.8rem 0 .2rem}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;background:#fff;
margin:0}
main{max-width:1200px;margin:0 auto;padding:1.5rem 2rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
h3{font-size:1rem}code{font-size:.9em}
table{border-collapse:collapse;font-size:.8rem;margin:.5rem 0;display:block;overflow-x:auto}
th,td{padding:.2rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
table.data td{text-align:right;font-variant-numeric:tabular-nums}
table.data td:first-child,table.data th:first-child{text-align:left}
table.data th{text-align:right}
details{margin:.8rem 0}summary{cursor:pointer;font-weight:600}
thead th{background:#f3f5f8}
p.note{color:#555;font-size:.85rem;margin:.3rem 0}
ul.notes li{margin:.2rem 0}
figure{margin:1.5rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#444}
"""
