"""The ``multivector`` entry point: the typer app, with Ctrl-C at start-up as one line too.

The console script (``pyproject.toml``) and ``python -m sim.cli`` call :func:`main`, not the
typer app itself, so that an interrupt while Python is still importing the command line
(typer, rich) ends as an interrupt inside a command does (``sim.cli.common``): one
``error: interrupted`` line on stderr and exit code 130, not a traceback.
"""

import sys


def main() -> None:
    """Import and run the ``multivector`` app; Ctrl-C during the import is one line, exit 130."""
    try:
        from sim.cli.app import app
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        raise SystemExit(130) from None
    app()
