"""The EMA Workbench Model wrapper: perform_experiments drives BalancingModel, repeatably."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench", reason='the ema extra is not installed: pip install ".[ema]"')
warnings.filterwarnings("ignore", message="ipyparallel not installed")

from ema_workbench import Sample, SequentialEvaluator, perform_experiments  # noqa: E402

from sim.errors import UserError  # noqa: E402
from sim.experiments.ema import ema_model, ema_name  # noqa: E402
from sim.schema import OUTCOMES  # noqa: E402

UNCERTAIN = {"world.sanctions": None, "world.rivalry": (0.3, 0.9)}
STRATEGIES = ["multivector", "pivot_china"]


def small_model():
    return ema_model(UNCERTAIN, strategies=STRATEGIES, replicates=3, steps=8, seed=5)


def perform(model, scenarios=4):
    policies = [Sample(name, strategy=name) for name in STRATEGIES]
    return perform_experiments(
        model,
        scenarios=scenarios,
        policies=policies,
        evaluator=SequentialEvaluator(model),
        uncertainty_sampling_kwargs={"rng": 11},
    )


def test_perform_experiments_runs_every_scenario_with_every_policy():
    experiments, outcomes = perform(small_model())
    assert len(experiments) == 8
    assert {"world__sanctions", "world__rivalry", "strategy", "policy"} <= set(experiments.columns)
    assert sorted(experiments["strategy"].unique()) == STRATEGIES
    assert experiments["world__rivalry"].between(0.3, 0.9).all()
    assert set(outcomes) == set(OUTCOMES)
    for name, values in outcomes.items():
        assert values.shape == (8,), name
        assert np.isfinite(values).all(), name


def test_the_results_are_deterministic():
    first = perform(small_model())
    second = perform(small_model())
    # EMA numbers its scenarios from a process-wide counter; everything else must repeat.
    pd.testing.assert_frame_equal(first[0].drop(columns="scenario"), second[0].drop(columns="scenario"))
    for name in OUTCOMES:
        np.testing.assert_array_equal(first[1][name], second[1][name])


def test_experiments_differ_by_parameters_and_strategy_alone():
    """Common random numbers: the same inputs give the same outcomes; more sanctions, more exposure."""
    run = small_model().function
    low = run("multivector", **{"world.sanctions": 0.1, "world.rivalry": 0.6})
    again = run("multivector", **{"world.sanctions": 0.1, "world.rivalry": 0.6})
    high = run("multivector", **{"world.sanctions": 0.9, "world.rivalry": 0.6})
    other = run("pivot_china", **{"world.sanctions": 0.1, "world.rivalry": 0.6})
    assert low == again
    assert high["sanctions_exposure_mean"] > low["sanctions_exposure_mean"]
    assert other != low


def test_the_experiment_function_pickles_for_multiprocessing():
    run = small_model().function
    clone = pickle.loads(pickle.dumps(run))
    inputs = {"world.sanctions": 0.5, "world.rivalry": 0.5}
    assert clone("pivot_china", **inputs) == run("pivot_china", **inputs)


def test_one_strategy_is_a_constant_not_a_lever():
    model = ema_model(["world.sanctions"], strategies=["neutrality"], replicates=2, steps=4)
    experiments, outcomes = perform_experiments(
        model, scenarios=3, evaluator=SequentialEvaluator(model), uncertainty_sampling_kwargs={"rng": 1}
    )
    assert len(experiments) == 3 and outcomes["welfare_final"].shape == (3,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"uncertainties": ["world.nothing"]}, "'world.nothing' is not a sweepable parameter"),
        (
            {"uncertainties": {"world.rivalry": (0.5, 2.0)}},
            r"world.rivalry range \(0.5, 2.0\) is not inside \[0, 1\]",
        ),
        ({"uncertainties": {"world.rivalry": (0.8, 0.2)}}, "is not inside"),
        ({"uncertainties": []}, "at least one parameter path"),
        ({"uncertainties": ["world.sanctions"], "strategies": ["nope"]}, "`strategies`: expected names"),
        ({"uncertainties": ["world.sanctions"], "replicates": 0}, "`replicates`: expected 1 to"),
    ],
)
def test_bad_arguments_are_one_line_errors(kwargs, message):
    with pytest.raises(UserError, match=message):
        ema_model(**kwargs)


def test_an_open_range_needs_explicit_bounds():
    from sim.model.catalogue import sweepable
    from sim.model.scenario import load_scenario

    open_paths = [
        p.path
        for p in sweepable(load_scenario("baseline_2023")).values()
        if p.kind == "real" and p.high is None
    ]
    assert open_paths, "the catalogue has a parameter without an upper bound"
    with pytest.raises(UserError, match="open range"):
        ema_model([open_paths[0]])
    low = sweepable(load_scenario("baseline_2023"))[open_paths[0]].low or 0.0
    assert (
        ema_model({open_paths[0]: (low + 0.1, low + 1.0)}).uncertainties[ema_name(open_paths[0])].upper_bound
        == low + 1.0
    )
