"""docs/outputs.md lists every column that the result files hold."""

import re
from pathlib import Path

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
