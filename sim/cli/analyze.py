"""The ``analyze`` and ``export`` commands (registered by ``sim.cli.app``).

Each parses, calls the library, reports where the output went and returns; a user's mistake
prints one line on stderr and exits with code 2. Parameters are named as in the library
(``out_dir``, ``thresholds``), so its error messages come out as this command's flags.
"""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import QuietOption, handle_user_errors, working


class ExportFormat(StrEnum):
    """Formats ``multivector export`` writes."""

    ema = "ema"


ResultsDir = Annotated[
    Path,
    typer.Argument(
        help="Results folder written by `multivector run` or `multivector sweep`.",
        metavar="RESULTS_DIR",
        show_default=False,
    ),
]
OutDir = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Folder for the tables, figures and report.html.",
        show_default="RESULTS_DIR/analysis",
    ),
]
Reference = Annotated[
    str | None,
    typer.Option(
        "--reference",
        "-r",
        help="Strategy the others are compared with.",
        show_default="multivector, if present",
    ),
]
Thresholds = Annotated[
    list[str] | None,
    typer.Option(
        "--threshold",
        "-t",
        help="Satisficing condition METRIC OP NUMBER, e.g. autonomy_mean>=0.7; repeatable. "
        "Also defines failure for scenario discovery (PRIM).",
        show_default=False,
    ),
]
Metrics = Annotated[
    list[str] | None,
    typer.Option(
        "--metric",
        "-m",
        help="Outcome column to analyse; repeatable.",
        show_default="the headline outcomes",
    ),
]
Weights = Annotated[
    str | None,
    typer.Option(
        "--weights",
        "-w",
        help="Weights of the robustness ranking by concern or outcome: NAME=NUMBER,... (e.g. "
        "welfare=2,security=1) or a TOML file of NAME = NUMBER.",
        show_default="equal per concern",
    ),
]
NoFigures = Annotated[
    bool,
    typer.Option("--no-figures", help="Write tables and the report without figures."),
]
Format = Annotated[
    ExportFormat,
    typer.Option("--format", "-f", help="Export format: ema (EMA Workbench tar.gz)."),
]
OutFile = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="File to write.",
        show_default="RESULTS_DIR/ema_results.tar.gz",
    ),
]


@handle_user_errors
def analyze(
    results_dir: ResultsDir,
    out_dir: OutDir = None,
    reference: Reference = None,
    thresholds: Thresholds = None,
    metrics: Metrics = None,
    weights: Weights = None,
    no_figures: NoFigures = False,
    quiet: QuietOption = False,
) -> None:
    """Compare strategies in a results folder: tables, figures and report.html."""
    from sim.analysis.report import write_analysis
    from sim.analysis.weights import parse_weights

    with working(f"analysing {results_dir}", quiet):
        report = write_analysis(
            results_dir,
            out_dir,
            reference=reference,
            thresholds=thresholds or [],
            metrics=metrics or None,
            figures=not no_figures,
            weights=parse_weights(weights),
        )
    if not quiet:
        typer.echo(f"Wrote {report.parent}/ (tables *.csv, figures/, report.html)")
        typer.echo(f"Open {report}")


@handle_user_errors
def export(
    results_dir: ResultsDir,
    format: Format = ExportFormat.ema,
    out_file: OutFile = None,
    quiet: QuietOption = False,
) -> None:
    """Export a results folder for another tool (ema: EMA Workbench's load_results)."""
    from sim.analysis.export import EXPORTERS

    with working(f"exporting {results_dir} ({format.value})", quiet):
        written = EXPORTERS[format.value](results_dir, out_file)
    if not quiet:
        typer.echo(f"Wrote {written}")
