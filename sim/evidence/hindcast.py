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
  ``sim.evidence.scores.TREND_YEARS`` before the start (break years left out);
- ``skill_vs_persistence`` = 1 - rmse / rmse_persistence, ``skill_vs_trend`` likewise;
- ``direction_hit_rate``: share of partner-years whose simulated change since the start has the
  sign of the observed change;
- ``coverage_90``: share of observations inside the predictive 5-95% band;
- ``crps``: mean continuous ranked probability score of the predictive ensemble over the
  partner-years, ``crps_persistence`` the same for persistence (its absolute error; lower is
  better), and ``gdp_growth_crps`` and ``gdp_growth_crps_persistence`` for GDP growth
  (``sim.evidence.scores``); ``pit.png`` is the histogram of each observation's rank in its
  predictive ensemble (flat when the ensemble is calibrated).

The predictive ensemble is each replicate's simulated path plus its own model-discrepancy path
(``sim.evidence.discrepancy``) when the posterior file in force has a ``[discrepancy]`` table;
otherwise it is the simulated ensemble, and a note says so. ``coverage_90_model`` and
``crps_model`` (``gdp_growth_*_model``) score the simulated ensemble alone; ``p5``/``p95`` are
its band and ``predictive_p5``/``predictive_p95`` the predictive one. Point scores (RMSE,
skill, hit rate) judge the simulated mean: the discrepancy has mean zero in log share.

Real GDP growth (``hindcast_gdp.csv``; observed: ``sim.evidence.observed_gdp``) is scored from
the model's GDP index (``model.pivot.gdp``, 1 at the start), recorded every quarter. As in the
national accounts, a year's level is the sum of its four quarterly values and its growth is
that sum over the previous year's sum, minus 1; the step-0 state is the start year's first
quarter, so the start year is complete and growth is scored for every year after the start:

- ``gdp_growth_rmse``: RMSE of the replicate-mean simulated growth against the observed;
- ``gdp_growth_rmse_persistence``: the same for the start year's observed growth carried forward;
- ``gdp_growth_skill`` = 1 - gdp_growth_rmse / gdp_growth_rmse_persistence;
- ``gdp_growth_n_years``: the years scored.

Relations are checked against UN General Assembly vote agreement (``sim.evidence.unga``):
``unga_corr_<power>``, the Spearman correlation of the yearly simulated relation with the
observed agreement, and ``unga_n_years_<power>``, for powers with enough years of data.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.errors import UserError
from sim.evidence.discrepancy import discrepancy_note, discrepancy_of, predictive
from sim.evidence.figures import plot_paths
from sim.evidence.fitted import load_fitted
from sim.evidence.observed import BREAK_YEARS, PARTNER_KEYS, ObservedTrade
from sim.evidence.observed_gdp import ObservedGDP, read_observed_gdp
from sim.evidence.scores import ensemble_scores, gdp_scores, plot_pit, skill_scores
from sim.evidence.unga import read_agreement, relation_correlations
from sim.experiments.seeding import derive_seed, replicate_chunks, replicate_numbers
from sim.files import atomic_write_csv
from sim.model.balancing import BalancingModel
from sim.model.events import apply_event
from sim.model.posterior import name_key, read_posterior, scenario_draws
from sim.model.quarters import format_quarter, parse_quarter
from sim.model.scenario import Scenario, load_scenario, posterior_file
from sim.paths import OBSERVED_GDP_FILE, UNGA_AGREEMENT_FILE

HISTORY = "history_2011_2023"
BAND = (5, 95)


@dataclass
class HindcastResult:
    """Observed against simulated shares by year and partner, the scores, and notes."""

    table: pd.DataFrame  # year, partner, observed, simulated_mean, p5, p95
    summary: pd.DataFrame  # metric, value
    notes: list[str] = field(default_factory=list)
    gdp: pd.DataFrame = field(default_factory=pd.DataFrame)  # year, observed, simulated_mean, p5, p95
    pit: dict[str, np.ndarray] = field(default_factory=dict)  # PIT of each scored observation, by group
    posterior: Path | None = None  # the posterior file the replicates drew from, if any


@dataclass
class Simulated:
    """Replicate paths of one replay: yearly shares and relations, quarterly GDP index."""

    years: list[int]
    shares: np.ndarray  # (n, years, partners): yearly mean trade shares
    relations: np.ndarray  # (n, years, powers): yearly mean relations
    gdp: np.ndarray  # (n, steps + 1): GDP index of every quarterly state, 1 at step 0
    year_of: np.ndarray  # (steps + 1,): the year each quarterly state is labelled with
    powers: tuple[str, ...]

    def gdp_growth(self) -> tuple[np.ndarray, list[int]]:
        """Annual growth (n, years) of each complete year whose previous year is complete."""
        complete = [y for y in self.years if (self.year_of == y).sum() == 4]
        level = {y: self.gdp[:, self.year_of == y].sum(axis=1) for y in complete}
        scored = [y for y in complete if y - 1 in level]
        growth = np.stack([level[y] / level[y - 1] - 1.0 for y in scored], axis=1) if scored else None
        return (growth if growth is not None else np.empty((len(self.gdp), 0))), scored


def rebase(scenario: Scenario, observed: ObservedTrade, start: int, end: int) -> Scenario:
    """The scenario started at ``start``Q1 from observed shares and run to the end of ``end``.

    Every commodity price table of the world (``world.<name>`` with ``initial`` and ``mean``:
    oil, metals, uranium, ...) is re-based so that its level at the start is 1, and later
    events that set its level are divided by the same base.
    """
    if set(scenario.partners) != set(PARTNER_KEYS):
        raise UserError(
            f"scenario {scenario.name}: partners {list(scenario.partners)}; the hindcast needs "
            f"{list(PARTNER_KEYS)} to match the observed data"
        )
    if tuple(scenario.partners) != PARTNER_KEYS:  # a parent file may list them in another order
        data = scenario.model_dump()
        data["partners"] = {key: data["partners"][key] for key in PARTNER_KEYS}
        scenario = Scenario.model_validate(data)
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
    for name, table in world.items():  # every commodity price table: oil, metals, uranium, ...
        if isinstance(table, dict) and {"initial", "mean"} <= set(table):
            base = table["mean"]
            table.update(initial=1.0, mean=1.0)
            for event in later:
                for leaf in ("initial", "mean"):
                    if f"world.{name}.{leaf}" in event["set"]:
                        event["set"][f"world.{name}.{leaf}"] /= base
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


def simulate(
    scenario: Scenario,
    replicates: int,
    seed: int,
    strategy: str = "multivector",
    overrides: dict | None = None,
) -> Simulated:
    """Replicate paths of trade shares, relations and the GDP index, recorded every quarter.

    Replicates run in the fixed chunks of ``sim.experiments.seeding``, each with its derived
    seed, as every run does, so a result does not depend on how it is computed.
    """
    labels = [format_quarter(scenario.start_index + k) for k in range(scenario.steps + 1)]
    years = sorted({int(label[:4]) for label in labels})
    year_of = np.array([int(label[:4]) for label in labels])
    shares, relations, gdp, powers = [], [], [], ()
    for chunk, n in replicate_chunks(replicates):
        model = BalancingModel(
            scenario,
            strategy,
            n,
            rng=derive_seed(seed, scenario.name, 0, chunk),
            overrides=overrides,
            collect=False,
            draws=scenario_draws(scenario, seed, replicate_numbers(chunk, n), skip=overrides or {}),
        )
        powers = tuple(model.structure.powers)
        trade, rel, index = (
            [model.pivot.trade.copy()],
            [model.pivot.relations.copy()],
            [model.pivot.gdp.copy()],
        )
        for _ in range(scenario.steps):
            model.step()
            trade.append(model.pivot.trade.copy())
            rel.append(model.pivot.relations.copy())
            index.append(model.pivot.gdp.copy())
        for out, path in ((shares, trade), (relations, rel)):
            quarterly = np.stack(path, axis=1)  # (n, steps + 1, K or P)
            out.append(np.stack([quarterly[:, year_of == y].mean(axis=1) for y in years], axis=1))
        gdp.append(np.stack(index, axis=1))
    return Simulated(
        years,
        np.concatenate(shares, axis=0),
        np.concatenate(relations, axis=0),
        np.concatenate(gdp, axis=0),
        year_of,
        powers,
    )


def simulate_years(
    scenario: Scenario,
    replicates: int,
    seed: int,
    strategy: str = "multivector",
    overrides: dict | None = None,
) -> tuple[np.ndarray, list[int]]:
    """Yearly mean trade shares, (replicates, years, partners), and the years (see ``simulate``)."""
    paths = simulate(scenario, replicates, seed, strategy, overrides)
    return paths.shares, paths.years


def compare(
    observed: ObservedTrade,
    yearly: np.ndarray,
    years: list[int],
    start: int,
    predictive: np.ndarray | None = None,
) -> pd.DataFrame:
    """Long table of observed and simulated shares (mean and band, and the predictive band)."""
    predictive = yearly if predictive is None else predictive
    rows = []
    for j, year in enumerate(years):
        if year not in observed.shares.index:
            continue
        lo, hi = np.percentile(yearly[:, j], BAND, axis=0)
        plo, phi = np.percentile(predictive[:, j], BAND, axis=0)
        for k, key in enumerate(PARTNER_KEYS):
            rows.append(
                {
                    "year": year,
                    "partner": key,
                    "observed": observed.shares.at[year, key],
                    "simulated_mean": yearly[:, j, k].mean(),
                    "p5": lo[k],
                    "p95": hi[k],
                    "predictive_p5": plo[k],
                    "predictive_p95": phi[k],
                    "in_sample": year == start,
                }
            )
    return pd.DataFrame(rows)


def compare_gdp(
    gdp: ObservedGDP,
    growth: np.ndarray,
    years: list[int],
    start: int,
    predictive: np.ndarray | None = None,
) -> pd.DataFrame:
    """Observed and simulated annual GDP growth (mean, band, predictive band) after ``start``."""
    predictive = growth if predictive is None else predictive
    rows = []
    for j, year in enumerate(years):
        if year > start and year in gdp.growth.index:
            lo, hi = np.percentile(growth[:, j], BAND)
            plo, phi = np.percentile(predictive[:, j], BAND)
            rows.append(
                {
                    "year": year,
                    "observed": float(gdp.growth[year]),
                    "simulated_mean": float(growth[:, j].mean()),
                    "p5": float(lo),
                    "p95": float(hi),
                    "predictive_p5": float(plo),
                    "predictive_p95": float(phi),
                }
            )
    columns = ["year", "observed", "simulated_mean", "p5", "p95", "predictive_p5", "predictive_p95"]
    return pd.DataFrame(rows, columns=columns)


def with_posterior(scenario: Scenario, posterior: str | Path) -> Scenario:
    """The scenario drawing from another posterior file, or from none (``"none"``)."""
    if str(posterior).lower() == "none":
        return scenario.model_copy(update={"posterior": ""})
    path = Path(posterior)
    if not path.is_file():
        raise UserError(f"`posterior` {posterior}: no such posterior file (or `none` for fixed values)")
    read_posterior(path)  # a bad file fails here, in one line naming it
    return scenario.model_copy(update={"posterior": str(path.resolve())})


def replay(
    observed: ObservedTrade,
    start: int,
    end: int,
    replicates: int,
    seed: int,
    scenario: Scenario | None = None,
    overrides: dict | None = None,
    posterior: str | Path | None = None,
    strategy: str = "multivector",
) -> tuple[Scenario, Simulated]:
    """The re-based scenario and its replicate paths: the hindcast's replay (``run_hindcast``).

    The history scenario (or ``scenario``) at the fitted values (``sim.evidence.fitted``) and
    ``overrides``, drawing from its posterior (or ``posterior``: a file, or ``"none"``).
    """
    history = scenario if scenario is not None else load_scenario(HISTORY)
    if posterior is not None:
        history = with_posterior(history, posterior)
    settings = {**load_fitted(), **(overrides or {})}
    rebased = rebase(history.with_overrides(settings) if settings else history, observed, start, end)
    return rebased, simulate(rebased, replicates, seed, strategy, overrides=overrides or None)


def run_hindcast(
    observed: ObservedTrade,
    start: int,
    end: int,
    replicates: int = 100,
    seed: int = 1,
    scenario: Scenario | None = None,
    overrides: dict | None = None,
    gdp: ObservedGDP | None = None,
    agreement: pd.DataFrame | None = None,
    posterior: str | Path | None = None,
) -> HindcastResult:
    """Replay history from ``start`` to ``end`` and score it against the observed data.

    With a posterior in force (the scenario's own, or ``posterior``: a file, or ``"none"`` for
    the fixed values) each replicate draws its parameters from it (``sim.model.posterior``);
    ``overrides`` keep their values.

    ``gdp`` (observed growth) and ``agreement`` (UNGA vote agreement by year and power) default
    to the shipped files.
    """
    if end <= start:
        raise UserError(f"`end` {end}: expected a year after `start` ({start})")
    if start not in observed.shares.index:
        raise UserError(
            f"`start` {start}: {observed.source} has no complete year {start}; years: {observed.years}"
        )
    scored = [y for y in observed.years if start < y <= end]
    if not scored:
        raise UserError(f"{observed.source}: no observed year after `start` {start} up to `end` {end}")
    gdp = gdp if gdp is not None else read_observed_gdp(OBSERVED_GDP_FILE)
    agreement = agreement if agreement is not None else read_agreement(UNGA_AGREEMENT_FILE)
    rebased, paths = replay(observed, start, end, replicates, seed, scenario, overrides, posterior)
    source = posterior_file(rebased)
    discrepancy = discrepancy_of(source)
    growth, growth_years = paths.gdp_growth()
    entropy = [seed, name_key(rebased.name)]
    shares_p, growth_p = predictive(discrepancy, paths.shares, growth, entropy)
    table = compare(observed, paths.shares, paths.years, start, shares_p)
    scores = skill_scores(table, observed.shares, start)
    gdp_table = compare_gdp(gdp, growth, growth_years, start, growth_p)
    scores |= gdp_scores(gdp_table, gdp, start)
    shares_model, shares_years = paths.shares, paths.years
    probabilistic, pits = ensemble_scores(
        observed.shares, shares_years, shares_model, shares_p, gdp, growth_years, growth, growth_p, start
    )
    scores |= probabilistic
    unga, unga_notes = relation_correlations(paths.relations, paths.years, paths.powers, agreement)
    scores |= unga
    notes = list(observed.notes)
    if start in BREAK_YEARS:
        notes.append(f"start year {start}: {BREAK_YEARS[start]}; scores are unreliable")
    missing = [y for y in range(start + 1, end + 1) if y not in observed.shares.index]
    if missing:
        notes.append(f"years without complete observations, not scored: {missing}")
    if start not in gdp.growth.index:
        notes.append(f"{gdp.source}: no observed GDP growth for {start}; no persistence baseline")
    notes += unga_notes
    notes.append(f"parameters drawn per replicate from {source}" if source else "fixed parameter values")
    notes.append(discrepancy_note(source, discrepancy))
    summary = pd.DataFrame({"metric": list(scores), "value": list(scores.values())})
    return HindcastResult(table, summary, notes, gdp_table, pits, source)


def write_hindcast(result: HindcastResult, out: Path) -> list[Path]:
    """hindcast.csv, hindcast_gdp.csv, hindcast_summary.csv, hindcast.png and pit.png in ``out``."""
    table = result.table.drop(columns="in_sample")
    atomic_write_csv(out / "hindcast.csv", [table])
    atomic_write_csv(out / "hindcast_gdp.csv", [result.gdp])
    atomic_write_csv(out / "hindcast_summary.csv", [result.summary])
    figure = out / "hindcast.png"
    plot_paths(result.table, figure, ("simulated_mean", "simulated (mean, 5-95%)"), gdp=result.gdp)
    written = [out / "hindcast.csv", out / "hindcast_gdp.csv", out / "hindcast_summary.csv", figure]
    if result.pit:
        written.append(plot_pit(result.pit, out / "pit.png"))
    return written
