"""Hindcast: replay the history scenario from an observed start year and score it.

The pivot's trade shares and export fractions start at the observed values of the ``start`` year
(``sim.evidence.observed``); events dated at or before the start are folded into the starting
parameters (oil re-based so that the start year's price is 1); the model runs to the end of the
``end`` year; simulated yearly shares of turnover (the mean of the four quarterly states labelled
with that year) are compared with every observed year after the start.

Skill scores (``hindcast_summary.csv``) over all partner-years after the start:

- ``rmse``: root mean squared error of the replicate mean;
- ``rmse_persistence``: the same for shares that stay at the start year's;
- ``rmse_trend``: the same for a per-partner linear trend fitted on the observed years in the
  ``TREND_YEARS`` before the start (break years left out);
- ``skill_vs_persistence`` = 1 - rmse / rmse_persistence, ``skill_vs_trend`` likewise;
- ``direction_hit_rate``: share of partner-years whose simulated change since the start has the
  sign of the observed change;
- ``coverage_90``: share of observations inside the simulated 5-95% band.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.errors import UserError
from sim.evidence.fitted import load_fitted
from sim.evidence.observed import BREAK_YEARS, PARTNER_KEYS, ObservedTrade
from sim.experiments.seeding import derive_seed, replicate_chunks
from sim.files import atomic_path, atomic_write_csv
from sim.model.balancing import BalancingModel
from sim.model.events import apply_event
from sim.model.quarters import format_quarter, parse_quarter
from sim.model.scenario import Scenario, load_scenario

HISTORY = "history_2011_2023"
TREND_YEARS = 5
BAND = (5, 95)


@dataclass
class HindcastResult:
    """Observed against simulated shares by year and partner, the scores, and notes."""

    table: pd.DataFrame  # year, partner, observed, simulated_mean, p5, p95
    summary: pd.DataFrame  # metric, value
    notes: list[str] = field(default_factory=list)


def rebase(scenario: Scenario, observed: ObservedTrade, start: int, end: int) -> Scenario:
    """The scenario started at ``start``Q1 from observed shares and run to the end of ``end``."""
    if tuple(scenario.partners) != PARTNER_KEYS:
        raise UserError(
            f"scenario {scenario.name}: partners {list(scenario.partners)}; the hindcast needs "
            f"{list(PARTNER_KEYS)} to match the observed data"
        )
    first = parse_quarter(f"{start}Q1")
    last = scenario.start_index + scenario.steps - 1
    if parse_quarter(f"{end}Q4") > last:
        raise UserError(f"`end` {end}: scenario {scenario.name} runs only to {format_quarter(last)}")
    data = scenario.model_dump()
    events, data["events"] = data["events"], []
    later, rivalry_shift = [], 0.0
    for i, event in sorted(enumerate(scenario.events), key=lambda e: parse_quarter(e[1].at)):
        if parse_quarter(event.at) <= first:
            apply_event(data, event, f"events[{i}]")
            rivalry_shift += event.shock.get("rivalry", 0.0)
        else:
            later.append(events[i])
    world = data["world"]
    base_oil = world["oil"]["mean"]
    world["oil"].update(initial=1.0, mean=1.0)
    for event in later:
        if "world.oil.mean" in event["set"]:
            event["set"]["world.oil.mean"] /= base_oil
    rivalry0 = world["rivalry_initial"] if world["rivalry_initial"] is not None else world["rivalry"]
    world["rivalry_initial"] = float(np.clip(rivalry0 + rivalry_shift, 0.0, 1.0))
    for key in PARTNER_KEYS:
        data["partners"][key]["trade_share"] = float(observed.shares.at[start, key])
        data["partners"][key]["export_fraction"] = float(observed.export_fraction.at[start, key])
    data.update(events=later, start=f"{start}Q1", steps=parse_quarter(f"{end}Q4") - first)
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise UserError(f"scenario {scenario.name} re-based to {start}: {err.errors()[0]['msg']}") from None


def simulate_years(
    scenario: Scenario,
    replicates: int,
    seed: int,
    strategy: str = "multivector",
    overrides: dict | None = None,
) -> tuple[np.ndarray, list[int]]:
    """Yearly mean trade shares, (replicates, years, partners), and the years.

    Replicates run in the fixed chunks of ``sim.experiments.seeding``, each with its derived
    seed, as every run does, so a result does not depend on how it is computed.
    """
    labels = [format_quarter(scenario.start_index + k) for k in range(scenario.steps + 1)]
    years = sorted({int(label[:4]) for label in labels})
    year_of = np.array([int(label[:4]) for label in labels])
    chunks = []
    for chunk, n in replicate_chunks(replicates):
        model = BalancingModel(
            scenario,
            strategy,
            n,
            rng=derive_seed(seed, scenario.name, 0, chunk),
            overrides=overrides,
            collect=False,
        )
        path = [model.pivot.trade.copy()]
        for _ in range(scenario.steps):
            model.step()
            path.append(model.pivot.trade.copy())
        quarterly = np.stack(path, axis=1)  # (n, steps + 1, K)
        chunks.append(np.stack([quarterly[:, year_of == y].mean(axis=1) for y in years], axis=1))
    return np.concatenate(chunks, axis=0), years


def compare(observed: ObservedTrade, yearly: np.ndarray, years: list[int], start: int) -> pd.DataFrame:
    """Long table of observed and simulated shares (mean and band) for observed years."""
    rows = []
    for j, year in enumerate(years):
        if year not in observed.shares.index:
            continue
        lo, hi = np.percentile(yearly[:, j], BAND, axis=0)
        for k, key in enumerate(PARTNER_KEYS):
            rows.append(
                {
                    "year": year,
                    "partner": key,
                    "observed": observed.shares.at[year, key],
                    "simulated_mean": yearly[:, j, k].mean(),
                    "p5": lo[k],
                    "p95": hi[k],
                    "in_sample": year == start,
                }
            )
    return pd.DataFrame(rows)


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
    """The scores of the module docstring, from the comparison table and observed shares."""
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
        "coverage_90": float(np.mean((obs >= after["p5"]) & (obs <= after["p95"]))),
        "n_partner_years": float(len(after)),
        "trend_fit_years": float(len(fit_years)),
    }


def _rmse(forecast: np.ndarray, observed: np.ndarray) -> float:
    return float(np.sqrt(np.mean((forecast - observed) ** 2))) if len(observed) else np.nan


def run_hindcast(
    observed: ObservedTrade,
    start: int,
    end: int,
    replicates: int = 100,
    seed: int = 1,
    scenario: Scenario | None = None,
    overrides: dict | None = None,
) -> HindcastResult:
    """Replay history from ``start`` to ``end`` and score it against the observed shares."""
    if end <= start:
        raise UserError(f"`end` {end}: expected a year after `start` ({start})")
    if start not in observed.shares.index:
        raise UserError(
            f"`start` {start}: {observed.source} has no complete year {start}; years: {observed.years}"
        )
    scored = [y for y in observed.years if start < y <= end]
    if not scored:
        raise UserError(f"{observed.source}: no observed year after `start` {start} up to `end` {end}")
    history = scenario if scenario is not None else load_scenario(HISTORY)
    settings = {**load_fitted(), **(overrides or {})}
    rebased = rebase(history.with_overrides(settings) if settings else history, observed, start, end)
    yearly, years = simulate_years(rebased, replicates, seed)
    table = compare(observed, yearly, years, start)
    scores = skill_scores(table, observed.shares, start)
    notes = list(observed.notes)
    if start in BREAK_YEARS:
        notes.append(f"start year {start}: {BREAK_YEARS[start]}; scores are unreliable")
    missing = [y for y in range(start + 1, end + 1) if y not in observed.shares.index]
    if missing:
        notes.append(f"years without complete observations, not scored: {missing}")
    summary = pd.DataFrame({"metric": list(scores), "value": list(scores.values())})
    return HindcastResult(table, summary, notes)


def write_hindcast(result: HindcastResult, out: Path) -> list[Path]:
    """hindcast.csv, hindcast_summary.csv and hindcast.png in ``out`` (atomic writes)."""
    table = result.table.drop(columns="in_sample")
    atomic_write_csv(out / "hindcast.csv", [table])
    atomic_write_csv(out / "hindcast_summary.csv", [result.summary])
    figure = out / "hindcast.png"
    plot_paths(result.table, figure, ("simulated_mean", "simulated (mean, 5-95%)"))
    return [out / "hindcast.csv", out / "hindcast_summary.csv", figure]


def plot_paths(table: pd.DataFrame, path: Path, *lines: tuple[str, str]) -> None:
    """One panel per partner: observed shares against simulated columns (and band if present)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(11, 6), sharex=True)
    for ax, key in zip(axes.ravel(), PARTNER_KEYS, strict=True):
        part = table[table["partner"] == key]
        if {"p5", "p95"} <= set(part.columns):
            ax.fill_between(part["year"], part["p5"], part["p95"], alpha=0.25, label="5-95%")
        for column, label in lines:
            ax.plot(part["year"], part[column], marker=".", label=label)
        ax.plot(part["year"], part["observed"], "k-o", markersize=3, label="observed")
        ax.set_title(key)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    axes[0, 0].legend(fontsize=7)
    fig.suptitle("Kazakhstan: partner shares of trade turnover, observed and simulated")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
