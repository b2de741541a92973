"""An EMA Workbench ``Model`` of ``BalancingModel``, so ``perform_experiments`` can drive it.

EMA Workbench (the ``ema`` extra) samples uncertainties and levers and calls a function once
per experiment. :func:`ema_model` builds that ``Model``:

- **uncertainties** are scenario parameters by dotted path (``world.rivalry``, as in sweep specs
  and ``multivector parameters``), each with the range ``sim.model.catalogue`` allows or a
  narrower one given here (named in EMA's experiments table as identifiers, :func:`ema_name`);
- the **lever** is ``strategy``, a ``CategoricalParameter`` of the strategy names (a constant
  when only one strategy is given);
- the **outcomes** are the headline run outcomes (``sim.schema.OUTCOMES``), each the mean over
  ``replicates`` replicate runs of one experiment.

Every experiment runs with the same seed (derived from ``seed`` and the scenario as sweeps derive
it, ``sim.experiments.seeding``): common random numbers, so two experiments differ by their
parameters and strategy alone, the same pairing ``runs.csv`` has across strategies. With EMA's
own sampling seeded (``uncertainty_sampling_kwargs={"rng": 1}``), results are repeatable.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.errors import UserError
from sim.experiments.runner import ChunkSpec, run_chunk
from sim.experiments.seeding import derive_seed
from sim.model.catalogue import ParameterInfo, sweepable
from sim.model.scenario import Scenario, load_scenario
from sim.model.strategies import STRATEGIES
from sim.schema import OUTCOMES

MAX_REPLICATES = 1000  # one experiment is one model instance holding every replicate in memory


@dataclass(frozen=True)
class ExperimentFunction:
    """The function EMA calls per experiment: parameters and ``strategy`` in, mean outcomes out.

    A plain picklable object (not a closure), so EMA's multiprocessing evaluator can send it to
    its workers.
    """

    scenario: Scenario
    replicates: int
    seed: int
    kinds: Mapping[str, str]

    def __call__(self, strategy: str, **parameters: Any) -> dict[str, float]:
        """Run ``replicates`` runs of ``strategy`` with ``parameters``; the mean of each outcome."""
        overrides = {path: _cast(value, self.kinds[path]) for path, value in parameters.items()}
        spec = ChunkSpec(
            self.scenario.with_overrides(overrides) if overrides else self.scenario,
            str(strategy),
            self.replicates,
            chunk=0,
            seed=self.seed,
            record_every=0,
        )
        runs = run_chunk(spec).runs
        return {name: float(np.mean(runs[name])) for name in OUTCOMES}


def ema_model(
    uncertainties: Sequence[str] | Mapping[str, tuple[float, float] | None],
    scenario: str | Scenario = "baseline_2023",
    strategies: Sequence[str] | None = None,
    replicates: int = 10,
    steps: int | None = None,
    seed: int = 1,
    name: str = "multivector",
) -> Any:
    """An ``ema_workbench.Model`` running ``scenario`` with the given uncertain parameters.

    Args:
        uncertainties: dotted parameter paths, or paths mapped to a ``(low, high)`` range inside
            the catalogue's (``None``: the catalogue's range, which must then be finite).
        scenario: a shipped scenario name, a TOML file, or a loaded Scenario.
        strategies: the lever's categories (default: every strategy).
        replicates: replicate runs per experiment; each outcome is their mean.
        steps: quarters to simulate (default: the scenario's).
        seed: root seed; every experiment uses the seed derived from it and the scenario.
        name: the model's name in EMA's experiments table (an identifier).

    Raises:
        UserError: an unknown path, strategy or range, or ema_workbench not installed.
    """
    try:
        from ema_workbench import CategoricalParameter, Constant, Model, ScalarOutcome
    except ImportError:
        raise UserError('EMA Workbench is not installed: pip install "multivector[ema]"') from None
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if steps is not None:
        base = base.with_overrides({"steps": steps})
    if not 1 <= replicates <= MAX_REPLICATES:
        raise UserError(f"`replicates`: expected 1 to {MAX_REPLICATES}, got {replicates}")
    chosen = list(strategies) if strategies is not None else list(STRATEGIES)
    unknown = [s for s in chosen if s not in STRATEGIES]
    if unknown or not chosen:
        raise UserError(f"`strategies`: expected names from {', '.join(STRATEGIES)}, got {unknown or chosen}")
    ranges = dict(uncertainties) if isinstance(uncertainties, Mapping) else dict.fromkeys(uncertainties)
    if not ranges:
        raise UserError("`uncertainties`: expected at least one parameter path")
    catalogue = sweepable(base)
    parameters = [_parameter(path, span, catalogue) for path, span in ranges.items()]
    model = Model(
        name, function=ExperimentFunction(base, replicates, _seed(seed, base), _kinds(ranges, catalogue))
    )
    model.uncertainties = parameters
    if len(chosen) > 1:
        model.levers = [CategoricalParameter("strategy", chosen)]
    else:  # EMA's categorical lever needs two categories; one strategy is a constant
        model.constants = [Constant("strategy", chosen[0])]
    model.outcomes = [ScalarOutcome(outcome, kind=_kind(outcome)) for outcome in OUTCOMES]
    return model


def _parameter(path: str, span: tuple[float, float] | None, catalogue: dict[str, ParameterInfo]) -> Any:
    """The EMA parameter of one path: real, integer or boolean, over its range."""
    from ema_workbench import BooleanParameter, IntegerParameter, RealParameter

    info = catalogue.get(path)
    if info is None:
        raise UserError(
            f"`uncertainties`: {path!r} is not a sweepable parameter (see `multivector parameters`)"
        )
    name = ema_name(path)
    if info.kind == "bool":
        return BooleanParameter(name, variable_name=path)
    low, high = span if span is not None else (info.low, info.high)
    if low is None or high is None or not np.isfinite([low, high]).all():
        raise UserError(f"`uncertainties`: {path} has the open range {info.range_text}; give (low, high)")
    if not (low < high and info.contains(low) and info.contains(high)):
        raise UserError(f"`uncertainties`: {path} range ({low}, {high}) is not inside {info.range_text}")
    if info.kind == "integer":
        return IntegerParameter(name, int(low), int(high), variable_name=path)
    return RealParameter(name, float(low), float(high), variable_name=path)


def ema_name(path: str) -> str:
    """A parameter's name in EMA (an identifier, as EMA 3 requires): ``world.rivalry`` -> ``world__rivalry``.

    EMA passes the value to the experiment function under the dotted path (its ``variable_name``).
    """
    return path.replace(".", "__")


def _kinds(ranges: Mapping[str, Any], catalogue: dict[str, ParameterInfo]) -> dict[str, str]:
    return {path: catalogue[path].kind for path in ranges}


def _cast(value: Any, kind: str) -> Any:
    """A sampled value as the scenario field expects it (EMA hands numpy scalars)."""
    if kind == "bool":
        return bool(value)
    if kind == "integer":
        return int(value)
    return float(value)


def _kind(outcome: str) -> int:
    """EMA's outcome kind: MAXIMIZE, MINIMIZE or INFO, from the outcome's direction."""
    from ema_workbench import ScalarOutcome

    direction = OUTCOMES[outcome].direction
    return {"max": ScalarOutcome.MAXIMIZE, "min": ScalarOutcome.MINIMIZE}.get(direction, ScalarOutcome.INFO)


def _seed(root: int, scenario: Scenario) -> int:
    return derive_seed(root, scenario.name, 0, 0)
