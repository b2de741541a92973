"""Outcome metrics: pure functions of model state arrays with a leading replicate axis.

Autonomy follows Hirschman's concentration index of trade by partner (1 - HHI over the power
blocs, the diversified rest of the world counted as no concentration); security risk combines
the powers' pressure as independent hazards. ``sim.schema.OUTCOMES`` names the per-run outcomes built
from these, and docs/outputs.md lists every column.
"""

import numpy as np

ONE = np.asarray(1.0)  # 0-d: numpy combines it with an array faster than a Python float


def bloc_shares(shares: np.ndarray, bloc_matrix: np.ndarray) -> np.ndarray:
    """Trade shares summed by power bloc: (R, K) @ (K, P) -> (R, P)."""
    return shares @ bloc_matrix


def autonomy(blocs: np.ndarray) -> np.ndarray:
    """1 - Herfindahl-Hirschman index of the blocs' shares (rest of world excluded)."""
    return 1.0 - np.vecdot(blocs, blocs, axis=1)  # sum of squares over axis 1 in one call


def max_dependence(blocs: np.ndarray) -> np.ndarray:
    """The largest single bloc's share."""
    return blocs.max(axis=1)


def security_risk(pressure: np.ndarray) -> np.ndarray:
    """Chance that at least one power's pressure bites, pressures (in [0, 1]) read as probabilities."""
    return ONE - np.multiply.reduce(ONE - pressure, axis=1)


def export_shares(shares: np.ndarray, export_fraction: np.ndarray) -> np.ndarray:
    """Shares of exports by partner, from turnover shares and each partner's export fraction."""
    exports = shares * export_fraction
    return exports / exports.sum(axis=1, keepdims=True)


def relation_min(relations: np.ndarray) -> np.ndarray:
    """The worst relation with any power."""
    return relations.min(axis=1)


def relation_spread(relations: np.ndarray) -> np.ndarray:
    """Best minus worst relation: how unbalanced the pivot's relations are."""
    return relations.max(axis=1) - relations.min(axis=1)


def annual_growth(welfare_final: np.ndarray, quarters: int) -> np.ndarray:
    """Annualised growth rate of the GDP index over ``quarters``."""
    return welfare_final ** (4.0 / quarters) - 1.0
