"""The actors: the pivot state (Kazakhstan) and the great powers.

Every state variable carries a leading replicate axis, so one agent is one actor seen across
R replicate worlds. The great powers decide together in one vectorised rule
(``sim.model.powers``); a ``GreatPower`` agent is the Mesa-facing view of one of them.
"""

from types import SimpleNamespace
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model.kernels import ATTRACTION_EPS, economy_update, relations_update
from sim.model.params import PivotParams, PowerParams
from sim.model.powers import ONE, powers_respond
from sim.model.strategies import Observation, Strategy, within_capacity

if TYPE_CHECKING:
    from sim.model.balancing import BalancingModel


class GreatPower(mesa.Agent):
    """One great power: its parameters in force and what it does to the pivot this quarter."""

    def __init__(self, model: "BalancingModel", key: str, index: int):
        super().__init__(model)
        self.key = key
        self.index = index

    @property
    def params(self) -> PowerParams:
        """Its parameters in force (an event may change them)."""
        return self.model.params.powers[self.key]

    @property
    def pressure(self) -> np.ndarray:
        """Pressure it puts on the pivot this quarter, per replicate."""
        return self.model.pivot.pressures[:, self.index]

    @property
    def reward(self) -> np.ndarray:
        """Rewards it gives the pivot this quarter, per replicate."""
        return self.model.pivot.rewards[:, self.index]


class PivotState(mesa.Agent):
    """The middle state: engagement, relations, trade and FDI shares, exports, GDP, security."""

    def __init__(self, model: "BalancingModel", strategy: Strategy, replicates: int):
        super().__init__(model)
        s, st, r = model.params, model.structure, replicates
        self.strategy = strategy
        self.rates = _as_arrays(s.pivot)  # refresh() sets them again with the rest
        self.engagement = np.tile([p.initial_engagement for p in s.powers.values()], (r, 1))
        self.relations = np.tile([p.initial_relation for p in s.powers.values()], (r, 1))
        self.trade = _normalised(np.tile([p.trade_share for p in s.partners.values()], (r, 1)))
        fdi = _normalised(np.tile([p.fdi_share for p in s.partners.values()], (r, 1)))
        self.gdp = np.ones(r)
        self.log_exports = np.zeros(r)  # export value index (start 1), in logs
        self.log_export_reference = np.zeros(r)
        self.security_dependence = np.full(r, s.pivot.security_dependence)
        # The shares that move slowly toward their attractions, (R, 2, K), one array so that both
        # move in the same operations: trade shares at the start's prices (trade's structural
        # part) and FDI shares. ``structural`` and ``fdi`` are views of it.
        self.slow = np.stack((self.trade, fdi), axis=1)
        self.structural, self.fdi = self.slow[:, 0], self.slow[:, 1]
        self.bloc_shares = self.trade @ st.bloc
        self.exposure = st.sanctions * (self.trade @ st.exposure_weight)
        self.respond()
        if s.pivot.settled_start:
            self._settle()
        # The start is a steady state: attraction, relations and growth are measured against it.
        # Per replicate: a settled start or per-replicate parameters may differ between them.
        self.trade0, self.fdi0 = self.trade.copy(), self.fdi.copy()
        self.effective_now = self.effective()
        self.effective0 = self.effective_now.copy()
        self.relations0 = self.relations.copy()
        self.factors0 = (st.trade_factor, st.fdi_factor)
        csto0 = self.effective0 @ st.csto_power
        # security dependence per unit of engagement with CSTO powers (none without them)
        self.security_scale = np.where(
            csto0 > 0, s.pivot.security_dependence / np.where(csto0 > 0, csto0, 1.0), 0.0
        )
        self.reward0, self.pressure0 = self.rewards.copy(), self.pressures.copy()
        self.exposure0 = self.exposure.copy()
        self.refresh()

    def respond(self, rng: np.random.Generator | None = None, time: float = 0.0) -> None:
        """The powers' offers, pressure, tolerances and leverage at the current engagement.

        ``rng=None`` gives their noise-free expectation (the starting state and the spin-up).
        """
        self.rewards, self.pressures, self.tolerance, self.leverage = powers_respond(
            self.model.structure,
            self.engagement,
            self.model.world.rivalry,
            self.bloc_shares,
            self.security_dependence,
            self.exposure,
            self.model.params.pivot.reward_returns,
            rng,
            time,
        )

    def _settle(self, quarters: int = 200) -> None:
        """Spin-up: the strategy and the powers' expected responses play until engagement rests.

        Trade, relations and the economy are held at their starting values: only the policy
        settles, so that a replay's first quarters show history, not the policy's arrival. A
        fixed number of rounds (the shipped strategies rest within about 70), not a test of
        convergence over all replicates, keeps each replicate independent of the others.
        """
        for _ in range(quarters):
            self.choose_engagement()
            self.respond()

    def effective(self) -> np.ndarray:
        """Engagement as it takes effect: diluted when the total exceeds diplomatic capacity."""
        return within_capacity(self.engagement, self.rates.capacity)

    def refresh(self) -> None:
        """Precompute the parts of the economy and relation rules that only parameters change.

        Called at the start and by every event that puts new parameters in force. Attraction,
        relations and growth are measured against the starting steady state, so that with
        nothing changed trade shares stay as observed.
        """
        st, rates = self.model.structure, self.model.params.pivot
        self.rates = _as_arrays(rates)
        base = rates.engagement_elasticity * np.log(ATTRACTION_EPS + self.effective0 @ st.bloc_t) + (
            rates.relation_elasticity * (self.relations0 @ st.bloc_t)
        )
        self.log_trade0 = (
            np.log(self.trade0) - base + np.log(st.trade_factor / self.factors0[0]) + st.market_level
        )
        self.log_fdi0 = (
            np.log(self.fdi0)
            - base
            + np.log(st.fdi_factor / self.factors0[1])
            - rates.fdi_reward_gain * (self.reward0 @ st.bloc_t)
        )
        self.relation_base = (
            self.relations0
            - rates.relation_engagement_weight * self.effective0
            - rates.relation_reward_weight * self.reward0
            + rates.relation_pressure_weight * self.pressure0
        )
        self.growth_base = (
            rates.base_growth / 4.0
            - rates.reward_gain * self.reward0.sum(axis=1)
            + rates.punishment_cost * self.pressure0.sum(axis=1)
            + rates.sanctions_cost * self.exposure0
        )
        # What the step's kernels need, with their constant factors multiplied in once here.
        self.fdi_reward_t = rates.fdi_reward_gain * st.bloc_t  # (P, K): FDI pull of the offers
        weight = st.sanctions * st.exposure_weight
        # trade @ blocs_exposure: bloc shares (R, P), sanctions exposure, its cost to growth
        self.blocs_exposure = np.ascontiguousarray(
            np.concatenate((st.bloc, weight[:, None], rates.sanctions_cost * weight[:, None]), axis=1)
        )
        # prices @ export_mix + export_other: partners' export indices times their export fractions
        # (the export part of turnover), then the national export index
        fraction = np.concatenate((st.export_fraction.ravel(), ONE[None]))
        self.export_mix = np.ascontiguousarray(st.export_mix * fraction)
        self.export_other = (st.export_other * fraction).reshape(1, -1)
        # effective engagement @ it: CSTO engagement x security dependence per unit of it (R, P)
        self.security_weights = st.csto_power * self.security_scale[:, None]
        # The rates of the economy kernel: (1,) when shared, (R,) when drawn per replicate.
        per_replicate = (
            "engagement_elasticity",
            "relation_elasticity",
            "trade_inertia",
            "fdi_inertia",
            "import_elasticity",
            "export_elasticity",
            "export_gap_effect",
            "export_reference_rate",
        )
        self.economy_rates = (
            *(np.ravel(np.asarray(getattr(rates, name), dtype=float)) for name in per_replicate),
            float(rates.reward_gain),
            float(rates.punishment_cost),
            float(rates.security_rate),
        )
        self.relation_rates = (
            float(rates.relation_engagement_weight),
            float(rates.relation_reward_weight),
            float(rates.relation_pressure_weight),
            float(rates.relation_rate),
        )

    def observe(self) -> Observation:
        """What the strategy sees: last quarter's offers, pressure, relations and markets."""
        return Observation(
            engagement=self.engagement,
            rewards=self.rewards,
            pressures=self.pressures,
            relations=self.relations,
            bloc_shares=self.bloc_shares,
            tolerance=self.tolerance,
            leverage=self.leverage,
            structure=self.model.structure,
            capacity=self.rates.capacity,
            returns=self.rates.reward_returns,
            anchor=self.model.initial_engagement,
            time=self.model.time,
        )

    def choose_engagement(self) -> None:
        """Step 4: the strategy sets next quarter's engagement levels."""
        self.engagement = self.strategy.choose(self.observe())

    def update_economy(self) -> None:
        """Step 5: exports, trade and FDI shares, GDP and security dependence (ODD 7.5-7.6).

        Trade shares have a slow structural part, which moves toward its attraction at the trade
        inertia, valued at this quarter's export prices and volumes, which act at once. One
        compiled kernel (``kernels.economy_update``, which spells out the formulas).
        """
        m = self.model
        st = m.structure
        self.slow, self.trade, self.bloc_shares, self.exposure, self.gdp, self.log_exports, effective = (
            economy_update(
                self.engagement,
                float(self.rates.capacity),
                self.relations,
                self.rewards,
                self.pressures,
                m.world.log_prices,
                float(m.time),
                self.slow,
                self.log_trade0,
                self.log_fdi0,
                st.market_trend,
                self.fdi_reward_t,
                st.bloc_t,
                self.export_mix,
                self.export_other,
                st.import_fraction,
                self.blocs_exposure,
                self.growth_base,
                self.gdp,
                self.log_exports,
                self.log_export_reference,
                self.security_dependence,
                self.security_weights,
                *self.economy_rates,
            )
        )
        self.effective_now = effective
        self.structural, self.fdi = self.slow[:, 0], self.slow[:, 1]

    def update_relations(self) -> None:
        """Step 6: relations drift toward a level set by engagement, rewards and pressure (a kernel)."""
        relations_update(
            self.relations,
            self.relation_base,
            self.effective_now,
            self.rewards,
            self.pressures,
            *self.relation_rates,
        )


def _as_arrays(rates: PivotParams) -> SimpleNamespace:
    """The pivot's parameters for the step, numbers as 0-d arrays (the same values).

    numpy combines an array with a 0-d array faster than with a Python float, which it converts
    at every call; per-replicate (array) and other values pass as they are.
    """
    return SimpleNamespace(
        **{k: np.asarray(v) if isinstance(v, float) else v for k, v in vars(rates).items()}
    )


def _normalised(rows: np.ndarray) -> np.ndarray:
    return rows / rows.sum(axis=1, keepdims=True)
