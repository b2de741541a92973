"""``multivector bargain`` end to end: files, identical reruns, one-line errors, the link to a run."""

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.bargaining.forecast import FORECAST_COLUMNS, bargain
from sim.bargaining.issues import read_issues
from sim.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
ISSUES = [str(p) for p in sorted((ROOT / "scenarios" / "issues").glob("*.toml"))]
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["bargain", *args])


def test_bargain_writes_forecast_rounds_scores_figure_and_manifest(tmp_path):
    out = tmp_path / "b"
    result = invoke(*ISSUES, "--model", "all", "--replicates", "6", "--out", str(out))
    assert result.exit_code == 0, result.output
    forecast = pd.read_csv(out / "forecast.csv")
    assert tuple(forecast.columns) == FORECAST_COLUMNS
    assert len(forecast) == 2 * len(ISSUES) and set(forecast["model"]) == {"bdm", "ktab"}
    assert (forecast["forecast_low"] <= forecast["forecast"]).all()
    assert (forecast["forecast"] <= forecast["forecast_high"]).all()
    rounds = pd.read_csv(out / "rounds.csv")
    assert list(rounds.columns) == ["issue", "model", "round", "actor", "position"]
    assert (rounds.groupby(["issue", "model"])["round"].min() == 0).all()
    scores = pd.read_csv(out / "scores.csv")
    assert len(scores) >= 2 * 5
    assert (out / "positions.png").read_bytes()[:4] == b"\x89PNG"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "bargain" and manifest["inputs"]["replicates"] == 6
    assert manifest["inputs"]["models"] == ["bdm", "ktab"]
    assert "kz_brics_membership" in result.output


def test_cli_equals_the_library_and_reruns_are_byte_identical(tmp_path):
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        assert (
            invoke(*ISSUES, "-r", "5", "--seed", seed, "--quiet", "--out", str(tmp_path / name)).exit_code
            == 0
        )
    for file in ("forecast.csv", "rounds.csv", "scores.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    assert (tmp_path / "a" / "forecast.csv").read_bytes() != (tmp_path / "c" / "forecast.csv").read_bytes()
    library = bargain(read_issues([Path(p) for p in ISSUES]), ("bdm",), replicates=5, seed=5).forecast
    written = pd.read_csv(tmp_path / "a" / "forecast.csv")
    pd.testing.assert_frame_equal(written, library, check_exact=False, check_dtype=False, atol=1e-6)


@pytest.mark.parametrize(
    ("csv", "expected"),
    [
        ("issue,actor,position,salience\nx,a,0,0.5\nx,b,1,0.5\n", "row 1, field 'capability'"),
        ("issue,actor,capability,position,salience\nx,a,1,0,0.5\nx,b,1,1,1.2\n", "row 3, field 'salience'"),
        (
            "issue,actor,capability,position,salience\nx,a,1,0,0.5\nx,b,1,1,0.5\ny,a,1,0,0.5\n",
            "row 4, field 'issue'",
        ),
    ],
)
def test_bad_input_ends_in_one_line_naming_file_row_and_field(tmp_path, csv, expected):
    path = tmp_path / "bad.csv"
    path.write_text(csv)
    result = invoke(str(path), "--out", str(tmp_path / "o"))
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and expected in lines[0]
    assert not (tmp_path / "o" / "forecast.csv").exists()


def test_options_are_checked(tmp_path):
    result = invoke(ISSUES[0], "--replicates", "0", "--out", str(tmp_path / "o"))
    assert result.exit_code != 0 and "--replicates" in result.stderr
    assert not (tmp_path / "o").exists()  # refused before any folder is made
    result = invoke(ISSUES[0], "--from-run", str(tmp_path), "--out", str(tmp_path / "p"))
    assert result.exit_code != 0 and "--from-run and --at go together" in result.stderr


def fake_run(folder: Path, russia_share_later: float) -> Path:
    folder.mkdir()
    rows = []
    for run in ("r0", "r1"):
        for step, date, share in ((0, "2023Q4", 0.2), (4, "2024Q4", russia_share_later)):
            rows.append(
                {
                    "run_id": run,
                    "step": step,
                    "date": date,
                    "bloc_share_russia": share,
                    "bloc_share_china": 0.2,
                    "bloc_share_eu": 0.3,
                    "bloc_share_us": 0.05,
                    "pressure_russia": 0.0 if step == 0 else 0.5,
                    "pressure_china": 0.0,
                    "pressure_eu": 0.0,
                    "pressure_us": 0.0,
                }
            )
    pd.DataFrame(rows).to_csv(folder / "timeseries.csv", index=False)
    return folder


def test_from_run_at_the_start_changes_nothing_and_later_shifts_toward_russia(tmp_path):
    brics = str(ROOT / "scenarios" / "issues" / "kz_brics_membership.toml")
    run = fake_run(tmp_path / "run", russia_share_later=0.4)
    args = (brics, "-r", "4", "--quiet")
    assert invoke(*args, "--out", str(tmp_path / "plain")).exit_code == 0
    assert (
        invoke(*args, "--from-run", str(run), "--at", "2023Q4", "--out", str(tmp_path / "start")).exit_code
        == 0
    )
    assert (
        invoke(*args, "--from-run", str(run), "--at", "2024Q4", "--out", str(tmp_path / "later")).exit_code
        == 0
    )
    plain, start, later = (pd.read_csv(tmp_path / n / "forecast.csv") for n in ("plain", "start", "later"))
    pd.testing.assert_frame_equal(plain, start)
    # Russia (position 100) doubles its capability: the weighted mean moves toward it.
    assert later["weighted_mean"].iloc[0] > plain["weighted_mean"].iloc[0]
    missing = invoke(*args, "--from-run", str(run), "--at", "2030Q1", "--out", str(tmp_path / "x"))
    assert missing.exit_code != 0 and "2030Q1" in missing.stderr


def test_from_run_reads_a_real_model_run(tmp_path):
    run = runner.invoke(
        app,
        [
            "run",
            "baseline_2023",
            "-s",
            "multivector",
            "--replicates",
            "2",
            "--steps",
            "4",
            "--no-report",
            "--quiet",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert run.exit_code == 0, run.output
    result = invoke(
        *ISSUES,
        "-r",
        "3",
        "--from-run",
        str(tmp_path / "run"),
        "--at",
        "2024Q4",
        "--quiet",
        "--out",
        str(tmp_path / "b"),
    )
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["inputs"]["at"] == "2024Q4"
