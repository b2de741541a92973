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

Strategies use :func:`threat` and :func:`leverage` to predict pressure.
"""

import numpy as np

from sim.model.structure import Structure

EPS = np.asarray(1e-9)
# Constants as 0-d arrays: numpy combines them with an array faster than a Python float, which it
# converts at every call (the same values, the same results).
ZERO, ONE, MAX_TOLERANCE = np.asarray(0.0), np.asarray(1.0), np.asarray(0.99)


def effective_tolerance(st: Structure, rivalry: np.ndarray) -> np.ndarray:
    """Tolerances (R, P) this quarter: the stated ones, tightened as rivalry rises above its reference."""
    tol = st.tolerance_at_zero_rivalry - st.tightening * rivalry[:, None]
    return np.minimum(np.maximum(tol, ZERO), MAX_TOLERANCE)


def threat(engagement: np.ndarray, tolerance: np.ndarray, st: Structure) -> np.ndarray:
    """Threat each power feels from engagement levels (..., P): rivals' excess share plus neglect.

    ``engagement`` may carry extra candidate axes before P (adaptive hedging scores many at once);
    ``tolerance`` broadcasts against it.
    """
    return threat_of(rival_share(engagement, engagement @ st.rivals_t), neglect(engagement, st), tolerance)


def rival_share(engagement: np.ndarray, rivals: np.ndarray) -> np.ndarray:
    """Each power's rivals' share of the engagement (..., P), from ``rivals = engagement @ st.rivals_t``."""
    return rivals / (engagement.sum(axis=-1, keepdims=True) + EPS)


def neglect(engagement: np.ndarray, st: Structure) -> np.ndarray:
    """Threat from engagement below what each power expects (..., P)."""
    return st.neglect * np.maximum(st.expectation - engagement, ZERO)


def threat_of(share: np.ndarray, neglected: np.ndarray, tolerance: np.ndarray) -> np.ndarray:
    """Threat from rivals' shares above the tolerances plus neglect: :func:`threat` in parts.

    The parts that do not depend on this quarter (a fixed grid of candidates' shares and
    neglect) can then be computed once.
    """
    return np.maximum(share - tolerance, ZERO) / (ONE - tolerance) + neglected


def leverage(bloc_shares: np.ndarray, security_dependence: np.ndarray, st: Structure) -> np.ndarray:
    """Pressure per unit of threat (R, P): capacity x salience, raised by the pivot's dependence.

    pressure_rate x (1 + dependence_leverage x dependence), where dependence is the bloc's share
    plus static (transit) dependence plus security_weight x security dependence; the structure
    holds the constant products (``Structure.leverage_base`` ...).
    """
    return (
        st.leverage_base
        + st.leverage_per_bloc_share * bloc_shares
        + st.leverage_per_security * security_dependence[:, None]
    )


def offers(engagement: np.ndarray, st: Structure, time: float = 0.0) -> np.ndarray:
    """Offer per unit of (concave) engagement: budget x salience, raised by rivals' engagement.

    A power's means grow with its economy (``market_growth``, and ``gdp_usd_bn`` against the
    start): China's rising offers are one mechanism of its rise in Central Asia.
    """
    return means(st, time) * bidding(engagement @ st.rivals_t, st)


def means(st: Structure, time: float) -> np.ndarray:
    """Each power's offer per unit of engagement before bidding (P,): budget x salience x economy."""
    return st.reward_rate * np.exp(st.power_size + st.power_growth * time)


def bidding(rivals: np.ndarray, st: Structure) -> np.ndarray:
    """Rise of the offers with the engagement of each power's rivals, ``engagement @ st.rivals_t``."""
    return ONE + st.competition * rivals


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

    ``rng=None`` gives the noise-free expectation (used for the starting steady state).
    """
    tol = effective_tolerance(st, rivalry)
    lev = leverage(bloc_shares, security_dependence, st)
    rivals = engagement @ st.rivals_t  # serves both the threat and the bidding
    threatened = threat_of(rival_share(engagement, rivals), neglect(engagement, st), tol)
    pressure = threatened * lev + st.secondary * exposure[:, None]
    reward = means(st, time) * bidding(rivals, st) * engagement**returns
    if rng is not None:
        shocks = np.exp(st.noise * rng.standard_normal((2, *engagement.shape)) - st.noise_half_variance)
        pressure *= shocks[0]
        reward *= shocks[1]
    return reward, np.minimum(pressure, ONE, out=pressure), tol, lev
