"""Commands that ground the model in evidence: ``calibrate`` and ``hindcast``.

Each parses, calls the library, writes, and prints; ``sim.cli.app`` registers them.
"""

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import ForceOption, QuietOption, SeedOption, handle_user_errors, out_option
from sim.files import build_manifest, check_writable, now, prepare_output_dir, write_manifest
from sim.paths import CALIBRATION_DIR, FITTED_FILE, OBSERVED_FILE, OBSERVED_GDP_FILE, user_calibration_dir

ObservedOption = Annotated[
    Path,
    typer.Option(
        "--observed",
        help="Trade file with the columns of seeds/data/kz_trade_by_partner.csv.",
        dir_okay=False,
        show_default="the shipped seeds/data/kz_trade_by_partner.csv",
    ),
]


@handle_user_errors
def hindcast(
    start: Annotated[int, typer.Option("--start", help="Observed year the shares start from.")],
    end: Annotated[int, typer.Option("--end", help="Last year simulated and scored.")],
    observed: ObservedOption = OBSERVED_FILE,
    observed_gdp: Annotated[
        Path,
        typer.Option(
            "--observed-gdp",
            help="Real GDP growth file with the columns of seeds/data/kz_gdp_real_growth_annual.csv.",
            dir_okay=False,
            show_default="the shipped seeds/data/kz_gdp_real_growth_annual.csv",
        ),
    ] = OBSERVED_GDP_FILE,
    replicates: Annotated[int, typer.Option("--replicates", "-r", min=1, help="Replicate runs.")] = 100,
    seed: SeedOption = 1,
    out: out_option("results/hindcast_START_END") = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Replay history from observed shares of START and score it against later years."""
    started = now()
    from sim.evidence.hindcast import run_hindcast, write_hindcast
    from sim.evidence.observed import read_observed
    from sim.evidence.observed_gdp import read_observed_gdp

    data = read_observed(observed)
    gdp = read_observed_gdp(observed_gdp)
    out = out or Path("results") / f"hindcast_{start}_{end}"
    check_writable(out)  # before the replicates run, not after
    result = run_hindcast(data, start, end, replicates, seed, gdp=gdp)
    folder = prepare_output_dir(out, force)
    written = write_hindcast(result, folder)
    inputs = {
        "observed": str(observed),
        "observed_gdp": str(observed_gdp),
        "start": start,
        "end": end,
        "replicates": replicates,
    }
    counts = {"partner_years": len(result.table), "replicates": replicates}
    write_manifest(folder, build_manifest("hindcast", inputs, seed, started, counts))
    if not quiet:
        typer.echo(data.summary())
        for note in result.notes[len(data.notes) :]:
            typer.echo(f"  note: {note}")
        typer.echo(f"hindcast {start} -> {end}, {replicates} replicates:")
        for metric, value in zip(result.summary["metric"], result.summary["value"], strict=True):
            typer.echo(f"  {metric:<28}{value:10.4f}")
        typer.echo("wrote " + ", ".join(str(p) for p in written))


@handle_user_errors
def calibrate(
    spec: Annotated[
        str, typer.Argument(help=f"Calibration spec name (in {CALIBRATION_DIR.name}/) or TOML file.")
    ],
    observed: ObservedOption = OBSERVED_FILE,
    fitted: Annotated[
        Path | None,
        typer.Option(
            "--fitted",
            help="Where to write the fitted values.",
            dir_okay=False,
            show_default="scenarios/calibration/fitted.toml if it exists, else calibration/",
        ),
    ] = None,
    out: out_option("results/calibration_NAME, the spec's name") = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Fit a spec's free parameters to observed partner shares (Sobol design + Nelder-Mead)."""
    started = now()
    from sim.evidence.calibration import calibrate as fit
    from sim.evidence.calibration import load_spec, write_calibration
    from sim.evidence.observed import read_observed

    calibration = load_spec(spec)
    fitted = fitted if fitted is not None else user_calibration_dir() / FITTED_FILE.name
    data = read_observed(observed)
    check_writable(fitted.parent)  # before the fit, not after it
    folder = prepare_output_dir(out or Path("results") / f"calibration_{calibration.name}", force)
    result = fit(calibration, data)
    written = write_calibration(result, data, folder, fitted)
    inputs = {"spec": calibration.model_dump(), "observed": str(observed)}
    counts = {"evaluations": len(result.evaluations)}
    write_manifest(folder, build_manifest("calibration", inputs, calibration.seed, started, counts))
    if not quiet:
        for key, value in result.fitted.items():
            typer.echo(f"  {key:<40}{value:10.4f}")
        for key in (
            "rmse_fitted",
            "rmse_default",
            "rmse_persistence",
            "gdp_growth_rmse_fitted",
            "gdp_growth_rmse_default",
            "gdp_growth_rmse_persistence",
        ):
            typer.echo(f"  {key:<40}{result.statistics[key]:10.4f}")
        typer.echo("wrote " + ", ".join(str(p) for p in written))
