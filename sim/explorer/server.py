"""Serve the explorer on this machine: check the folder and the port, then run Solara.

Solara fetches its front-end (Vue, Vuetify, fonts) from a public CDN unless the files are on
disk; the ``solara-assets`` package installs them where Solara's CDN proxy looks first
(``<prefix>/share/solara/cdn``), and :func:`offline_environment` turns the proxy on and
telemetry off, so the page loads with no internet. The versions of ``solara`` and
``solara-assets`` must match (pyproject's ``viz`` extra pins both).
"""

import os
import socket
import sys
import threading
import webbrowser
from pathlib import Path

from sim.errors import UserError

DEFAULT_PORT = 8765


def offline_environment(results_dir: Path | None) -> dict[str, str]:
    """Environment for the Solara server: our app, local assets, no telemetry."""
    return {
        "SOLARA_APP": "sim.explorer.app",
        "SOLARA_ASSETS_PROXY": "true",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "SOLARA_THEME_LOADER": "plain",
        "MULTIVECTOR_EXPLORE_RESULTS": str(results_dir.resolve()) if results_dir else "",
    }


def check_folder(results_dir: Path | None) -> None:
    """Raise a UserError unless ``results_dir`` is None or a readable results folder."""
    if results_dir is None:
        return
    from sim.analysis.results import load_results

    load_results(results_dir)


def check_port(host: str, port: int) -> None:
    """Raise a UserError if ``host:port`` cannot be bound (in use, or not an address here).

    SO_REUSEADDR, as uvicorn sets it: a port left in TIME_WAIT by a server that just stopped is
    free; one another server listens on is not.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            raise UserError(
                f"`port` {port}: cannot listen on {host}:{port} ({err.strerror or err}); "
                "expected a free port, e.g. --port 0 for any"
            ) from None


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free now on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def can_open_browser() -> bool:
    """False on a Linux machine without a display, where ``webbrowser`` would start a text browser."""
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def serve(
    results_dir: Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    open_browser: bool = True,
    on_ready=None,
) -> None:
    """Check the inputs, then serve the explorer until interrupted.

    Args:
        results_dir: folder for the results view (None: pick one on the page).
        host: address to bind; 127.0.0.1 keeps the page on this machine.
        port: TCP port; 0 picks a free one.
        open_browser: open the page in the default browser once the server listens (not on a
            Linux machine without a display: the URL is printed by ``on_ready`` instead).
        on_ready: called with the page's URL once the server listens.

    Raises:
        UserError: a bad results folder, a busy port, or Solara not installed.
    """
    check_folder(results_dir)
    port = free_port(host) if port == 0 else port
    check_port(host, port)
    os.environ.update(offline_environment(results_dir))
    try:
        import uvicorn
        from solara.server.starlette import app
    except ImportError:
        raise UserError(
            "the explorer needs Solara; install it with: pip install 'multivector[viz]'"
        ) from None
    url = f"http://{host}:{port}/"
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))

    def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            threading.Event().wait(0.1)
        if on_ready is not None:
            on_ready(url)
        if open_browser and can_open_browser():
            webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    server.run()
