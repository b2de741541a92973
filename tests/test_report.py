"""The analysis report: every table and figure written, and the HTML holds them all."""

import base64
import json
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import make_run_folder, make_sweep_folder
from SALib.sample import sobol as sobol_sample

from sim.analysis.discovery import prim_available
from sim.analysis.report import write_analysis
from sim.errors import UserError


class ReportParser(HTMLParser):
    """Collect table ids, figure ids and embedded images of a report."""

    def __init__(self):
        super().__init__()
        self.ids, self.tables, self.images, self.stack = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in ("img", "meta", "br"):
            self.stack.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "table":
            self.tables.append(attrs.get("id"))
        if tag == "img":
            self.images.append(attrs["src"])

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}>"
        self.stack.pop()


def parse(report):
    parser = ReportParser()
    parser.feed(report.read_text(encoding="utf-8"))
    parser.close()
    assert parser.stack == []
    return parser


@pytest.fixture(scope="module")
def run_report(tmp_path_factory):
    folder = make_run_folder(tmp_path_factory.mktemp("run") / "results", replicates=8, steps=6)
    return write_analysis(folder, thresholds=["autonomy_mean>=0.65", "crises<=3"])


def test_report_holds_every_table_and_figure(run_report):
    out = run_report.parent
    options = json.loads((out / "analysis.json").read_text())
    assert options["reference"] == "multivector"
    assert options["thresholds"] == ["autonomy_mean>=0.65", "crises<=3"]
    names = [t.removesuffix(".csv") for t in options["tables"]]
    assert names == [
        "status",
        "summary",
        "paired",
        "regret",
        "rank_stability",
        "satisficing",
        "ranking",
        "weightings",
    ]
    assert set(options["charts"]) == {
        "fan_baseline", "fan_sanctions", "trade_baseline", "trade_sanctions", "welfare_autonomy", "paired",
    }  # fmt: skip
    assert options["figures"] == []  # a plain run draws everything as inline SVG, no PNG
    page = parse(run_report)
    for name in names:
        assert f"table-{name}" in page.ids
        assert (out / f"{name}.csv").is_file()
    for name in [*options["charts"], "heatmap"]:
        assert f"figure-{name}" in page.ids
    assert "table-provenance" in page.ids and page.images == []
    text = run_report.read_text()
    assert "<script" not in text and "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_report_tables_match_their_csv_files(run_report):
    out = run_report.parent
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 3 * 2 * 11  # strategies x scenarios x headline metrics
    ranking = pd.read_csv(out / "ranking.csv")
    assert ranking["strategy"].iloc[0] == "multivector"  # best on every metric in the fixture
    html = run_report.read_text()
    assert "How to read this report" in html
    assert "multivector test" in html  # provenance: the manifest's command


def test_report_without_figures_has_no_images(tmp_path):
    folder = make_run_folder(tmp_path / "r", replicates=3, steps=2, strategies=("multivector",))
    report = write_analysis(folder, tmp_path / "out", figures=False)
    page = parse(report)
    assert page.images == []
    assert "table-summary" in page.ids
    assert "One strategy only" in report.read_text()


def test_existing_foreign_folder_is_not_overwritten(tmp_path):
    folder = make_run_folder(tmp_path / "r", replicates=2, steps=2)
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="not empty and holds no earlier analysis"):
        write_analysis(folder, out, figures=False)
    first = write_analysis(folder, tmp_path / "again", figures=False)
    assert write_analysis(folder, tmp_path / "again", figures=False) == first  # rerun is fine


def test_unknown_reference_strategy_is_refused(tmp_path):
    folder = make_run_folder(tmp_path / "r", replicates=2, steps=2)
    with pytest.raises(UserError, match=r"unknown strategy 'hedging'.*expected one of"):
        write_analysis(folder, reference="hedging", figures=False)


def test_sweep_report_has_sensitivity_and_prim(tmp_path):
    problem = {"num_vars": 2, "names": ["world.rivalry", "powers.china.salience"],
               "bounds": [[0.0, 1.0], [0.0, 1.0]]}  # fmt: skip
    matrix = sobol_sample.sample(problem, 64, calc_second_order=False, seed=1)
    design = pd.DataFrame(matrix, columns=problem["names"])
    design.insert(0, "design_point", np.arange(len(design)))
    sweep = {"design": "sobol", "samples": 64,
             "parameters": {n: {"low": 0.0, "high": 1.0} for n in problem["names"]}}  # fmt: skip

    def outcome(strategy, x):
        return 1.0 + x[:, 0] - (0.5 if strategy == "pivot_china" else 0.2) * x[:, 1]

    folder = make_sweep_folder(
        tmp_path / "sweep", design, outcome, strategies=("multivector", "pivot_china"), sweep=sweep
    )
    report = write_analysis(folder, thresholds=["welfare_final>=1.2"], metrics=["welfare_final"])
    page = parse(report)
    assert "table-sobol" in page.ids and "figure-sensitivity" in page.ids
    for src in page.images:  # the sensitivity bars stay a PNG (matplotlib)
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:4] == b"\x89PNG"
    sobol = pd.read_csv(report.parent / "sobol.csv")
    top = sobol.loc[sobol.groupby("strategy")["ST"].idxmax(), "parameter"]
    assert set(top) == {"world.rivalry"}
    if prim_available():
        assert "table-prim" in page.ids
        assert not pd.read_csv(report.parent / "prim.csv").empty


def test_write_analysis_is_also_reachable_from_sim_analysis(tmp_path):
    from sim.analysis import write_analysis as write_from_package

    assert write_from_package is write_analysis
    folder = make_run_folder(tmp_path / "r", replicates=2, steps=2)
    report = write_from_package(folder, folder / "analysis", figures=False)
    assert report == folder / "analysis" / "report.html"
    assert "table-summary" in parse(report).ids


def test_every_report_says_how_far_to_trust_the_model(run_report):
    """The hindcasts' verdict (docs/validation.md) travels with every ranking, once."""
    text = run_report.read_text(encoding="utf-8")
    assert text.count("How far to trust the model") == 1
    assert "not as forecasts of trade shares" in text
    verdict = json.loads((run_report.parent / "analysis.json").read_text())["verdict"]
    assert verdict[-1].startswith("How far to trust the model")  # the verdict's last word


def test_a_report_without_a_verdict_keeps_the_trust_note_in_its_notes(tmp_path):
    folder = make_run_folder(tmp_path / "results", strategies=("multivector",), replicates=4, steps=4)
    report = write_analysis(folder)
    assert json.loads((report.parent / "analysis.json").read_text())["verdict"] == []
    assert report.read_text(encoding="utf-8").count("How far to trust the model") == 1
