"""The HTML page of an analysis: provenance, reading notes, tables and embedded figures.

:func:`render_html` turns an :class:`~sim.analysis.report.Analysis` into one self-contained page:
figures are embedded as base64 PNG and the style sheet is inline, so the file can be sent on
its own and opened in any browser. Each table has the id ``table-<name>`` and each figure the
id ``figure-<name>``.
"""

import base64
import html
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from sim.analysis.report import Analysis

TABLES: dict[str, tuple[str, str]] = {
    "ranking": (
        "Robustness ranking",
        "Ordered by the all-threshold satisficing share, then by the mean minimax-regret rank.",
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
    "paired": "Dots left or right of 0 with bars not crossing 0 are resolved differences.",
    "sensitivity": "Longer bars: parameters that drive the outcome; fix the short ones.",
}


def render_html(analysis: "Analysis") -> str:
    """The self-contained report: provenance, notes, tables and embedded figures."""
    results = analysis.results
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>multivector analysis: {html.escape(results.path.name)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>multivector analysis of <code>{html.escape(str(results.path))}</code></h1>",
        _provenance(analysis),
        _reading(analysis),
    ]
    if "summary" in analysis.tables:
        parts.append(_headline(analysis))
    tables = analysis.tables
    for name in (n for n in TABLES if n in tables and n not in COLLAPSED):
        parts.append(_table_section(name, tables[name]))
    if "regret" in tables and not tables["regret"].empty:
        parts.append(_regret_overview(tables["regret"]))
    if analysis.figures:
        parts.append('<h2 id="figures">Figures</h2>')
    for name, png in analysis.figures.items():
        parts.append(_figure(name, png))
    if any(n in tables for n in COLLAPSED):
        parts.append('<h2 id="details">Detailed tables</h2>')
    for name in (n for n in TABLES if n in tables and n in COLLAPSED):
        parts.append(_table_section(name, tables[name], collapsed=True))
    parts.append("</main></body></html>")
    return "\n".join(parts)


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


def _headline(analysis: "Analysis") -> str:
    summary = analysis.tables["summary"]
    blocks = ['<h2 id="headline">Headline comparison</h2>']
    for scenario in analysis.results.scenarios:
        table = summary[summary["scenario"] == scenario]
        cell = table.apply(
            lambda r: f"{r['mean']:.3g}" + (f" (#{r['rank']})" if pd.notna(r["rank"]) else ""),
            axis=1,
        )
        wide = table.assign(cell=cell).pivot(index="metric", columns="strategy", values="cell")
        wide = wide.reindex(index=analysis.metrics)
        arrows = {"max": " (higher better)", "min": " (lower better)"}
        wide.index = [
            f"{m}{arrows.get(analysis.results.outcomes[m].direction or '', '')}" for m in wide.index
        ]
        wide = wide.rename_axis(index="metric", columns=None).reset_index()
        blocks.append(f"<h3>{html.escape(scenario)}</h3>")
        blocks.append('<p class="note">Mean over runs, (#rank) 1 = best by the metric\'s direction.</p>')
        blocks.append(wide.to_html(index=False, border=0, classes="data", na_rep=""))
    return "\n".join(blocks)


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


def _table_section(name: str, table: pd.DataFrame, collapsed: bool = False) -> str:
    title, note = TABLES[name]
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
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;background:#fff;
margin:0}
main{max-width:1100px;margin:0 auto;padding:1.5rem 2rem}
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
