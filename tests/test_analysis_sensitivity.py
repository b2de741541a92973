"""Sobol and Morris indices recovered from fake sweep folders through the analysis code path."""

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import make_sweep_folder
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.analysis.report import write_analysis
from sim.analysis.results import load_results
from sim.analysis.sensitivity import sensitivity, sobol_table
from sim.errors import UserError

ISHIGAMI = {
    "num_vars": 3,
    "names": ["world.x1", "world.x2", "powers.russia.x3"],
    "bounds": [[-np.pi, np.pi]] * 3,
}
# Analytic indices of Ishigami with a = 7, b = 0.1 (Saltelli et al. 2008, SALib's tests)
S1 = [0.3139, 0.4424, 0.0]
ST = [0.5576, 0.4424, 0.2437]


def ishigami(strategy, x):
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    return y if strategy == "multivector" else 2 * y + 1  # same indices, other scale


def design_frame(problem, matrix):
    frame = pd.DataFrame(matrix, columns=problem["names"])
    frame.insert(0, "design_point", np.arange(len(matrix)))
    return frame


def sweep_spec(problem, design, **extra):
    parameters = {
        n: {"low": lo, "high": hi} for n, (lo, hi) in zip(problem["names"], problem["bounds"], strict=True)
    }
    return {"design": design, "parameters": parameters, "samples": 0, **extra}


@pytest.fixture(scope="module")
def ishigami_results(tmp_path_factory):
    matrix = sobol_sample.sample(ISHIGAMI, 1024, calc_second_order=False, seed=11)
    folder = make_sweep_folder(
        tmp_path_factory.mktemp("sobol"),
        design_frame(ISHIGAMI, matrix),
        ishigami,
        strategies=("multivector", "pivot_china"),
        replicates=2,
        noise=0.05,  # replicate noise, averaged away per design point
        sweep=sweep_spec(ISHIGAMI, "sobol"),
    )
    return load_results(folder)


def test_sobol_recovers_ishigami_indices(ishigami_results):
    method, table = sensitivity(ishigami_results, ["welfare_final"])
    assert method == "sobol"
    for strategy in ("multivector", "pivot_china"):
        rows = table[table["strategy"] == strategy].set_index("parameter")
        assert rows.loc[ISHIGAMI["names"], "S1"].to_numpy() == pytest.approx(S1, abs=0.06)
        assert rows.loc[ISHIGAMI["names"], "ST"].to_numpy() == pytest.approx(ST, abs=0.06)
        assert (rows["ST_conf"] > 0).all()


def test_sobol_refuses_a_design_out_of_saltelli_order(tmp_path):
    matrix = sobol_sample.sample(ISHIGAMI, 16, calc_second_order=False, seed=3)
    shuffled = matrix[np.random.default_rng(0).permutation(len(matrix))]
    folder = make_sweep_folder(
        tmp_path / "bad",
        design_frame(ISHIGAMI, shuffled),
        ishigami,
        sweep=sweep_spec(ISHIGAMI, "sobol"),
    )
    with pytest.raises(UserError, match="not in SALib's Saltelli order"):
        sobol_table(load_results(folder), ["welfare_final"])


def test_sobol_accepts_a_second_order_design(tmp_path):
    matrix = sobol_sample.sample(ISHIGAMI, 256, calc_second_order=True, seed=5)
    folder = make_sweep_folder(
        tmp_path / "so",
        design_frame(ISHIGAMI, matrix),
        ishigami,
        sweep=sweep_spec(ISHIGAMI, "sobol"),
    )
    table = sobol_table(load_results(folder), ["welfare_final"])
    assert table.set_index("parameter").loc["world.x2", "S1"] == pytest.approx(0.4424, abs=0.12)


def test_sobol_needs_every_design_point(tmp_path):
    matrix = sobol_sample.sample(ISHIGAMI, 16, calc_second_order=False, seed=3)
    folder = make_sweep_folder(
        tmp_path / "gap",
        design_frame(ISHIGAMI, matrix),
        ishigami,
        sweep=sweep_spec(ISHIGAMI, "sobol"),
        replicates=1,
    )
    runs = pd.read_csv(folder / "runs.csv")
    runs.loc[runs["design_point"] == 5, "status"] = "error"
    runs.to_csv(folder / "runs.csv", index=False)
    with pytest.raises(UserError, match="design point 5 has no successful run"):
        sobol_table(load_results(folder), ["welfare_final"])


LINEAR = {
    "num_vars": 3,
    "names": ["a", "b", "c"],
    "bounds": [[0.0, 1.0], [0.0, 1.0], [0.0, 2.0]],
}


def linear(strategy, x):
    return 3 * x[:, 0] + 0 * x[:, 1] + 1 * x[:, 2]


def test_morris_recovers_elementary_effects_of_a_linear_function(tmp_path):
    matrix = morris_sample.sample(LINEAR, 20, num_levels=4, seed=2)
    folder = make_sweep_folder(
        tmp_path / "morris",
        design_frame(LINEAR, matrix),
        linear,
        sweep=sweep_spec(LINEAR, "morris", num_levels=4),
    )
    method, table = sensitivity(load_results(folder), ["welfare_final"])
    assert method == "morris"
    rows = table.set_index("parameter")
    # effect of moving each input across its whole range: 3 * 1, 0, 1 * 2
    assert rows["mu_star"].to_numpy() == pytest.approx([3.0, 0.0, 2.0], abs=1e-9)
    assert rows["mu"].to_numpy() == pytest.approx([3.0, 0.0, 2.0], abs=1e-9)
    assert rows["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)


def test_morris_refuses_rows_that_are_not_trajectories(tmp_path):
    rng = np.random.default_rng(1)
    matrix = rng.uniform(size=(20, 3))
    folder = make_sweep_folder(
        tmp_path / "m", design_frame(LINEAR, matrix), linear, sweep=sweep_spec(LINEAR, "morris")
    )
    with pytest.raises(UserError, match="not Morris trajectories"):
        sensitivity(load_results(folder), ["welfare_final"])


def test_other_designs_have_no_sensitivity_table(tmp_path):
    matrix = np.random.default_rng(1).uniform(size=(10, 3))
    folder = make_sweep_folder(
        tmp_path / "lhs", design_frame(LINEAR, matrix), linear, sweep=sweep_spec(LINEAR, "lhs")
    )
    assert sensitivity(load_results(folder), ["welfare_final"]) is None


def test_constant_outcome_gives_undefined_indices_without_warnings(tmp_path, recwarn):
    matrix = sobol_sample.sample(ISHIGAMI, 64, calc_second_order=False, seed=3)
    folder = make_sweep_folder(
        tmp_path,
        design_frame(ISHIGAMI, matrix),
        lambda strategy, x: np.full(len(x), 2.0),
        strategies=("multivector",),
        replicates=1,
        noise=0.0,
        sweep=sweep_spec(ISHIGAMI, "sobol"),
    )
    table = sobol_table(load_results(folder), ["welfare_final"])
    assert len(table) == 3 and table["S1"].isna().all() and table["ST"].isna().all()
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_indices_above_one_are_named_unreliable_and_a_good_design_has_none(ishigami_results, tmp_path):
    """Ishigami at 1024 samples: every index below 1. A 2-sample design of a spiky outcome: named."""
    _, table = sensitivity(ishigami_results, ["welfare_final"])
    assert table.attrs["impossible_indices"] == []
    matrix = sobol_sample.sample(ISHIGAMI, 2, calc_second_order=False, seed=11)
    spike = matrix[2]  # an A-B row: the outcome jumps there alone

    def spiky(strategy, x):
        return np.where(np.isclose(x, spike).all(axis=1), 1e3, 0.0) + x[:, 0]

    folder = make_sweep_folder(
        tmp_path, design_frame(ISHIGAMI, matrix), spiky, strategies=("multivector",),
        replicates=1, noise=0.0, sweep=sweep_spec(ISHIGAMI, "sobol"),
    )  # fmt: skip
    _, small = sensitivity(load_results(folder), ["welfare_final"])
    assert ((small["S1"] > 1) | (small["ST"] > 1)).any()
    assert small.attrs["impossible_indices"] == ["welfare_final"]
    report = write_analysis(folder).read_text(encoding="utf-8")  # the user's path: analyze
    assert "Sobol indices of welfare_final are estimated above 1" in report
