"""The EMA Workbench export loads with ema_workbench.load_results."""

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import make_run_folder

from sim.analysis.export import export_ema
from sim.errors import UserError

ema = pytest.importorskip(
    "ema_workbench", reason="the ema export needs EMA Workbench: pip install 'multivector[ema]'"
)


def test_export_loads_in_ema_workbench(tmp_path):
    folder = make_run_folder(tmp_path / "r", replicates=3, steps=4)
    runs = pd.read_csv(folder / "runs.csv")
    runs.loc[0, "status"] = "error"  # a failed run is left out
    runs.to_csv(folder / "runs.csv", index=False)
    path = export_ema(folder)
    assert path == folder / "ema_results.tar.gz"
    experiments, outcomes = ema.load_results(str(path))
    ok = runs[runs["status"] == "ok"].reset_index(drop=True)
    assert len(experiments) == len(ok) == 17
    assert experiments["policy"].tolist() == ok["strategy"].tolist()
    assert set(experiments["model"]) == {"multivector"}
    ids = pd.read_csv(folder / "ema_results_ids.csv")
    assert ids["seed"].tolist() == ok["seed"].tolist() and ids["run_id"].tolist() == ok["run_id"].tolist()
    params = [c for c in experiments.columns if c not in ("scenario_name", "policy", "model")]
    assert not set(params) & {"run_id", "seed", "replicate", "chunk", "design_point", "scenario"}
    assert experiments["scenario_name"].tolist() == ok["scenario"].tolist()
    np.testing.assert_allclose(outcomes["welfare_final"], ok["welfare_final"])
    assert outcomes["welfare"].shape == (17, 5)  # runs x recorded steps
    np.testing.assert_allclose(outcomes["TIME"][0], [0, 1, 2, 3, 4])
    series = pd.read_csv(folder / "timeseries.csv").set_index(["run_id", "step"])
    first = ok["run_id"].iloc[0]
    np.testing.assert_allclose(outcomes["welfare"][0], series.loc[first, "welfare"].to_numpy())


def test_export_never_overwrites(tmp_path):
    folder = make_run_folder(tmp_path / "r", replicates=2, steps=2)
    export_ema(folder, tmp_path / "a.tar.gz")
    with pytest.raises(UserError, match="exists already"):
        export_ema(folder, tmp_path / "a.tar.gz")
    with pytest.raises(UserError, match=r"ending in \.tar\.gz"):
        export_ema(folder, tmp_path / "a.zip")


def test_a_seed_above_two_to_the_63_survives_analysis_and_the_export(tmp_path):
    """Seeds are unsigned 64-bit: no step may wrap them negative, or a run cannot be re-seeded."""
    from sim.analysis.results import load_results

    folder = make_run_folder(tmp_path / "r", replicates=2, steps=2)
    runs = pd.read_csv(folder / "runs.csv")
    runs["seed"] = np.uint64(2**64 - 5)
    runs.to_csv(folder / "runs.csv", index=False)
    assert load_results(folder).runs["seed"].tolist() == [2**64 - 5] * len(runs)
    export_ema(folder)
    ids = pd.read_csv(folder / "ema_results_ids.csv")
    assert ids["seed"].tolist() == [2**64 - 5] * len(runs)
