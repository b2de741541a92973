"""Commands that ground the model in evidence: ``calibrate`` and ``hindcast``.

Each parses, calls the library, writes, and prints; ``sim.cli.app`` registers them.
"""

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sim.cli.common import (
    ForceOption,
    QuietOption,
    SeedOption,
    handle_user_errors,
    out_option,
    taken_back_on_interrupt,
)
from sim.errors import UserError
from sim.paths import CALIBRATION_DIR, FITTED_FILE, OBSERVED_FILE, OBSERVED_GDP_FILE, user_calibration_dir

if TYPE_CHECKING:
    from sim.evidence.abc import Generation
    from sim.evidence.calibration import CalibrationSpec
    from sim.evidence.observed import ObservedTrade

ObservedOption = Annotated[
    Path,
    typer.Option(
        "--observed",
        help="Trade file with the columns of seeds/data/kz_trade_by_partner.csv.",
        dir_okay=False,
        show_default="the shipped seeds/data/kz_trade_by_partner.csv",
    ),
]


HINDCAST_FILES = (
    "hindcast.csv",
    "hindcast_gdp.csv",
    "hindcast_summary.csv",
    "hindcast.png",
    "pit.png",
    "manifest.json",
)
"""What ``hindcast`` writes into its folder (``sim.evidence.hindcast.write_hindcast`` and the manifest)."""


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
    posterior: Annotated[
        str | None,
        typer.Option(
            "--posterior",
            help="Posterior file each replicate draws its parameters from, or `none` for the fixed values.",
            show_default="the history scenario's",
        ),
    ] = None,
    out: out_option("results/hindcast_START_END") = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Replay history from observed shares of START and score it against later years.

    The bands add the posterior's model discrepancy when its file has one (docs/validation.md).
    """
    from sim.files import build_manifest, check_writable, now, prepare_output_dir, write_manifest

    started = now()
    from sim.evidence.hindcast import run_hindcast, write_hindcast
    from sim.evidence.observed import read_observed
    from sim.evidence.observed_gdp import read_observed_gdp

    data = read_observed(observed)
    gdp = read_observed_gdp(observed_gdp)
    out = out or Path("results") / f"hindcast_{start}_{end}"
    check_writable(out)  # before the replicates run, not after
    result = run_hindcast(data, start, end, replicates, seed, gdp=gdp, posterior=posterior)
    folder = prepare_output_dir(out, force)
    with taken_back_on_interrupt(folder, HINDCAST_FILES):  # its two figures take a second or two
        written = write_hindcast(result, folder)
        inputs = {
            "observed": str(observed),
            "observed_gdp": str(observed_gdp),
            "start": start,
            "end": end,
            "replicates": replicates,
            "posterior": posterior,
        }
        if result.posterior is not None:  # as run manifests do: the file -> SHA-256 of its bytes
            inputs["posteriors"] = {
                str(result.posterior): hashlib.sha256(result.posterior.read_bytes()).hexdigest()
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
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Posterior file (ABC); OUTPUT is the spec's output, else NAME.posterior.toml.",
            dir_okay=False,
            show_default="scenarios/calibration/OUTPUT if that folder exists, else ./OUTPUT; "
            "with --quick, NAME-quick.posterior.toml in --work",
        ),
    ] = None,
    work: Annotated[
        Path | None,
        typer.Option(
            "--work",
            help="Folder for the run's history, tables and figures (and the point fit's).",
            show_default="results/calibration/NAME, or results/calibration_NAME for the point fit",
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the calibration stored in --work.")
    ] = False,
    quick: Annotated[
        bool,
        typer.Option("--quick", help="A check in under a minute: 16 particles, 2 generations, 4 replicates."),
    ] = False,
    discrepancy_only: Annotated[
        bool,
        typer.Option(
            "--discrepancy-only",
            help="(Re)estimate the model discrepancy of the existing posterior file (--out) in sample; "
            "no ABC run.",
        ),
    ] = False,
    fitted: Annotated[
        Path | None,
        typer.Option(
            "--fitted",
            help="Where method = optimise writes the fitted values.",
            dir_okay=False,
            show_default="scenarios/calibration/fitted.toml if it exists, else calibration/",
        ),
    ] = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Calibrate a spec's free parameters on observed shares and GDP growth (ABC-SMC posterior)."""
    from sim.evidence.calibration import load_spec
    from sim.evidence.observed import read_observed

    if resume and force:
        raise UserError("`resume=True` and `force=True`: choose one (resume keeps the finished generations)")
    calibration = load_spec(spec)
    fitted = fitted if fitted is not None else user_calibration_dir() / FITTED_FILE.name
    data = read_observed(observed)
    if discrepancy_only:
        _discrepancy(calibration, data, out, work, quick, quiet)
        return
    if calibration.method == "optimise":
        _optimise(calibration, data, observed, work, fitted, force, quiet)
        return
    _abc(calibration, data, observed, out, work, resume, quick, force, quiet)


def _abc(
    calibration: "CalibrationSpec",
    data: "ObservedTrade",
    observed: Path,
    out: Path | None,
    work: Path | None,
    resume: bool,
    quick: bool,
    force: bool,
    quiet: bool,
) -> None:
    """ABC-SMC: the posterior file, identifiability table and pair plot, one line per generation."""
    from sim.files import build_manifest, check_writable, now, write_manifest

    started = now()
    from rich.console import Console

    from sim.evidence.abc import DB_NAME, SETTINGS_NAME, quick_spec, run_abc
    from sim.evidence.discrepancy_estimate import add_discrepancy, write_residuals
    from sim.evidence.observed_gdp import read_observed_gdp
    from sim.evidence.posterior_file import write_identifiability, write_posterior

    if quick:
        calibration = quick_spec(calibration)
    suffix = "-quick" if quick else ""
    folder = work or Path("results") / "calibration" / f"{calibration.name}{suffix}"
    target = out or _posterior_target(calibration, folder, quick)
    check_writable(folder)  # both before the generations run, not after
    check_writable(target.parent)
    if force:
        for name in (DB_NAME, SETTINGS_NAME):
            (folder / name).unlink(missing_ok=True)
    console = Console(stderr=True, highlight=False)

    def progress(generation: "Generation", elapsed: float) -> None:
        if not quiet:
            console.print(
                f"generation {generation.t}: epsilon {generation.epsilon:.4f}, acceptance "
                f"{generation.acceptance_rate:.3f} ({generation.population}/{generation.simulations}), "
                f"elapsed {elapsed:.0f} s"
            )

    result = run_abc(calibration, data, folder, resume=resume, progress=progress)
    gdp = read_observed_gdp()
    written = [write_posterior(result, data, gdp, target), *write_identifiability(result, folder)]
    estimate = add_discrepancy(target, calibration, data, gdp, _discrepancy_replicates(calibration, quick))
    written.append(write_residuals(estimate, folder))
    inputs = {"spec": calibration.model_dump(), "observed": str(observed), "posterior": str(target)}
    counts = {"generations": len(result.generations), "particles": len(result.particles)}
    write_manifest(folder, build_manifest("calibration", inputs, calibration.seed, started, counts))
    if not quiet:
        typer.echo(
            f"{len(result.generations)} generations, {sum(g.simulations for g in result.generations)} "
            f"simulations, final epsilon {result.generations[-1].epsilon:.4f}"
        )
        typer.echo("wrote " + ", ".join(str(p) for p in written))


def _posterior_target(calibration: "CalibrationSpec", folder: Path, quick: bool) -> Path:
    """The default posterior file: the spec's, where posteriors are kept; --quick's, in its work folder.

    A --quick check is not a posterior to run with, so it stays under results/ with the rest of
    the check instead of landing among the shipped files of a checkout (scenarios/calibration/).
    """
    from sim.evidence.posterior_file import default_output

    if quick:
        return folder / f"{calibration.name}-quick.posterior.toml"
    return default_output(calibration.name, calibration.output)


def _discrepancy_replicates(calibration: "CalibrationSpec", quick: bool) -> int:
    """The estimate's replicates: the hindcast's 100, or the quick spec's few with --quick."""
    from sim.evidence.discrepancy_estimate import DISCREPANCY_REPLICATES

    return calibration.replicates if quick else DISCREPANCY_REPLICATES


def _discrepancy(
    calibration: "CalibrationSpec",
    data: "ObservedTrade",
    out: Path | None,
    work: Path | None,
    quick: bool,
    quiet: bool,
) -> None:
    """--discrepancy-only: the in-sample discrepancy of an existing posterior, written into it."""
    from sim.evidence.abc import quick_spec
    from sim.evidence.discrepancy_estimate import add_discrepancy, write_residuals
    from sim.evidence.observed_gdp import read_observed_gdp
    from sim.files import check_writable

    if quick:
        calibration = quick_spec(calibration)
    suffix = "-quick" if quick else ""
    folder = work or Path("results") / "calibration" / f"{calibration.name}{suffix}"
    target = out or _posterior_target(calibration, folder, quick)
    check_writable(folder)
    check_writable(target.parent)
    replicates = _discrepancy_replicates(calibration, quick)
    estimate = add_discrepancy(target, calibration, data, read_observed_gdp(), replicates)
    folder.mkdir(parents=True, exist_ok=True)
    written = [target, write_residuals(estimate, folder)]
    if not quiet:
        table = estimate.table
        typer.echo(
            f"model discrepancy, {table.fit_start}-{table.fit_end}, {table.replicates} replicates over "
            f"{target}: share scale {table.share_scale:.4f}"
        )
        for key, sigma in table.share_sigma.items():
            own = table.share_sigma_unpooled.get(key, float("nan"))
            typer.echo(f"  share_sigma.{key:<12}{sigma:10.4f}   (own estimate {own:.4f})")
        if table.gdp_growth_sigma is not None:
            typer.echo(f"  gdp_growth_sigma{'':<8}{table.gdp_growth_sigma:10.4f}")
        typer.echo("wrote " + ", ".join(str(p) for p in written))


def _optimise(
    calibration: "CalibrationSpec",
    data: "ObservedTrade",
    observed: Path,
    work: Path | None,
    fitted: Path | None,
    force: bool,
    quiet: bool,
) -> None:
    """Sobol design + Nelder-Mead: one fitted point (``method = "optimise"`` in the spec)."""
    from sim.files import build_manifest, check_writable, now, prepare_output_dir, write_manifest

    started = now()
    from sim.evidence.calibration import calibrate as fit
    from sim.evidence.calibration import write_calibration

    fitted = fitted if fitted is not None else user_calibration_dir() / FITTED_FILE.name
    check_writable(fitted.parent)  # before the fit, not after it
    folder = prepare_output_dir(work or Path("results") / f"calibration_{calibration.name}", force)
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
