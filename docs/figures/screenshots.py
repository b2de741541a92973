"""Screenshots of report.html and the explorer's two views for the README (docs/figures/*.png).

Run: ``.venv/bin/python docs/figures/screenshots.py [RESULTS_DIR]`` after ``multivector run``
(default ``results/latest``, whose ``analysis/report.html`` it shoots). Needs /usr/bin/chromium
and the ``viz`` extra; starts ``multivector explore --no-browser`` on a free port, and blocks
every request that leaves this machine, as the browser tests do.
"""

import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def local_only(route) -> None:
    """Let local requests through; abort the rest."""
    url = route.request.url
    if url.startswith(("file://", "data:", "http://127.0.0.1")):
        route.continue_()
    else:
        route.abort()


def main() -> None:
    """Shoot the report and both explorer views."""
    results = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "results" / "latest").resolve()
    sys.path.insert(0, str(ROOT))
    from sim.explorer.server import free_port

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "explore", str(results), "--port", str(port), "--no-browser"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                tempfile.mkdtemp(), executable_path="/usr/bin/chromium", headless=True, args=ARGS,
                viewport={"width": 1280, "height": 900},
            )  # fmt: skip
            page = context.new_page()
            page.route("**/*", local_only)
            page.goto((results / "analysis" / "report.html").as_uri())
            page.screenshot(path=HERE / "report_verdict.png")
            page.locator("#scenarios").scroll_into_view_if_needed()
            page.locator("label[for=tab-6]").click()
            page.evaluate("document.querySelector('#scenarios').scrollIntoView()")
            page.screenshot(path=HERE / "report_scenarios.png")
            page.goto(url)
            page.get_by_role("tab", name="Model").click()
            page.locator("#mv-quarter").wait_for(timeout=60_000)
            for _ in range(12):
                step = page.locator("#mv-step").inner_text()
                page.get_by_role("button", name="Step").click()
                page.wait_for_function(f"document.querySelector('#mv-step').textContent != '{step}'")
            page.evaluate("document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
            time.sleep(1)
            page.screenshot(path=HERE / "explorer_model.png")
            page.get_by_role("tab", name="Results").click()
            page.locator("#rv-heatmap").wait_for(timeout=60_000)
            time.sleep(1)
            page.screenshot(path=HERE / "explorer_results.png")
            context.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
