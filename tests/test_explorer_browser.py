"""The explorer in a real browser: the Debian chromium, driven by Playwright, with no internet.

One server (``multivector explore --no-browser``) and one browser serve every test of this file.
Every request that leaves 127.0.0.1 is blocked and recorded, so the page must load all its
front-end files from this machine. Skipped only when chromium or the ``viz`` extra is missing
(``.ci/run`` installs both).
"""

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_helpers import block_outside, launch, require_chromium

require_chromium()
pytest.importorskip("solara", reason="the explorer needs the viz extra")
from playwright import sync_api  # noqa: E402

from sim.explorer.server import free_port  # noqa: E402

STRATEGIES = ["bandwagon_russia", "multivector", "pivot_west"]


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("explore") / "run"
    strategies = [a for s in STRATEGIES for a in ("-s", s)]
    command = [sys.executable, "-m", "sim.cli", "run", "baseline_2023", "russian_pressure", *strategies]
    command += ["--replicates", "4", "--steps", "8", "--out", str(out), "--no-report", "--quiet"]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return out


@pytest.fixture(scope="module")
def server(results_dir, tmp_path_factory):
    port = free_port()
    log = (tmp_path_factory.mktemp("explore-log") / "server.log").open("w+b")
    command = [
        sys.executable,
        "-m",
        "sim.cli",
        "explore",
        str(results_dir),
        "--port",
        str(port),
        "--no-browser",
    ]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # a file: a pipe could fill
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.seek(0)
                pytest.fail(f"explorer did not start: {log.read().decode()[-2000:]}")
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="module")
def browser_page(server):
    with sync_api.sync_playwright() as playwright:
        context = launch(playwright)
        page = context.new_page()
        outside = block_outside(page, ("http://127.0.0.1",))
        page.goto(server)
        page.get_by_role("tab", name="Model").wait_for(timeout=60_000)
        yield page, outside
        context.close()


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def test_the_page_loads_with_every_asset_local(browser_page):
    page, outside = browser_page
    open_tab(page, "Model")
    page.locator("#mv-quarter").wait_for(timeout=30_000)
    assert page.locator("#mv-chart-0 polyline").count() > 0
    assert page.get_by_role("button", name="Step").is_visible()
    assert outside == [], f"requests left this machine: {outside[:5]}"


def test_step_advances_the_quarter(browser_page):
    page, _ = browser_page
    open_tab(page, "Model")
    before = int(page.locator("#mv-step").inner_text())
    quarter = page.locator("#mv-quarter").inner_text()
    page.get_by_role("button", name="Step").click()
    page.wait_for_function(
        f"document.querySelector('#mv-step').textContent == '{before + 1}'", timeout=10_000
    )
    assert page.locator("#mv-quarter").inner_text() != quarter
    assert re.fullmatch(r"\d{4}Q[1-4]", page.locator("#mv-quarter").inner_text())


def chart_data(page) -> list[str]:
    return [p.get_attribute("points") for p in page.locator("svg[id^=mv-chart] polyline").all()]


def test_choosing_another_strategy_changes_the_charts_data(browser_page):
    page, _ = browser_page
    open_tab(page, "Model")
    for _ in range(2):
        step = int(page.locator("#mv-step").inner_text())
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(f"document.querySelector('#mv-step').textContent == '{step + 1}'")
    before = chart_data(page)
    page.locator(".v-select").filter(has_text="strategy").click()
    page.get_by_role("option", name="pivot_west").click()
    page.wait_for_function(
        "document.querySelector('#mv-quarter').parentElement.textContent.includes('pivot_west')"
    )
    assert chart_data(page) != before
    assert len(chart_data(page)) == len(before)


def test_the_results_view_shows_every_strategy_of_the_folder(browser_page):
    page, _ = browser_page
    open_tab(page, "Results")
    page.locator("#rv-heatmap").wait_for(timeout=30_000)
    rows = page.locator("#rv-heatmap tbody th").all_inner_texts()
    assert sorted(rows) == STRATEGIES
    lines = {p.get_attribute("data-series") for p in page.locator("svg[id^=rv-fan] polyline").all()}
    assert lines == set(STRATEGIES)


def test_play_runs_pause_stops_and_reset_returns_to_the_start(browser_page):
    page, _ = browser_page
    open_tab(page, "Model")
    start = int(page.locator("#mv-step").inner_text())
    page.get_by_role("button", name="▶").click()
    page.wait_for_function(f"Number(document.querySelector('#mv-step').textContent) >= {start + 2}")
    page.get_by_role("button", name="❚❚").click()
    page.get_by_role("button", name="▶").wait_for()
    page.wait_for_timeout(400)  # a step already under way may still land
    paused = page.locator("#mv-step").inner_text()
    page.wait_for_timeout(600)
    assert page.locator("#mv-step").inner_text() == paused
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function("document.querySelector('#mv-step').textContent == '0'")
    assert page.locator("#mv-quarter").inner_text() == "2023Q4"
