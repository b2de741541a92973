"""Balancing strategies of the pivot state: the levers the model compares.

Each strategy is a small class with a pydantic ``Params`` model (settable in a scenario's
``[strategies.NAME]`` table, sweepable as ``strategies.NAME.FIELD`` and changeable by an event)
and a ``choose`` method that maps what the pivot observes to its engagement level (0..1) with
each power. Engagement is not a budget split: relations with several powers can rise together,
up to the pivot's diplomatic capacity. Arrays have a leading replicate axis, so R worlds decide
at once. The strategies span Kuik's (2008, 2016) hedging spectrum from neutrality through
hedging to balancing and bandwagoning (docs/ODD.md, section 7.4).
"""

from dataclasses import dataclass
from itertools import product
from typing import Annotated, ClassVar, NamedTuple

import numpy as np
from pydantic import Field

from sim.model.kernels import adaptive_hedging_utility, multivector_choose
from sim.model.params import Strict
from sim.model.powers import ONE, bidding, means, neglect, rival_share
from sim.model.structure import Structure

Rate = Annotated[float, Field(gt=0.0, le=1.0)]
Level = Annotated[float, Field(ge=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=0.0, le=10.0)]


@dataclass(slots=True)
class Observation:
    """What the pivot knows when it chooses (arrays are (R, P) unless noted)."""

    engagement: np.ndarray
    rewards: np.ndarray
    pressures: np.ndarray
    relations: np.ndarray
    bloc_shares: np.ndarray
    tolerance: np.ndarray  # effective tolerance this quarter
    leverage: np.ndarray  # pressure per unit of threat this quarter
    structure: Structure  # the powers' rules in force (rivalry weights, expectations, offers)
    capacity: float  # diplomatic capacity: total engagement at full effect
    returns: float  # exponent of rewards in engagement
    anchor: np.ndarray  # (P,): the established engagement at the start
    time: float  # quarters since the start


def move_toward(current: np.ndarray, target: np.ndarray, rate: float) -> np.ndarray:
    """Partial adjustment toward a target; levels in [0, 1] stay in [0, 1]."""
    return current + rate * (target - current)


def within_capacity(levels: np.ndarray, capacity: float) -> np.ndarray:
    """Scale rows down so that total engagement does not exceed the diplomatic capacity.

    ``levels / max(1, total / capacity)``: the same as ``levels x min(1, capacity / total)``
    in one operation fewer (capacity > 0), and zero levels stay zero.
    """
    return levels / np.maximum(levels.sum(axis=-1, keepdims=True) / capacity, ONE)


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
        """Return next quarter's engagement levels, shape (R, P), each in [0, 1]."""
        raise NotImplementedError

    def index_of(self, power: str) -> int:
        """Position of a power key; a clear error if the scenario lacks it."""
        if power not in self.powers:
            raise ValueError(
                f"strategy {self.name!r} needs power {power!r}, scenario has {list(self.powers)}"
            )
        return self.powers.index(power)

    _levels: tuple = (None, None)  # (arguments, target) of the last levels() call

    def levels(self, default: float, **named: float) -> np.ndarray:
        """A target row (1, P): ``default`` for every power, named powers set apart.

        Built again only when the arguments change: the rules aiming at fixed levels take them
        from their parameters, which stay in force between events.
        """
        key = (default, named)
        if self._levels[0] != key:
            target = np.full((1, len(self.powers)), default)
            for power, level in named.items():
                target[0, self.index_of(power)] = level
            self._levels = (key, target)
        return self._levels[1]


class Multivector(Strategy):
    """Multi-vector hedging (Kuik's hedging middle; Goh's omni-enmeshment): engage every power.

    Keeps high engagement with all, weighted toward the markets that matter, and answers a
    power's alarm by engaging it more (reassurance) rather than by dropping its rivals, within
    the diplomatic capacity. Kazakhstan's declared policy (facts F11, F15, F20).
    """

    name = "multivector"
    summary = "engage every power, reassure whoever is alarmed or pressing, stay within capacity"

    class Params(Strict):
        """Multi-vector hedging parameters."""

        level: Level = Field(
            0.6, description="engagement with every power before adjustment; assumption 0.4-0.8"
        )
        margin: Level = Field(0.05, description="safety margin kept below each tolerance; assumption 0-0.15")
        market_weight: Level = Field(
            0.3,
            description="weight of current trade shares (vs the established engagement) in the "
            "base levels; assumption 0-0.6, fitted",
        )
        rate: Rate = Field(0.25, description="quarterly adjustment rate; assumption 0.1-0.5")

    _held: tuple = (None, None, None)  # (anchor, params, their established part), see _established

    def choose(self, obs: Observation) -> np.ndarray:
        """Established levels tilted to markets, raised toward alarmed or pressing powers, capped.

        No power neglected; reassurance: a power engaged enough that its rivals' share falls back
        under its tolerance. One compiled kernel (``kernels.multivector_choose``: the formulas).
        """
        established, tilt, margin, rate = self._established(obs.anchor)
        st = obs.structure
        return multivector_choose(
            obs.engagement,
            obs.bloc_shares,
            obs.pressures,
            obs.tolerance,
            established,
            tilt,
            margin,
            rate,
            st.expectation,
            st.rivals_t,
            float(obs.capacity),
        )

    def _established(self, anchor: np.ndarray) -> tuple[np.ndarray, ...]:
        """The base levels' fixed parts: the established engagement's, and the market tilt's factor.

        The anchor scaled to sum to the number of powers, times level x (1 - market_weight); and
        level x market_weight x the number of powers, which multiplies the bloc shares normalised.
        Computed once per anchor and parameters, not every quarter: the established levels as
        (1 or R, P), the tilt as (1 or R,) (market_weight may be drawn per replicate), the
        margin and rate as floats.
        """
        held_anchor, held_params, parts = self._held
        if held_anchor is not anchor or held_params is not self.params:
            p, n = self.params, len(self.powers)
            established = p.level * (1.0 - p.market_weight) * (anchor * (n / anchor.sum()))
            parts = (
                np.atleast_2d(established),
                np.ravel(np.asarray(p.level * p.market_weight * n, dtype=float)),
                float(p.margin),
                float(p.rate),
            )
            self._held = (anchor, self.params, parts)
        return parts


class Bandwagon(Strategy):
    """Bandwagoning (Schweller 1994; Walt 1987): align with one patron, keep the others at arm's length."""

    name = "bandwagon_russia"
    summary = "align with Russia: full engagement with Moscow, little with the others"
    target_power: ClassVar[str] = "russia"

    class Params(Strict):
        """Bandwagoning parameters."""

        strength: Level = Field(0.9, description="engagement with the patron; assumption 0.7-1")
        others: Level = Field(0.2, description="engagement with every other power; assumption 0-0.4")
        rate: Rate = Field(0.3, description="quarterly adjustment rate; assumption 0.1-0.5")

    def choose(self, obs: Observation) -> np.ndarray:
        """The patron at ``strength``, the rest at ``others``."""
        target = self.levels(self.params.others, **{self.target_power: self.params.strength})
        return move_toward(obs.engagement, target, self.params.rate)


class PivotChina(Bandwagon):
    """Bandwagoning with China: Beijing as the patron (Belt and Road partner first)."""

    name = "pivot_china"
    summary = "pivot to China: full engagement with Beijing, little with the others"
    target_power = "china"


class PivotWest(Strategy):
    """Balancing (Walt 1987): align with the distant powers, the EU and the US, against the neighbours."""

    name = "pivot_west"
    summary = "pivot to the West: high engagement with the EU and the US, little with Russia and China"

    class Params(Strict):
        """Western pivot parameters."""

        eu: Level = Field(0.9, description="engagement with the EU; assumption 0.7-1")
        us: Level = Field(0.8, description="engagement with the US; assumption 0.6-1")
        others: Level = Field(0.2, description="engagement with Russia and China; assumption 0-0.4")
        rate: Rate = Field(0.3, description="quarterly adjustment rate; assumption 0.1-0.5")

    def choose(self, obs: Observation) -> np.ndarray:
        """EU and US high, the rest low."""
        p = self.params
        return move_toward(obs.engagement, self.levels(p.others, eu=p.eu, us=p.us), p.rate)


class Equidistance(Strategy):
    """Equidistance: the same engagement with every power, whatever they do."""

    name = "equidistance"
    summary = "fixed equal engagement with every power"

    class Params(Strict):
        """Equidistance parameters."""

        level: Level = Field(0.5, description="engagement with every power; assumption 0.3-0.7")
        rate: Rate = Field(1.0, description="quarterly adjustment rate toward the level; assumption 0.2-1")

    def choose(self, obs: Observation) -> np.ndarray:
        """Equal levels."""
        return move_toward(obs.engagement, self.levels(self.params.level), self.params.rate)


class Neutrality(Equidistance):
    """Neutrality (the low end of Kuik's spectrum; Turkmenistan's permanent neutrality): engage little."""

    name = "neutrality"
    summary = "low engagement with every power: stay out of every camp"

    class Params(Strict):
        """Neutrality parameters."""

        level: Level = Field(0.15, description="engagement with every power; assumption 0-0.3")
        rate: Rate = Field(0.3, description="quarterly adjustment rate toward the level; assumption 0.1-1")


class AdaptiveHedging(Strategy):
    """Active hedging (Kuik 2016): re-optimise a utility of gains, balance and security each quarter.

    The candidates are a fixed grid of engagement levels (plus the current levels), scored in one
    vectorised pass per step; no per-step generic optimiser.
    """

    name = "adaptive_hedging"
    summary = "each quarter pick the engagement with the best gains-balance-security utility"

    class Params(Strict):
        """Adaptive hedging parameters."""

        w_welfare: Weight = Field(1.0, description="weight of expected offers and markets; assumption 0.5-2")
        w_autonomy: Weight = Field(
            0.5, description="weight of balance across powers (1 - HHI); assumption 0-2"
        )
        w_security: Weight = Field(2.0, description="weight of expected pressure; assumption 0.5-4")
        adjustment_cost: Weight = Field(
            0.1, description="utility lost per unit of engagement moved (L1); assumption 0.02-0.5"
        )
        grid: Annotated[int, Field(ge=2, le=8)] = Field(
            3, description="grid steps per unit engagement (resolution, not behaviour); 3-6"
        )

    def __init__(self, params: "Strategy.Params | None" = None, powers: tuple[str, ...] = ()):
        super().__init__(params, powers)
        self._candidates = level_grid(len(powers) or 4, self.params.grid)
        self._grid: tuple = (None, None)  # ((structure, capacity, returns), the grid's Candidates)

    def choose(self, obs: Observation) -> np.ndarray:
        """Score every candidate for every replicate; keep the current levels if best."""
        grid = self._grid_candidates(obs)
        offered = means(obs.structure, obs.time)
        scores = self._utility(grid, offered, obs)
        pick = np.argmax(scores, axis=1)
        current = candidates(obs.engagement[:, None, :], obs.structure, obs.capacity, obs.returns)
        stay = self._utility(current, offered, obs)[:, 0]
        keep = stay >= scores[np.arange(len(pick)), pick]
        return np.where(keep[:, None], obs.engagement, self._candidates[pick])

    def _grid_candidates(self, obs: Observation) -> "Candidates":
        """The grid's fixed terms, computed again only when the structure, capacity or returns change."""
        held, grid = self._grid
        if held is None or (
            held[0] is not obs.structure or held[1] is not obs.capacity or held[2] is not obs.returns
        ):
            grid = candidates(self._candidates[None, :, :], obs.structure, obs.capacity, obs.returns)
            self._grid = ((obs.structure, obs.capacity, obs.returns), grid)
        return grid

    def _utility(self, cand: "Candidates", offered: np.ndarray, obs: Observation) -> np.ndarray:
        """Utility (R, C) of candidates (1 or R, C, P), net of the adjustment cost: a compiled kernel.

        ``offered``: the powers' offers per unit of engagement before bidding this quarter
        (``powers.means``); ``kernels.adaptive_hedging_utility`` spells out the utility.
        """
        p = self.params
        return adaptive_hedging_utility(
            *cand,
            obs.bloc_shares,
            offered,
            obs.tolerance,
            obs.leverage,
            obs.engagement,
            float(p.w_welfare),
            float(p.w_autonomy),
            float(p.w_security),
            float(p.adjustment_cost),
        )


class Candidates(NamedTuple):
    """Terms of adaptive hedging's utility fixed by the candidates (..., C, P) and the parameters.

    They do not depend on this quarter's observation: for the fixed grid they are computed once,
    not every quarter.
    """

    levels: np.ndarray  # the candidates
    effective: np.ndarray  # within the diplomatic capacity
    bidding: np.ndarray  # rise of the offers with rivals' engagement (``powers.bidding``)
    powered: np.ndarray  # effective engagement ** returns
    balance: np.ndarray  # (..., C) 1 - HHI of the effective engagement
    rival_share: np.ndarray  # each power's rivals' share of the effective engagement
    neglect: np.ndarray  # threat from engagement below expectation


def candidates(levels: np.ndarray, st: Structure, capacity: float, returns: float) -> Candidates:
    """The fixed terms of the candidate engagement levels ``levels`` (..., C, P)."""
    effective = within_capacity(levels, capacity)
    shares = effective / np.maximum(effective.sum(axis=-1, keepdims=True), 1e-9)
    rivals = effective @ st.rivals_t
    return Candidates(
        levels=levels,
        effective=effective,
        bidding=bidding(rivals, st),
        powered=effective**returns,
        balance=1.0 - (shares**2).sum(axis=-1),
        rival_share=rival_share(effective, rivals),
        neglect=neglect(effective, st),
    )


class Opportunist(Strategy):
    """Auctioning the pivot (Cooley 2012, "Great Games, Local Rules"): engagement follows the best offers."""

    name = "opportunist"
    summary = "auction the pivot: engage whoever offers most net of pressure, within capacity"

    class Params(Strict):
        """Opportunist parameters."""

        greed: Annotated[float, Field(ge=0.0, le=100.0)] = Field(
            10.0, description="sharpness of the response to offers (softmax); assumption 2-30"
        )
        rate: Rate = Field(0.3, description="quarterly adjustment rate; assumption 0.1-0.5")

    def choose(self, obs: Observation) -> np.ndarray:
        """Capacity spread by a softmax of the offer per unit of engagement, minus pressure."""
        offer = obs.rewards / np.maximum(obs.engagement, 0.02) ** obs.returns - obs.pressures
        weights = np.exp(self.params.greed * (offer - offer.max(axis=1, keepdims=True)))
        target = np.minimum(obs.capacity * weights / weights.sum(axis=1, keepdims=True), 1.0)
        return move_toward(obs.engagement, target, self.params.rate)


def level_grid(n: int, steps: int) -> np.ndarray:
    """All engagement vectors over ``n`` powers with levels in multiples of 1/steps."""
    return np.array(list(product(range(steps + 1), repeat=n)), dtype=float) / steps


STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls
    for cls in (
        Multivector,
        Bandwagon,
        PivotChina,
        PivotWest,
        Equidistance,
        Neutrality,
        AdaptiveHedging,
        Opportunist,
    )
}


def make_strategy(name: str, overrides: dict | None, powers: tuple[str, ...]) -> Strategy:
    """Build a registered strategy with its parameters validated."""
    cls = STRATEGIES[name]
    return cls(cls.Params.model_validate(overrides or {}), powers)
