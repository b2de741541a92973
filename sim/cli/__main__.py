"""``python -m sim.cli``: the same as the ``multivector`` command."""

from sim.cli.main import main

main()
