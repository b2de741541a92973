"""Bueno de Mesquita's expected-utility model as reconstructed by Scholz, Calbert & Smith (2011).

One round, for every actor pair (challenger i, target j), on positions normalised to 0..1
(so the scale's width is 1):

1. votes and win probability: ``v^k_ij = c_k s_k (|x_k - x_j| - |x_k - x_i|)``,
   ``P_i(ij) = sum of positive v^k_ij / sum of |v^k_ij|``;
2. utilities with risk exponent r_i: ``U^s = 2 - 4(0.5 - 0.5 d)^r``, ``U^f = 2 - 4(0.5 + 0.5 d)^r``,
   ``U^b``, ``U^w`` (with the mean position mu), ``U^sq = 2 - 4 * 0.5^r``, d = |x_i - x_j|;
3. ``EU_i(j) = s_j [P U^s + (1 - P) U^f] + (1 - s_j) U^s - Q U^sq - (1 - Q)[T U^b + (1 - T) U^w]``;
4. risk: ``S_k = sum_j EU_j(k)``, ``R_i = (2 S_i - max S - min S)/(max S - min S)``,
   ``r_i = (1 - R_i/3)/(1 + R_i/3)``; the expected utilities are recomputed with these r_i;
5. offers: i challenges j when ``EU_i(j) > 0``; a target resolves each offer as conflict (it
   moves to the challenger if the challenger's EU exceeds its own positive EU, else it stays),
   compromise (``x_j += (x_i - x_j) |EU_j(i) / EU_i(j)|`` when its loss is smaller than the
   challenger's gain) or capitulation (it moves to the challenger), and accepts the offer that
   asks the least of it (the smallest move; exact ties: the problem's random priority). The
   open replication takes the offer of the challenger with the most to gain instead; on the EC
   example that makes whole blocs swap between the extremes each round (docs/bargaining.md).

All moves of a round happen together. Actors with zero capability or salience take no part
(they neither vote, challenge, are challenged nor enter the risk range), so adding one changes
nothing. The forecast is the weighted median of the final positions: the position that beats
every other in a pairwise vote (the Condorcet winner of step 1). Equations: docs/bargaining.md.
"""

from dataclasses import dataclass
from functools import partial

import numpy as np

from sim.bargaining.baselines import weighted_mean, weighted_median
from sim.bargaining.engine import Problems, Rounds, run_rounds
from sim.bargaining.votes import distances, pairwise_support

_NEAR = 1e-12  # expected utilities this close count as tied; positions this close as the same


@dataclass(frozen=True)
class BDMParameters:
    """Q: probability that the status quo holds if i does not challenge; T: that things improve if it changes.

    Q = T = 1 are the defaults of the open replication (dmasad/BDM_DecisionModel_Replication);
    with Q = 1 the mean position mu plays no part.
    """

    q: float = 1.0
    t: float = 1.0


def win_probability(distance: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``P[b, i, j]``: i's probability of prevailing over j (0.5 when no one votes in the contest)."""
    support = pairwise_support(weight, -distance)
    total = support + support.transpose(0, 2, 1)
    return np.divide(support, total, out=np.full_like(support, 0.5), where=total > 0)


def expected_utility(
    distance: np.ndarray,
    position: np.ndarray,
    salience: np.ndarray,
    weight: np.ndarray,
    prob: np.ndarray,
    risk: np.ndarray | None,
    params: BDMParameters,
) -> np.ndarray:
    """``EU[b, i, j]``: challenger i's expected utility of challenging j (step 3); ``risk=None`` is r = 1."""
    d = distance
    if risk is None:  # r = 1: U^s = 2d, U^f = -2d, U^sq = 0, without powers
        r = 1.0
        u_success, u_failure, u_status_quo = 2 * d, -2 * d, 0.0
    else:
        r = risk[:, :, None]
        u_success = 2 - 4 * (0.5 - 0.5 * d) ** r
        u_failure = 2 - 4 * (0.5 + 0.5 * d) ** r
        u_status_quo = 2 - 4 * 0.5**r
    s_target = salience[:, None, :]
    eu = u_success + s_target * (1 - prob) * (u_failure - u_success)
    eu -= params.q * u_status_quo
    if params.q < 1:
        to_mean = np.abs(position - weighted_mean(position, weight)[:, None])[:, :, None]
        u_better = 2 - 4 * (0.5 - 0.25 * (to_mean + d)) ** r
        u_worse = 2 - 4 * (0.5 + 0.25 * (to_mean + d)) ** r
        eu -= (1 - params.q) * (params.t * u_better + (1 - params.t) * u_worse)
    return eu


def risk_exponents(eu: np.ndarray, active: np.ndarray) -> np.ndarray:
    """r_i from each actor's exposure ``S_i = sum_j EU_j(i)`` over active challengers (step 4)."""
    pair = active[:, :, None] & active[:, None, :]
    n = active.shape[1]
    pair &= ~np.eye(n, dtype=bool)
    exposure = np.where(pair, eu, 0.0).sum(axis=1)
    high = np.where(active, exposure, -np.inf).max(axis=1, keepdims=True)
    low = np.where(active, exposure, np.inf).min(axis=1, keepdims=True)
    spread = high - low
    big_r = np.divide(2 * exposure - high - low, spread, out=np.zeros_like(exposure), where=spread > 0)
    big_r = np.where(active, big_r, 0.0)
    return (1 - big_r / 3) / (1 + big_r / 3)


def step(position: np.ndarray, problems: Problems, params: BDMParameters) -> np.ndarray:
    """One round: utilities, risk, recomputed utilities, offers and their resolution."""
    weight = problems.weight
    active = weight > 0
    d = distances(position)
    prob = win_probability(d, weight)
    eu0 = expected_utility(d, position, problems.salience, weight, prob, None, params)
    risk = risk_exponents(eu0, active)
    eu = expected_utility(d, position, problems.salience, weight, prob, risk, params)
    pair = active[:, :, None] & active[:, None, :]
    offers = (eu > 0) & pair & (d > _NEAR)  # one rounding step apart is the same position
    fraction = _concession(gain=eu, reply=eu.transpose(0, 2, 1))
    move = np.where(offers & (fraction > 0), fraction * d, np.inf)  # move[b, i, j]: j's move toward i
    # Each target j takes the offer that asks least of it; exact ties go to the random priority.
    smallest = move.min(axis=1, keepdims=True)
    tied = np.isfinite(move) & (move <= smallest * (1 + _NEAR))
    challenger = np.argmax(np.where(tied, problems.priority[:, :, None], -np.inf), axis=1)  # (B, N)
    rows = np.arange(position.shape[0])[:, None]
    targets = np.arange(position.shape[1])[None, :]
    chosen = np.where(np.isfinite(smallest[:, 0, :]), fraction[rows, challenger, targets], 0.0)
    toward = position[rows, challenger]
    return position + chosen * (toward - position)


def _concession(gain: np.ndarray, reply: np.ndarray) -> np.ndarray:
    """The share of the distance a target concedes: ``gain`` is EU_i(j) > 0, ``reply`` EU_j(i).

    Conflict (both positive): all of it if the challenger's EU is larger, else nothing.
    Otherwise compromise, ``|EU_j(i) / EU_i(j)|`` of it, or, when its loss is at least the
    challenger's gain, capitulation: all of it.
    """
    ratio = -reply / np.where(gain > 0, gain, 1.0)
    return np.where(reply > 0, gain > reply, np.minimum(ratio, 1.0))


def simulate(
    problems: Problems,
    max_rounds: int,
    params: BDMParameters | None = None,
    record: bool = False,
    workers: int = 1,
) -> Rounds:
    """Play BDM rounds on every problem until no offer moves anyone (or ``max_rounds``)."""
    return run_rounds(partial(step, params=params or BDMParameters()), problems, max_rounds, record, workers)


def forecast(position: np.ndarray, problems: Problems) -> np.ndarray:
    """The weighted median of the final positions: the pairwise-vote (Condorcet) winner."""
    return weighted_median(position, problems.weight)
