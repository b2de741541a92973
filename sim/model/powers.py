"""The great powers' decision rule: offers that compete for the pivot, pressure from threat and leverage.

All powers decide at once in one vectorised rule (step 3 of docs/ODD.md, section 7.3):

- *threat* is the rival-weighted share of the pivot's engagement above the power's tolerance
  (Walt's balance of threat; tolerance tightens as rivalry rises) plus *neglect*, engagement
  below what the power expects;
- *leverage* grows with the pivot's dependence on the power: its bloc's share of trade, the
  transit of exports across its territory, security dependence for CSTO powers (Hirschman 1945;
  Farrell and Newman 2019);
- pressure = threat x leverage, plus secondary-sanctions enforcement on sanctions exposure;
- offers rise with the pivot's engagement with the power's rivals (bidding for the pivot,
  Cooley 2012) and with the power's economy, and have diminishing returns in the engagement
  received.

The step computes the rule in one compiled kernel (:func:`powers_respond`, see
``sim.model.kernels``); adaptive hedging uses the functions below, the same formulas on numpy
arrays, for the terms of its candidate engagement levels (tests/test_kernels.py checks that
both agree).
"""

import numpy as np

from sim.model import kernels
from sim.model.structure import Structure

EPS = np.asarray(kernels.RIVAL_SHARE_EPS)
# Constants as 0-d arrays: numpy combines them with an array faster than a Python float, which it
# converts at every call (the same values, the same results).
ZERO, ONE = np.asarray(0.0), np.asarray(1.0)


def rival_share(engagement: np.ndarray, rivals: np.ndarray) -> np.ndarray:
    """Each power's rivals' share of the engagement (..., P), from ``rivals = engagement @ st.rivals_t``."""
    return rivals / (engagement.sum(axis=-1, keepdims=True) + EPS)


def neglect(engagement: np.ndarray, st: Structure) -> np.ndarray:
    """Threat from engagement below what each power expects (..., P)."""
    return st.neglect * np.maximum(st.expectation - engagement, ZERO)


def means(st: Structure, time: float) -> np.ndarray:
    """Each power's offer per unit of engagement before bidding (P,): budget x salience x economy."""
    return st.reward_rate * np.exp(st.power_size + st.power_growth * time)


def bidding(rivals: np.ndarray, st: Structure) -> np.ndarray:
    """Rise of the offers with the engagement of each power's rivals, ``engagement @ st.rivals_t``."""
    return ONE + st.competition * rivals


NO_DRAWS = np.empty((0, 1, 1))  # powers_respond's draws when noise-free


def powers_respond(
    st: Structure,
    engagement: np.ndarray,
    rivalry: np.ndarray,
    bloc_shares: np.ndarray,
    security_dependence: np.ndarray,
    exposure: np.ndarray,
    returns: float,
    rng: np.random.Generator | None,
    time: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rewards, pressures, effective tolerances and leverage of all powers, each (R, P).

    The rule above, in one compiled kernel (``kernels.powers_respond``); the noise's standard
    normal draws, pressures' then rewards', come from ``rng``. ``rng=None`` gives the
    noise-free expectation (used for the starting steady state).
    """
    normal = NO_DRAWS if rng is None else rng.standard_normal((2, *engagement.shape))
    return kernels.powers_respond(
        engagement,
        rivalry,
        bloc_shares,
        security_dependence,
        exposure,
        float(returns),
        float(time),
        normal,
        st.tolerance_at_zero_rivalry,
        float(st.tightening),
        st.rivals_t,
        st.neglect,
        st.expectation,
        st.leverage_base,
        st.leverage_per_bloc_share,
        st.leverage_per_security,
        st.secondary,
        st.reward_rate,
        st.power_size,
        st.power_growth,
        st.competition,
        st.noise,
        st.noise_half_variance,
    )
