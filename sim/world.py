"""Exogenous world processes: rivalry between the powers and commodity prices (oil, uranium).

Each is a mean-reverting process drawn per replicate from the model's seeded generator:
log prices follow an AR(1) toward their long-run level, rivalry an AR(1) clipped to [0, 1].
"""

import numpy as np

from sim.params import WorldParams


class World:
    """World state across R replicate worlds."""

    def __init__(self, params: WorldParams, replicates: int):
        self.params = params
        initial = params.rivalry if params.rivalry_initial is None else params.rivalry_initial
        self.rivalry = np.full(replicates, initial)
        self.oil = np.full(replicates, params.oil.initial)
        self.uranium = np.full(replicates, params.uranium.initial)
        self.oil_change = np.zeros(replicates)  # log change of the oil price this quarter

    def shock(self, target: str, size: float) -> None:
        """One-off event shock: log change of a price, or an additive change of rivalry."""
        if target == "rivalry":
            self.rivalry = np.clip(self.rivalry + size, 0.0, 1.0)
        else:
            setattr(self, target, getattr(self, target) * np.exp(size))

    def advance(self, rng: np.random.Generator) -> None:
        """One quarter of the exogenous drivers."""
        p = self.params
        eps = rng.standard_normal((3, self.rivalry.shape[0]))
        self.rivalry = np.clip(
            self.rivalry
            + p.rivalry_reversion * (p.rivalry - self.rivalry)
            + p.rivalry_volatility * eps[0],
            0.0,
            1.0,
        )
        old_oil = self.oil
        self.oil = _log_ar1(self.oil, p.oil.mean, p.oil.reversion, p.oil.volatility, eps[1])
        self.uranium = _log_ar1(
            self.uranium, p.uranium.mean, p.uranium.reversion, p.uranium.volatility, eps[2]
        )
        self.oil_change = np.log(self.oil / old_oil)


def _log_ar1(
    level: np.ndarray, mean: float, reversion: float, vol: float, eps: np.ndarray
) -> np.ndarray:
    log = np.log(level)
    return np.exp(log + reversion * (np.log(mean) - log) + vol * eps)
