"""Exogenous world processes: rivalry between the powers and commodity prices (oil, uranium).

Each is a mean-reverting AR(1) process drawn per replicate from the model's seeded generator:
rivalry in levels (clipped to [0, 1]), oil and uranium prices in logs. The three share one
state array, so one quarter is a handful of numpy operations.
"""

import numpy as np

from sim.model.params import WorldParams

PROCESSES = ("rivalry", "oil", "uranium")  # rows of World.state; prices as log indices


class World:
    """World state across R replicate worlds."""

    def __init__(self, params: WorldParams, replicates: int):
        initial = params.rivalry if params.rivalry_initial is None else params.rivalry_initial
        start = [initial, np.log(params.oil.initial), np.log(params.uranium.initial)]
        self.state = np.repeat(np.array(start)[:, None], replicates, axis=1)
        self.oil_change = np.zeros(replicates)  # log change of the oil price this quarter
        self.params = params

    @property
    def params(self) -> WorldParams:
        """The world parameters in force (an event may replace them)."""
        return self._params

    @params.setter
    def params(self, params: WorldParams) -> None:
        self._params = params
        oil, uranium = params.oil, params.uranium
        self._reversion = np.array([[params.rivalry_reversion], [oil.reversion], [uranium.reversion]])
        self._mean = np.array([[params.rivalry], [np.log(oil.mean)], [np.log(uranium.mean)]])
        self._volatility = np.array([[params.rivalry_volatility], [oil.volatility], [uranium.volatility]])

    @property
    def rivalry(self) -> np.ndarray:
        """Rivalry between the powers per replicate (0..1)."""
        return self.state[0]

    @property
    def log_oil(self) -> np.ndarray:
        """Log oil price index per replicate (start = 0)."""
        return self.state[1]

    @property
    def oil(self) -> np.ndarray:
        """Oil price index per replicate (start = 1)."""
        return np.exp(self.state[1])

    @property
    def uranium(self) -> np.ndarray:
        """Uranium price index per replicate (start = 1)."""
        return np.exp(self.state[2])

    def shock(self, target: str, size: float) -> None:
        """One-off event shock: log change of a price, or an additive change of rivalry."""
        row = PROCESSES.index(target)
        self.state[row] += size
        self.state[0] = np.clip(self.state[0], 0.0, 1.0)

    def advance(self, rng: np.random.Generator) -> None:
        """One quarter of the exogenous drivers."""
        change = self._reversion * (self._mean - self.state) + self._volatility * rng.standard_normal(
            self.state.shape
        )
        self.state = self.state + change
        rivalry = self.state[0]  # a view: clip in place (np.clip costs several times more)
        np.minimum(np.maximum(rivalry, 0.0, out=rivalry), 1.0, out=rivalry)
        self.oil_change = change[1]
