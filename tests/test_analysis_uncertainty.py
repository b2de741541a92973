"""Rankings checked against parameter uncertainty (sim.analysis.uncertainty)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from sim.analysis.report import analyze
from sim.analysis.results import load_results
from sim.analysis.uncertainty import ROBUST_SHARE, ranking_robustness
from sim.cli.app import app
from tests.analysis_fixtures import write_results

POSTERIOR_SCENARIO = Path(__file__).parent / "data" / "posterior" / "with_posterior.toml"


def _folder(tmp_path: Path, wins: int, draws: int = 40) -> Path:
    """Two strategies; 'a' beats 'b' on welfare in ``wins`` of ``draws`` paired replicates."""
    rows = []
    for r in range(draws):
        base = 1.0 + 0.01 * r
        rows.append({"strategy": "a", "replicate": r, "welfare_final": base + (0.01 if r < wins else -0.01)})
        rows.append({"strategy": "b", "replicate": r, "welfare_final": base})
    folder = write_results(tmp_path / f"w{wins}", pd.DataFrame(rows))
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["inputs"] = {"posteriors": {"calibration/posterior": "0" * 64}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_a_ranking_that_holds_in_most_draws_is_robust_and_one_that_often_fails_is_not(tmp_path):
    strong = ranking_robustness(load_results(_folder(tmp_path, 38)), ["a", "b"], ["welfare_final"])
    weak = ranking_robustness(load_results(_folder(tmp_path, 28)), ["a", "b"], ["welfare_final"])
    pooled = strong[strong["scenario"] == "all"].iloc[0]
    assert pooled.share_holds == 38 / 40 >= ROBUST_SHARE and pooled.robust
    assert weak[weak["scenario"] == "all"].iloc[0].share_holds == 0.7
    assert not weak["robust"].any() and set(weak["verdict"]) == {"uncertain"}
    reversed_ = ranking_robustness(load_results(_folder(tmp_path, 2)), ["a", "b"], ["welfare_final"])
    assert set(reversed_["verdict"]) == {"reversed"} and reversed_["robust"].all()  # b wins robustly


def test_for_a_lower_is_better_outcome_the_strategy_with_less_holds(tmp_path):
    """security_risk_mean: 'a' has less risk in 38 of 40 draws, so a's lead holds (not reversed)."""
    rows = []
    for r in range(40):
        base = 0.2 + 0.001 * r
        rows.append(
            {"strategy": "a", "replicate": r, "security_risk_mean": base - (0.01 if r < 38 else -0.01)}
        )
        rows.append({"strategy": "b", "replicate": r, "security_risk_mean": base})
    results = load_results(write_results(tmp_path / "risk", pd.DataFrame(rows)))
    table = ranking_robustness(results, ["a", "b"], ["security_risk_mean"])
    pooled = table[table["scenario"] == "all"].iloc[0]
    assert pooled.share_holds == 38 / 40 and pooled.verdict == "holds"
    assert pooled.mean_diff > 0  # the advantage, signed so that larger is better


def test_the_verdict_says_which_comparisons_survive_the_posterior(tmp_path):
    analysis = analyze(load_results(_folder(tmp_path, 38)), metrics=["welfare_final"])
    text = " ".join(analysis.verdict)
    assert "a against b: robust to parameter uncertainty (a better on welfare_final)" in text
    assert "posterior_robustness" in analysis.tables


def test_without_a_posterior_the_report_says_the_ranking_is_unchecked(tmp_path):
    folder = _folder(tmp_path, 38)
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["inputs"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    analysis = analyze(load_results(folder), metrics=["welfare_final"])
    assert "posterior_robustness" not in analysis.tables
    assert any("not checked against parameter uncertainty" in n for n in analysis.notes)


def test_a_run_over_a_posterior_reports_robustness_end_to_end(tmp_path):
    out = tmp_path / "r"
    args = [
        "run",
        str(POSTERIOR_SCENARIO),
        "-s",
        "multivector",
        "-s",
        "pivot_west",
        "-r",
        "30",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "analysis" / "posterior_robustness.csv")
    assert set(table["scenario"]) == {"with_posterior", "all"}
    assert table["share_holds"].between(0, 1).all()
    assert set(table["verdict"]) <= {"holds", "reversed", "tie", "uncertain"}
    assert (table.loc[table["share_holds"] >= ROBUST_SHARE, "verdict"] == "holds").all()
    assert (table.loc[table["verdict"] == "holds", "share_holds"] > 0).all()
    assert np.array_equal(table["robust"], table["verdict"] != "uncertain")
    assert (table.loc[table["verdict"] == "reversed", "share_holds"] <= 1 - ROBUST_SHARE + 1e-9).all()
    assert "Robust to parameter uncertainty?" in (out / "analysis" / "report.html").read_text()


def test_a_share_just_under_the_threshold_is_not_printed_as_the_threshold():
    """89.7% of draws reads as 89.7%, not as a rounded 90% that would meet the rule."""
    from sim.analysis.uncertainty import _share

    assert _share(0.897) == "89.7%"
    assert _share(0.32) == "32%"
    assert _share(ROBUST_SHARE) == "90%"
