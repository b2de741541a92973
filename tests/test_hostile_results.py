"""Hostile input for the commands that read results and data: analyze, export, hindcast,
bargain and calibrate (the calibration's internals belong to the calibration work; the
command is tested as it is).

The same checks as tests/test_hostile.py: non-zero exit, one ``error:`` line naming the file,
field or flag, no traceback, nothing written. A property test cuts runs.csv or timeseries.csv
at any byte and checks that analyze and export refuse it.
"""

import json
import re
import shutil
from pathlib import Path

import pytest
from hostile_helpers import (
    ISSUE,
    RANDOM,
    TRADE,
    Build,
    check_one_line,
    cut,
    head,
    made,  # noqa: F401 (a fixture)
    run_case,
    runner,
    snapshot,
)
from hypothesis import given
from hypothesis import strategies as st
from test_hostile import CASES as MODEL_CASES

from sim.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
DISCREPANCY = (
    '\n[discrepancy]\nform = "log_share_random_walk"\nfit_start = 2011\nfit_end = 2018\nreplicates = 4\n'
    "seed = 1\nshare_scale = 0.03\ngdp_growth_sigma = 0.01\nshare_sigma = { russia = 0.1, china = 0.1, "
    "eu_rest = 0.1, italy = 0.1, us = 0.1, row = 0.1 }\n"
)
OPTIMISE_SPEC = (
    'method = "optimise"\nfit_end = 2013\nreplicates = 2\ndesign_points = 2\nrefine_evaluations = 0\n'
    '[parameters."pivot.trade_inertia"]\nlow = 0.05\nhigh = 0.3\nsource = "test"\n'
)

CASES: dict[str, tuple[Build, str]] = {
    # analyze
    "analyze/missing folder": (lambda p: ["analyze", p.out("nope")], r"nope: not a folder"),
    "analyze/a file": (lambda p: ["analyze", p.file("f", "x")], r"f: not a folder"),
    "analyze/no runs.csv": (
        lambda p: ["analyze", p.folder()],
        r"adir: not a results folder \(no runs\.csv\)",
    ),
    "analyze/no manifest": (
        lambda p: ["analyze", p.copy("run", lambda f: (f / "manifest.json").unlink())],
        r"manifest\.json: missing; .* incomplete",
    ),
    "analyze/manifest random bytes": (
        lambda p: ["analyze", p.copy("run", lambda f: (f / "manifest.json").write_bytes(RANDOM))],
        r"manifest\.json: not valid JSON",
    ),
    "analyze/manifest a list": (
        lambda p: ["analyze", p.copy("run", lambda f: (f / "manifest.json").write_text("[]"))],
        r"manifest\.json: expected a JSON object",
    ),
    "analyze/manifest counts wrong type": (
        lambda p: ["analyze", p.copy("run", lambda f: (f / "manifest.json").write_text('{"counts": "x"}'))],
        r"manifest\.json: field 'counts' must be an object",
    ),
    "analyze/manifest outcomes wrong type": (
        lambda p: [
            "analyze",
            p.copy("run", lambda f: (f / "manifest.json").write_text('{"outcomes": {"a": 1}}')),
        ],
        r"manifest\.json: field 'outcomes\.a' must be an object",
    ),
    "analyze/runs random bytes": (
        lambda p: ["analyze", p.copy("run", lambda f: (f / "runs.csv").write_bytes(RANDOM))],
        r"runs\.csv: not a readable CSV file",
    ),
    "analyze/runs empty": (
        lambda p: ["analyze", p.copy("run", lambda f: (f / "runs.csv").write_bytes(b""))],
        r"runs\.csv: not a readable CSV file",
    ),
    "analyze/runs cut mid-row": (
        lambda p: ["analyze", p.copy("run", lambda f: cut(f / "runs.csv", -40))],
        r"runs\.csv: ends in the middle of a row",
    ),
    "analyze/runs cut at a row": (
        lambda p: ["analyze", p.copy("run", lambda f: head(f / "runs.csv", 10))],
        r"runs\.csv: 9 rows, but manifest\.json records",
    ),
    "analyze/timeseries cut mid-row": (
        lambda p: ["analyze", p.copy("run", lambda f: cut(f / "timeseries.csv", -30))],
        r"timeseries\.csv: ends in the middle of a row",
    ),
    "analyze/sweep timeseries cut at a row": (
        lambda p: ["analyze", p.copy("sweep", lambda f: head(f / "timeseries.csv", 20))],
        r"timeseries\.csv: 19 rows, but manifest\.json records",
    ),
    "analyze/design random bytes": (
        lambda p: ["analyze", p.copy("sweep", lambda f: (f / "design.csv").write_bytes(RANDOM))],
        r"design\.csv: not a readable CSV file",
    ),
    "analyze/folder name too long": (lambda p: ["analyze", p.out("x" * 300)], r"x{300}: File name too long"),
    "analyze/manifest count not a number": (
        lambda p: [
            "analyze",
            p.copy("run", lambda f: (f / "manifest.json").write_text(json.dumps({"counts": {"runs": "16"}}))),
        ],
        r"manifest\.json: field 'counts\.runs' must be an integer",
    ),
    "analyze/timeseries missing": (
        lambda p: ["analyze", p.copy("run", lambda f: (f / "timeseries.csv").unlink())],
        r"timeseries\.csv: missing, but manifest\.json records \d+ rows",
    ),
    "analyze/unknown metric": (
        lambda p: ["analyze", p.copy("run"), "--metric", "happiness"],
        r"unknown metric 'happiness'",
    ),
    "analyze/unknown reference": (
        lambda p: ["analyze", p.copy("run"), "--reference", "isolation"],
        r"unknown strategy 'isolation'",
    ),
    "analyze/threshold huge": (
        lambda p: ["analyze", p.copy("run"), "-t", "welfare_final>=1e999"],
        r"--threshold: 'welfare_final>=1e999': the number is too large; expected a finite number",
    ),
    "analyze/weights nan": (
        lambda p: ["analyze", p.copy("run"), "--weights", "welfare=nan"],
        r"--weights: welfare = nan; expected a finite number >= 0",
    ),
    "analyze/weights file random bytes": (
        lambda p: ["analyze", p.copy("run"), "--weights", p.file("w.toml", RANDOM)],
        r"w\.toml: not UTF-8 text",
    ),
    "analyze/out is a file": (
        lambda p: ["analyze", p.copy("run"), "--out", p.file("f", "x")],
        r"--out .*f: is a file; expected a folder",
    ),
    "analyze/out read-only": (
        lambda p: ["analyze", p.copy("run"), "--out", p.readonly() + "/a"],
        r"readonly/a: cannot create output folder in .*readonly",
    ),
    # export
    "export/missing folder": (lambda p: ["export", p.out("nope")], r"nope: not a folder"),
    "export/no manifest": (
        lambda p: ["export", p.copy("run", lambda f: (f / "manifest.json").unlink())],
        r"manifest\.json: missing",
    ),
    "export/runs cut mid-row": (
        lambda p: ["export", p.copy("run", lambda f: cut(f / "runs.csv", -40))],
        r"runs\.csv: ends in the middle of a row",
    ),
    "export/runs cut at a row": (
        lambda p: ["export", p.copy("sweep", lambda f: head(f / "runs.csv", 10))],
        r"runs\.csv: 9 rows, but manifest\.json records",
    ),
    "export/unknown format": (
        lambda p: ["export", p.copy("run"), "--format", "xlsx"],
        r"'--format'.*'xlsx' is not",
    ),
    "export/out exists": (
        lambda p: ["export", p.copy("run"), "--out", p.file("e.tar.gz", "x")],
        r"--out .*e\.tar\.gz: exists already",
    ),
    "export/out parent missing": (
        lambda p: ["export", p.copy("run"), "--out", p.out("no/such/e.tar.gz")],
        r"--out .*e\.tar\.gz: folder .*no/such does not exist",
    ),
    "export/out read-only": (
        lambda p: ["export", p.copy("run"), "--out", p.readonly() + "/e.tar.gz"],
        r"readonly: cannot write in output folder",
    ),
    "export/out not tar.gz": (
        lambda p: ["export", p.copy("run"), "--out", p.out("e.zip")],
        r"--out .*e\.zip: expected a file name ending in \.tar\.gz",
    ),
    # explore (each fails while checking its inputs, before the server starts)
    "explore/missing folder": (lambda p: ["explore", p.out("nope"), "--no-browser"], r"nope: not a folder"),
    "explore/no manifest": (
        lambda p: ["explore", p.copy("run", lambda f: (f / "manifest.json").unlink()), "--no-browser"],
        r"manifest\.json: missing",
    ),
    "explore/manifest random bytes": (
        lambda p: [
            "explore",
            p.copy("run", lambda f: (f / "manifest.json").write_bytes(RANDOM)),
            "--no-browser",
        ],
        r"manifest\.json: not valid JSON",
    ),
    "explore/runs cut mid-row": (
        lambda p: ["explore", p.copy("run", lambda f: cut(f / "runs.csv", -40)), "--no-browser"],
        r"runs\.csv: ends in the middle of a row",
    ),
    "explore/port out of range": (
        lambda p: ["explore", "--port", "70000", "--no-browser"],
        r"'--port': Input should be less than or equal to 65535",
    ),
    # hindcast
    **{
        f"hindcast/{name}": (
            lambda p, content=content: [
                "hindcast",
                "--start",
                "2011",
                "--end",
                "2013",
                "-r",
                "2",
                "--observed",
                p.file("obs.csv", content),
                "--out",
                p.out(),
            ],
            pattern,
        )
        for name, content, pattern in [
            ("observed random bytes", RANDOM, r"obs\.csv: cannot read as CSV"),
            ("observed empty", b"", r"obs\.csv: cannot read as CSV"),
            ("observed not UTF-8", b"year,partner\n\xff\xfe,1\n", r"obs\.csv: cannot read as CSV"),
            ("observed truncated", TRADE.read_bytes()[:500], r"obs\.csv: "),
            ("observed wrong columns", b"a,b\n1,2\n", r"obs\.csv: missing column"),
        ]
    },
    "hindcast/observed missing": (
        lambda p: ["hindcast", "--start", "2011", "--end", "2013", "--observed", p.out("nope.csv")],
        r"nope\.csv: no such observed-data file",
    ),
    "hindcast/observed a folder": (
        lambda p: ["hindcast", "--start", "2011", "--end", "2013", "--observed", p.folder()],
        r"'--observed'.*is a directory",
    ),
    "hindcast/gdp random bytes": (
        lambda p: [
            "hindcast",
            "--start",
            "2011",
            "--end",
            "2013",
            "--observed-gdp",
            p.file("g.csv", RANDOM),
            "--out",
            p.out(),
        ],
        r"g\.csv: cannot read as CSV",
    ),
    "hindcast/end before start": (
        lambda p: ["hindcast", "--start", "2030", "--end", "2011", "--out", p.out()],
        r"--end 2011: expected a year after --start",
    ),
    "hindcast/missing --end": (lambda p: ["hindcast", "--start", "2011"], r"Missing option '--end'"),
    "hindcast/out is a file": (
        lambda p: ["hindcast", "--start", "2011", "--end", "2013", "-r", "2", "--out", p.file("f", "x")],
        r"f: output path is a file",
    ),
    "hindcast/out read-only": (
        lambda p: ["hindcast", "--start", "2011", "--end", "2013", "-r", "2", "--out", p.readonly() + "/h"],
        r"readonly/h: cannot create output folder in",
    ),
    **{
        f"hindcast/posterior {name}": (
            lambda p, text=text: [
                "hindcast",
                "--start",
                "2011",
                "--end",
                "2013",
                "-r",
                "2",
                "--posterior",
                p.file(
                    "post.toml", (ROOT / "tests" / "data" / "posterior" / "small.toml").read_text() + text
                ),
                "--out",
                p.out(),
            ],
            pattern,
        )
        for name, text, pattern in [
            (
                "discrepancy sigma negative",
                DISCREPANCY.replace("china = 0.1", "china = -0.1"),
                r"post\.toml: discrepancy\.share_sigma\.china: Input should be greater than or equal to 0",
            ),
            (
                "discrepancy form unknown",
                DISCREPANCY.replace("log_share_random_walk", "ar1"),
                r"post\.toml: discrepancy\.form: Input should be 'log_share_random_walk'",
            ),
            (
                "discrepancy other partners",
                DISCREPANCY.replace("row = ", "mars = "),
                r"post\.toml: discrepancy\.share_sigma: partners .*mars.*; expected",
            ),
            (
                "discrepancy a string sigma",
                DISCREPANCY.replace("gdp_growth_sigma = 0.01", 'gdp_growth_sigma = "wide"'),
                r"post\.toml: discrepancy\.gdp_growth_sigma: Input should be a valid number",
            ),
        ]
    },
    # bargain
    "bargain/missing file": (lambda p: ["bargain", p.out("nope.csv")], r"nope\.csv: cannot read file"),
    "bargain/directory": (lambda p: ["bargain", p.folder()], r"adir: expected a \.csv or \.toml issue file"),
    "bargain/random bytes CSV": (
        lambda p: ["bargain", p.file("i.csv", RANDOM)],
        r"i\.csv: not a readable CSV",
    ),
    "bargain/random bytes TOML": (
        lambda p: ["bargain", p.file("i.toml", RANDOM)],
        r"i\.toml: not UTF-8 text",
    ),
    "bargain/empty CSV": (lambda p: ["bargain", p.file("i.csv", b"")], r"i\.csv: not a readable CSV"),
    "bargain/truncated CSV": (
        lambda p: ["bargain", p.file("i.csv", "issue,actor,position\nx,RUS,")],
        r"i\.csv row 1, field 'capability': missing column",
    ),
    "bargain/nan in TOML": (
        lambda p: ["bargain", p.file("i.toml", Path(ISSUE).read_text().replace("=", "= nan #", 3))],
        r"i\.toml: name: Input should be a valid string",
    ),
    "bargain/unknown model": (
        lambda p: ["bargain", ISSUE, "--model", "zz"],
        r"'--model'.*'zz' is not one of",
    ),
    "bargain/from-run missing": (
        lambda p: ["bargain", ISSUE, "--from-run", p.out("nope"), "--at", "2027Q4"],
        r"nope/timeseries\.csv: cannot read file",
    ),
    "bargain/at not recorded": (
        lambda p: ["bargain", ISSUE, "--from-run", p.copy("run"), "--at", "2099Q9"],
        r"timeseries\.csv, field 'date': no rows at --at = '2099Q9'",
    ),
    "bargain/from-run timeseries cut": (
        lambda p: [
            "bargain",
            ISSUE,
            "--at",
            "2023Q4",
            "--from-run",
            p.copy("run", lambda f: cut(f / "timeseries.csv", -20)),
        ],
        r"timeseries\.csv: ends in the middle of a row",
    ),
    "bargain/from-run timeseries random bytes": (
        lambda p: [
            "bargain",
            ISSUE,
            "--at",
            "2023Q4",
            "--from-run",
            p.copy("run", lambda f: (f / "timeseries.csv").write_bytes(RANDOM)),
        ],
        r"timeseries\.csv: not a readable CSV file",
    ),
    "bargain/out is a file": (
        lambda p: ["bargain", ISSUE, "-r", "2", "--out", p.file("f", "x")],
        r"f: output path is a file",
    ),
    "bargain/out read-only": (
        lambda p: ["bargain", ISSUE, "-r", "2", "--out", p.readonly() + "/b"],
        r"readonly/b: cannot create output folder in",
    ),
    # calibrate (its internals belong to the calibration work; the command is tested as it is)
    "calibrate/missing spec": (
        lambda p: ["calibrate", p.out("nope.toml")],
        r"nope\.toml: no such calibration spec",
    ),
    "calibrate/random bytes": (lambda p: ["calibrate", p.file("c.toml", RANDOM)], r"c\.toml: not UTF-8 text"),
    "calibrate/empty spec": (
        lambda p: ["calibrate", p.file("c.toml", "")],
        r"c\.toml: parameters: required, missing",
    ),
    "calibrate/bad TOML": (lambda p: ["calibrate", p.file("c.toml", "[x")], r"c\.toml: invalid TOML"),
    "calibrate/observed random bytes": (
        lambda p: ["calibrate", "trade_2011_2018", "--observed", p.file("o.csv", RANDOM), "--out", p.out()],
        r"o\.csv: cannot read as CSV",
    ),
    "calibrate/out read-only": (
        lambda p: [
            "calibrate",
            "trade_2011_2018",
            "--quick",
            "--out",
            p.readonly() + "/c.toml",
            "--work",
            p.out(),
        ],
        r"readonly: cannot write in output folder",
    ),
    "calibrate/work read-only": (
        lambda p: ["calibrate", "trade_2011_2018", "--quick", "--work", p.readonly() + "/c"],
        r"readonly/c: cannot create output folder in",
    ),
    "calibrate/fitted read-only": (  # the point fit writes the fitted file
        lambda p: [
            "calibrate",
            p.file("opt.toml", OPTIMISE_SPEC),
            "--work",
            p.out(),
            "--fitted",
            p.readonly() + "/fit.toml",
        ],
        r"readonly: cannot write in output folder",
    ),
    "calibrate/discrepancy-only without a posterior": (
        lambda p: [
            "calibrate",
            "trade_2011_2018",
            "--discrepancy-only",
            "--out",
            p.out("p.toml"),
            "--work",
            p.out(),
        ],
        r"p\.toml: no such posterior file; run `multivector calibrate trade_2011_2018` first",
    ),
    "calibrate/discrepancy-only posterior random bytes": (
        lambda p: [
            "calibrate",
            "trade_2011_2018",
            "--discrepancy-only",
            "--out",
            p.file("p.toml", RANDOM),
            "--work",
            p.out(),
        ],
        r"p\.toml: not UTF-8 text",
    ),
    "calibrate/discrepancy-only posterior with bad particles": (
        lambda p: [
            "calibrate",
            "trade_2011_2018",
            "--discrepancy-only",
            "--out",
            p.file(
                "p.toml",
                (ROOT / "tests" / "data" / "posterior" / "small.toml")
                .read_text()
                .replace("weight = [0.5, 0.3, 0.2]", "weight = [0.5, -0.3, 0.2]"),
            ),
            "--work",
            p.out(),
        ],
        r"p\.toml: particles\.weight: weights must be >= 0 with a positive sum",
    ),
    "calibrate/fitted a folder": (
        lambda p: ["calibrate", p.file("opt.toml", OPTIMISE_SPEC), "--work", p.out(), "--fitted", p.folder()],
        r"'--fitted'.*is a directory",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_input_is_one_line_and_changes_nothing(case, made, tmp_path, monkeypatch):  # noqa: F811
    run_case(*CASES[case], made, tmp_path, monkeypatch)


def test_the_tables_cover_every_command():
    """Every command of the app has hostile cases (strategies takes no input)."""
    names = {c.name or c.callback.__name__ for c in app.registered_commands} | {"scenarios show"}
    covered = {case.split("/")[0] for case in [*CASES, *MODEL_CASES]}
    assert names - {"strategies"} <= covered, sorted(names - covered)
    assert len(CASES) + len(MODEL_CASES) >= 130


# Property test: where the file is cut varies.


@given(data=st.data())
def test_a_results_file_cut_at_any_byte_is_refused(made, tmp_path_factory, data):  # noqa: F811
    """runs.csv or timeseries.csv cut anywhere short of its end: analyze and export refuse it."""
    table = data.draw(st.sampled_from(["runs.csv", "timeseries.csv"]))
    command = data.draw(st.sampled_from(["analyze", "export"]))
    source = made / data.draw(st.sampled_from(["run", "sweep"]))
    folder = tmp_path_factory.mktemp("cut") / "results"
    shutil.copytree(source, folder)
    size = (folder / table).stat().st_size
    cut(folder / table, data.draw(st.integers(0, size - 1)))
    before = snapshot(folder)
    result = runner.invoke(app, [command, str(folder)])
    check_one_line(result, re.escape(table))
    assert snapshot(folder) == before
