"""docs/outputs.md lists every column that the result files hold."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from sim.cli.app import app
from sim.experiments.runner import ChunkSpec, id_columns, run_chunk
from sim.model.scenario import load_scenario
from sim.schema import ID_COLUMNS

DOC = (Path(__file__).resolve().parent.parent / "docs" / "outputs.md").read_text()
DOCUMENTED = set(re.findall(r"^\| `([^`]+)` \|", DOC, flags=re.MULTILINE))


POWER_PREFIXES = ("engagement_", "relation_", "pressure_", "reward_", "leverage_", "bloc_share_")


def generic(column: str, partners, powers) -> str:
    """Replace a partner or power key in a column name by its placeholder."""
    is_power = column.startswith(POWER_PREFIXES)
    keys, label = (powers, "<power>") if is_power else (partners, "<partner>")
    for key in sorted(keys, key=len, reverse=True):
        new = re.sub(rf"_{key}(_final|_mean|$)", rf"_{label}\1", column)
        if new != column:
            return new
    return column


def test_every_result_column_is_documented():
    scenario = load_scenario("baseline_2023").with_overrides({"steps": 4})
    result = run_chunk(ChunkSpec(scenario, "multivector", 2, 0, 1, record_every=2))
    partners, powers = list(scenario.partners), list(scenario.powers)
    for frame in (result.runs, result.timeseries):
        missing = {generic(c, partners, powers) for c in frame.columns} - DOCUMENTED
        assert not missing, f"undocumented columns: {sorted(missing)}"


def test_runs_start_with_the_schema_id_columns_in_order():
    """Runs and failed runs both start with sim.schema.ID_COLUMNS, which analysis requires."""
    scenario = load_scenario("baseline_2023").with_overrides({"steps": 1})
    result = run_chunk(ChunkSpec(scenario, "multivector", 2, 0, 1, record_every=0))
    assert list(result.runs.columns[: len(ID_COLUMNS)]) == list(ID_COLUMNS)
    failed = id_columns("s", "multivector", 3, 1, 2, 100, 7, error="ValueError: x")
    assert list(failed) == list(ID_COLUMNS)
    assert failed["run_id"] == ["s.multivector.p3.r100", "s.multivector.p3.r101"]
    assert failed["status"] == "error"


def test_timeseries_rows_name_their_scenario_and_strategy():
    """No join on run_id is needed to group timeseries.csv by scenario or strategy."""
    scenario = load_scenario("baseline_2023").with_overrides({"steps": 4})
    result = run_chunk(ChunkSpec(scenario, "neutrality", 2, 0, 1, record_every=2))
    series = result.timeseries
    assert list(series.columns[:4]) == ["run_id", "scenario", "strategy", "step"]
    assert set(series["scenario"]) == {"baseline_2023"} and set(series["strategy"]) == {"neutrality"}


def test_every_run_outcome_is_what_docs_outputs_says_of_the_recorded_quarters(tmp_path):
    """runs.csv against timeseries.csv of the same runs (every quarter recorded), through the CLI.

    Each per-run outcome is recomputed from the quarters as docs/outputs.md defines it: a mean
    over quarters 1..T, a maximum, a count of crisis quarters, or the last quarter's value.
    """
    out, steps = tmp_path / "r", 8
    args = ["run", "russian_pressure", "-s", "multivector", "-s", "pivot_west", "--replicates", "3"]
    args += ["--steps", str(steps), "--record-every", "1", "--no-report", "--out", str(out), "-q"]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    runs = pd.read_csv(out / "runs.csv").set_index("run_id")
    series = pd.read_csv(out / "timeseries.csv")
    assert sorted(series["step"].unique()) == list(range(steps + 1))
    quarters = series[series["step"] >= 1].groupby("run_id")
    last = series[series["step"] == steps].set_index("run_id").loc[runs.index]
    powers = [c.removeprefix("pressure_") for c in series.columns if c.startswith("pressure_")]
    pressure = [f"pressure_{p}" for p in powers]
    crisis = (series[pressure].max(axis=1) > 0.3) & (series["step"] >= 1)
    expected = {
        "welfare_final": last["welfare"],
        "growth_annual": last["welfare"] ** (4 / steps) - 1,
        "autonomy_mean": quarters["autonomy"].mean(),
        "autonomy_final": last["autonomy"],
        "max_dependence_final": last["max_dependence"],
        "security_risk_mean": quarters["security_risk"].mean(),
        "security_risk_max": quarters["security_risk"].max(),
        "crises": crisis.groupby(series["run_id"]).sum(),  # world.crisis_threshold 0.3
        "sanctions_exposure_mean": quarters["sanctions_exposure"].mean(),
        "relation_min_final": last["relation_min"],
        "relation_spread_final": last["relation_spread"],
    }
    for p in powers:
        expected[f"pressure_{p}_mean"] = quarters[f"pressure_{p}"].mean()
        expected[f"relation_{p}_final"] = last[f"relation_{p}"]
        expected[f"engagement_{p}_final"] = last[f"engagement_{p}"]
    assert runs["crises"].sum() > 0  # pivot_west under russian_pressure: crises to count
    for column, values in expected.items():
        np.testing.assert_allclose(
            runs[column].to_numpy(), values.loc[runs.index].to_numpy(dtype=float), atol=2e-6, err_msg=column
        )
