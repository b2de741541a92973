"""The two baselines reported beside every forecast: the weighted mean and the weighted median.

Both weigh each actor by capability x salience. The mean is the "compromise model" of the
EU decision-making literature (Achen; Thomson et al., *The European Union Decides*, 2006), which
often forecasts as well as bargaining models; the median is the position a weighted majority
prefers to any other on one dimension (Black's median voter), the first-round Condorcet winner
in Bueno de Mesquita's model. Arrays are ``(..., actors)``; actors of zero weight do not count.
"""

import numpy as np

# Cumulative weights within this relative tolerance of half the total count as reaching it, so
# that sums like 24.8 + 9.3 against 67.7 / 2 are not decided by rounding.
_HALF_TOLERANCE = 1e-12


def weighted_mean(position: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Sum of weight x position over the sum of weights, along the last axis."""
    return (weight * position).sum(axis=-1) / weight.sum(axis=-1)


def weighted_median(position: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The lowest position whose cumulative weight (positions sorted) reaches half the total."""
    order = np.argsort(position, axis=-1, kind="stable")
    x = np.take_along_axis(position, order, axis=-1)
    w = np.take_along_axis(weight, order, axis=-1)
    cumulative = np.cumsum(w, axis=-1)
    half = cumulative[..., -1:] * 0.5 * (1 - _HALF_TOLERANCE)
    index = np.argmax(cumulative >= half, axis=-1)
    return np.take_along_axis(x, index[..., None], axis=-1)[..., 0]
