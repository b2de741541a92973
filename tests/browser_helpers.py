"""Drive the Debian chromium with Playwright: one launch recipe for every browser test."""

import tempfile
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip the calling test module when chromium or Playwright is missing (.ci/run installs both)."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (apt-get install chromium; .ci/run does)", allow_module_level=True)
    pytest.importorskip("playwright.sync_api")


def launch(playwright, width: int = 1280, height: int = 900):
    """A headless chromium context with a fresh profile, at ``width`` x ``height``."""
    return playwright.chromium.launch_persistent_context(
        tempfile.mkdtemp(prefix="mv-chromium-"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=ARGS,
        viewport={"width": width, "height": height},
    )


def block_outside(page, allowed: tuple[str, ...]) -> list[str]:
    """Abort every request whose URL does not start with one of ``allowed``; return the list of them."""
    outside: list[str] = []

    def route(route):
        if route.request.url.startswith(allowed):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return outside
