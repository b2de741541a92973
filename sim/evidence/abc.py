"""ABC-SMC calibration: a weighted posterior sample of a spec's free parameters (pyABC).

Why: the Sobol + Nelder-Mead fit (``sim.evidence.calibration``) returns one point of weakly
identified parameters, so every run held only the model's noise. Approximate Bayesian
computation with sequential Monte Carlo (pyABC's ``ABCSMC``) returns weighted particles whose
replays stay within a shrinking tolerance of the observed years; runs then draw from them.

- **Prior**: uniform over each free parameter's ``[low, high]`` in the spec (sources there).
- **A particle** is one lockstep run of the spec's R replicates at its values (passed as
  overrides), the replay of ``Objective.simulated``: ``history_2011_2023`` re-based to the
  observed ``fit_start`` shares, same seed for every particle (common random numbers).
- **Summary statistics**: the replicate-mean yearly partner shares (fitted years x partners)
  and the replicate-mean annual real GDP growth of the fitted years.
- **Distance**: ``share_rmse / share_scale + gdp_rmse / gdp_scale``; each scale defaults to the
  RMSE of persistence (the start year held) over the same years, so 1 in either term means "as
  far off as persistence" and both count (docs/calibration.md).
- **Reproducible**: pyABC draws from numpy's global generator; the sampler reseeds it at the
  start of every generation (and of the prior sample that sets the first tolerance) from
  ``SeedSequence([seed, t + 1, prior_sample])``, so generation t does not depend on how the run got
  there. The caller's global state is restored afterwards.
- **Resumable**: pyABC's SQLite history lives in the work folder. The run goes one generation at
  a time, each loaded from the stored history, so a fresh run and a resumed one take the same
  path: an interrupt loses only the unfinished generation and the result is the same.
"""

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.evidence.calibration import CalibrationSpec, Objective
from sim.evidence.observed import PARTNER_KEYS, ObservedTrade
from sim.evidence.observed_gdp import ObservedGDP
from sim.files import atomic_write_text
from sim.model.scenario import Scenario, load_scenario

DB_NAME = "abc.sqlite"
SETTINGS_NAME = "abc_settings.json"
QUICK = {"population": 16, "generations": 2, "replicates": 4, "max_simulations": 10_000}


@dataclass(frozen=True)
class Generation:
    """One finished ABC-SMC generation."""

    t: int
    epsilon: float
    acceptance_rate: float
    population: int
    simulations: int


@dataclass
class AbcResult:
    """The final weighted particles, every generation, and the distance's scales."""

    spec: CalibrationSpec
    generations: list[Generation]
    particles: pd.DataFrame  # weight, then one column per dotted parameter path
    scales: dict[str, float]
    pyabc_version: str


def quick_spec(spec: CalibrationSpec) -> CalibrationSpec:
    """The spec shrunk for a check that takes under a minute (tiny population, 2 generations)."""
    return spec.model_copy(update=QUICK)


def import_pyabc() -> Any:
    """pyabc, with its INFO logging silenced, or a one-line error naming the extra to install."""
    try:
        import pyabc
    except ImportError:
        raise UserError(
            "calibrate: pyabc is not installed; install the `calibration` extra "
            "(uv sync --all-extras, or pip install 'multivector[calibration]')"
        ) from None
    logging.getLogger("ABC").setLevel(logging.WARNING)
    return pyabc


class AbcProblem:
    """Summary statistics of a particle, the observed ones, and the scaled distance."""

    def __init__(
        self,
        spec: CalibrationSpec,
        observed: ObservedTrade,
        scenario: Scenario | None = None,
        gdp: ObservedGDP | None = None,
    ):
        scenario = scenario if scenario is not None else load_scenario(spec.scenario)
        self.objective = o = Objective(spec, observed, scenario, gdp)
        if not o.gdp_years:
            raise UserError(f"{o.gdp.source}: no observed GDP growth in the fit years {o.years}")
        self.keys = list(spec.parameters)
        self.names = [f"p{i}" for i in range(len(self.keys))]  # pyABC-safe parameter names
        start = observed.shares.loc[spec.fit_start, list(PARTNER_KEYS)].to_numpy(dtype=float)
        share_scale = spec.share_scale or _rmse(np.broadcast_to(start, o.target.shape), o.target)
        start_growth = float(o.gdp.growth.get(spec.fit_start, np.nan))
        gdp_scale = spec.gdp_scale or _rmse(np.full(len(o.gdp_target), start_growth), o.gdp_target)
        if not (np.isfinite(gdp_scale) and gdp_scale > 0):
            raise UserError(
                f"{o.gdp.source}: no observed GDP growth for {spec.fit_start} to scale the distance; "
                "set gdp_scale in the spec"
            )
        self.scales = {"shares": float(share_scale), "gdp_growth": float(gdp_scale)}

    def observed(self) -> dict[str, np.ndarray]:
        """The observed summary statistics."""
        return {"shares": self.objective.target.ravel(), "gdp": self.objective.gdp_target}

    def values(self, parameter: Any) -> dict[str, float]:
        """Dotted parameter paths and values of a pyABC parameter."""
        return {key: float(parameter[name]) for key, name in zip(self.keys, self.names, strict=True)}

    def model(self, parameter: Any) -> dict[str, np.ndarray]:
        """Simulated summary statistics of one particle: one lockstep run of R replicates."""
        shares, growth = self.objective.simulated(self.values(parameter))
        return {"shares": shares.ravel(), "gdp": growth}

    def distance(self, x: dict, x0: dict) -> float:
        """Share RMSE and GDP growth RMSE, each over its scale, added."""
        shares = _rmse(np.asarray(x["shares"]), np.asarray(x0["shares"])) / self.scales["shares"]
        growth = _rmse(np.asarray(x["gdp"]), np.asarray(x0["gdp"])) / self.scales["gdp_growth"]
        return float(shares + growth)


def _rmse(forecast: np.ndarray, observed: np.ndarray) -> float:
    return float(np.sqrt(np.mean((forecast - observed) ** 2)))


def _seeded_sampler(pyabc: Any, seed: int) -> Any:
    """PyABC's single-core sampler, reseeding numpy's global generator for every generation."""

    class SeededSampler(pyabc.sampler.SingleCoreSampler):
        def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):
            prior_sample = int(bool(kwargs.get("all_accepted", False)))
            np.random.seed(np.random.SeedSequence([seed, t + 1, prior_sample]).generate_state(4))
            return super().sample_until_n_accepted(n, simulate_one, t, **kwargs)

    return SeededSampler()


def _abcsmc(pyabc: Any, problem: AbcProblem, spec: CalibrationSpec) -> Any:
    prior = pyabc.Distribution(
        **{
            name: pyabc.RV("uniform", free.low, free.high - free.low)
            for name, free in zip(problem.names, spec.parameters.values(), strict=True)
        }
    )
    return pyabc.ABCSMC(
        problem.model,
        prior,
        problem.distance,
        population_size=spec.population,
        sampler=_seeded_sampler(pyabc, spec.seed),
        eps=pyabc.QuantileEpsilon(alpha=0.5),
    )


def settings_of(spec: CalibrationSpec, problem: AbcProblem) -> dict[str, Any]:
    """What a resumed run must share with the stored one: the spec and the distance's scales."""
    return {"spec": spec.model_dump(mode="json"), "scales": problem.scales}


def _stored_generations(pyabc: Any, url: str) -> int:
    max_t = pyabc.History(url, _id=1).max_t
    return 0 if max_t is None else max(int(max_t), -1) + 1


def run_abc(
    spec: CalibrationSpec,
    observed: ObservedTrade,
    work: Path,
    resume: bool = False,
    progress: Callable[[Generation, float], None] | None = None,
    scenario: Scenario | None = None,
    gdp: ObservedGDP | None = None,
) -> AbcResult:
    """Run (or resume) ABC-SMC with its history in ``work``; ``progress`` hears of each generation.

    Stops after ``spec.generations`` generations, once ``spec.max_simulations`` simulations are
    spent, or once the tolerance reaches ``spec.min_epsilon``.
    """
    pyabc = import_pyabc()
    problem = AbcProblem(spec, observed, scenario, gdp)
    work.mkdir(parents=True, exist_ok=True)
    db, settings_path = work / DB_NAME, work / SETTINGS_NAME
    settings = settings_of(spec, problem)
    url = f"sqlite:///{db.resolve()}"
    if db.exists():
        if not resume:
            raise UserError(
                f"{work}: holds an earlier calibration ({DB_NAME}); "
                "pass --resume to continue it or --force to start again"
            )
        stored = json.loads(settings_path.read_text()) if settings_path.is_file() else None
        if stored != settings:
            raise UserError(
                f"{settings_path}: the stored calibration has other settings; --force starts again"
            )
        if _stored_generations(pyabc, url) == 0:  # interrupted in generation 0: start it again
            db.unlink()
    atomic_write_text(settings_path, json.dumps(settings, indent=1, sort_keys=True) + "\n")
    state = np.random.get_state()
    started = time.perf_counter()
    try:
        while True:
            done = _stored_generations(pyabc, url) if db.exists() else 0
            if done and _finished(pyabc.History(url, _id=1), spec):
                break
            abc = _abcsmc(pyabc, problem, spec)
            if db.exists():
                abc.load(url, 1)
            else:
                abc.new(url, problem.observed())
            abc.run(minimum_epsilon=spec.min_epsilon, max_nr_populations=1)
            if _stored_generations(pyabc, url) == done:  # the generation could not be completed
                break
            if progress is not None:
                progress(generations_of(pyabc.History(url, _id=1))[-1], time.perf_counter() - started)
    finally:
        np.random.set_state(state)
    history = pyabc.History(url, _id=1)
    return AbcResult(
        spec, generations_of(history), _particles(history, problem), problem.scales, pyabc.__version__
    )


def _finished(history: Any, spec: CalibrationSpec) -> bool:
    last = generations_of(history)[-1]
    return (
        history.n_populations >= spec.generations
        or history.total_nr_simulations >= spec.max_simulations
        or last.epsilon <= spec.min_epsilon
    )


def generations_of(history: Any) -> list[Generation]:
    """Every finished generation of a pyABC history."""
    table = history.get_all_populations()
    table = table[table["t"] >= 0].sort_values("t")
    return [
        Generation(
            int(r.t), float(r.epsilon), float(r.particles / r.samples), int(r.particles), int(r.samples)
        )
        for r in table.itertuples()
    ]


def _particles(history: Any, problem: AbcProblem) -> pd.DataFrame:
    """Final particles: weight and dotted parameter columns, in a canonical order."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    table = pd.DataFrame({"weight": np.asarray(weights, dtype=float) / np.sum(weights)})
    for key, name in zip(problem.keys, problem.names, strict=True):
        table[key] = frame[name].to_numpy(dtype=float)
    return table.sort_values([*problem.keys, "weight"], ignore_index=True)
