"""The ``explore`` command (registered by ``sim.cli.app``): serve the interactive explorer.

A bad results folder, a busy port or a missing Solara is one line on stderr and exit code 2;
Ctrl-C stops a running explorer with exit code 0.
"""

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import handle_user_errors


@handle_user_errors
def explore(
    results_dir: Annotated[
        Path | None,
        typer.Argument(
            help="Results folder for the Results view (default: pick one on the page).",
            metavar="RESULTS_DIR",
            show_default=False,
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port (0: any free one).")] = 8765,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; 127.0.0.1 stays on this machine.")
    ] = ("127.0.0.1"),
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")] = False,
) -> None:
    """Serve the interactive explorer (model and results views) in the browser; Ctrl-C stops it."""
    from sim.explorer.server import serve

    serving = False

    def ready(url: str) -> None:
        nonlocal serving
        serving = True
        typer.echo(f"Explorer at {url} (Ctrl-C to stop)")

    try:
        serve(results_dir, host=host, port=port, open_browser=not no_browser, on_ready=ready)
    except KeyboardInterrupt:
        if not serving:
            raise  # stopped while starting: an interrupt like any other (one line, exit 130)
        typer.echo("explorer stopped")  # Ctrl-C is how a running explorer ends: not an error
