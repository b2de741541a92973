"""The actors: the pivot state (Kazakhstan) and the great powers.

Every state variable carries a leading replicate axis, so one agent is one actor seen across
R replicate worlds. Great powers decide together in one vectorised rule
(reward ~ budget x salience x effort received; pressure ~ capacity x salience x excess
engagement of rivals over tolerance, with noise): step 3 of docs/ODD.md.
"""

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model import metrics
from sim.model.params import PowerParams
from sim.model.strategies import Observation, Strategy

if TYPE_CHECKING:
    from sim.model.balancing import BalancingModel

EPS = 0.05  # effort floor in the attraction ratio, so zero effort is finite


class GreatPower(mesa.Agent):
    """One great power and its parameters; the powers decide together in :func:`powers_respond`."""

    def __init__(self, model: "BalancingModel", key: str, index: int, params: PowerParams):
        super().__init__(model)
        self.key = key
        self.index = index
        self.params = params


def powers_respond(model: "BalancingModel", pivot: "PivotState", noisy: bool = True) -> tuple:
    """Rewards, pressures and effective tolerances of all powers, each (R, P).

    Tolerance shrinks as rivalry rises above its reference; pressure adds secondary-sanctions
    enforcement on trade with the sanctioned bloc.
    """
    st = model.structure
    effort = pivot.effort
    tol = st.tolerance_at_zero_rivalry - st.tightening * model.world.rivalry[:, None]
    tol = np.minimum(np.maximum(tol, 0.0), 0.99)
    excess = np.maximum(effort @ st.rivals_t - tol, 0.0) / (1.0 - tol)
    pressure = excess * (st.pressure_rate + st.csto_rate * pivot.security_dependence[:, None])
    pressure += st.secondary_rate * pivot.bloc_shares[:, st.target_bloc, None]
    reward = st.reward_rate * effort
    if noisy:
        shocks = np.exp(st.noise * model.rng.standard_normal((2, *effort.shape)) - st.noise_half_variance)
        pressure *= shocks[0]
        reward *= shocks[1]
    return reward, np.minimum(pressure, 1.0), tol


class PivotState(mesa.Agent):
    """The middle state: effort allocation, relations, trade and FDI shares, GDP, security."""

    def __init__(self, model: "BalancingModel", strategy: Strategy, replicates: int):
        super().__init__(model)
        s = model.params
        st = model.structure
        r = replicates
        self.strategy = strategy
        self.effort = np.tile([p.initial_effort for p in s.powers.values()], (r, 1))
        self.effort /= self.effort.sum(axis=1, keepdims=True)
        self.relations = np.tile([p.initial_relation for p in s.powers.values()], (r, 1))
        self.trade = np.tile([p.trade_share for p in s.partners.values()], (r, 1))
        self.trade /= self.trade.sum(axis=1, keepdims=True)
        self.fdi = np.tile([p.fdi_share for p in s.partners.values()], (r, 1))
        self.fdi /= self.fdi.sum(axis=1, keepdims=True)
        self.gdp = np.ones(r)
        self.security_dependence = np.full(r, s.pivot.security_dependence)
        self.bloc_shares = metrics.bloc_shares(self.trade, st.bloc)
        self.tolerance = np.tile(st.tolerance, (r, 1))
        # The start is a steady state: attraction and relations are measured against it.
        self.trade0, self.fdi0 = self.trade[0].copy(), self.fdi[0].copy()
        self.effort0, self.relations0 = self.effort[0].copy(), self.relations[0].copy()
        self.factors0 = (st.trade_factor, st.fdi_factor)
        reward0, pressure0, _ = powers_respond(model, self, noisy=False)
        self.reward0, self.pressure0 = reward0[0], pressure0[0]
        self.exposure0 = st.sanctions * self.bloc_shares[0, st.target_bloc]
        self.rewards, self.pressures = reward0.copy(), np.zeros_like(pressure0)
        self.refresh()

    def refresh(self) -> None:
        """Precompute the constant parts of the economy and relation rules.

        Called at the start and whenever an event puts new parameters in force. The start is a
        steady state: attraction, relations and growth are measured against it, so that with
        nothing changed trade shares stay as observed.
        """
        st, rates = self.model.structure, self.model.params.pivot
        n = len(st.powers)
        self.bloc_t = np.ascontiguousarray(st.bloc.T)
        base = np.log(EPS + st.bloc @ self.effort0) * rates.effort_elasticity + rates.relation_elasticity * (
            st.bloc @ self.relations0
        )
        self.log_trade0 = np.log(self.trade0) - base + np.log(st.trade_factor / self.factors0[0])
        self.log_fdi0 = (
            np.log(self.fdi0)
            - base
            + np.log(st.fdi_factor / self.factors0[1])
            - rates.fdi_reward_gain * (st.bloc @ self.reward0)
        )
        self.trend = rates.market_growth_elasticity * st.market_growth / 4.0  # per quarter
        self.oil_exponent = st.export_fraction * self.model.world.params.oil_export_weight
        self.relation_base = (
            self.relations0
            - rates.relation_effort_weight * n * self.effort0
            - rates.relation_reward_weight * self.reward0
            + rates.relation_pressure_weight * self.pressure0
        )
        self.growth_base = (
            rates.base_growth / 4.0
            - rates.reward_gain * self.reward0.sum()
            + rates.punishment_cost * self.pressure0.sum()
            + rates.sanctions_cost * self.exposure0
        )

    def observe(self) -> Observation:
        """What the strategy sees: last quarter's offers, pressure, relations and markets."""
        st = self.model.structure
        return Observation(
            effort=self.effort,
            rewards=self.rewards,
            pressures=self.pressures,
            relations=self.relations,
            bloc_shares=self.bloc_shares,
            tolerance=self.tolerance,
            rivals=st.rivals,
            reward_rate=st.reward_rate,
            pressure_rate=st.pressure_rate,
            powers=st.powers,
            anchor=self.effort0,
        )

    def choose_allocation(self) -> None:
        """Step 4: the strategy sets next quarter's effort allocation."""
        self.effort = self.strategy.choose(self.observe())  # rows on the simplex

    def update_economy(self) -> None:
        """Step 5: trade and FDI shares move toward their attraction; GDP grows.

        log attraction_k = log share0_k + elasticity x log effort ratio + relation gap
        + market trend + corridor/sanctions/EAEU factors (+ oil price for trade, + rewards for FDI).
        """
        m = self.model
        st, rates, world = m.structure, m.params.pivot, m.world
        pull = rates.effort_elasticity * np.log(EPS + self.effort @ self.bloc_t)
        pull += rates.relation_elasticity * (self.relations @ self.bloc_t)
        trade_pull = (
            pull + (self.log_trade0 + self.trend * m.time) + world.log_oil[:, None] * self.oil_exponent
        )
        self.trade = _toward(self.trade, trade_pull, rates.trade_inertia)
        fdi_pull = pull + self.log_fdi0 + rates.fdi_reward_gain * (self.rewards @ self.bloc_t)
        self.fdi = _toward(self.fdi, fdi_pull, rates.fdi_inertia)
        self.bloc_shares = self.trade @ st.bloc
        growth = (
            self.growth_base
            + rates.oil_gdp_elasticity * world.oil_change
            + (rates.reward_gain * self.rewards - rates.punishment_cost * self.pressures).sum(axis=1)
            - (rates.sanctions_cost * st.sanctions) * self.bloc_shares[:, st.target_bloc]
        )
        self.gdp = self.gdp * np.exp(growth)
        self.security_dependence += rates.relation_rate * (
            np.minimum(1.0, 2.0 * (self.effort @ st.csto_power)) - self.security_dependence
        )

    def update_relations(self) -> None:
        """Step 6: relations drift toward a level set by effort, rewards and pressure."""
        rates = self.model.params.pivot
        target = (
            self.relation_base
            + (rates.relation_effort_weight * len(self.relation_base)) * self.effort
            + rates.relation_reward_weight * self.rewards
            - rates.relation_pressure_weight * self.pressures
        )
        self.relations += rates.relation_rate * (np.minimum(np.maximum(target, -1.0), 1.0) - self.relations)


def _toward(shares: np.ndarray, log_attraction: np.ndarray, rate: float) -> np.ndarray:
    """Move shares toward normalised attraction; convex combinations stay on the simplex."""
    attraction = np.exp(log_attraction)  # log attraction stays near log shares: no overflow
    return shares + rate * (attraction / attraction.sum(axis=1, keepdims=True) - shares)
