"""report.html in the Debian chromium at 1280 px: readable, self-contained, its scenario tabs work."""

import pytest
from analysis_fixtures import make_run_folder
from browser_helpers import block_outside, launch, require_chromium

from sim.analysis.report import write_analysis

require_chromium()
from playwright import sync_api  # noqa: E402

SCENARIOS = (
    "baseline_2023", "bri_acceleration", "brics_partnership", "commodity_bust", "detente",
    "rivalry_spike", "russian_pressure", "sanctions_escalation", "western_engagement",
)  # fmt: skip
STRATEGIES = (
    "multivector", "pivot_china", "bandwagon_russia", "pivot_west", "equidistance",
    "adaptive_hedging", "opportunist",
)  # fmt: skip


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = make_run_folder(
        tmp_path_factory.mktemp("report") / "run", strategies=STRATEGIES, scenarios=SCENARIOS, replicates=4
    )
    report = write_analysis(folder)
    with sync_api.sync_playwright() as playwright:
        context = launch(playwright, width=1280)
        page = context.new_page()
        outside = block_outside(page, ("file://", "data:"))
        page.goto(report.as_uri())
        yield page, outside
        context.close()


def test_the_strategy_by_scenario_figure_is_readable_at_1280_px(page):
    page, outside = page
    heat = page.locator("#figure-heatmap")
    sizes = heat.evaluate(
        "t => [...t.querySelectorAll('th,td,caption')].map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert len(sizes) >= (len(SCENARIOS) + 2) * (len(STRATEGIES) + 1) and min(sizes) >= 10
    box = heat.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280  # no horizontal scrolling
    assert page.locator("#verdict").bounding_box()["y"] < box["y"]  # the verdict comes first
    assert outside == []


def test_one_scenario_shows_at_a_time_and_the_tabs_switch_it(page):
    page, _ = page
    visible = [i for i in range(len(SCENARIOS)) if page.locator(f"#panel-{i}").is_visible()]
    assert visible == [0]
    page.locator("label[for=tab-6]").click()
    assert page.locator("#panel-6").is_visible() and not page.locator("#panel-0").is_visible()
    assert page.locator("#panel-6 [id='figure-fan_russian_pressure'] polyline").count() >= len(STRATEGIES)
