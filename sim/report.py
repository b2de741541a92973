"""The analysis of a results folder: tables, figures and one self-contained ``report.html``.

:func:`analyze` computes every table of :mod:`sim.comparison`, :mod:`sim.robustness`,
:mod:`sim.sensitivity` and :mod:`sim.discovery` for a loaded results folder;
:func:`write_analysis` writes them as CSV files, the figures of :mod:`sim.plots` as PNG files,
``analysis.json`` (the options used) and ``report.html``, which embeds the figures as base64
PNG so it can be sent as one file. ``docs/analysis.md`` explains how to read each part.
"""

import base64
import html
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim import plots
from sim.analysis import (
    TIMESERIES_KEY,
    Results,
    check_strategy,
    default_reference,
    load_results,
    resolve_metrics,
)
from sim.comparison import paired_differences, run_status, summary_table
from sim.discovery import prim_available, prim_boxes
from sim.errors import UserError
from sim.robustness import (
    Threshold,
    parse_thresholds,
    regret_table,
    robustness_ranking,
    satisficing_table,
)
from sim.sensitivity import sensitivity

TABLES: dict[str, tuple[str, str]] = {
    "status": ("Runs by status", "Runs per strategy and scenario; failed runs are left out."),
    "summary": (
        "Outcome statistics",
        "Mean, sd, 5/50/95th percentiles and the 95% confidence interval of the mean over "
        "runs; rank 1 is the best mean in the scenario by the metric's direction.",
    ),
    "paired": (
        "Paired differences from the reference",
        "Strategy minus reference within runs that share a seed; an interval that excludes "
        "0 is a difference the replicates resolve. share_better: pairs where the strategy won.",
    ),
    "regret": (
        "Regret across contexts",
        "Shortfall from the best strategy in each scenario x design point (replicate means); "
        "rank 1 has the smallest maximum regret (minimax regret).",
    ),
    "satisficing": (
        "Satisficing",
        "Share of runs meeting each threshold and all of them; share_worst_context is the "
        "lowest share in any scenario x design point.",
    ),
    "ranking": (
        "Robustness ranking",
        "Ordered by the all-threshold satisficing share, then by the mean minimax-regret rank.",
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
}
"""Table name -> (title, reading note). The CSV of table ``name`` is ``<name>.csv``."""

MAX_HTML_ROWS = 80
"""Longer tables are cut in the HTML report (the CSV holds every row)."""


@dataclass
class Analysis:
    """Everything the analysis of one results folder produced.

    Attributes:
        results: the loaded results.
        reference: the reference strategy of the paired differences.
        metrics: the metrics analysed.
        thresholds: the satisficing thresholds.
        tables: table name (a key of :data:`TABLES`) -> DataFrame, only those computed.
        notes: what was skipped or should be known, one sentence each.
        figures: figure name -> PNG bytes.
    """

    results: Results
    reference: str
    metrics: list[str]
    thresholds: list[Threshold]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    figures: dict[str, bytes] = field(default_factory=dict)


def analyze(
    results: Results,
    *,
    reference: str | None = None,
    thresholds: list[str] | None = None,
    metrics: list[str] | None = None,
) -> Analysis:
    """Compute every table that the results support.

    Args:
        results: the loaded results folder.
        reference: strategy to compare with; default ``multivector`` when present, else the
            first strategy.
        thresholds: satisficing expressions such as ``autonomy_mean>=0.7``.
        metrics: outcome columns to analyse; default the headline outcomes.

    Raises:
        UserError: an unknown strategy or metric, or a malformed threshold.
    """
    chosen = resolve_metrics(results, metrics)
    ref = check_strategy(results, reference) if reference else default_reference(results)
    rules = parse_thresholds(results, thresholds or [])
    analysis = Analysis(results, ref, chosen, rules)
    tables = analysis.tables
    tables["status"] = run_status(results)
    tables["summary"] = summary_table(results, chosen)
    if len(results.strategies) > 1:
        tables["paired"] = paired_differences(results, ref, chosen)
        tables["regret"] = regret_table(results, chosen)
    if rules:
        tables["satisficing"] = satisficing_table(results, rules)
    if "regret" in tables:
        tables["ranking"] = robustness_ranking(tables["regret"], tables.get("satisficing", _none()))
    found = sensitivity(results, chosen) if results.parameters else None
    if found is not None:
        tables[found[0]] = found[1]
    _discover(analysis)
    _add_notes(analysis)
    return analysis


def _none() -> pd.DataFrame:
    return pd.DataFrame(columns=["strategy", "threshold", "share"])


def _discover(analysis: Analysis) -> None:
    if not analysis.results.parameters:
        return
    if not analysis.thresholds:
        analysis.notes.append("Scenario discovery (PRIM) needs --threshold; none was given.")
    elif not prim_available():
        analysis.notes.append(
            "Scenario discovery (PRIM) needs EMA Workbench: pip install 'multivector[ema]'."
        )
    else:
        analysis.tables["prim"] = prim_boxes(analysis.results, analysis.thresholds)


def _add_notes(analysis: Analysis) -> None:
    results, notes = analysis.results, analysis.notes
    failed = int((results.runs["status"] == "error").sum())
    if failed:
        notes.append(f"{failed} of {len(results.runs)} runs failed and are left out (see status).")
    if len(results.strategies) < 2:
        notes.append("One strategy only: no paired differences, regret or ranking.")
    if not analysis.thresholds:
        notes.append("No --threshold given: satisficing shares are not computed.")
    design = results.sweep.get("design")
    if results.parameters and design not in ("sobol", "morris"):
        notes.append(f"Sensitivity indices need a sobol or morris sweep; this design is {design}.")
    if results.timeseries is None:
        notes.append("No timeseries.csv: figures over time are left out.")


def make_figures(analysis: Analysis) -> None:
    """Draw the report's figures into ``analysis.figures`` (PNG bytes)."""
    results, figures = analysis.results, analysis.figures
    colours = plots.strategy_colours(results.strategies, analysis.reference)
    scenarios = results.scenarios[:3]
    series = results.timeseries
    if series is not None and not series.empty:
        key = [s for s in TIMESERIES_KEY if s in series.columns]
        for scenario in scenarios:
            if key:
                figures[f"fan_{scenario}"] = plots.to_png(
                    plots.fan_chart(series, scenario, key, colours)
                )
            if any(c.startswith("share_") for c in series.columns):
                figures[f"trade_{scenario}"] = plots.to_png(
                    plots.trade_shares(series, scenario, list(colours))
                )
    ranked = [m for m in analysis.metrics if results.outcomes[m].direction][:6]
    if ranked:
        figures["heatmap"] = plots.to_png(
            plots.heatmap(analysis.tables["summary"], ranked, list(colours))
        )
    if {"autonomy_mean", "welfare_final"} <= set(results.outcomes):
        figures["welfare_autonomy"] = plots.to_png(plots.welfare_autonomy(results.ok, colours))
    if "paired" in analysis.tables and ranked:
        figures["paired"] = plots.to_png(
            plots.paired_forest(analysis.tables["paired"], ranked, colours)
        )
    for method in ("sobol", "morris"):
        if method in analysis.tables and not analysis.tables[method].empty:
            figures["sensitivity"] = plots.to_png(
                plots.sensitivity_bars(
                    analysis.tables[method], method, analysis.metrics[:4], colours
                )
            )


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


def write_analysis(
    results_dir: str | Path,
    out_dir: str | Path | None = None,
    *,
    reference: str | None = None,
    thresholds: list[str] | None = None,
    metrics: list[str] | None = None,
    figures: bool = True,
) -> Path:
    """Analyse a results folder and write CSV tables, figures and ``report.html``.

    Args:
        results_dir: folder written by ``multivector run`` or ``multivector sweep``.
        out_dir: where to write; default ``RESULTS_DIR/analysis``. An existing folder is
            reused only if it is empty or holds an earlier analysis (``analysis.json``).
        reference: reference strategy (default ``multivector`` when present).
        thresholds: satisficing expressions such as ``autonomy_mean>=0.7``.
        metrics: outcome columns (default the headline outcomes).
        figures: draw figures (PNG files and in the report).

    Returns:
        The path of ``report.html``.

    Raises:
        UserError: unreadable results, unknown names, or an output folder that is not ours.
    """
    results = load_results(results_dir)
    out = Path(out_dir) if out_dir is not None else results.path / "analysis"
    _check_out_dir(out)
    analysis = analyze(results, reference=reference, thresholds=thresholds, metrics=metrics)
    if figures:
        make_figures(analysis)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in analysis.tables.items():
        _atomic_write(out / f"{name}.csv", table.to_csv(index=False).encode())
    for name, png in analysis.figures.items():
        (out / "figures").mkdir(exist_ok=True)
        _atomic_write(out / "figures" / f"{name}.png", png)
    _atomic_write(out / "analysis.json", json.dumps(_options(analysis), indent=2).encode())
    report = out / "report.html"
    _atomic_write(report, render_html(analysis).encode())
    return report


def _check_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: is a file; expected a folder for the analysis")
    if out.is_dir() and any(out.iterdir()) and not (out / "analysis.json").is_file():
        raise UserError(
            f"--out {out}: folder is not empty and holds no earlier analysis; expected an "
            "empty or new folder (nothing was overwritten)"
        )


def _options(analysis: Analysis) -> dict:
    return {
        "results": str(analysis.results.path),
        "reference": analysis.reference,
        "metrics": analysis.metrics,
        "thresholds": [str(t) for t in analysis.thresholds],
        "tables": [f"{name}.csv" for name in analysis.tables],
        "figures": [f"figures/{name}.png" for name in analysis.figures],
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over ``path``."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def render_html(analysis: Analysis) -> str:
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
    for name, table in analysis.tables.items():
        title, note = TABLES[name]
        parts.append(_table_section(name, title, note, table))
    if analysis.figures:
        parts.append('<h2 id="figures">Figures</h2>')
    for name, png in analysis.figures.items():
        parts.append(_figure(name, png))
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _provenance(analysis: Analysis) -> str:
    results, manifest = analysis.results, analysis.results.manifest
    rows = [
        ("kind", results.kind),
        ("command", manifest.get("command", "")),
        ("created", manifest.get("created", "")),
        ("root seed", manifest.get("root_seed", "")),
        ("git commit", manifest.get("git_commit", manifest.get("git", ""))),
        ("runs", f"{len(results.runs)} ({len(results.ok)} ok)"),
        ("strategies", ", ".join(results.strategies)),
        ("scenarios", ", ".join(results.scenarios)),
        ("versions", _pairs(manifest.get("versions"))),
        ("counts", _pairs(manifest.get("counts"))),
    ]
    sweep = results.sweep
    if sweep:
        rows.append(
            ("sweep design", f"{sweep.get('design', '')}, samples {sweep.get('samples', '')}")
        )
        rows.append(("parameters", _pairs(sweep.get("parameters"))))
    rows += [
        ("reference strategy", analysis.reference),
        ("metrics", ", ".join(analysis.metrics)),
        ("thresholds", ", ".join(str(t) for t in analysis.thresholds) or "none"),
    ]
    if not manifest:
        rows.insert(0, ("manifest", "none: manifest.json is missing"))
    body = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows
    )
    return f'<h2 id="provenance">Provenance</h2><table id="table-provenance">{body}</table>'


def _pairs(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_pairs(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _reading(analysis: Analysis) -> str:
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


def _headline(analysis: Analysis) -> str:
    summary = analysis.tables["summary"]
    blocks = ['<h2 id="headline">Headline comparison</h2>']
    for scenario in analysis.results.scenarios:
        table = summary[summary["scenario"] == scenario]
        cell = table.apply(
            lambda r: f"{r['mean']:.3g}" + (f" (#{r['rank']})" if pd.notna(r["rank"]) else ""),
            axis=1,
        )
        wide = table.assign(cell=cell).pivot(index="strategy", columns="metric", values="cell")
        wide = wide.reindex(columns=analysis.metrics).reset_index()
        blocks.append(f"<h3>{html.escape(scenario)}</h3>")
        blocks.append(
            '<p class="note">Mean over runs, (#rank) 1 = best by the metric\'s direction.</p>'
        )
        blocks.append(wide.to_html(index=False, border=0, classes="data", na_rep=""))
    return "\n".join(blocks)


def _table_section(name: str, title: str, note: str, table: pd.DataFrame) -> str:
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
table.data td:first-child{text-align:left}
thead th{background:#f3f5f8}
p.note{color:#555;font-size:.85rem;margin:.3rem 0}
ul.notes li{margin:.2rem 0}
figure{margin:1.5rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#444}
"""
