"""One live model in the explorer: build it from the page's choices, step it, keep its history.

:class:`ModelSession` wraps :class:`~sim.model.BalancingModel` with R replicate worlds and records
:func:`sim.experiments.runner.snapshot` after every step, so the page can draw fan charts
(median and 5-95% band over replicates) of trade shares, relations, pressure and welfare, and
list the scenario events that fired. Columns are found by prefix (``share_``, ``relation_``,
``pressure_``), not by name, so a model that renames its partners or powers still draws.
"""

from dataclasses import dataclass, field

import numpy as np

from sim.experiments.runner import snapshot
from sim.model import BalancingModel, load_scenario
from sim.model.catalogue import ParameterInfo, sweepable
from sim.model.quarters import format_quarter, parse_quarter
from sim.model.strategies import STRATEGIES

KEY_PARAMETERS = (
    "world.rivalry",
    "world.sanctions",
    "powers.russia.pressure_capacity",
    "powers.russia.tolerance",
    "powers.china.reward_budget",
    "powers.us.secondary_sanctions",
    "pivot.trade_inertia",
)
"""The parameters the model view offers as sliders (any path of ``multivector parameters`` works)."""

PANELS = {
    "Trade shares by partner": "share_",
    "Relations with each power (-1..1)": "relation_",
    "Pressure from each power": "pressure_",
    "Welfare (GDP index, start = 1)": "welfare",
}
"""Chart title -> column prefix (or exact column) of :func:`snapshot` drawn in it."""


@dataclass(frozen=True)
class Slider:
    """A slider for one parameter: its path, range and default in the chosen scenario."""

    path: str
    low: float
    high: float
    default: float
    description: str

    @property
    def step(self) -> float:
        """About a hundred positions over the range."""
        return float(f"{(self.high - self.low) / 100:.1g}") or 0.01


def strategies() -> list[str]:
    """Names of the strategies, in the model's order."""
    return list(STRATEGIES)


def sliders(scenario: str, paths: tuple[str, ...] = KEY_PARAMETERS) -> list[Slider]:
    """Sliders for ``paths`` with ranges from the scenario's parameter catalogue.

    An open-ended range (e.g. ``(0, inf)``) becomes half to twice the default.
    """
    catalogue = sweepable(load_scenario(scenario))
    return [_slider(catalogue[p]) for p in paths if p in catalogue and catalogue[p].kind == "real"]


def _slider(info: ParameterInfo) -> Slider:
    default = float(info.default if info.default is not None else info.low or 0.0)
    low = info.low if info.low is not None else min(0.0, default * 2)
    high = info.high if info.high is not None else max(1.0, default * 2)
    return Slider(info.path, float(low), float(high), default, info.description)


@dataclass(eq=False)  # compared by identity: a reset gives an equal-looking but new session
class ModelSession:
    """A model with its history of snapshots, one per recorded step.

    Args:
        scenario: shipped scenario name or TOML path.
        strategy: strategy name.
        replicates: replicate worlds run in lockstep (the spread of the fan charts).
        seed: the model's random seed.
        overrides: parameter values by dotted path (the sliders).
    """

    scenario: str = "baseline_2023"
    strategy: str = "multivector"
    replicates: int = 20
    seed: int = 1
    overrides: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.model = BalancingModel(
            self.scenario, self.strategy, self.replicates, rng=self.seed, overrides=self.overrides or None
        )
        self.first_quarter = parse_quarter(self.model.initial_params.start)
        self.history: list[dict[str, np.ndarray]] = []
        self.events: list[tuple[str, str]] = []
        self._record()

    @property
    def step_count(self) -> int:
        """Quarters simulated so far."""
        return int(self.model.time)

    @property
    def running(self) -> bool:
        """False once the scenario's last quarter is done."""
        return bool(self.model.running)

    @property
    def quarter(self) -> str:
        """The quarter just simulated (the one before the start at step 0)."""
        return format_quarter(self.first_quarter + self.step_count - 1)

    def step(self, quarters: int = 1) -> None:
        """Advance by up to ``quarters`` quarters (fewer at the end of the scenario)."""
        for _ in range(quarters):
            if not self.running:
                return
            self.model.step()
            self.events.extend((self.quarter, name) for name in self.model.fired)
            self._record()

    def _record(self) -> None:
        _, columns = snapshot(self.model)
        self.history.append(columns)

    def columns(self, prefix: str) -> list[str]:
        """Recorded columns named ``prefix`` or starting with it (``share_``, ``relation_``)."""
        names = self.history[0]
        if prefix in names:
            return [prefix]
        found = [c for c in names if c.startswith(prefix)]
        actors = set(getattr(self.model.structure, "powers", ())) | set(
            getattr(self.model.structure, "partners", ())
        )
        per_actor = [c for c in found if c.removeprefix(prefix) in actors]
        return per_actor or found

    def fan(self, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Steps, 5th percentile, median and 95th percentile over replicates of one column."""
        values = np.stack([h[column] for h in self.history])  # steps x replicates
        low, mid, high = np.percentile(values, [5, 50, 95], axis=1)
        return np.arange(len(self.history), dtype=float), low, mid, high

    def quarter_labels(self) -> dict[float, str]:
        """Step -> quarter label, for the x axis."""
        return {float(k): format_quarter(self.first_quarter + k - 1) for k in range(len(self.history))}
