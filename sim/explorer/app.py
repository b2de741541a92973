"""The Solara page of the explorer: a *Model* tab and a *Results* tab.

Solara loads this module by name (``SOLARA_APP=sim.explorer.app``) and renders :func:`Page`. The
results folder given to ``multivector explore`` arrives in the environment variable
:data:`RESULTS_ENV` and opens the Results tab; without one, the Results tab offers
``results/latest`` when it exists.
"""

import os
from pathlib import Path

import solara

from sim.explorer.model_view import ModelView
from sim.explorer.results_view import ResultsView

RESULTS_ENV = "MULTIVECTOR_EXPLORE_RESULTS"
"""Environment variable holding the results folder to open first (may be empty)."""


@solara.component
def Page() -> None:
    """The explorer: an app bar and two tabs."""
    given = os.environ.get(RESULTS_ENV, "")
    latest = Path("results/latest")
    initial = given or (str(latest.resolve()) if (latest / "runs.csv").is_file() else "")
    tab = solara.use_reactive(1 if given else 0)
    solara.Title("multivector explorer")
    with solara.AppBar():
        solara.AppBarTitle("multivector explorer")
    with solara.lab.Tabs(value=tab):
        with solara.lab.Tab("Model"):
            ModelView()
        with solara.lab.Tab("Results"):
            ResultsView(initial)
