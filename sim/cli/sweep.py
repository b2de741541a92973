"""The ``sweep`` and ``parameters`` commands (registered by ``sim.cli.app``).

``multivector sweep SPEC`` runs a sweep spec (docs/sweeps.md); ``multivector parameters``
lists every path a spec may vary, with its type, default and allowed range.
"""

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import ForceOption, QuietOption, fail, handle_user_errors, out_option, progress_bar
from sim.experiments.backends import BACKENDS

RESULTS_DIR = Path("results") / "sweeps"

SpecArgument = Annotated[Path, typer.Argument(help="Sweep spec (TOML), e.g. scenarios/sweeps/x.toml.")]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", "-w", min=1, help="Worker processes (default: the CPU count)."),
]
BackendOption = Annotated[
    str,
    typer.Option(
        "--backend", metavar=f"[{'|'.join(BACKENDS)}]", help="Where runs execute: local (processes) or dask."
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option("--scheduler", help="Dask scheduler address (tcp://host:8786); default: a local cluster."),
]
ResumeOption = Annotated[
    bool, typer.Option("--resume", help="Continue an interrupted sweep in --out, keeping its runs.")
]
ScenarioOption = Annotated[
    str, typer.Option("--scenario", "-s", help="Scenario whose paths and defaults to list.")
]
MatchOption = Annotated[
    str | None, typer.Argument(help="Show only paths containing this text (e.g. russia).")
]


@handle_user_errors
def sweep(
    spec: SpecArgument,
    out: out_option("results/sweeps/NAME, the spec's name") = None,
    workers: WorkersOption = None,
    backend: BackendOption = "local",
    scheduler: SchedulerOption = None,
    resume: ResumeOption = False,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Run every design point x scenario x strategy x replicate of a sweep spec."""
    from sim.experiments.backends import default_workers
    from sim.experiments.sweep import run_sweep
    from sim.experiments.sweep_spec import load_sweep, spec_summary

    plan = load_sweep(spec)
    out = out if out is not None else RESULTS_DIR / plan.spec.name
    workers = workers if workers is not None else default_workers()
    with progress_bar(plan.runs_planned, quiet) as advance:
        said = False

        def started_then_advance(runs: int, failed: int) -> None:
            # The plan is printed once the sweep has passed its checks and starts work, so
            # that a mistake is the only line a user sees.
            nonlocal said
            if not said and not quiet:
                typer.echo(f"planned: {spec_summary(plan)}")
            said = True
            advance(runs, failed)

        try:
            summary = run_sweep(
                plan, out, backend=backend, workers=workers, scheduler=scheduler,
                resume=resume, force=force, progress=started_then_advance,
                notice=lambda message: typer.echo(f"note: {message}", err=True),
            )  # fmt: skip
        except KeyboardInterrupt:
            from sim.experiments.store import PARTS

            if not (out / PARTS / "plan.json").is_file():
                raise  # stopped before the sweep began: nothing to continue
            raise fail(
                f"interrupted; the finished runs are kept in {out}: add --resume to continue", 130
            ) from None
    if summary.complete_before:
        if not quiet:
            typer.echo(f"nothing to do: the sweep in {out} is already complete")
        return
    if not quiet:
        typer.echo(
            f"done: {summary.done:,} runs in {summary.seconds:.1f} s "
            f"({summary.rate:,.0f} runs/s, {summary.workers} worker{'s' if summary.workers != 1 else ''}, "
            f"{summary.backend})"
            + (f"; {summary.resumed:,} runs kept from before" if summary.resumed else "")
        )
        typer.echo(f"wrote {', '.join(summary.files)} to {out}")
    if summary.failed:
        raise fail(
            f"{summary.failed:,} of {summary.planned:,} runs failed "
            f'(status = "error" in {out / summary.files[1]})',
            1,
        )


@handle_user_errors
def parameters(
    match: MatchOption = None,
    scenario: ScenarioOption = "baseline_2023",
) -> None:
    """List every sweepable parameter path with its type, default and allowed range."""
    from sim.model.catalogue import sweepable
    from sim.model.scenario import load_scenario

    catalogue = sweepable(load_scenario(scenario))
    rows = [p for p in catalogue.values() if match is None or match in p.path]
    if not rows:
        raise fail(f"no parameter path contains {match!r} (scenario {scenario})")
    width = max(len(p.path) for p in rows)
    typer.echo(f"{'path':<{width}}  {'type':<7}  {'default':>10}  {'range':<14}  meaning")
    for p in rows:
        default = _show(p.default)
        typer.echo(f"{p.path:<{width}}  {p.kind:<7}  {default:>10}  {p.range_text:<14}  {p.description}")
    typer.echo(f"{len(rows)} parameters (scenario {scenario}); vary them in a sweep spec")


def _show(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}"
