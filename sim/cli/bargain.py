"""The ``bargain`` command: issue-level forecasts with BDM and KTAB beside two baselines.

It parses, calls :mod:`sim.bargaining`, prints a table and exits; ``sim.cli.app`` registers it.
"""

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sim.cli.common import (
    ForceOption,
    QuietOption,
    SeedOption,
    handle_user_errors,
    out_option,
    taken_back_on_interrupt,
)


class ModelChoice(StrEnum):
    """Which bargaining model(s) to run."""

    bdm = "bdm"
    ktab = "ktab"
    all = "all"


@handle_user_errors
def bargain(
    files: Annotated[
        list[Path], typer.Argument(help="Issue files: long-form CSV or TOML (scenarios/issues/*.toml).")
    ],
    model: Annotated[ModelChoice, typer.Option("--model", "-m", help="bdm, ktab or all.")] = ModelChoice.bdm,
    replicates: Annotated[
        int, typer.Option("--replicates", "-r", min=1, help="Perturbed replicates per issue.")
    ] = 100,
    seed: SeedOption = 1,
    rounds: Annotated[int, typer.Option("--rounds", min=1, help="Most bargaining rounds per issue.")] = 50,
    from_run: Annotated[
        Path | None, typer.Option("--from-run", help="A run folder whose state at --at sets the powers.")
    ] = None,
    at: Annotated[str | None, typer.Option("--at", help="Quarter of --from-run, e.g. 2027Q4.")] = None,
    out: out_option("results/bargain") = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Forecast single decisions (BDM, KTAB); write forecast.csv, rounds.csv, a figure and manifest.json."""
    from sim.bargaining.forecast import bargain as run_bargain
    from sim.bargaining.issues import read_issues
    from sim.bargaining.link import apply_run
    from sim.bargaining.output import write_results
    from sim.bargaining.score import score
    from sim.errors import UserError
    from sim.files import now, prepare_output_dir

    started = now()
    if (from_run is None) != (at is None):
        raise UserError("`from_run` and `at` go together")
    issues = read_issues(files)
    if from_run is not None:
        issues = apply_run(issues, from_run, at)
    models = ("bdm", "ktab") if model is ModelChoice.all else (model.value,)
    out = prepare_output_dir(out or Path("results/bargain"), force)
    result = run_bargain(issues, models, replicates, seed, rounds, workers=min(2, os.cpu_count() or 1))
    scores = score(issues, result.forecast)
    inputs = {
        "command": " ".join(["multivector", *sys.argv[1:]]),
        "files": [str(f) for f in files],
        "models": list(models),
        "replicates": replicates,
        "seed": seed,
        "rounds": rounds,
        "from_run": None if from_run is None else str(from_run),
        "at": at,
    }
    with taken_back_on_interrupt(out, OUTPUT_FILES):  # the figure takes a second, after the CSVs
        write_results(out, issues, result, scores, inputs, started)
    if not quiet:
        table = Table(title=f"Forecasts (median [5%, 95%] of {replicates} replicates) -> {out}")
        for column in ("issue", "model", "forecast", "weighted mean", "weighted median", "rounds"):
            table.add_column(column, justify="left" if column in ("issue", "model") else "right")
        for row in result.forecast.itertuples():
            table.add_row(
                row.issue,
                row.model,
                f"{row.forecast:.1f} [{row.forecast_low:.1f}, {row.forecast_high:.1f}]",
                f"{row.weighted_mean:.1f}",
                f"{row.weighted_median:.1f}",
                f"{row.rounds}{'' if row.converged else '+'}",
            )
        Console(width=140).print(table)


OUTPUT_FILES = ("forecast.csv", "rounds.csv", "scores.csv", "positions.png", "manifest.json")
"""What ``bargain`` writes into its folder (``sim.bargaining.output.write_results``)."""
