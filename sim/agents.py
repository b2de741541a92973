"""The actors: the pivot state (Kazakhstan) and the great powers.

Every state variable carries a leading replicate axis, so one agent is one actor seen across
R replicate worlds. Great powers decide together in one vectorised rule
(reward ~ budget x salience x effort received; pressure ~ capacity x salience x excess
engagement of rivals over tolerance, with noise), the design of DESIGN.md's step 3.
"""

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim import metrics
from sim.params import PowerParams
from sim.strategies import Observation, Strategy

if TYPE_CHECKING:
    from sim.model import BalancingModel

EPS = 0.05  # effort floor in the attraction ratio, so zero effort is finite


class GreatPower(mesa.Agent):
    """One great power: its parameters, and views of its rewards and pressure across worlds."""

    def __init__(self, model: "BalancingModel", key: str, index: int, params: PowerParams):
        super().__init__(model)
        self.key = key
        self.index = index
        self.params = params

    @property
    def reward(self) -> np.ndarray:
        """Reward offered to the pivot this quarter, per replicate."""
        return self.model.pivot.rewards[:, self.index]

    @property
    def pressure(self) -> np.ndarray:
        """Pressure applied to the pivot this quarter, per replicate."""
        return self.model.pivot.pressures[:, self.index]


def powers_respond(model: "BalancingModel", pivot: "PivotState", noisy: bool = True) -> tuple:
    """Rewards, pressures and effective tolerances of all powers, each (R, P).

    Tolerance shrinks as rivalry rises above its reference; pressure adds secondary-sanctions
    enforcement on trade with the sanctioned bloc.
    """
    st = model.structure
    effort = pivot.effort
    engaged = effort @ st.rivals.T
    tol = np.clip(
        st.tolerance
        - model.world.params.rivalry_tightening
        * (model.world.rivalry[:, None] - model.world.params.rivalry_reference),
        0.0,
        0.99,
    )
    excess = np.maximum(engaged - tol, 0.0) / (1.0 - tol)
    leverage = st.pressure_capacity * (
        1.0 + model.world.params.csto_leverage * st.csto_power * pivot.security_dependence[:, None]
    )
    pressure = leverage * st.salience * excess
    pressure += st.secondary_sanctions * st.sanctions * pivot.bloc_shares[:, st.target_bloc, None]
    reward = st.reward_budget * st.salience * effort
    if noisy:
        shocks = np.exp(st.noise * model.rng.standard_normal((2, *effort.shape)) - st.noise**2 / 2)
        pressure = pressure * shocks[0]
        reward = reward * shocks[1]
    return reward, np.clip(pressure, 0.0, 1.0), tol


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
        self.trade_factor0, self.fdi_factor0 = st.trade_factor, st.fdi_factor
        self.in_bloc = st.bloc.sum(axis=1) > 0
        reward0, pressure0, _ = powers_respond(model, self, noisy=False)
        self.reward0, self.pressure0 = reward0[0], pressure0[0]
        self.exposure0 = st.sanctions * self.bloc_shares[0, st.target_bloc]
        self.rewards, self.pressures = reward0.copy(), np.zeros_like(pressure0)

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
            reward_rate=st.reward_budget * st.salience,
            pressure_rate=st.pressure_capacity * st.salience,
            powers=st.powers,
            anchor=self.effort0,
        )

    def choose_allocation(self) -> None:
        """Step 4: the strategy sets next quarter's effort allocation."""
        effort = np.clip(self.strategy.choose(self.observe()), 0.0, None)
        self.effort = effort / effort.sum(axis=1, keepdims=True)

    def update_economy(self) -> None:
        """Step 5: trade and FDI shares move toward their attraction; GDP grows."""
        m = self.model
        st, pv = m.structure, m.params.pivot
        ratio = np.where(
            self.in_bloc, (EPS + self.effort @ st.bloc.T) / (EPS + st.bloc @ self.effort0), 1.0
        )
        rel_gap = (self.relations - self.relations0) @ st.bloc.T
        pull = ratio**pv.effort_elasticity * np.exp(pv.relation_elasticity * rel_gap)
        years = m.time / 4.0
        trade_pull = (
            pull
            * np.exp(pv.market_growth_elasticity * st.market_growth * years)
            * (st.trade_factor / self.trade_factor0)
        )
        oil_value = m.world.oil[:, None] ** (st.export_fraction * m.world.params.oil_export_weight)
        self.trade = _toward(self.trade, self.trade0 * trade_pull * oil_value, pv.trade_inertia)
        reward_gap = (self.rewards - self.reward0) @ st.bloc.T
        fdi_pull = (
            pull * (st.fdi_factor / self.fdi_factor0) * np.exp(pv.fdi_reward_gain * reward_gap)
        )
        self.fdi = _toward(self.fdi, self.fdi0 * fdi_pull, pv.fdi_inertia)
        self.bloc_shares = metrics.bloc_shares(self.trade, st.bloc)
        exposure = st.sanctions * self.bloc_shares[:, st.target_bloc]
        growth = (
            pv.base_growth / 4.0
            + pv.oil_gdp_elasticity * m.world.oil_change
            + pv.reward_gain * (self.rewards.sum(axis=1) - self.reward0.sum())
            - pv.punishment_cost * (self.pressures.sum(axis=1) - self.pressure0.sum())
            - pv.sanctions_cost * (exposure - self.exposure0)
        )
        self.gdp = self.gdp * np.exp(growth)
        csto_share = self.effort @ st.csto_power
        self.security_dependence += pv.relation_rate * (
            np.minimum(1.0, 2.0 * csto_share) - self.security_dependence
        )

    def update_relations(self) -> None:
        """Step 6: relations drift toward a level set by effort, rewards and pressure."""
        pv = self.model.params.pivot
        n = self.effort.shape[1]
        target = (
            self.relations0
            + pv.relation_effort_weight * n * (self.effort - self.effort0)
            + pv.relation_reward_weight * (self.rewards - self.reward0)
            - pv.relation_pressure_weight * (self.pressures - self.pressure0)
        )
        self.relations += pv.relation_rate * (np.clip(target, -1.0, 1.0) - self.relations)


def _toward(shares: np.ndarray, attraction: np.ndarray, rate: float) -> np.ndarray:
    """Move shares toward normalised attraction; convex combinations stay on the simplex."""
    target = attraction / attraction.sum(axis=1, keepdims=True)
    return shares + rate * (target - shares)
