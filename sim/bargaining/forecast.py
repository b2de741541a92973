"""Forecasts with uncertainty: every issue, many replicates, both models, the baselines beside them.

Each issue is played once on its stated inputs (the *central* run, whose rounds are recorded)
and ``replicates`` times on inputs drawn uniformly within the stated ranges of positions and
saliences, each replicate with its own random priority of actors for exact ties. All replicates
of all issues go through the models together as one vectorised batch. Random numbers come from
``numpy.random.SeedSequence`` keyed by (root seed, issue name), so an issue's forecast does not
depend on which other issues share the command, nor on the number of worker processes.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.bargaining import bdm, ktab
from sim.bargaining.baselines import weighted_mean, weighted_median
from sim.bargaining.engine import Problems, Rounds
from sim.bargaining.issues import Issue
from sim.errors import UserError

Simulate = Callable[..., Rounds]
Forecast = Callable[[np.ndarray, Problems], np.ndarray]
MODELS: dict[str, tuple[Simulate, Forecast]] = {
    "bdm": (bdm.simulate, bdm.forecast),
    "ktab": (ktab.simulate, ktab.forecast),
}
FORECAST_COLUMNS = (
    "issue",
    "model",
    "forecast",
    "forecast_low",
    "forecast_high",
    "weighted_mean",
    "weighted_median",
    "rounds",
    "converged",
)
LOW_QUANTILE, HIGH_QUANTILE = 0.05, 0.95


@dataclass(frozen=True)
class BargainResult:
    """``forecast`` (one row per issue and model) and ``rounds`` (central run's positions by round)."""

    forecast: pd.DataFrame
    rounds: pd.DataFrame


def _key(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def _generator(seed: int, issue: str, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_key(issue), stream)))


def _width(issue: Issue) -> float:
    width = issue.scale_high - issue.scale_low
    return width if width > 0 else 1.0


def pack(issues: list[Issue], replicates: int, seed: int) -> tuple[Problems, Problems]:
    """Central problems (one per issue) and replicate problems (issue-major), padded and normalised."""
    n = max(issue.size for issue in issues)
    count = len(issues)
    central = [np.zeros((count, n)) for _ in range(3)] + [np.full((count, n), -1.0)]
    reps = [np.zeros((count * replicates, n)) for _ in range(3)] + [np.full((count * replicates, n), -1.0)]
    for i, issue in enumerate(issues):
        m, width = issue.size, _width(issue)
        central[0][i, :m] = (issue.position - issue.scale_low) / width
        central[1][i, :m] = issue.salience
        central[2][i, :m] = issue.capability
        central[3][i, :m] = _generator(seed, issue.name, 0).random(m)
        rng = _generator(seed, issue.name, 1)
        rows = slice(i * replicates, (i + 1) * replicates)
        position = rng.uniform(issue.position_low, issue.position_high, size=(replicates, m))
        reps[0][rows, :m] = (position - issue.scale_low) / width
        reps[1][rows, :m] = rng.uniform(issue.salience_low, issue.salience_high, size=(replicates, m))
        reps[2][rows, :m] = issue.capability
        reps[3][rows, :m] = rng.random((replicates, m))
    return Problems(*central), Problems(*reps)


def _round_rows(issues: list[Issue], model: str, result: Rounds) -> pd.DataFrame:
    frames = []
    for i, issue in enumerate(issues):
        played = int(result.rounds[i])  # the last round that moved someone: its positions are final
        path = result.path[: played + 1, i, : issue.size] * _width(issue) + issue.scale_low
        frames.append(
            pd.DataFrame(
                {
                    "issue": issue.name,
                    "model": model,
                    "round": np.repeat(np.arange(played + 1), issue.size),
                    "actor": np.tile(np.array(issue.actors, dtype=object), played + 1),
                    "position": path.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def bargain(
    issues: list[Issue],
    models: tuple[str, ...] = ("bdm",),
    replicates: int = 100,
    seed: int = 1,
    rounds: int = 50,
    workers: int = 1,
) -> BargainResult:
    """Forecast every issue with every model; the library function behind ``multivector bargain``."""
    if replicates < 1:
        raise UserError(f"`replicates`: expected at least 1, got {replicates}")
    if rounds < 1:
        raise UserError(f"`rounds`: expected at least 1, got {rounds}")
    unknown = [m for m in models if m not in MODELS]
    if unknown or not models:
        raise UserError(
            f"`model`: unknown model {unknown[0] if unknown else ''!r} (expected one of {', '.join(MODELS)})"
        )
    central, reps = pack(issues, replicates, seed)
    scales = np.array([[issue.scale_low, _width(issue)] for issue in issues])
    weight = central.weight
    rows, paths = [], []
    for model in models:
        simulate, forecast = MODELS[model]
        centre = simulate(central, rounds, record=True, workers=workers)
        spread = simulate(reps, rounds, workers=workers)
        values = forecast(spread.position, reps).reshape(len(issues), replicates)
        values = values * scales[:, 1:] + scales[:, :1]
        for i, issue in enumerate(issues):
            rows.append(
                {
                    "issue": issue.name,
                    "model": model,
                    "forecast": float(np.median(values[i])),
                    "forecast_low": float(np.quantile(values[i], LOW_QUANTILE)),
                    "forecast_high": float(np.quantile(values[i], HIGH_QUANTILE)),
                    "weighted_mean": float(weighted_mean(issue.position, weight[i, : issue.size])),
                    "weighted_median": float(weighted_median(issue.position, weight[i, : issue.size])),
                    "rounds": int(centre.rounds[i]),
                    "converged": bool(centre.converged[i]),
                }
            )
        paths.append(_round_rows(issues, model, centre))
    return BargainResult(
        pd.DataFrame(rows, columns=list(FORECAST_COLUMNS)), pd.concat(paths, ignore_index=True)
    )
