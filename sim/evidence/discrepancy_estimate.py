"""Estimate the model discrepancy in sample and store it in the posterior file's ``[discrepancy]``.

Why: the hindcast's predictive bands need the scale of what the simulator cannot reproduce
(``sim.evidence.discrepancy``; Kennedy & O'Hagan 2001). It is estimated from the calibration's
own window only (the spec's ``fit_start``-``fit_end``, 2011-2018 for the shipped spec): the
observed data are cut at ``fit_end`` before anything is read, so no later year can enter.

- **Replay**: the hindcast's (``sim.evidence.hindcast.replay``) of the spec's scenario and
  strategy from the observed ``fit_start`` shares, over the posterior file itself (each
  replicate draws a particle), ``DISCREPANCY_REPLICATES`` replicates, the spec's seed.
- **Shares**: residual ``r_k(y)`` = observed log share minus the replicates' mean log share;
  increments ``d_k(y) = r_k(y) - r_k(y - 1)`` (divided by the square root of the gap when a
  year is missing), 7 per partner for 2011-2018. The increments of a random walk without drift
  have mean zero, so ``sigma^2`` is the mean of ``d^2``. Seven increments pin one partner's sigma
  to about +-27%, so the partners share one scale: ``sigma_k = tau / sqrt(mean share_k)``, a
  composition's variance in share units proportional to the share (multinomial / Dirichlet), and
  ``tau^2`` = the mean over all partner-years of ``d^2 x mean share_k`` (42 increments). Each
  partner's own estimate is kept as ``share_sigma_unpooled`` for comparison.
- **GDP growth**: iid, ``sigma_g^2`` = the mean squared residual of observed growth minus the
  replicates' mean growth over the fitted years.
"""

import dataclasses
import tempfile
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.errors import UserError, describe_validation
from sim.evidence.calibration import CalibrationSpec
from sim.evidence.hindcast import replay
from sim.evidence.observed import PARTNER_KEYS, ObservedTrade
from sim.evidence.observed_gdp import ObservedGDP
from sim.files import atomic_write_csv, atomic_write_text, read_toml
from sim.model.posterior import Discrepancy, Posterior
from sim.model.scenario import load_scenario

DISCREPANCY_REPLICATES = 100
"""Replicates of the estimate's replay: the hindcast's default, so its residual is the hindcast's."""

HEADER = "[discrepancy]"


@dataclasses.dataclass(frozen=True)
class Estimate:
    """The ``[discrepancy]`` table and the residuals it was estimated from (year, partner, ...)."""

    table: Discrepancy
    residuals: (
        pd.DataFrame
    )  # year, series (a partner or gdp_growth), observed, simulated, residual, increment


def within(observed: ObservedTrade, gdp: ObservedGDP, end: int) -> tuple[ObservedTrade, ObservedGDP]:
    """The observed data cut at ``end``: no later year can reach the estimate."""
    keep = {y for y in observed.years if y <= end}
    trade = dataclasses.replace(
        observed,
        shares=observed.shares.loc[observed.shares.index <= end],
        export_fraction=observed.export_fraction.loc[observed.export_fraction.index <= end],
        export_shares=observed.export_shares.loc[observed.export_shares.index <= end],
        series={y: s for y, s in observed.series.items() if y in keep},
    )
    growth = gdp.growth.loc[gdp.growth.index <= end]
    return trade, dataclasses.replace(gdp, growth=growth, series={y: gdp.series[y] for y in growth.index})


def estimate_discrepancy(
    posterior: Path,
    spec: CalibrationSpec,
    observed: ObservedTrade,
    gdp: ObservedGDP,
    replicates: int = DISCREPANCY_REPLICATES,
) -> Estimate:
    """The discrepancy of the replay over ``posterior`` in the spec's window (module docstring)."""
    start, end = spec.fit_start, spec.fit_end
    observed, gdp = within(observed, gdp, end)
    if start not in observed.shares.index:
        raise UserError(f"{observed.source}: no complete observed year {start} to start the estimate")
    scenario = load_scenario(spec.scenario)
    _, paths = replay(observed, start, end, replicates, spec.seed, scenario, None, posterior, spec.strategy)
    years = [y for y in paths.years if y in observed.shares.index and start <= y <= end]
    if len(years) < 2:
        raise UserError(f"{observed.source}: fewer than two observed years in {start}-{end}")
    obs = observed.shares.loc[years, list(PARTNER_KEYS)].to_numpy(dtype=float)
    sim = np.log(paths.shares[:, [paths.years.index(y) for y in years], :]).mean(axis=0)
    residual = np.log(obs) - sim
    increment = np.diff(residual, axis=0) / np.sqrt(np.diff(years))[:, None]
    mean_share = obs.mean(axis=0)
    tau = float(np.sqrt(np.mean(increment**2 * mean_share)))
    sigma = tau / np.sqrt(mean_share)
    unpooled = np.sqrt(np.mean(increment**2, axis=0))
    growth, growth_years = paths.gdp_growth()
    scored = [y for y in growth_years if start < y <= end and y in gdp.growth.index]
    g_obs = np.array([gdp.growth[y] for y in scored], dtype=float)
    g_sim = growth[:, [growth_years.index(y) for y in scored]].mean(axis=0)
    g_sigma = float(np.sqrt(np.mean((g_obs - g_sim) ** 2))) if scored else None
    table = Discrepancy(
        form="log_share_random_walk",
        description=(
            f"residual: observed log share minus the mean log share of {replicates} replicates, replay "
            f"of {spec.scenario} ({spec.strategy}) over this posterior from the observed {start} shares, "
            f"{start}-{end}; sigma_k = share_scale / sqrt(mean observed share of k), share_scale^2 the "
            "mean of increment^2 x mean share over all partner-years; GDP growth: RMSE of observed "
            f"minus mean simulated growth {start + 1}-{end} (sim/evidence/discrepancy_estimate.py)"
        ),
        fit_start=start,
        fit_end=end,
        replicates=replicates,
        seed=spec.seed,
        share_scale=_round(tau),
        share_sigma={k: _round(v) for k, v in zip(PARTNER_KEYS, sigma, strict=True)},
        share_sigma_unpooled={k: _round(v) for k, v in zip(PARTNER_KEYS, unpooled, strict=True)},
        gdp_growth_sigma=None if g_sigma is None else _round(g_sigma),
    )
    rows = [
        {
            "year": y,
            "series": key,
            "observed": obs[i, k],
            "simulated": float(np.exp(sim[i, k])),
            "residual": residual[i, k],
            "increment": increment[i - 1, k] if i else np.nan,
        }
        for i, y in enumerate(years)
        for k, key in enumerate(PARTNER_KEYS)
    ]
    rows += [
        {
            "year": y,
            "series": "gdp_growth",
            "observed": o,
            "simulated": s,
            "residual": o - s,
            "increment": np.nan,
        }
        for y, o, s in zip(scored, g_obs, g_sim, strict=True)
    ]
    return Estimate(table, pd.DataFrame(rows))


def _round(value: float) -> float:
    """6 significant digits, as every float of the posterior file."""
    return float(f"{float(value):.6g}")


def _inline(values: dict[str, float]) -> str:
    return "{ " + ", ".join(f"{k} = {v!r}" for k, v in values.items()) + " }"


def discrepancy_text(table: Discrepancy) -> str:
    """The ``[discrepancy]`` table as TOML lines (floats already rounded)."""
    import json

    lines = [
        HEADER,
        "# observed = simulator + discrepancy (Kennedy & O'Hagan 2001; docs/calibration.md). Shares: a",
        "# random walk in log share per partner from the start year, yearly sd share_sigma, then",
        "# re-normalised to the simplex; GDP growth: iid normal, sd gdp_growth_sigma.",
        f"form = {json.dumps(table.form)}",
        f"description = {json.dumps(table.description)}",
        f"fit_start = {table.fit_start}",
        f"fit_end = {table.fit_end}",
        f"replicates = {table.replicates}",
        f"seed = {table.seed}",
        f"share_scale = {table.share_scale!r}",
        f"share_sigma = {_inline(table.share_sigma)}",
        f"share_sigma_unpooled = {_inline(table.share_sigma_unpooled)}",
    ]
    if table.gdp_growth_sigma is not None:
        lines += [f"gdp_growth_form = {json.dumps(table.gdp_growth_form)}"]
        lines += [f"gdp_growth_sigma = {table.gdp_growth_sigma!r}"]
    return "\n".join(lines) + "\n"


def strip_discrepancy(text: str) -> str:
    """A posterior file's text without its ``[discrepancy]`` table, ending in one newline."""
    out, inside = [], False
    for line in text.splitlines(keepends=True):
        header = line.lstrip()
        if header.startswith("["):
            inside = header.startswith((HEADER, "[discrepancy."))
        if not inside:
            out.append(line)
    return "".join(out).rstrip("\n") + "\n"


def add_discrepancy(
    path: Path,
    spec: CalibrationSpec,
    observed: ObservedTrade,
    gdp: ObservedGDP,
    replicates: int = DISCREPANCY_REPLICATES,
) -> Estimate:
    """(Re)estimate the discrepancy over the posterior file ``path`` and write it into the file.

    The file must be a valid posterior apart from its ``[discrepancy]`` table, which is replaced
    (so a damaged one does not block a new estimate). The estimate replays a copy without the
    table in a temporary folder; ``path`` is written once, atomically, at the end.
    """
    if not path.is_file():
        raise UserError(f"{path}: no such posterior file; run `multivector calibrate {spec.name}` first")
    data = read_toml(path)
    data.pop("discrepancy", None)
    try:
        Posterior.model_validate(data)
    except ValidationError as err:
        raise UserError(f"{path}: {describe_validation(err, model=Posterior)}") from None
    stripped = strip_discrepancy(path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="multivector-discrepancy.") as folder:
        copy = Path(folder) / path.name
        copy.write_text(stripped, encoding="utf-8")
        estimate = estimate_discrepancy(copy, spec, observed, gdp, replicates)
    text = stripped + "\n" + discrepancy_text(estimate.table)
    Posterior.model_validate(tomllib.loads(text))  # what is written reads back
    atomic_write_text(path, text)
    return estimate


def write_residuals(estimate: Estimate, folder: Path) -> Path:
    """``discrepancy_residuals.csv``: the residuals and increments the estimate used."""
    path = folder / "discrepancy_residuals.csv"
    atomic_write_csv(path, [estimate.residuals])
    return path
