"""The report's verdict and honest rankings: weights by concern, other weightings, ties."""

import json

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import make_run_folder, write_results
from typer.testing import CliRunner

from sim.analysis.report import analyze, write_analysis
from sim.analysis.results import load_results
from sim.analysis.weights import concern_of, describe, parse_weights, resolve_weights
from sim.cli.app import app
from sim.errors import UserError

HEADLINE = [
    "welfare_final", "growth_annual", "autonomy_mean", "autonomy_final", "max_dependence_final",
    "security_risk_mean", "security_risk_max", "crises", "sanctions_exposure_mean",
    "relation_min_final", "relation_spread_final",
]  # fmt: skip


def test_default_weights_are_equal_per_concern_not_per_outcome():
    weights = resolve_weights(HEADLINE)
    assert sum(weights.values()) == pytest.approx(1)
    by_concern = pd.Series(weights).groupby(concern_of).sum()
    assert np.allclose(by_concern, 0.2) and len(by_concern) == 5
    assert weights["autonomy_mean"] == pytest.approx(0.2 / 3)
    assert weights["sanctions_exposure_mean"] == pytest.approx(0.2)
    assert describe(weights, detail=False).startswith("equally by concern")


def test_weights_by_concern_or_outcome_and_their_errors(tmp_path):
    only_welfare = resolve_weights(HEADLINE, {"welfare": 1})
    assert {m for m, w in only_welfare.items() if w > 0} == {"welfare_final", "growth_annual"}
    mixed = resolve_weights(HEADLINE, {"security": 2, "crises": 1})
    assert mixed["crises"] == pytest.approx((2 / 3 + 1) / 3)
    for bad, message in [
        ({"happiness": 1}, "happiness"),
        ({"welfare": -1}, ">= 0"),
        ({"welfare": 0}, "every weight"),
    ]:
        with pytest.raises(UserError, match=message):
            resolve_weights(HEADLINE, bad)
    assert parse_weights("welfare=2, security=0.5") == {"welfare": 2.0, "security": 0.5}
    assert parse_weights(None) is None
    with pytest.raises(UserError, match="NAME=NUMBER"):
        parse_weights("welfare:2")
    file = tmp_path / "w.toml"
    file.write_text("[weights]\nwelfare = 3\nrelations = 1\n")
    assert parse_weights(str(file)) == {"welfare": 3, "relations": 1}


def two_strategy_folder(folder, welfare_gap=0.2, others_gap=0.05, replicates=6):
    """``rich`` wins on welfare only; ``steady`` wins on every other outcome."""
    rng = np.random.default_rng(1)
    rows = []
    for scenario in ("calm", "storm"):
        for r in range(replicates):
            noise = rng.normal(scale=0.01)
            for strategy, w, o in (("rich", welfare_gap, 0.0), ("steady", 0.0, others_gap)):
                rows.append({
                    "scenario": scenario, "strategy": strategy, "replicate": r,
                    "welfare_final": 1.2 + w + noise, "growth_annual": 0.02 + w / 10 + noise,
                    "autonomy_mean": 0.7 + o + noise, "autonomy_final": 0.7 + o + noise,
                    "max_dependence_final": 0.4 - o + noise, "security_risk_mean": 0.2 - o + noise,
                    "security_risk_max": 0.3 - o + noise, "crises": 2 - 10 * o,
                    "sanctions_exposure_mean": 0.1 - o + noise, "relation_min_final": 0.1 + o + noise,
                    "relation_spread_final": 0.5 - o + noise,
                })  # fmt: skip
    return write_results(folder, pd.DataFrame(rows))


def test_the_weights_decide_the_ranking_and_the_report_says_so(tmp_path):
    results = load_results(two_strategy_folder(tmp_path / "r"))
    default = analyze(results)
    assert default.tables["ranking"]["strategy"].iloc[0] == "steady"
    welfare_first = analyze(results, weights={"welfare": 1})
    assert welfare_first.tables["ranking"]["strategy"].iloc[0] == "rich"
    table = default.tables["weightings"].set_index("strategy")
    assert (table.loc["steady"] == 1).all()  # welfare three times the others is still 3 of 7
    verdict = " ".join(default.verdict)
    assert verdict.startswith("steady is the most robust strategy")
    assert "on welfare_final" in verdict and "rich does better" in verdict
    assert "ranks first under 6 of 6 weightings" in verdict
    swapped = " ".join(welfare_first.verdict)
    assert swapped.startswith("rich is the most robust") and "not under:" in swapped


def test_identical_strategies_tie_and_the_verdict_says_so(tmp_path):
    folder = two_strategy_folder(tmp_path / "r", welfare_gap=0.0, others_gap=0.0)
    analysis = analyze(load_results(folder))
    ranking = analysis.tables["ranking"].set_index("strategy")
    assert ranking.loc["rich", "tied_with"] == "steady" and ranking.loc["steady", "tied_with"] == "rich"
    assert "ties with" in analysis.verdict[0]


def test_the_report_opens_with_the_verdict_drawn_from_its_tables(tmp_path):
    folder = make_run_folder(tmp_path / "run", replicates=6, steps=4)
    report = write_analysis(folder, thresholds=["crises<=3"])
    page = report.read_text()
    headings = [h.split(">", 1)[1].split("<", 1)[0] for h in page.split("<h2")[1:]]
    assert headings[0] == "Verdict"
    assert page.index('id="verdict"') < page.index('id="figure-heatmap"') < page.index('id="table-ranking"')
    ranking = pd.read_csv(report.parent / "ranking.csv")
    options = json.loads((report.parent / "analysis.json").read_text())
    assert options["verdict"][0].startswith(f"{ranking['strategy'].iloc[0]} is the most robust strategy")
    assert "meets all thresholds (crises<=3)" in options["verdict"][0]
    assert sum(options["weights"].values()) == pytest.approx(1)
    for scenario in ("baseline", "sanctions"):  # one tab per scenario, every tab present
        assert '<label for="tab-' in page and f">{scenario}</label>" in page


def test_analyze_takes_weights_and_rejects_bad_ones(tmp_path):
    folder = make_run_folder(tmp_path / "run", replicates=4, steps=4)
    runner = CliRunner()
    done = runner.invoke(app, ["analyze", str(folder), "--no-figures", "--weights", "welfare=1"])
    assert done.exit_code == 0, done.output
    weights = json.loads((folder / "analysis" / "analysis.json").read_text())["weights"]
    assert {m for m, w in weights.items() if w > 0} == {"welfare_final", "growth_annual"}
    bad = runner.invoke(app, ["analyze", str(folder), "--no-figures", "--weights", "luck=1"])
    assert bad.exit_code == 2 and "--weights" in bad.stderr and bad.stderr.count("\n") == 1
