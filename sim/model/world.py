"""Exogenous world processes: rivalry between the powers and export commodity prices.

Each is a mean-reverting AR(1) process drawn per replicate from the model's seeded generator:
rivalry in levels (clipped to [0, 1]), the oil, metals and uranium prices in logs. They share
one state array, advanced in one compiled kernel (``kernels.world_advance``). A one-off event shock moves
the state at once, so it reaches export value, GDP and trade in the quarter it happens.
"""

import numpy as np

from sim.model.kernels import world_advance
from sim.model.params import COMMODITIES, WorldParams

PROCESSES = ("rivalry", *COMMODITIES)  # rows of World.state; prices as log indices
ZERO, ONE = np.asarray(0.0), np.asarray(1.0)  # rivalry's bounds, 0-d: numpy converts no float


class World:
    """World state across R replicate worlds."""

    def __init__(self, params: WorldParams, replicates: int):
        initial = params.rivalry if params.rivalry_initial is None else params.rivalry_initial
        start = [initial, *(np.log(getattr(params, c).initial) for c in COMMODITIES)]
        self.state = np.repeat(np.array(start)[:, None], replicates, axis=1)
        self.params = params

    @property
    def params(self) -> WorldParams:
        """The world parameters in force (an event may replace them)."""
        return self._params

    @params.setter
    def params(self, params: WorldParams) -> None:
        self._params = params
        tables = [getattr(params, c) for c in COMMODITIES]
        self._reversion = np.array([[params.rivalry_reversion], *([t.reversion] for t in tables)])
        self._mean = np.array([[params.rivalry], *([np.log(t.mean)] for t in tables)])
        self._volatility = np.array([[params.rivalry_volatility], *([t.volatility] for t in tables)])

    @property
    def rivalry(self) -> np.ndarray:
        """Rivalry between the powers per replicate (0..1)."""
        return self.state[0]

    @property
    def log_prices(self) -> np.ndarray:
        """Log price indices, (commodities, R), start = 0."""
        return self.state[1:]

    @property
    def oil(self) -> np.ndarray:
        """Oil price index per replicate (start = 1)."""
        return np.exp(self.state[1])

    @property
    def metals(self) -> np.ndarray:
        """Metals price index per replicate (start = 1)."""
        return np.exp(self.state[2])

    @property
    def uranium(self) -> np.ndarray:
        """Uranium price index per replicate (start = 1)."""
        return np.exp(self.state[3])

    def shock(self, target: str, size: float) -> None:
        """One-off event shock: log change of a price, or an additive change of rivalry."""
        row = PROCESSES.index(target)
        self.state[row] += size
        rivalry = self.state[0]  # a view: clip in place, as in advance
        np.minimum(np.maximum(rivalry, ZERO, out=rivalry), ONE, out=rivalry)

    def advance(self, rng: np.random.Generator) -> None:
        """One quarter of the exogenous drivers (an event's shock has already moved the state)."""
        normal = rng.standard_normal(self.state.shape)
        self.state = world_advance(self.state, self._reversion, self._mean, self._volatility, normal)
