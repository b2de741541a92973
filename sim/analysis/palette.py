"""Colours and markers of strategies, the same in every figure, chart and page.

The Okabe-Ito palette (Okabe & Ito 2008) stays distinguishable with the common forms of colour
blindness. Kept apart from :mod:`sim.analysis.plots` so that pages drawn as SVG need not import
matplotlib (about a second).
"""

OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]
"""Colour-blind-safe qualitative palette."""


def strategy_colours(strategies: list[str], reference: str | None = None) -> dict[str, str]:
    """Fixed colour per strategy: the reference first (blue), the others in sorted order."""
    order = ([reference] if reference in strategies else []) + sorted(s for s in strategies if s != reference)
    return {s: OKABE_ITO[i % len(OKABE_ITO)] for i, s in enumerate(order)}
