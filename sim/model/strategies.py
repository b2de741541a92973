"""Balancing strategies of the pivot state: the levers the model compares.

Each strategy is a small class with a pydantic ``Params`` model (settable in a scenario's
``[strategies.NAME]`` table and sweepable as ``strategies.NAME.FIELD``) and a ``choose``
method that maps what the pivot observes to its next effort allocation over the powers.
Everything works on arrays with a leading replicate axis, so R worlds decide at once.
Theory: Kuik's hedging spectrum, Walt's balance of threat, Schweller's bandwagoning for
profit (see docs/ODD.md, section 7).
"""

from dataclasses import dataclass
from itertools import combinations
from typing import Annotated, ClassVar

import numpy as np
from pydantic import Field

from sim.model.params import Strict

Rate = Annotated[float, Field(gt=0.0, le=1.0)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]


@dataclass(slots=True)
class Observation:
    """What the pivot knows when it chooses (arrays are (R, P) unless noted)."""

    effort: np.ndarray
    rewards: np.ndarray
    pressures: np.ndarray
    relations: np.ndarray
    bloc_shares: np.ndarray
    tolerance: np.ndarray  # effective tolerance this quarter, (R, P)
    rivals: np.ndarray  # (P, P): rivals[p, h] = 1 if h is a rival of p
    reward_rate: np.ndarray  # (P,): expected reward per unit of effort
    pressure_rate: np.ndarray  # (P,): pressure at full excess engagement
    powers: tuple[str, ...]
    anchor: np.ndarray  # (P,): the established allocation at the start


def move_toward(current: np.ndarray, target: np.ndarray, rate: float) -> np.ndarray:
    """Partial adjustment on the simplex: a convex combination stays a distribution."""
    return current + rate * (target - current)


def cap_shares(target: np.ndarray, cap: float, rounds: int = 8) -> np.ndarray:
    """Project rows onto the simplex with every entry at most ``cap`` (water-filling)."""
    out = target / target.sum(axis=-1, keepdims=True)
    cap = max(cap, 1.0 / out.shape[-1])
    for _ in range(rounds):
        if out.max() <= cap:
            break
        over = out > cap
        excess = np.where(over, out - cap, 0.0).sum(axis=-1, keepdims=True)
        room = np.where(over, 0.0, cap - out)
        free = room.sum(axis=-1, keepdims=True)
        out = np.where(over, cap, out + excess * room / np.where(free > 0, free, 1.0))
    return out


def expected_pressure(alloc: np.ndarray, obs: Observation) -> np.ndarray:
    """Pressure each power would apply to allocation(s) ``alloc`` (..., P), noise-free."""
    engaged = alloc @ obs.rivals.T
    tol = obs.tolerance if alloc.ndim == 2 else obs.tolerance[:, None, :]
    excess = np.maximum(engaged - tol, 0.0) / np.maximum(1.0 - tol, 1e-6)
    return np.minimum(excess, 1.0) * obs.pressure_rate


class Strategy:
    """Base class: a named rule with parameters; subclasses implement ``choose``."""

    name: ClassVar[str]
    summary: ClassVar[str]

    class Params(Strict):
        """No parameters."""

    def __init__(self, params: "Strategy.Params | None" = None, powers: tuple[str, ...] = ()):
        self.params = params if params is not None else self.Params()
        self.powers = powers

    def choose(self, obs: Observation) -> np.ndarray:
        """Return the next effort allocation, shape (R, P), rows summing to 1."""
        raise NotImplementedError

    def index_of(self, power: str) -> int:
        """Position of a power key; a clear error if the scenario lacks it."""
        if power not in self.powers:
            raise ValueError(
                f"strategy {self.name!r} needs power {power!r}, scenario has {list(self.powers)}"
            )
        return self.powers.index(power)


class Multivector(Strategy):
    """Multivector hedging: engage all, cap any one vector, appease powers near their limits."""

    name = "multivector"
    summary = "diversify effort, keep every power's rival-engagement under its tolerance"

    class Params(Strict):
        """Multivector hedging parameters."""

        cap: Share = Field(0.4, description="largest effort share for any one power; assumption 0.3-0.6")
        margin: Share = Field(0.05, description="safety margin kept below each tolerance; assumption 0-0.15")
        market_weight: Share = Field(
            0.3,
            description="weight of current trade shares (vs the established allocation) in the "
            "base allocation; assumption 0-0.6, fitted in baseline_2023",
        )
        rate: Rate = Field(0.25, description="quarterly adjustment rate; assumption 0.1-0.5")

    def choose(self, obs: Observation) -> np.ndarray:
        """Established vectors adjusted to markets, shifted off powers' rivals, then capped."""
        p = self.params
        market = obs.bloc_shares / obs.bloc_shares.sum(axis=1, keepdims=True)
        target = p.market_weight * market + (1.0 - p.market_weight) * obs.anchor
        engaged = target @ obs.rivals.T
        excess = np.maximum(engaged - (obs.tolerance - p.margin), 0.0)
        # Move the excess off each power's rivals and onto that power.
        take = (excess / np.maximum(engaged, 1e-9)) @ obs.rivals * target
        target = np.maximum(target - take, 0.0) + excess
        target = target + obs.pressures  # placate whoever is pressing now
        return move_toward(obs.effort, cap_shares(target, p.cap), p.rate)


class Bandwagon(Strategy):
    """Align with one power: most effort to it, the rest spread evenly."""

    name = "bandwagon_russia"
    summary = "align with Russia: most effort to Moscow, little elsewhere"
    target_power: ClassVar[str] = "russia"

    class Params(Strict):
        """Bandwagoning parameters."""

        strength: Share = Field(0.7, description="effort share given to the patron; assumption 0.5-0.9")
        rate: Rate = Field(0.3, description="quarterly adjustment rate; assumption 0.1-0.5")

    def choose(self, obs: Observation) -> np.ndarray:
        """Effort ``strength`` to the patron, the rest equal."""
        n = obs.effort.shape[1]
        target = np.full(n, (1.0 - self.params.strength) / n)
        target[self.index_of(self.target_power)] += self.params.strength
        return move_toward(obs.effort, target, self.params.rate)


class PivotChina(Bandwagon):
    """Pivot to China: Beijing as the main partner."""

    name = "pivot_china"
    summary = "pivot to China: most effort to Beijing (Belt and Road partner first)"
    target_power = "china"


class PivotWest(Strategy):
    """Pivot to the West: effort to the EU and the US, split by ``eu_split``."""

    name = "pivot_west"
    summary = "pivot to the West: most effort split between the EU and the US"

    class Params(Strict):
        """Western pivot parameters."""

        strength: Share = Field(0.7, description="effort share given to the West; assumption 0.5-0.9")
        eu_split: Share = Field(0.6, description="EU's part of the Western effort; assumption 0.4-0.8")
        rate: Rate = Field(0.3, description="quarterly adjustment rate; assumption 0.1-0.5")

    def choose(self, obs: Observation) -> np.ndarray:
        """Effort ``strength`` to EU and US, the rest equal."""
        p = self.params
        n = obs.effort.shape[1]
        target = np.full(n, (1.0 - p.strength) / n)
        target[self.index_of("eu")] += p.strength * p.eu_split
        target[self.index_of("us")] += p.strength * (1.0 - p.eu_split)
        return move_toward(obs.effort, target, p.rate)


class Equidistance(Strategy):
    """Equidistance: the same effort to every power, whatever they do."""

    name = "equidistance"
    summary = "fixed equal effort to every power"

    class Params(Strict):
        """Equidistance parameters."""

        rate: Rate = Field(1.0, description="quarterly adjustment rate toward equal shares; assumption 0.2-1")

    def choose(self, obs: Observation) -> np.ndarray:
        """Equal shares."""
        n = obs.effort.shape[1]
        return move_toward(obs.effort, np.full(n, 1.0 / n), self.params.rate)


class AdaptiveHedging(Strategy):
    """Re-optimise a utility of welfare, autonomy and security each quarter.

    The candidates are a fixed grid on the simplex (plus the current allocation), scored in one
    vectorised pass per step; no per-step generic optimiser.
    """

    name = "adaptive_hedging"
    summary = "each quarter pick the allocation with the best welfare-autonomy-security utility"

    class Params(Strict):
        """Adaptive hedging parameters."""

        w_welfare: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
            1.0, description="weight of expected gains; assumption 0.5-2"
        )
        w_autonomy: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
            0.5, description="weight of effort diversification (1 - HHI); assumption 0-2"
        )
        w_security: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
            2.0, description="weight of expected pressure; assumption 0.5-4"
        )
        adjustment_cost: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
            0.1, description="utility lost per unit of effort moved (L1); assumption 0.02-0.5"
        )
        grid: Annotated[int, Field(ge=2, le=20)] = Field(
            10, description="grid steps per unit effort (resolution, not behaviour); 5-20"
        )

    def __init__(self, params: "Strategy.Params | None" = None, powers: tuple[str, ...] = ()):
        super().__init__(params, powers)
        self._candidates = simplex_grid(len(powers) or 4, self.params.grid)

    def choose(self, obs: Observation) -> np.ndarray:
        """Score every candidate for every replicate; keep the current allocation if best."""
        grid = self._candidates
        best_grid = self._utility(grid[None, :, :], obs)
        pick = np.argmax(best_grid, axis=1)
        stay = self._utility(obs.effort[:, None, :], obs)[:, 0]
        chosen = grid[pick]
        keep = stay >= best_grid[np.arange(len(pick)), pick]
        return np.where(keep[:, None], obs.effort, chosen)

    def _utility(self, cand: np.ndarray, obs: Observation) -> np.ndarray:
        """Utility (R, C) of candidates ``cand`` (1 or R, C, P), net of the adjustment cost."""
        p = self.params
        ones = np.ones(cand.shape[-1])
        market = obs.bloc_shares / obs.bloc_shares.sum(axis=1, keepdims=True)
        if cand.shape[0] == 1:  # the shared grid
            gains = cand[0] @ obs.reward_rate + market @ cand[0].T
        else:  # one candidate per replicate
            gains = cand @ obs.reward_rate + np.einsum("rcp,rp->rc", cand, market)
        autonomy = 1.0 - (cand**2) @ ones
        risk = expected_pressure(cand, obs) @ ones
        moved = np.abs(cand - obs.effort[:, None, :]) @ ones
        utility = p.w_welfare * gains + p.w_autonomy * autonomy - p.w_security * risk
        return utility - p.adjustment_cost * moved


class Opportunist(Strategy):
    """Follow the best offers: effort flows to powers paying most net of pressure."""

    name = "opportunist"
    summary = "follow the best offers: effort to whoever rewards most, net of pressure"

    class Params(Strict):
        """Opportunist parameters."""

        greed: Annotated[float, Field(ge=0.0, le=100.0)] = Field(
            10.0, description="sharpness of the response to offers (softmax); assumption 2-30"
        )
        rate: Rate = Field(0.3, description="quarterly adjustment rate; assumption 0.1-0.5")

    def choose(self, obs: Observation) -> np.ndarray:
        """Softmax of the reward per unit of effort, minus pressure."""
        offer = obs.rewards / np.maximum(obs.effort, 0.02) - obs.pressures
        weights = np.exp(self.params.greed * (offer - offer.max(axis=1, keepdims=True)))
        return move_toward(obs.effort, weights / weights.sum(axis=1, keepdims=True), self.params.rate)


def simplex_grid(n: int, steps: int) -> np.ndarray:
    """All allocations over ``n`` powers in multiples of 1/steps (stars and bars)."""
    rows = []
    for bars in combinations(range(steps + n - 1), n - 1):
        edges = (-1, *bars, steps + n - 1)
        rows.append([edges[i + 1] - edges[i] - 1 for i in range(n)])
    return np.asarray(rows, dtype=float) / steps


STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls
    for cls in (
        Multivector,
        Bandwagon,
        PivotChina,
        PivotWest,
        Equidistance,
        AdaptiveHedging,
        Opportunist,
    )
}


def make_strategy(name: str, overrides: dict | None, powers: tuple[str, ...]) -> Strategy:
    """Build a registered strategy with its parameters validated."""
    cls = STRATEGIES[name]
    return cls(cls.Params.model_validate(overrides or {}), powers)
