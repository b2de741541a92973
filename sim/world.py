"""Exogenous world processes: rivalry between the powers and commodity prices (oil, uranium).

Each is a mean-reverting process drawn per replicate from the model's seeded generator:
log prices follow an AR(1) toward their long-run level, rivalry an AR(1) clipped to [0, 1].
"""

import numpy as np

from sim.params import WorldParams

COMMODITIES = ("oil", "uranium")


class World:
    """World state across R replicate worlds."""

    def __init__(self, params: WorldParams, replicates: int):
        initial = params.rivalry if params.rivalry_initial is None else params.rivalry_initial
        self.rivalry = np.full(replicates, initial)
        self.log_prices = np.log([[getattr(params, c).initial] * replicates for c in COMMODITIES])
        self.oil_change = np.zeros(replicates)  # log change of the oil price this quarter
        self.params = params

    @property
    def params(self) -> WorldParams:
        """The world parameters in force (an event may replace them)."""
        return self._params

    @params.setter
    def params(self, params: WorldParams) -> None:
        self._params = params
        specs = [getattr(params, c) for c in COMMODITIES]
        self._reversion = np.array([[s.reversion] for s in specs])
        self._log_mean = np.log([[s.mean] for s in specs])
        self._volatility = np.array([[s.volatility] for s in specs])

    @property
    def oil(self) -> np.ndarray:
        """Oil price index per replicate (start = 1)."""
        return np.exp(self.log_prices[0])

    @property
    def uranium(self) -> np.ndarray:
        """Uranium price index per replicate (start = 1)."""
        return np.exp(self.log_prices[1])

    def shock(self, target: str, size: float) -> None:
        """One-off event shock: log change of a price, or an additive change of rivalry."""
        if target == "rivalry":
            self.rivalry = np.clip(self.rivalry + size, 0.0, 1.0)
        else:
            self.log_prices[COMMODITIES.index(target)] += size

    def advance(self, rng: np.random.Generator) -> None:
        """One quarter of the exogenous drivers."""
        p = self._params
        eps = rng.standard_normal((3, self.rivalry.shape[0]))
        rivalry = (
            self.rivalry + p.rivalry_reversion * (p.rivalry - self.rivalry) + p.rivalry_volatility * eps[0]
        )
        self.rivalry = np.minimum(np.maximum(rivalry, 0.0), 1.0)
        change = self._reversion * (self._log_mean - self.log_prices) + self._volatility * eps[1:]
        self.log_prices = self.log_prices + change
        self.oil_change = change[0]
