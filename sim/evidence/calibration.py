"""Calibration: fit the parameters a spec declares free to observed partner shares of trade.

A calibration spec (``scenarios/calibration/*.toml``) names the scenario to replay, the fit
window (the observed start year seeds the shares, later years up to ``fit_end`` are fitted;
only data up to 2018 are, see docs/calibration.md), the replicates and seed, the budget, and
each free parameter with bounds and the source of its range. The fit minimises the RMSE of the
replicate-mean yearly shares against the observed ones, with common random numbers (the same
seed at every point), in two stages: a scrambled Sobol design over the bounds
(``scipy.stats.qmc``), then a bounded Nelder-Mead refinement (``scipy.optimize``) from the best
design point. The fitted values go to ``scenarios/calibration/fitted.toml``
(``sim.evidence.fitted``).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator
from scipy import optimize
from scipy.stats import qmc

from sim.errors import UserError, describe_validation
from sim.evidence.fitted import write_fitted
from sim.evidence.hindcast import rebase, simulate_years
from sim.evidence.observed import PARTNER_KEYS, ObservedTrade
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
    parameters: dict[str, FreeParameter] = Field(description="free parameters by dotted path")

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
    evaluations: pd.DataFrame  # stage, parameter columns, rmse
    statistics: dict[str, float]
    paths: pd.DataFrame  # year, partner, observed, default, fitted


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
        raise UserError(f"{path}: {describe_validation(err)}") from None
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
    """RMSE of simulated against observed yearly shares as a function of the free values."""

    def __init__(self, spec: CalibrationSpec, observed: ObservedTrade, scenario: Scenario):
        for year in (spec.fit_start, spec.fit_end):
            if year not in observed.shares.index:
                raise UserError(f"{observed.source}: no complete observed year {year} for the fit window")
        self.spec = spec
        self.keys = list(spec.parameters)
        self.low = np.array([p.low for p in spec.parameters.values()])
        self.high = np.array([p.high for p in spec.parameters.values()])
        self.scenario = scenario
        self.years = [y for y in observed.years if spec.fit_start < y <= spec.fit_end]
        self.target = observed.shares.loc[self.years, list(PARTNER_KEYS)].to_numpy()
        self.observed = observed
        self.rows: list[dict] = []

    def values(self, unit: np.ndarray) -> dict[str, float]:
        """Parameter values of a point of the unit cube."""
        x = self.low + np.clip(unit, 0.0, 1.0) * (self.high - self.low)
        return dict(zip(self.keys, (float(v) for v in x), strict=True))

    def paths(self, values: dict[str, float] | None) -> np.ndarray:
        """Replicate-mean yearly shares (fitted years x partners) at these values."""
        base = self.scenario.with_overrides(values) if values else self.scenario
        s = self.spec
        rebased = rebase(base, self.observed, s.fit_start, s.fit_end)
        yearly, years = simulate_years(rebased, s.replicates, s.seed, s.strategy)
        return yearly.mean(axis=0)[[years.index(y) for y in self.years]]

    def rmse(self, values: dict[str, float] | None) -> float:
        """Root mean squared error over the fitted partner-years."""
        return float(np.sqrt(np.mean((self.paths(values) - self.target) ** 2)))

    def __call__(self, unit: np.ndarray, stage: str = "refine") -> float:
        """RMSE at a point of the unit cube; every evaluation is recorded."""
        values = self.values(unit)
        error = self.rmse(values)
        self.rows.append({"stage": stage, **values, "rmse": error})
        return error


def calibrate(
    spec: CalibrationSpec, observed: ObservedTrade, scenario: Scenario | None = None
) -> CalibrationResult:
    """Sobol design, then Nelder-Mead from its best point; returns fitted values and statistics."""
    scenario = scenario if scenario is not None else load_scenario(spec.scenario)
    objective = Objective(spec, observed, scenario)
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
    paths = _paths_table(objective, fitted)
    return CalibrationResult(spec, fitted, evaluations, statistics, paths)


def fit_statistics(
    objective: Objective, fitted: dict[str, float], evaluations: pd.DataFrame
) -> dict[str, float]:
    """RMSE fitted, at the scenario's own values and of persistence; per partner; budget used."""
    spec = objective.spec
    fitted_paths = objective.paths(fitted)
    start = objective.observed.shares.loc[spec.fit_start, list(PARTNER_KEYS)].to_numpy()
    rmse = float(np.sqrt(np.mean((fitted_paths - objective.target) ** 2)))
    stats = {
        "rmse_fitted": rmse,
        "rmse_default": objective.rmse(None),
        "rmse_persistence": float(np.sqrt(np.mean((start - objective.target) ** 2))),
        "n_partner_years": float(objective.target.size),
        "evaluations": float(len(evaluations)),
    }
    for k, key in enumerate(PARTNER_KEYS):
        stats[f"rmse_{key}"] = float(np.sqrt(np.mean((fitted_paths[:, k] - objective.target[:, k]) ** 2)))
    # How well pinned each parameter is: range of values among the best 10% of design points.
    design = evaluations[evaluations["stage"] == "design"]
    top = design.nsmallest(max(2, len(design) // 10), "rmse")
    for key, free in spec.parameters.items():
        stats[f"top10_range_{key}"] = float((top[key].max() - top[key].min()) / (free.high - free.low))
    return stats


def _paths_table(objective: Objective, fitted: dict[str, float]) -> pd.DataFrame:
    default, best = objective.paths(None), objective.paths(fitted)
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
    return pd.DataFrame(rows)


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
    from sim.evidence.hindcast import plot_paths

    atomic_write_csv(out / "calibration_evaluations.csv", [result.evaluations])
    stats = pd.DataFrame(
        {
            "metric": [f"fitted.{k}" for k in result.fitted] + list(result.statistics),
            "value": list(result.fitted.values()) + list(result.statistics.values()),
        }
    )
    atomic_write_csv(out / "calibration_summary.csv", [stats])
    atomic_write_csv(out / "calibration_paths.csv", [result.paths])
    figure = out / "calibration_fit.png"
    plot_paths(result.paths, figure, ("default", "scenario values"), ("fitted", "fitted"))
    write_fitted(fitted_file, result.fitted, fitted_header(result, observed))
    return [out / "calibration_summary.csv", out / "calibration_paths.csv", figure, fitted_file]
