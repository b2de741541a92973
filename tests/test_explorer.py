"""The explorer without a browser: the model session, sliders, result panels and the CLI's checks."""

import socket
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

pytest.importorskip("solara", reason="the explorer needs the viz extra")

from sim.cli.app import app
from sim.errors import UserError
from sim.explorer.results_view import panels
from sim.explorer.server import check_port, offline_environment
from sim.explorer.session import PANELS, ModelSession, sliders
from sim.model import load_scenario, sweepable


def test_a_step_advances_the_quarter_and_records_every_replicate():
    session = ModelSession("baseline_2023", "multivector", replicates=5, seed=3)
    assert session.quarter == "2023Q4" and session.step_count == 0
    session.step(2)
    assert session.quarter == "2024Q2" and len(session.history) == 3
    steps, low, mid, high = session.fan("welfare")
    assert list(steps) == [0, 1, 2]
    assert np.all(low <= mid) and np.all(mid <= high)


def test_each_panel_draws_per_actor_columns_not_aggregates():
    session = ModelSession(replicates=2)
    relations = session.columns(PANELS["Relations with each power (-1..1)"])
    assert relations and "relation_min" not in relations and "relation_spread" not in relations
    shares = session.columns("share_")
    assert np.allclose(sum(session.history[0][c] for c in shares), 1.0)
    assert session.columns("welfare") == ["welfare"]


def test_the_session_stops_at_the_scenarios_end_and_lists_fired_events():
    session = ModelSession("russian_pressure", replicates=2)
    total = session.model.params.steps
    session.step(total + 5)
    assert session.step_count == total and not session.running
    names = {e.event.name for e in session.model.timeline}
    assert names and {name for _, name in session.events} == names


def test_another_strategy_gives_other_trajectories_and_the_same_seed_the_same():
    def run(strategy):
        session = ModelSession("baseline_2023", strategy, replicates=4, seed=7)
        session.step(4)
        return session.fan("relation_russia")[2]

    assert np.array_equal(run("multivector"), run("multivector"))
    assert not np.allclose(run("multivector"), run("pivot_west"))


def test_sliders_use_the_catalogues_ranges_and_overrides_reach_the_model():
    catalogue = sweepable(load_scenario("baseline_2023"))
    for slider in sliders("baseline_2023"):
        info = catalogue[slider.path]
        assert slider.low <= slider.default <= slider.high
        assert info.contains(slider.low) or info.low_open
        assert 0 < slider.step <= slider.high - slider.low
    session = ModelSession(overrides={"world.rivalry": 0.9}, replicates=1)
    assert session.model.params.world.rivalry == pytest.approx(0.9)


def test_result_panels_show_every_strategy_and_reject_bad_thresholds(small_results):
    results = small_results
    parts = panels(results, "welfare_final", results.scenarios[0], results.strategies)
    heat = parts["Strategy x scenario"]
    assert all(f">{s}</th>" in heat for s in results.strategies)
    assert any(k.startswith("Paired differences") for k in parts)
    with pytest.raises(UserError, match="threshold"):
        panels(results, "welfare_final", results.scenarios[0], results.strategies, "welfare_final=>1")
    shares = panels(results, "welfare_final", results.scenarios[0], results.strategies, "welfare_final>=1")
    assert "rv-satisficing" in shares["Satisficing"]


@pytest.fixture(scope="module")
def small_results(tmp_path_factory):
    from sim.analysis.results import load_results

    out = tmp_path_factory.mktemp("explorer") / "run"
    command = [sys.executable, "-m", "sim.cli", "run", "baseline_2023", "detente", "-s", "multivector"]
    command += ["-s", "pivot_china", "--replicates", "4", "--steps", "6", "--out", str(out), "--no-report"]
    subprocess.run([*command, "--quiet"], check=True, capture_output=True, timeout=120)
    return load_results(out)


def test_the_page_is_told_to_use_local_assets_and_no_telemetry():
    env = offline_environment(None)
    assert env["SOLARA_ASSETS_PROXY"] == "true" and env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert env["SOLARA_APP"] == "sim.explorer.app"


def explore(*args: str):
    """Run ``multivector explore`` in this process; it must fail before serving."""
    return CliRunner().invoke(app, ["explore", *args, "--no-browser"])


def test_a_bad_folder_is_one_error_line(tmp_path):
    done = explore(str(tmp_path / "nowhere"))
    assert done.exit_code == 2
    assert done.stderr.count("\n") == 1 and "not a folder" in done.stderr


def test_a_busy_port_is_one_error_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(UserError, match=f"`port` {port}"):
            check_port("127.0.0.1", port)
        done = explore("--port", str(port))
    assert done.exit_code == 2
    assert done.stderr.count("\n") == 1 and f"--port {port}" in done.stderr


def test_a_reset_session_is_a_new_session_even_with_the_same_settings():
    """The page re-renders on a new session; equal-looking sessions must not compare equal."""
    assert ModelSession(replicates=1) != ModelSession(replicates=1)


def test_a_sweep_shows_the_outcome_against_each_parameter_and_prim_boxes(tmp_path):
    import pandas as pd
    from analysis_fixtures import make_sweep_folder

    from sim.analysis.discovery import prim_available
    from sim.analysis.results import load_results

    rng = np.random.default_rng(0)
    design = pd.DataFrame(
        {"world.rivalry": rng.uniform(0, 1, 60), "powers.china.salience": rng.uniform(0, 1, 60)}
    )
    design.insert(0, "design_point", np.arange(len(design)))
    sweep = {
        "design": "lhs",
        "samples": 60,
        "parameters": {n: {"low": 0, "high": 1} for n in design.columns[1:]},
    }
    folder = make_sweep_folder(
        tmp_path / "sweep",
        design,
        lambda s, x: 1 + x[:, 0],
        strategies=("multivector", "pivot_china"),
        sweep=sweep,
    )
    results = load_results(folder)
    parts = panels(results, "welfare_final", results.scenarios[0], results.strategies, "welfare_final>=1.5")
    plots = parts["Outcome against each varied parameter"]
    assert plots.count("<svg") == 2 and "against world.rivalry" in plots
    assert plots.count('data-series="multivector"') == 2
    if prim_available():
        assert "rv-prim" in parts["PRIM boxes (where runs fail)"]


def test_no_text_browser_is_started_on_a_linux_machine_without_a_display(monkeypatch):
    from sim.explorer import server

    monkeypatch.setattr(server.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert not server.can_open_browser()
    monkeypatch.setenv("DISPLAY", ":0")
    assert server.can_open_browser()


def test_chart_ticks_are_round_and_cover_the_data():
    from hypothesis import given
    from hypothesis import strategies as st

    from sim.analysis.svg import nice_ticks

    @given(st.floats(-1e6, 1e6), st.floats(1e-6, 1e6))
    def covers(low, span):
        ticks = nice_ticks(low, low + span)
        assert ticks[0] <= low + 1e-9 * max(1, abs(low)) and ticks[-1] >= low + span - 1e-9 * max(
            1, abs(low) + span
        )
        assert 2 <= len(ticks) <= 12

    covers()
