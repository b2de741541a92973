"""``python -m sim.cli``: the same as the ``multivector`` command."""

from sim.cli.app import app

app()
