"""BalancingModel: a middle state balancing between great powers, one quarter per step.

The step reads top to bottom as the process order of docs/ODD.md. R replicate worlds run in
lockstep: every state array has a leading replicate axis, and ``replicates=1`` is an ordinary
single run (it works with ``mesa.batch_run``).
"""

from collections.abc import Mapping
from functools import partial

import mesa
import numpy as np

from sim.model import metrics
from sim.model.agents import GreatPower, PivotState
from sim.model.draws import DrawsInForce, check_draws, strategy_draws, with_draws
from sim.model.kernels import outcomes_accumulate
from sim.model.posterior import scenario_draws
from sim.model.scenario import Scenario, load_scenario
from sim.model.strategies import Strategy, make_strategy
from sim.model.structure import compile_structure
from sim.model.world import World


class BalancingModel(mesa.Model):
    """Kazakhstan (or another pivot state) among Russia, China, the EU and the US.

    Args:
        scenario: a ``Scenario``, a shipped scenario name or a TOML path (default baseline_2023).
        strategy: name of the pivot's balancing strategy (see ``sim.model.strategies.STRATEGIES``).
        replicates: number of replicate worlds run in lockstep.
        rng: integer seed of the model's random generator.
        overrides: parameter changes by dotted path, e.g. ``{"world.rivalry": 0.8}``.
        collect: collect a Mesa ``DataCollector`` every step (default: yes). Its reporters are
            every timeseries column (docs/outputs.md) as the mean over the replicates.
        draws: per-replicate values by dotted path, one per replicate; paths in
            ``sim.model.draws.PER_REPLICATE``. Default: drawn from the posterior the scenario
            names (``sim.model.posterior``), keyed by ``rng``; ``{}`` for none.
    """

    def __init__(
        self,
        scenario: Scenario | str | None = None,
        strategy: str = "multivector",
        replicates: int = 1,
        rng: int | None = None,
        overrides: dict | None = None,
        collect: bool | None = None,
        draws: Mapping[str, np.ndarray] | None = None,
    ):
        super().__init__(rng=rng)
        if replicates < 1:
            raise ValueError(f"replicates must be at least 1, got {replicates}")
        base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario or "baseline_2023")
        self.initial_params = base.with_overrides(overrides) if overrides else base
        self.replicates = replicates
        self.strategy_name = strategy
        if draws is None:
            root = rng if rng is not None else int(np.random.SeedSequence().entropy % 2**63)
            draws = scenario_draws(self.initial_params, root, range(replicates), skip=overrides or {})
        self._draws = DrawsInForce(check_draws(draws, replicates, self.initial_params), self.initial_params)
        timeline = self.initial_params.timeline()
        past = [e for e in timeline if e.step <= 0]
        for scheduled in past:
            self._draws.note_event(scheduled.event.set)
        start = past[-1].params if past else self.initial_params
        self.draws = self._draws.current(start)
        self.params = with_draws(start, self.draws)
        self.timeline = [e for e in timeline if e.step > 0]
        self._due: dict[int, list] = {}  # the timeline by step, so a quarter finds its events at once
        for scheduled in self.timeline:
            self._due.setdefault(scheduled.step, []).append(scheduled)
        self.reference = self.params  # the state at step 0: what "since the start" compares with
        self.structure = compile_structure(self.params)
        self.world = World(self.params.world, replicates)
        self.powers = [GreatPower(self, key, i) for i, key in enumerate(self.params.powers)]
        self.initial_engagement = np.array([p.initial_engagement for p in self.params.powers.values()])
        self.pivot = PivotState(self, self._strategy(), replicates)
        self.totals = {k: np.zeros(replicates) for k in ("autonomy", "security_risk", "exposure", "crises")}
        self.peak_risk = np.zeros(replicates)
        self.pressure_sum = np.zeros((replicates, len(self.powers)))
        self.fired: list[str] = []  # names of the events that fired this quarter
        self._state: tuple[float, dict[str, np.ndarray]] | None = None
        self.collect = True if collect is None else collect
        reporters = {name: partial(_mean_of, column=name) for name in self.state()}
        self.datacollector = mesa.DataCollector(model_reporters=reporters)
        if self.collect:
            self.datacollector.collect(self)

    def step(self) -> None:
        """One quarter, in the order of the ODD process overview."""
        self.fire_events()  # 1. dated scenario events
        self.world.advance(self.rng)  # 2. exogenous drivers: commodity prices, rivalry
        self.great_powers_act()  # 3. rewards and pressure
        self.pivot.choose_engagement()  # 4. the pivot's strategy
        self.pivot.update_economy()  # 5. trade, FDI, GDP
        self.pivot.update_relations()  # 6. relations
        self.accumulate_outcomes()  # 7. metrics
        if self.collect:
            self.datacollector.collect(self)
        self.running = self.time < self.params.steps

    def fire_events(self) -> None:
        """Apply events dated to this quarter: new parameters in force everywhere, one-off shocks."""
        self.fired = []
        for scheduled in self._due.get(int(self.time), ()):
            strategy_before = self.params.strategies.get(self.strategy_name)
            self._draws.note_event(scheduled.event.set)
            self.draws = self._draws.current(scheduled.params)
            self.params = with_draws(scheduled.params, self.draws)
            self.fired.append(scheduled.event.name)
            for target, size in scheduled.event.shock.items():
                self.world.shock(target, size)
            if self.params.strategies.get(self.strategy_name) != strategy_before:
                self.pivot.strategy = self._strategy()
        if self.fired:
            self.structure = compile_structure(self.params, self.reference)
            self.world.params = self.params.world
            self.pivot.refresh()

    def _strategy(self) -> Strategy:
        """The pivot's strategy with the parameters in force."""
        overrides = self.params.strategies.get(self.strategy_name)
        strategy = make_strategy(self.strategy_name, overrides, self.structure.powers)
        if drawn := strategy_draws(self.draws, self.strategy_name):
            strategy.params = strategy.params.model_copy(update=drawn)
        return strategy

    def great_powers_act(self) -> None:
        """Each power makes offers and presses according to threat and leverage (ODD 7.3)."""
        self.pivot.respond(self.rng, self.time)

    def accumulate_outcomes(self) -> None:
        """Running sums and peaks for the per-run outcomes (a kernel with ``metrics``' formulas)."""
        totals, pivot = self.totals, self.pivot
        outcomes_accumulate(
            pivot.bloc_shares,
            pivot.pressures,
            pivot.exposure,
            float(self.params.world.crisis_threshold),
            totals["autonomy"],
            totals["security_risk"],
            totals["exposure"],
            totals["crises"],
            self.peak_risk,
        )
        self.pressure_sum += pivot.pressures

    # Views used by reporters, recorders and tests.
    @property
    def welfare(self) -> np.ndarray:
        """GDP index per replicate (start = 1)."""
        return self.pivot.gdp

    @property
    def autonomy(self) -> np.ndarray:
        """1 - HHI of bloc trade shares per replicate."""
        return metrics.autonomy(self.pivot.bloc_shares)

    @property
    def security_risk(self) -> np.ndarray:
        """Security risk of this quarter's pressure per replicate."""
        return metrics.security_risk(self.pivot.pressures)

    def state(self) -> dict[str, np.ndarray]:
        """The state and metrics of every replicate now, by timeseries column (docs/outputs.md)."""
        if self._state is not None and self._state[0] == self.time:
            return self._state[1]
        st, pv, w = self.structure, self.pivot, self.world
        cols: dict[str, np.ndarray] = {}
        exports = metrics.export_shares(pv.trade, st.export_fraction)
        for k, key in enumerate(st.partners):
            cols[f"share_{key}"] = pv.trade[:, k]
            cols[f"export_share_{key}"] = exports[:, k]
            cols[f"fdi_share_{key}"] = pv.fdi[:, k]
        for p, key in enumerate(st.powers):
            cols[f"bloc_share_{key}"] = pv.bloc_shares[:, p]
            cols[f"engagement_{key}"] = pv.engagement[:, p]
            cols[f"relation_{key}"] = pv.relations[:, p]
            cols[f"pressure_{key}"] = pv.pressures[:, p]
            cols[f"reward_{key}"] = pv.rewards[:, p]
            cols[f"leverage_{key}"] = pv.leverage[:, p]
        cols.update(
            oil_price=w.oil,
            metals_price=w.metals,
            uranium_price=w.uranium,
            rivalry=w.rivalry,
            sanctions=np.full(self.replicates, st.sanctions),
            export_value=np.exp(pv.log_exports),
            welfare=pv.gdp,
            gdp_usd_bn=pv.gdp * self.reference.pivot.gdp_usd_bn,
            autonomy=metrics.autonomy(pv.bloc_shares),
            max_dependence=metrics.max_dependence(pv.bloc_shares),
            security_dependence=pv.security_dependence,
            security_risk=metrics.security_risk(pv.pressures),
            sanctions_exposure=pv.exposure,
            relation_min=metrics.relation_min(pv.relations),
            relation_spread=metrics.relation_spread(pv.relations),
        )
        out = {k: np.array(v, dtype=float) for k, v in cols.items()}
        self._state = (self.time, out)
        return out


def _mean_of(model: BalancingModel, column: str) -> float:
    """DataCollector reporter: a state column's mean over the replicates."""
    return float(model.state()[column].mean())
