"""Loading results folders, summary statistics and paired differences against hand-computed values."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import make_run_folder, write_results

from sim.analysis.comparison import paired_differences, run_status, summary_table
from sim.analysis.results import load_results, resolve_metrics
from sim.errors import UserError


def tiny(tmp_path, **kwargs):
    """Strategy a: 1, 2, 3, 4; strategy b: 2, 2, 2, 2 (welfare_final), paired by replicate."""
    runs = pd.DataFrame(
        {
            "strategy": ["a"] * 4 + ["b"] * 4,
            "replicate": [0, 1, 2, 3] * 2,
            "welfare_final": [1.0, 2.0, 3.0, 4.0, 2.0, 2.0, 2.0, 2.0],
            "crises": [0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        }
    )
    return load_results(write_results(tmp_path / "tiny", runs, **kwargs))


def test_summary_statistics_match_hand_computed_values(tmp_path):
    table = summary_table(tiny(tmp_path), ["welfare_final", "crises"])
    a = table[(table.strategy == "a") & (table.metric == "welfare_final")].iloc[0]
    assert a["n"] == 4
    assert a["mean"] == pytest.approx(2.5)
    assert a["sd"] == pytest.approx(1.2909944)
    # numpy's linear percentile: 1 + 0.05 * 3 and 1 + 0.95 * 3
    assert (a["p5"], a["p50"], a["p95"]) == pytest.approx((1.15, 2.5, 3.85))
    # t(0.975, 3) = 3.182446; 3.182446 * 1.2909944 / 2 = 2.054260
    assert (a["ci_low"], a["ci_high"]) == pytest.approx((0.445740, 4.554260), abs=1e-5)
    assert a["rank"] == 1
    b = table[(table.strategy == "b") & (table.metric == "welfare_final")].iloc[0]
    assert (b["sd"], b["ci_low"], b["ci_high"], b["rank"]) == (0.0, 2.0, 2.0, 2)
    crises = table[table.metric == "crises"].set_index("strategy")["rank"]
    assert crises.to_dict() == {"a": 1, "b": 2}  # fewer crises is better


def test_paired_differences_match_hand_computed_values(tmp_path):
    table = paired_differences(tiny(tmp_path), "b", ["welfare_final"])
    row = table.iloc[0]
    assert (row["strategy"], row["reference"], row["paired"], row["n_pairs"]) == ("a", "b", True, 4)
    # differences -1, 0, 1, 2: mean 0.5, sd 1.2909944, CI 0.5 -/+ 2.054260
    assert row["mean_diff"] == pytest.approx(0.5)
    assert row["sd_diff"] == pytest.approx(1.2909944)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((-1.554260, 2.554260), abs=1e-5)
    assert row["share_better"] == pytest.approx(0.5)


def test_unpaired_results_fall_back_to_welch(tmp_path):
    runs = pd.DataFrame(
        {
            "strategy": ["a"] * 3 + ["b"] * 3,
            "replicate": [0, 1, 2] * 2,
            "seed": [1, 2, 3, 4, 5, 6],
            "welfare_final": [1.0, 2.0, 3.0, 2.0, 3.0, 4.0],
        }
    )
    results = load_results(write_results(tmp_path / "r", runs))
    row = paired_differences(results, "a", ["welfare_final"]).iloc[0]
    assert not row["paired"]
    assert row["mean_diff"] == pytest.approx(1.0)
    # Welch with equal variances 1 and n = 3: se = sqrt(2/3), df = 4, t = 2.776445
    half = 2.776445 * np.sqrt(2 / 3)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((1 - half, 1 + half), abs=1e-5)


def test_failed_runs_are_counted_and_left_out(tmp_path):
    runs = pd.DataFrame(
        {
            "strategy": ["a", "a", "a"],
            "replicate": [0, 1, 2],
            "status": ["ok", "ok", "error"],
            "error": ["", "", "ValueError: boom"],
            "welfare_final": [1.0, 3.0, np.nan],
        }
    )
    results = load_results(write_results(tmp_path / "r", runs))
    status = run_status(results).iloc[0]
    assert (status["runs"], status["ok"], status["error"]) == (3, 2, 1)
    assert status["first_error"] == "ValueError: boom"
    assert summary_table(results, ["welfare_final"]).iloc[0]["mean"] == 2.0


def test_loads_a_full_run_folder_with_every_contract_column(tmp_path):
    results = load_results(make_run_folder(tmp_path / "run", replicates=3))
    assert results.kind == "run"
    assert results.strategies == ["bandwagon_russia", "multivector", "pivot_china"]
    assert results.parameters == []
    assert results.outcomes["max_dependence_final"].direction == "min"
    assert results.outcomes["share_china_final"].direction is None
    assert results.outcomes["pressure_russia_mean"].direction == "min"
    assert set(results.timeseries.columns) >= {"welfare", "share_row", "strategy", "scenario"}
    metrics = resolve_metrics(results, None)
    assert "welfare_final" in metrics and "share_china_final" not in metrics


def test_manifest_directions_override_the_defaults(tmp_path):
    runs = pd.DataFrame({"strategy": ["a", "b"], "welfare_final": [1.0, 2.0]})
    manifest = {"kind": "run", "outcomes": {"welfare_final": {"direction": "min"}}}
    results = load_results(write_results(tmp_path / "r", runs, manifest=manifest))
    assert results.outcomes["welfare_final"].direction == "min"
    ranks = summary_table(results, ["welfare_final"]).set_index("strategy")["rank"]
    assert ranks.to_dict() == {"a": 1, "b": 2}


def test_sweep_parameters_come_from_design_csv(tmp_path):
    design = pd.DataFrame({"design_point": [0, 1], "world.rivalry": [0.2, 0.8]})
    runs = pd.DataFrame({"strategy": ["a", "a"], "design_point": [0, 1], "welfare_final": [1.0, 2.0]})
    runs["world.rivalry"] = [0.2, 0.8]
    results = load_results(write_results(tmp_path / "s", runs, design=design))
    assert results.parameters == ["world.rivalry"]
    assert "world.rivalry" not in results.outcomes
    assert results.kind == "sweep"


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("no_folder", "not a folder"),
        ("no_runs", "not a results folder (no runs.csv)"),
        ("missing_chunk", "missing column 'chunk'"),
        ("bad_status", "column 'status' has 'done'"),
        ("bad_manifest", "manifest.json: not valid JSON"),
        ("text_outcome", "outcome column 'welfare_final' must hold numbers"),
        ("empty", "has no rows"),
        ("bad_replicate", "column 'replicate' must hold integers"),
    ],
)
def test_malformed_folders_give_one_clear_error(tmp_path, breakage, message):
    folder = make_run_folder(tmp_path / "run", replicates=2, steps=2)
    runs = pd.read_csv(folder / "runs.csv")
    match breakage:
        case "no_folder":
            folder = tmp_path / "nowhere"
        case "no_runs":
            (folder / "runs.csv").unlink()
        case "missing_chunk":
            runs.drop(columns="chunk").to_csv(folder / "runs.csv", index=False)
        case "bad_status":
            runs.assign(status="done").to_csv(folder / "runs.csv", index=False)
        case "bad_manifest":
            (folder / "manifest.json").write_text("{not json")
        case "text_outcome":
            runs.assign(welfare_final="high").to_csv(folder / "runs.csv", index=False)
        case "empty":
            runs.head(0).to_csv(folder / "runs.csv", index=False)
        case "bad_replicate":
            runs.assign(replicate=0.5).to_csv(folder / "runs.csv", index=False)
    with pytest.raises(UserError) as caught:
        load_results(folder)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_metric_suggests_close_names(tmp_path):
    results = load_results(make_run_folder(tmp_path / "run", replicates=2, steps=2))
    with pytest.raises(UserError, match=r"unknown metric 'autonomy'.*autonomy_mean, autonomy_final"):
        resolve_metrics(results, ["autonomy"])


def test_analysis_modules_import_without_mesa():
    code = (
        "import importlib, pkgutil, sys; sys.modules['mesa'] = None\n"
        "import sim.analysis\n"
        "for m in pkgutil.iter_modules(sim.analysis.__path__):\n"
        "    importlib.import_module('sim.analysis.' + m.name)\n"
        "import sim.cli.analyze\n"
        "layers = ('sim.model', 'sim.experiments', 'sim.evidence', 'mesa')\n"
        "bad = [m for m, mod in sys.modules.items() if mod and m.startswith(layers)]\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
