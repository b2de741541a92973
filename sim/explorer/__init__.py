"""The interactive explorer: a Solara web page over the model and over results folders.

``multivector explore [RESULTS_DIR]`` serves it (:func:`sim.explorer.server.serve`). The *Model*
view steps a live :class:`~sim.model.BalancingModel` (like Mesa's SolaraViz); the *Results* view
draws what :mod:`sim.analysis` computes for a run or sweep folder. Solara and its front-end
files come with the ``viz`` extra (``pip install 'multivector[viz]'``); the page loads every
asset from this machine, so it works offline. This package sits above ``experiments`` and
``analysis`` and below ``cli``.
"""
