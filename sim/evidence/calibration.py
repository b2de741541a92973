"""Calibration: fit the parameters a spec declares free to observed partner shares of trade.

A calibration spec (``scenarios/calibration/*.toml``) names the scenario to replay, the fit
window (the observed start year seeds the shares, later years up to ``fit_end`` are fitted;
only data up to 2018 are, see docs/calibration.md), the replicates and seed, the budget, and
each free parameter with bounds and the source of its range. The fit minimises the RMSE of the
replicate-mean yearly shares against the observed ones, plus ``gdp_weight`` times the RMSE of
the replicate-mean annual real GDP growth against the observed growth (``sim.evidence.
observed_gdp``; growth as in ``sim.evidence.hindcast``) over the same fitted years; with the
default ``gdp_weight = 0`` GDP is reported but not fitted. Common random numbers (the same
seed at every point), in two stages: a scrambled Sobol design over the bounds
(``scipy.stats.qmc``), then a bounded Nelder-Mead refinement (``scipy.optimize``) from the best
design point. The fitted values go to ``scenarios/calibration/fitted.toml``
(``sim.evidence.fitted``).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator
from scipy import optimize
from scipy.stats import qmc

from sim.errors import UserError, describe_validation
from sim.evidence.fitted import write_fitted
from sim.evidence.hindcast import rebase, simulate
from sim.evidence.observed import PARTNER_KEYS, ObservedTrade
from sim.evidence.observed_gdp import ObservedGDP, read_observed_gdp
from sim.files import atomic_write_csv, read_toml
from sim.model.events import get_path
from sim.model.params import Strict
from sim.model.scenario import Scenario, load_scenario
from sim.paths import CALIBRATION_DIR

LAST_CALIBRATION_YEAR = 2018  # later years are kept for out-of-sample validation (docs/validation.md)


class FreeParameter(Strict):
    """A parameter to fit, by dotted scenario path, with its bounds and their source."""

    low: float = Field(description="lower bound")
    high: float = Field(description="upper bound")
    source: str = Field(description="where the range comes from (fact id, data row, assumption)")

    @model_validator(mode="after")
    def _bounds(self) -> "FreeParameter":
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class CalibrationSpec(Strict):
    """What to fit, to which data, and with what budget."""

    name: str = Field(description="spec name")
    description: str = Field("", description="what this calibration fits")
    scenario: str = Field("history_2011_2023", description="scenario replayed")
    strategy: str = Field("multivector", description="the pivot's strategy during the replay")
    fit_start: int = Field(2011, description="observed year the shares start from")
    fit_end: int = Field(LAST_CALIBRATION_YEAR, description="last observed year fitted")
    replicates: int = Field(20, ge=1, le=1000, description="replicates per evaluation")
    seed: int = Field(1, ge=0, description="root seed (common random numbers)")
    design_points: int = Field(64, ge=2, le=4096, description="Sobol design size (a power of 2)")
    refine_evaluations: int = Field(200, ge=0, le=10000, description="Nelder-Mead budget")
    gdp_weight: float = Field(
        0.0,
        ge=0.0,
        le=100.0,
        description="weight of the real GDP growth RMSE in the objective (0: shares only)",
    )
    parameters: dict[str, FreeParameter] = Field(description="free parameters by dotted path")
    method: Literal["abc", "optimise"] = Field(
        "abc", description="abc: ABC-SMC posterior (sim.evidence.abc); optimise: Sobol + Nelder-Mead point"
    )
    population: int = Field(200, ge=4, le=100_000, description="ABC-SMC particles per generation")
    generations: int = Field(8, ge=1, le=100, description="ABC-SMC generations at most")
    max_simulations: int = Field(
        20_000, ge=1, description="ABC-SMC: no new generation once this many simulations are spent"
    )
    min_epsilon: float = Field(0.0, ge=0.0, description="ABC-SMC: stop once the tolerance is this low")
    share_scale: float | None = Field(
        None, gt=0.0, description="ABC distance scale of the share RMSE (default: persistence's RMSE)"
    )
    gdp_scale: float | None = Field(
        None, gt=0.0, description="ABC distance scale of the GDP growth RMSE (default: persistence's RMSE)"
    )
    output: str = Field(
        "", description="posterior file name in scenarios/calibration/ (default: <name>.posterior.toml)"
    )

    @model_validator(mode="after")
    def _checks(self) -> "CalibrationSpec":
        if self.fit_end > LAST_CALIBRATION_YEAR:
            raise ValueError(
                f"fit_end: {self.fit_end} is after {LAST_CALIBRATION_YEAR}, the last calibration year"
            )
        if self.fit_end <= self.fit_start:
            raise ValueError(f"fit_end: expected a year after fit_start ({self.fit_start})")
        if self.design_points & (self.design_points - 1):
            raise ValueError(f"design_points: expected a power of 2, got {self.design_points}")
        if not self.parameters:
            raise ValueError("parameters: declare at least one free parameter")
        return self


@dataclass
class CalibrationResult:
    """Fitted values, every evaluation, fit statistics and the fitted and default paths."""

    spec: CalibrationSpec
    fitted: dict[str, float]
    evaluations: pd.DataFrame  # stage, parameter columns, rmse, gdp_growth_rmse, objective
    statistics: dict[str, float]
    paths: pd.DataFrame  # year, partner, observed, default, fitted
    gdp_paths: pd.DataFrame  # year, observed, default, fitted (annual real GDP growth)


def load_spec(name_or_path: str) -> CalibrationSpec:
    """Load a calibration spec by name (in scenarios/calibration/) or path, with clear errors."""
    path = Path(name_or_path)
    if path.suffix != ".toml" and not path.exists():
        path = CALIBRATION_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise UserError(f"{name_or_path}: no such calibration spec (looked in {CALIBRATION_DIR})")
    data = read_toml(path)
    data.setdefault("name", path.stem)
    try:
        spec = CalibrationSpec.model_validate(data)
    except ValidationError as err:
        raise UserError(f"{path}: {describe_validation(err, model=CalibrationSpec)}") from None
    scenario = load_scenario(spec.scenario)
    dumped = scenario.model_dump()
    for key, free in spec.parameters.items():
        try:
            current = get_path(dumped, key)
        except KeyError:
            if not key.startswith(f"strategies.{spec.strategy}."):
                raise UserError(f"{path}: parameters.{key}: unknown parameter path") from None
            continue
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise UserError(f"{path}: parameters.{key}: expected a numeric parameter")
        try:
            scenario.with_overrides({key: free.low}).with_overrides({key: free.high})
        except ValueError as err:
            raise UserError(f"{path}: parameters.{key}: bounds outside the allowed range: {err}") from None
    return spec


class Objective:
    """Share RMSE + gdp_weight x GDP-growth RMSE of the simulated against the observed years."""

    def __init__(
        self,
        spec: CalibrationSpec,
        observed: ObservedTrade,
        scenario: Scenario,
        gdp: ObservedGDP | None = None,
    ):
        for year in (spec.fit_start, spec.fit_end):
            if year not in observed.shares.index:
                raise UserError(f"{observed.source}: no complete observed year {year} for the fit window")
        self.spec = spec
        self.keys = list(spec.parameters)
        self.low = np.array([p.low for p in spec.parameters.values()])
        self.high = np.array([p.high for p in spec.parameters.values()])
        self.scenario = scenario.model_copy(update={"posterior": ""})  # fit fixed values, not draws
        self.years = [y for y in observed.years if spec.fit_start < y <= spec.fit_end]
        self.target = observed.shares.loc[self.years, list(PARTNER_KEYS)].to_numpy()
        self.observed = observed
        self.gdp = gdp if gdp is not None else read_observed_gdp()
        self.gdp_years = [y for y in self.gdp.years if spec.fit_start < y <= spec.fit_end]
        if spec.gdp_weight > 0 and not self.gdp_years:
            raise UserError(f"{self.gdp.source}: no observed GDP growth in the fit years; set gdp_weight = 0")
        self.gdp_target = self.gdp.growth.loc[self.gdp_years].to_numpy(dtype=float)
        self.rows: list[dict] = []

    def values(self, unit: np.ndarray) -> dict[str, float]:
        """Parameter values of a point of the unit cube."""
        x = self.low + np.clip(unit, 0.0, 1.0) * (self.high - self.low)
        return dict(zip(self.keys, (float(v) for v in x), strict=True))

    def simulated(self, values: dict[str, float] | None) -> tuple[np.ndarray, np.ndarray]:
        """Replicate-mean yearly shares (fitted years x partners) and annual GDP growth (GDP years)."""
        base = self.scenario.with_overrides(values) if values else self.scenario
        s = self.spec
        rebased = rebase(base, self.observed, s.fit_start, s.fit_end)
        paths = simulate(rebased, s.replicates, s.seed, s.strategy)
        shares = paths.shares.mean(axis=0)[[paths.years.index(y) for y in self.years]]
        growth, growth_years = paths.gdp_growth()
        mean_growth = growth.mean(axis=0)[[growth_years.index(y) for y in self.gdp_years]]
        return shares, mean_growth

    def paths(self, values: dict[str, float] | None) -> np.ndarray:
        """Replicate-mean yearly shares (fitted years x partners) at these values."""
        return self.simulated(values)[0]

    def errors(self, values: dict[str, float] | None) -> tuple[float, float]:
        """RMSE over the fitted partner-years and over the fitted GDP years (NaN without any)."""
        shares, growth = self.simulated(values)
        gdp_rmse = float(np.sqrt(np.mean((growth - self.gdp_target) ** 2))) if self.gdp_years else np.nan
        return float(np.sqrt(np.mean((shares - self.target) ** 2))), gdp_rmse

    def rmse(self, values: dict[str, float] | None) -> float:
        """Root mean squared error over the fitted partner-years."""
        return self.errors(values)[0]

    def combine(self, share_rmse: float, gdp_rmse: float) -> float:
        """The objective: share RMSE, plus gdp_weight x GDP RMSE when the weight is positive."""
        return share_rmse + self.spec.gdp_weight * gdp_rmse if self.spec.gdp_weight > 0 else share_rmse

    def __call__(self, unit: np.ndarray, stage: str = "refine") -> float:
        """The objective at a point of the unit cube; every evaluation is recorded."""
        values = self.values(unit)
        share_rmse, gdp_rmse = self.errors(values)
        error = self.combine(share_rmse, gdp_rmse)
        self.rows.append(
            {"stage": stage, **values, "rmse": share_rmse, "gdp_growth_rmse": gdp_rmse, "objective": error}
        )
        return error


def calibrate(
    spec: CalibrationSpec,
    observed: ObservedTrade,
    scenario: Scenario | None = None,
    gdp: ObservedGDP | None = None,
) -> CalibrationResult:
    """Sobol design, then Nelder-Mead from its best point; returns fitted values and statistics.

    ``gdp`` (observed real GDP growth) defaults to the shipped file.
    """
    scenario = scenario if scenario is not None else load_scenario(spec.scenario)
    objective = Objective(spec, observed, scenario, gdp)
    sampler = qmc.Sobol(len(objective.keys), scramble=True, seed=spec.seed)
    design = sampler.random_base2(int(np.log2(spec.design_points)))
    scores = [objective(point, "design") for point in design]
    best = design[int(np.argmin(scores))]
    if spec.refine_evaluations > 0:
        found = optimize.minimize(
            objective,
            best,
            method="Nelder-Mead",
            bounds=[(0.0, 1.0)] * len(objective.keys),
            options={"maxfev": spec.refine_evaluations, "xatol": 1e-3, "fatol": 1e-6},
        )
        best = found.x if found.fun <= min(scores) else best
    fitted = objective.values(best)
    evaluations = pd.DataFrame(objective.rows)
    statistics = fit_statistics(objective, fitted, evaluations)
    paths, gdp_paths = _paths_tables(objective, fitted)
    return CalibrationResult(spec, fitted, evaluations, statistics, paths, gdp_paths)


def fit_statistics(
    objective: Objective, fitted: dict[str, float], evaluations: pd.DataFrame
) -> dict[str, float]:
    """Share and GDP-growth RMSE: fitted, at the scenario's values and of persistence.

    Also the objective, the share RMSE per partner, the budget used and how well pinned each
    parameter is (range of its values among the best 10% of design points).
    """
    spec = objective.spec
    fitted_paths, fitted_growth = objective.simulated(fitted)
    start = objective.observed.shares.loc[spec.fit_start, list(PARTNER_KEYS)].to_numpy()
    rmse = float(np.sqrt(np.mean((fitted_paths - objective.target) ** 2)))
    gdp_rmse = _rmse(fitted_growth, objective.gdp_target)
    default_rmse, default_gdp_rmse = objective.errors(None)
    start_growth = objective.gdp.growth.get(spec.fit_start, np.nan)
    stats = {
        "rmse_fitted": rmse,
        "rmse_default": default_rmse,
        "rmse_persistence": float(np.sqrt(np.mean((start - objective.target) ** 2))),
        "n_partner_years": float(objective.target.size),
        "gdp_growth_rmse_fitted": gdp_rmse,
        "gdp_growth_rmse_default": default_gdp_rmse,
        "gdp_growth_rmse_persistence": _rmse(
            np.full(len(objective.gdp_target), start_growth), objective.gdp_target
        ),
        "gdp_growth_n_years": float(len(objective.gdp_years)),
        "gdp_weight": spec.gdp_weight,
        "objective_fitted": objective.combine(rmse, gdp_rmse),
        "evaluations": float(len(evaluations)),
    }
    for k, key in enumerate(PARTNER_KEYS):
        stats[f"rmse_{key}"] = float(np.sqrt(np.mean((fitted_paths[:, k] - objective.target[:, k]) ** 2)))
    # How well pinned each parameter is: range of values among the best 10% of design points.
    design = evaluations[evaluations["stage"] == "design"]
    top = design.nsmallest(max(2, len(design) // 10), "objective")
    for key, free in spec.parameters.items():
        stats[f"top10_range_{key}"] = float((top[key].max() - top[key].min()) / (free.high - free.low))
    return stats


def _rmse(forecast: np.ndarray, observed: np.ndarray) -> float:
    return float(np.sqrt(np.mean((forecast - observed) ** 2))) if len(observed) else np.nan


def _paths_tables(objective: Objective, fitted: dict[str, float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Observed, default and fitted shares by year and partner; the same for GDP growth."""
    (default, default_growth), (best, best_growth) = objective.simulated(None), objective.simulated(fitted)
    rows = [
        {
            "year": year,
            "partner": key,
            "observed": objective.target[i, k],
            "default": default[i, k],
            "fitted": best[i, k],
        }
        for i, year in enumerate(objective.years)
        for k, key in enumerate(PARTNER_KEYS)
    ]
    gdp = pd.DataFrame(
        {
            "year": objective.gdp_years,
            "observed": objective.gdp_target,
            "default": default_growth,
            "fitted": best_growth,
        }
    )
    return pd.DataFrame(rows), gdp


def fitted_header(result: CalibrationResult, observed: ObservedTrade) -> list[str]:
    """Comment lines for the fitted file: provenance and fit statistics."""
    spec, st = result.spec, result.statistics
    lines = [
        f"Calibrated by `multivector calibrate {spec.name}` (sim/evidence/calibration.py); "
        "do not edit by hand.",
        f"Fitted to {observed.source.name}: shares of turnover {spec.fit_start + 1}-{spec.fit_end}, "
        f"start {spec.fit_start}, scenario {spec.scenario}, strategy {spec.strategy}.",
        f"{spec.replicates} replicates, seed {spec.seed}, {int(st['evaluations'])} evaluations "
        f"({spec.design_points} Sobol points + Nelder-Mead).",
        f"RMSE fitted {st['rmse_fitted']:.4f}, at scenario values {st['rmse_default']:.4f}, "
        f"persistence {st['rmse_persistence']:.4f} over {int(st['n_partner_years'])} partner-years.",
        f"Real GDP growth RMSE fitted {st['gdp_growth_rmse_fitted']:.4f}, at scenario values "
        f"{st['gdp_growth_rmse_default']:.4f}, persistence {st['gdp_growth_rmse_persistence']:.4f} "
        f"over {int(st['gdp_growth_n_years'])} years; gdp_weight {spec.gdp_weight:g}.",
        "",
    ]
    for key, free in spec.parameters.items():
        lines.append(
            f"{key}: bounds {free.low}-{free.high} ({free.source}); "
            f"best-10% design range {st[f'top10_range_{key}']:.2f} of the bounds"
        )
    return lines


def write_calibration(
    result: CalibrationResult, observed: ObservedTrade, out: Path, fitted_file: Path
) -> list[Path]:
    """Evaluations, statistics, fitted-vs-observed paths and a figure in ``out``; the fitted file."""
    from sim.evidence.figures import plot_paths

    atomic_write_csv(out / "calibration_evaluations.csv", [result.evaluations])
    stats = pd.DataFrame(
        {
            "metric": [f"fitted.{k}" for k in result.fitted] + list(result.statistics),
            "value": list(result.fitted.values()) + list(result.statistics.values()),
        }
    )
    atomic_write_csv(out / "calibration_summary.csv", [stats])
    atomic_write_csv(out / "calibration_paths.csv", [result.paths])
    atomic_write_csv(out / "calibration_gdp.csv", [result.gdp_paths])
    figure = out / "calibration_fit.png"
    lines = (("default", "scenario values"), ("fitted", "fitted"))
    plot_paths(result.paths, figure, *lines, gdp=result.gdp_paths)
    write_fitted(fitted_file, result.fitted, fitted_header(result, observed))
    written = ["calibration_summary.csv", "calibration_paths.csv", "calibration_gdp.csv"]
    return [*(out / name for name in written), figure, fitted_file]
