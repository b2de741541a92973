"""The model's commands: ``run``, ``scenarios`` (list, show), ``strategies`` and ``validate``.

Each parses, calls the library, prints and exits; ``sim.cli.app`` registers them.
"""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sim.cli.common import (
    ForceOption,
    QuietOption,
    SeedOption,
    fail,
    handle_user_errors,
    out_option,
    print_error,
    progress_bar,
)
from sim.errors import UserError

scenarios_app = typer.Typer(help="List shipped scenarios, or show one resolved.", invoke_without_command=True)


@handle_user_errors
def run(
    scenarios: Annotated[
        list[str] | None,
        typer.Argument(help="Scenario names or TOML files (default: all present-day)."),
    ] = None,
    strategy: Annotated[
        list[str] | None,
        typer.Option("--strategy", "-s", help="Strategy name; repeat for several (default: all)."),
    ] = None,
    replicates: Annotated[
        int, typer.Option("--replicates", "-r", help="Replicate runs per scenario x strategy, at least 1.")
    ] = 100,
    steps: Annotated[
        int | None,
        typer.Option(
            "--steps", help="Quarters to simulate, 1 to 400 (default: the scenario's, 48 = 12 years)."
        ),
    ] = None,
    seed: SeedOption = 1,
    record_every: Annotated[
        int,
        typer.Option(
            "--record-every",
            help="Quarters between timeseries.csv rows (4 = yearly; 0 = no timeseries.csv).",
        ),
    ] = 4,
    out: out_option("results/latest") = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Write OUT/analysis/report.html and its tables.")
    ] = True,
) -> None:
    """Run scenarios x strategies and write runs.csv, timeseries.csv and manifest.json."""
    from sim.experiments.experiment import RunRequest, plan_experiment, run_experiment, summarise

    request = RunRequest(tuple(scenarios or ()), tuple(strategy or ()), replicates, steps, seed, record_every)
    plan = plan_experiment(request)
    if steps is None:  # a --steps shorter than the scenario is the user's choice, not a surprise
        _note_late_events(plan.scenarios)
    out = out or Path("results/latest")
    with progress_bar(plan.total_runs, quiet) as advance:
        runs = run_experiment(plan, out, force, advance)
    if not quiet:
        _print_summary(summarise(runs))
    try:
        report_path = _write_report(out) if report else None
    except KeyboardInterrupt:
        raise fail(
            f"interrupted while writing the report; the runs in {out} are complete: "
            f"`multivector analyze {out}` writes the report",
            130,
        ) from None
    typer.echo(
        f"wrote {len(runs)} runs to {out}/" + (f"; report: {report_path}" if report_path else ""),
        err=quiet,
    )


def _note_late_events(scenarios) -> None:
    from sim.experiments.experiment import events_after_the_end

    for scenario in scenarios:
        if note := events_after_the_end(scenario):
            typer.echo(f"note: {note}", err=True)


def _write_report(out: Path) -> Path:
    from sim.analysis.report import write_analysis

    return write_analysis(out, out / "analysis")


def _print_summary(summary) -> None:
    from sim.experiments.experiment import SUMMARY_OUTCOMES, outcome_label

    table = Table(title="Strategies across all scenarios: mean [2.5%, 97.5%] of runs")
    table.add_column("strategy")
    for name in SUMMARY_OUTCOMES:
        table.add_column(outcome_label(name), justify="right")
    for d in summary.to_dict("records"):
        cells = [
            f"{d[f'{n}_mean']:.3f} [{d[f'{n}_p2.5']:.2f}, {d[f'{n}_p97.5']:.2f}]" for n in SUMMARY_OUTCOMES
        ]
        table.add_row(d["strategy"], *cells)
    Console(width=200).print(table)


@scenarios_app.callback()
@handle_user_errors
def scenarios_list(ctx: typer.Context) -> None:
    """List the shipped scenarios with their descriptions."""
    if ctx.invoked_subcommand is not None:
        return
    from sim.model.scenario import load_scenario, shipped_scenarios

    for name in shipped_scenarios():
        s = load_scenario(name)
        tag = "" if s.present_day else " (not in the default run)"
        typer.echo(f"{name}{tag}: {s.description}")


@scenarios_app.command("show")
@handle_user_errors
def scenarios_show(
    name: Annotated[str, typer.Argument(help="Scenario name or TOML file.")],
) -> None:
    """Print a scenario resolved (after extends) as JSON."""
    from sim.model.scenario import load_scenario

    typer.echo(json.dumps(load_scenario(name).model_dump(mode="json"), indent=2))


def strategies() -> None:
    """List the balancing strategies with one-line descriptions."""
    from sim.model.strategies import STRATEGIES

    for name, cls in STRATEGIES.items():
        typer.echo(f"{name}: {cls.summary}")


@handle_user_errors
def validate(files: Annotated[list[str], typer.Argument(help="Scenario files to check.")]) -> None:
    """Check scenario files; print 'ok' or one error line per file."""
    from sim.evidence.facts import known_fact_ids
    from sim.model.scenario import load_scenario

    failed = 0
    facts = known_fact_ids()
    for file in files:
        try:
            scenario = load_scenario(file, known_facts=facts)
            typer.echo(f"{file}: ok")
            _note_late_events([scenario])
        except UserError as err:
            failed += 1
            print_error(str(err))
    if failed:
        raise typer.Exit(1)
