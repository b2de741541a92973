"""Scores of a hindcast: RMSE skill against persistence and trend, and the ensemble's CRPS and PIT.

Why: RMSE and skill judge only the replicate mean, and coverage only one band. The continuous
ranked probability score (CRPS, via the maintained ``scoringrules`` package) judges the whole
ensemble in the units of the forecast; for a point forecast such as persistence it is the
absolute error, so the two compare directly (lower is better). The probability integral
transform (PIT) places each observation in its ensemble: a calibrated ensemble gives a flat
histogram, a too-narrow one a U, a biased one a slope.

Probabilistic scores judge the predictive ensemble (the simulator plus its model discrepancy,
``sim.evidence.discrepancy``) and, under ``*_model``, the simulated ensemble alone, so a band
made wider by the discrepancy never hides how narrow the simulator's own is.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from sim.evidence.observed import BREAK_YEARS, PARTNER_KEYS
from sim.evidence.observed_gdp import ObservedGDP
from sim.files import atomic_path

TREND_YEARS = 5
"""Observed years before the start that the trend baseline is fitted on (break years left out)."""


def crps(observed: np.ndarray, ensemble: np.ndarray) -> np.ndarray:
    """CRPS of each observation against its ensemble (members on the last axis).

    The empirical distribution's CRPS, E|X - y| - E|X - X'| / 2 (``scoringrules``, estimator
    ``nrg``); a one-member ensemble gives the absolute error.
    """
    import scoringrules

    ens = np.asarray(ensemble, dtype=float)
    obs = np.asarray(observed, dtype=float)
    if ens.shape[:-1] != obs.shape:
        raise ValueError(f"ensemble shape {ens.shape} does not match observations {obs.shape}")
    # backend="numpy": with numba installed (the model's kernels) scoringrules would otherwise
    # compile its numba functions in every process, about 4 s, for the same numbers.
    return np.asarray(scoringrules.crps_ensemble(obs, ens, estimator="nrg", backend="numpy"), dtype=float)


def pit(observed: np.ndarray, ensemble: np.ndarray) -> np.ndarray:
    """Normalised rank of each observation in its ensemble, in [0, 1].

    (members below + half the members equal + 1/2) / (members + 1): the mid rank among the
    members + 1 values, so an observation below every member gives 1 / (2 (n + 1)) and one
    above every member 1 - 1 / (2 (n + 1)).
    """
    ens = np.asarray(ensemble, dtype=float)
    obs = np.asarray(observed, dtype=float)[..., None]
    below = (ens < obs).sum(axis=-1)
    ties = (ens == obs).sum(axis=-1)
    return (below + 0.5 * ties + 0.5) / (ens.shape[-1] + 1)


def plot_pit(values: dict[str, np.ndarray], path: Path, bins: int = 10) -> Path:
    """PIT histograms (density; 1 is flat), one panel per named group (e.g. shares, GDP growth)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(values), figsize=(4.5 * len(values), 3.4), squeeze=False)
    for ax, (name, v) in zip(axes[0], values.items(), strict=True):
        ax.hist(v, bins=bins, range=(0, 1), density=True, color="#4477aa", edgecolor="white")
        ax.axhline(1.0, color="black", lw=0.8, ls="--")
        ax.set_xlim(0, 1)
        ax.set_title(f"PIT, {name} (n = {len(v)})", fontsize=10)
        ax.set_xlabel("rank of the observation in the ensemble")
    axes[0][0].set_ylabel("density (flat = calibrated)")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=90, format="png")
    plt.close(fig)
    return path


def trend_forecast(observed: pd.DataFrame, start: int, years: list[int]) -> tuple[pd.DataFrame, list[int]]:
    """Per-partner linear trends fitted on observed years before ``start``, at ``years``."""
    fit_years = [y for y in observed.index if start - TREND_YEARS <= y < start and y not in BREAK_YEARS]
    if len(fit_years) < 2:
        return pd.DataFrame(np.nan, index=years, columns=observed.columns), fit_years
    x = np.array(fit_years, dtype=float)
    slope, intercept = np.polyfit(x, observed.loc[fit_years].to_numpy(), 1)
    values = np.outer(np.array(years, dtype=float), slope) + intercept
    return pd.DataFrame(values, index=years, columns=observed.columns), fit_years


def skill_scores(table: pd.DataFrame, observed: pd.DataFrame, start: int) -> dict[str, float]:
    """RMSE, skill against persistence and trend, hit rate and coverage (sim.evidence.hindcast doc)."""
    after = table[table["year"] > start]
    obs = after["observed"].to_numpy()
    sim = after["simulated_mean"].to_numpy()
    base = observed.loc[start, after["partner"]].to_numpy()
    trend, fit_years = trend_forecast(observed, start, sorted(after["year"].unique()))
    trend_values = np.array([trend.at[y, p] for y, p in zip(after["year"], after["partner"], strict=True)])
    rmse = _rmse(sim, obs)
    rmse_persistence = _rmse(base, obs)
    rmse_trend = _rmse(trend_values, obs)
    return {
        "rmse": rmse,
        "rmse_persistence": rmse_persistence,
        "rmse_trend": rmse_trend,
        "skill_vs_persistence": 1.0 - rmse / rmse_persistence if rmse_persistence > 0 else np.nan,
        "skill_vs_trend": 1.0 - rmse / rmse_trend if rmse_trend > 0 else np.nan,
        "direction_hit_rate": float(np.mean(np.sign(sim - base) == np.sign(obs - base))),
        "coverage_90": coverage(after, predictive=True),
        "coverage_90_model": coverage(after),
        "n_partner_years": float(len(after)),
        "trend_fit_years": float(len(fit_years)),
    }


def gdp_scores(table: pd.DataFrame, gdp: ObservedGDP, start: int) -> dict[str, float]:
    """GDP growth RMSE, persistence RMSE (start-year growth carried forward), skill, years."""
    obs = table["observed"].to_numpy()
    base = gdp.growth.get(start, np.nan)
    rmse = _rmse(table["simulated_mean"].to_numpy(), obs)
    rmse_persistence = _rmse(np.full(len(obs), base), obs)
    return {
        "gdp_growth_rmse": rmse,
        "gdp_growth_rmse_persistence": rmse_persistence,
        "gdp_growth_skill": 1.0 - rmse / rmse_persistence if rmse_persistence > 0 else np.nan,
        "gdp_growth_n_years": float(len(obs)),
        "gdp_growth_coverage_90": coverage(table, predictive=True),
        "gdp_growth_coverage_90_model": coverage(table),
    }


def coverage(table: pd.DataFrame, predictive: bool = False) -> float:
    """Share of observations inside the simulated 5-95% band (or the predictive one, if given)."""
    lo, hi = ("predictive_p5", "predictive_p95") if predictive else ("p5", "p95")
    if lo not in table.columns:
        lo, hi = "p5", "p95"
    obs = table["observed"].to_numpy()
    return float(np.mean((obs >= table[lo]) & (obs <= table[hi]))) if len(obs) else np.nan


def ensemble_scores(
    observed: pd.DataFrame,
    years: list[int],
    shares_model: np.ndarray,
    shares: np.ndarray,
    gdp: ObservedGDP,
    growth_years: list[int],
    growth_model: np.ndarray,
    growth: np.ndarray,
    start: int,
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Mean CRPS of the predictive and simulated ensembles and of persistence; the PIT.

    ``shares`` and ``shares_model`` (R, len(years), K): the predictive and simulated yearly
    shares; ``growth`` and ``growth_model`` (R, len(growth_years)): annual GDP growth. Over every
    observed partner-year after ``start`` (``crps``, ``crps_model``, ``crps_persistence``) and
    GDP growth year (``gdp_growth_crps``, ...). Persistence is the start year's value, a point
    forecast, so its CRPS is its absolute error. The PIT is the predictive ensemble's.
    """
    cols = [j for j, y in enumerate(years) if y > start and y in observed.index]
    obs = np.array([observed.loc[years[j], list(PARTNER_KEYS)] for j in cols], dtype=float)
    base = observed.loc[start, list(PARTNER_KEYS)].to_numpy(dtype=float)
    model = np.moveaxis(shares_model[:, cols, :], 0, -1)  # (years, partners, replicates)
    ens = np.moveaxis(shares[:, cols, :], 0, -1)
    scored = [j for j, y in enumerate(growth_years) if y > start and y in gdp.growth.index]
    g_obs = np.array([gdp.growth[growth_years[j]] for j in scored], dtype=float)
    g_model, g_ens = growth_model[:, scored].T, growth[:, scored].T
    g_base = np.full((len(scored), 1), gdp.growth.get(start, np.nan), dtype=float)
    scores = {
        "crps": _mean(crps(obs, ens)),
        "crps_model": _mean(crps(obs, model)),
        "crps_persistence": _mean(crps(obs, np.broadcast_to(base, obs.shape)[..., None])),
        "gdp_growth_crps": _mean(crps(g_obs, g_ens)),
        "gdp_growth_crps_model": _mean(crps(g_obs, g_model)),
        "gdp_growth_crps_persistence": _mean(crps(g_obs, g_base)),
    }
    return scores, {"shares": pit(obs, ens).ravel(), "GDP growth": pit(g_obs, g_ens)}


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values)) if values.size else np.nan


def _rmse(forecast: np.ndarray, observed: np.ndarray) -> float:
    return float(np.sqrt(np.mean((forecast - observed) ** 2))) if len(observed) else np.nan
