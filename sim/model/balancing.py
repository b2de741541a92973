"""BalancingModel: a middle state balancing between great powers, one quarter per step.

The step reads top to bottom as the process order of docs/ODD.md. R replicate worlds run in
lockstep: every state array has a leading replicate axis, and ``replicates=1`` is an ordinary
single run (it works with ``mesa.batch_run``).
"""

import mesa
import numpy as np

from sim.model import metrics
from sim.model.agents import GreatPower, PivotState, powers_respond
from sim.model.scenario import Scenario, load_scenario
from sim.model.strategies import make_strategy
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
        collect: collect a Mesa ``DataCollector`` every step (default: when replicates == 1).
    """

    def __init__(
        self,
        scenario: Scenario | str | None = None,
        strategy: str = "multivector",
        replicates: int = 1,
        rng: int | None = None,
        overrides: dict | None = None,
        collect: bool | None = None,
    ):
        super().__init__(rng=rng)
        if replicates < 1:
            raise ValueError(f"replicates must be at least 1, got {replicates}")
        base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario or "baseline_2023")
        self.initial_params = base.with_overrides(overrides) if overrides else base
        self.replicates = replicates
        self.strategy_name = strategy
        timeline = self.initial_params.timeline()
        past = [e for e in timeline if e.step <= 0]
        self.params = past[-1].params if past else self.initial_params
        self.timeline = [e for e in timeline if e.step > 0]
        self.structure = compile_structure(self.params)
        self.world = World(self.params.world, replicates)
        self.powers = [GreatPower(self, key, i, p) for i, (key, p) in enumerate(self.params.powers.items())]
        overrides_for = self.params.strategies.get(strategy)
        self.pivot = PivotState(
            self, make_strategy(strategy, overrides_for, self.structure.powers), replicates
        )
        self.totals = {k: np.zeros(replicates) for k in ("autonomy", "security_risk", "exposure", "crises")}
        self.peak_risk = np.zeros(replicates)
        self.pressure_sum = np.zeros((replicates, len(self.powers)))
        self.collect = replicates == 1 if collect is None else collect
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "welfare": mean_welfare,
                "autonomy": mean_autonomy,
                "security_risk": mean_security_risk,
            }
        )
        if self.collect:
            self.datacollector.collect(self)

    def step(self) -> None:
        """One quarter, in the order of the ODD process overview."""
        self.fire_events()  # 1. dated scenario events
        self.world.advance(self.rng)  # 2. exogenous drivers: commodity prices, rivalry
        self.great_powers_act()  # 3. rewards and pressure
        self.pivot.choose_allocation()  # 4. the pivot's strategy
        self.pivot.update_economy()  # 5. trade, FDI, GDP
        self.pivot.update_relations()  # 6. relations
        self.accumulate_outcomes()  # 7. metrics
        if self.collect:
            self.datacollector.collect(self)
        self.running = self.time < self.params.steps

    def fire_events(self) -> None:
        """Apply events dated to this quarter: new parameters in force, one-off shocks."""
        step = int(self.time)
        for scheduled in self.timeline:
            if scheduled.step != step:
                continue
            self.params = scheduled.params
            self.structure = compile_structure(self.params)
            self.world.params = self.params.world
            for power in self.powers:
                power.params = self.params.powers[power.key]
            for target, size in scheduled.event.shock.items():
                self.world.shock(target, size)

    def great_powers_act(self) -> None:
        """Each power rewards effort it receives and presses when rivals get too much."""
        self.pivot.rewards, self.pivot.pressures, self.pivot.tolerance = powers_respond(self, self.pivot)

    def accumulate_outcomes(self) -> None:
        """Running sums and peaks for the per-run outcomes."""
        pressure = self.pivot.pressures
        risk = metrics.security_risk(pressure)
        self.totals["autonomy"] += metrics.autonomy(self.pivot.bloc_shares)
        self.totals["security_risk"] += risk
        self.totals["exposure"] += metrics.sanctions_exposure(
            self.structure.sanctions, self.pivot.bloc_shares[:, self.structure.target_bloc]
        )
        self.totals["crises"] += pressure.max(axis=1) > self.params.world.crisis_threshold
        self.peak_risk = np.maximum(self.peak_risk, risk)
        self.pressure_sum += pressure

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


def mean_welfare(model: BalancingModel) -> float:
    """Model reporter: GDP index, mean over replicates."""
    return float(model.welfare.mean())


def mean_autonomy(model: BalancingModel) -> float:
    """Model reporter: autonomy, mean over replicates."""
    return float(model.autonomy.mean())


def mean_security_risk(model: BalancingModel) -> float:
    """Model reporter: security risk, mean over replicates."""
    return float(model.security_risk.mean())
