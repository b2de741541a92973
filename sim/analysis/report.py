"""The analysis of a results folder: tables, figures and one self-contained ``report.html``.

:func:`analyze` computes every table of :mod:`sim.analysis.comparison`, :mod:`sim.analysis.robustness`,
:mod:`sim.analysis.sensitivity` and :mod:`sim.analysis.discovery` for a loaded results folder;
:func:`write_analysis` writes them as CSV files, the charts of :mod:`sim.analysis.charts` (SVG)
and the figures of :mod:`sim.analysis.plots` (PNG), ``analysis.json`` (the options used) and
``report.html``, which opens with a verdict in sentences (:mod:`sim.analysis.verdict`) and embeds
everything, so it can be sent as one file. ``docs/analysis.md`` explains how to read each part.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim.analysis import charts
from sim.analysis.comparison import paired_differences, run_status, summary_table
from sim.analysis.discovery import prim_available, prim_boxes
from sim.analysis.html import render_html
from sim.analysis.palette import strategy_colours
from sim.analysis.results import (
    TIMESERIES_KEY,
    Results,
    check_strategy,
    default_reference,
    load_results,
    resolve_metrics,
)
from sim.analysis.robustness import (
    Threshold,
    parse_thresholds,
    rank_stability,
    regret_table,
    robustness_ranking,
    satisficing_table,
)
from sim.analysis.sensitivity import CONSTANT_RESAMPLES, IMPOSSIBLE_INDICES, sensitivity
from sim.analysis.uncertainty import posterior_in_force, ranking_robustness, robustness_sentences
from sim.analysis.verdict import verdict
from sim.analysis.weights import resolve_weights, weighting_table
from sim.errors import UserError
from sim.files import atomic_write_bytes, check_writable


@dataclass
class Analysis:
    """Everything the analysis of one results folder produced.

    Attributes:
        results: the loaded results.
        reference: the reference strategy of the paired differences.
        metrics: the metrics analysed.
        thresholds: the satisficing thresholds.
        tables: table name (a key of ``sim.analysis.html.TABLES``) -> DataFrame, as computed.
        notes: what was skipped or should be known, one sentence each.
        figures: figure name -> PNG bytes.
        weights: weight of each ranked metric in the robustness ranking (sum 1).
        verdict: the report's opening sentences.
        charts: chart name -> inline SVG or HTML (the heat table, per-scenario fan charts).
    """

    results: Results
    reference: str
    metrics: list[str]
    thresholds: list[Threshold]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    figures: dict[str, bytes] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    verdict: list[str] = field(default_factory=list)
    charts: dict[str, str] = field(default_factory=dict)


def analyze(
    results: Results,
    *,
    reference: str | None = None,
    thresholds: list[str] | None = None,
    metrics: list[str] | None = None,
    weights: dict[str, float] | None = None,
) -> Analysis:
    """Compute every table that the results support, and the verdict.

    Args:
        results: the loaded results folder.
        reference: strategy to compare with; default ``multivector`` when present, else the
            first strategy.
        thresholds: satisficing expressions such as ``autonomy_mean>=0.7``.
        metrics: outcome columns to analyse; default the headline outcomes.
        weights: weight by concern or metric of the robustness ranking (see
            :mod:`sim.analysis.weights`); default equal weight per concern.

    Raises:
        UserError: an unknown strategy, metric or weight name, or a malformed threshold.
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
        tables["rank_stability"] = rank_stability(results, chosen)
    if rules:
        tables["satisficing"] = satisficing_table(results, rules)
    if "regret" in tables and not tables["regret"].empty:
        ranked = list(dict.fromkeys(tables["regret"]["metric"]))
        analysis.weights = resolve_weights(ranked, weights)
        tables["ranking"] = robustness_ranking(
            tables["regret"], tables.get("satisficing", _none()), analysis.weights
        )
        tables["weightings"] = weighting_table(tables["regret"], ranked, analysis.weights)
        analysis.verdict = verdict(results, tables, analysis.weights, [str(t) for t in rules])
        if posteriors := posterior_in_force(results):
            order = list(tables["ranking"]["strategy"])
            tables["posterior_robustness"] = ranking_robustness(results, order, chosen)
            analysis.verdict += robustness_sentences(tables["posterior_robustness"], posteriors)
        if analysis.verdict:
            analysis.verdict.append(VALIDITY_NOTE)
    found = sensitivity(results, chosen) if results.parameters else None
    if found is not None:
        tables[found[0]] = found[1]
        if constant := found[1].attrs.get(CONSTANT_RESAMPLES):
            analysis.notes.append(
                f"Sobol indices of {', '.join(constant)} are left empty where the outcome did not "
                "vary over the design's A and B samples (only in the rows that change one "
                "parameter): the estimate is undefined there; more samples may help."
            )
        if impossible := found[1].attrs.get(IMPOSSIBLE_INDICES):
            analysis.notes.append(
                f"Sobol indices of {', '.join(impossible)} are estimated above 1 somewhere, which "
                "no share of variance can be: the design has too few samples for these outcomes "
                "(see their half-widths); read their indices as unreliable, or sweep again with "
                "more samples."
            )
    _discover(analysis)
    _add_notes(analysis)
    return analysis


def _none() -> pd.DataFrame:
    return pd.DataFrame(columns=["strategy", "threshold", "share"])


def _discover(analysis: Analysis) -> None:
    if not analysis.results.parameters:
        return
    if not analysis.thresholds:
        analysis.notes.append(
            "Scenario discovery (PRIM) needs a threshold that defines failure; none was given."
        )
    elif not prim_available():
        analysis.notes.append(
            "Scenario discovery (PRIM) needs EMA Workbench: pip install 'multivector[ema]'."
        )
    else:
        analysis.tables["prim"] = prim_boxes(analysis.results, analysis.thresholds)


VALIDITY_NOTE = (
    "How far to trust the model (docs/validation.md): replaying 2011-2018 it beats persistence on "
    "trade shares and GDP growth; replaying 2018-2023, years it never saw, it misses China's rise "
    "and trade with Russia holding after the 2022 sanctions. Read differences between strategies "
    "as comparisons between mechanisms, not as forecasts of trade shares."
)
"""Every report says what the hindcasts found (last in the verdict, else in the notes), so no
ranking reads as a forecast."""


def _add_notes(analysis: Analysis) -> None:
    results, notes = analysis.results, analysis.notes
    failed = int((results.runs["status"] == "error").sum())
    if failed:
        notes.append(f"{failed} of {len(results.runs)} runs failed and are left out (see status).")
    if len(results.strategies) < 2:
        notes.append("One strategy only: no paired differences, regret or ranking.")
    if not analysis.thresholds:
        notes.append("No threshold given: satisficing shares are not computed.")
    design = results.sweep.get("design")
    if results.parameters and design not in ("sobol", "morris"):
        notes.append(f"Sensitivity indices need a sobol or morris sweep; this design is {design}.")
    if results.timeseries is None:
        notes.append("No timeseries.csv: figures over time are left out.")
    if VALIDITY_NOTE not in analysis.verdict:
        notes.append(VALIDITY_NOTE)
    if len(results.strategies) > 1 and not posterior_in_force(results):
        notes.append(
            "Every replicate used the same parameters (no calibration posterior in force): the "
            "ranking is not checked against parameter uncertainty."
        )


def make_figures(analysis: Analysis) -> None:
    """Draw the report's charts (``analysis.charts``, SVG/HTML) and figures (PNG bytes)."""
    results, figures, drawn = analysis.results, analysis.figures, analysis.charts
    colours = strategy_colours(results.strategies, analysis.reference)
    series = results.timeseries
    if series is not None and not series.empty and any(s in series.columns for s in TIMESERIES_KEY):
        q = charts.quantiles(series)
        labels = charts.step_labels(series)
        for scenario in results.scenarios:
            drawn[f"fan_{scenario}"] = charts.scenario_fans(q, scenario, colours, labels)
            drawn[f"trade_{scenario}"] = charts.trade_table(series, scenario, list(colours))
    ranked = [m for m in analysis.metrics if results.outcomes[m].direction][:6]
    if "paired" in analysis.tables and ranked:
        drawn["paired"] = charts.paired_forests(analysis.tables["paired"], ranked, colours)
    if {"autonomy_mean", "welfare_final"} <= set(results.outcomes):
        drawn["welfare_autonomy"] = charts.welfare_autonomy(results.ok, colours)
    for method in ("sobol", "morris"):
        if method in analysis.tables and not analysis.tables[method].empty:
            from sim.analysis import plots  # matplotlib (about a second) only for sweeps

            figures["sensitivity"] = plots.to_png(
                plots.sensitivity_bars(analysis.tables[method], method, analysis.metrics[:4], colours)
            )


def write_analysis(
    results_dir: str | Path,
    out_dir: str | Path | None = None,
    *,
    reference: str | None = None,
    thresholds: list[str] | None = None,
    metrics: list[str] | None = None,
    figures: bool = True,
    weights: dict[str, float] | None = None,
) -> Path:
    """Analyse a results folder and write CSV tables, figures and ``report.html``.

    Args:
        results_dir: folder written by ``multivector run`` or ``multivector sweep``.
        out_dir: where to write; default ``RESULTS_DIR/analysis``. An existing folder is
            reused only if it is empty or holds an earlier analysis (``analysis.json``).
        reference: reference strategy (default ``multivector`` when present).
        thresholds: satisficing expressions such as ``autonomy_mean>=0.7``.
        metrics: outcome columns (default the headline outcomes).
        figures: draw charts and figures (SVG and PNG files, and in the report).
        weights: weight by concern or metric of the robustness ranking (default: equal per
            concern; see :mod:`sim.analysis.weights`).

    Returns:
        The path of ``report.html``.

    Raises:
        UserError: unreadable results, unknown names, or an output folder that is not ours.
    """
    results = load_results(results_dir)
    out = Path(out_dir) if out_dir is not None else results.path / "analysis"
    _check_out_dir(out)
    earlier = _earlier_files(out)
    analysis = analyze(results, reference=reference, thresholds=thresholds, metrics=metrics, weights=weights)
    if figures:
        make_figures(analysis)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in analysis.tables.items():
        atomic_write_bytes(out / f"{name}.csv", table.to_csv(index=False).encode())
    for name, png in analysis.figures.items():
        (out / "figures").mkdir(exist_ok=True)
        atomic_write_bytes(out / "figures" / f"{name}.png", png)
    atomic_write_bytes(out / "analysis.json", json.dumps(_options(analysis), indent=2).encode())
    report = out / "report.html"
    atomic_write_bytes(report, render_html(analysis).encode())
    written = {f"{name}.csv" for name in analysis.tables} | {
        f"figures/{name}.png" for name in analysis.figures
    }
    for name in earlier - written:  # an earlier analysis's table this one has not (satisficing.csv ...)
        (out / name).unlink(missing_ok=True)
    return report


def _earlier_files(out: Path) -> set[str]:
    """The tables and figures an earlier analysis in ``out`` listed in its analysis.json.

    A new analysis replaces them; those it does not write again are removed after it is
    written, so a table of other options (thresholds, a sweep's indices) never sits beside
    it as if it were its own. Only names of the analysis's own form count: a user's files stay.
    """
    try:
        listed = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(listed, dict):
        return set()
    names = [*listed.get("tables", []), *listed.get("figures", [])]
    own = re.compile(r"(figures/)?[A-Za-z0-9_]+\.(csv|png)")
    return {n for n in names if isinstance(n, str) and own.fullmatch(n)}


def _check_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"`out_dir` {out}: is a file; expected a folder for the analysis")
    check_writable(out)
    if out.is_dir() and any(out.iterdir()) and not (out / "analysis.json").is_file():
        raise UserError(
            f"`out_dir` {out}: folder is not empty and holds no earlier analysis; expected an "
            "empty or new folder (nothing was overwritten)"
        )


def _options(analysis: Analysis) -> dict:
    return {
        "results": str(analysis.results.path),
        "reference": analysis.reference,
        "metrics": analysis.metrics,
        "thresholds": [str(t) for t in analysis.thresholds],
        "weights": analysis.weights,
        "verdict": analysis.verdict,
        "tables": [f"{name}.csv" for name in analysis.tables],
        "figures": [f"figures/{name}.png" for name in analysis.figures],
        "charts": list(analysis.charts),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
