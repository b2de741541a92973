"""A one-dimensional version of KTAB's Spatial Model of Politics (KAPSARC; MIT licence, read not copied).

From KTAB (``examples/smp/libsrc/smp.cpp``, ``kmodel/libsrc/kmodel.cpp``), on positions normalised
to 0..1:

* utility of actor k for an outcome y: ``u_k(y) = (1 - d)(1 + R_k d)``, d = |x_k - y| (with one
  dimension the salience-weighted distance is the plain distance; salience enters the weight);
  ``R_k`` is the risk attitude, 0 (neutral) here;
* proportional votes ``v_k(i:j) = w_k (u_k(x_i) - u_k(x_j))`` with ``w_k = c_k s_k``;
  coalition strength ``c_ij = sum_k max(0, v_k(i:j))``;
* pairwise victory ``P(i > j) = c_ij^n / (c_ij^n + c_ji^n)`` (n = ``VICTORY_POWER``);
* Condorcet probabilities over positions: the stationary distribution of the Markov chain that
  moves from position i to j with probability ``P(j > i) / (M - 1)`` (M active actors).

The bargaining step is ours, simpler than KTAB's: each actor proposes to the target it gains
most from converting and expects to beat (``w_i w_j P(i > j) (1 - u_i(x_j))`` with
``P(i > j) > 1/2``); each target accepts the proposal from the challenger most likely to beat it
(ties: the problem's random priority) and moves ``P(i > j)`` of the way to the challenger.
The forecast is the expected position under the Condorcet probabilities of the final positions.
"""

from dataclasses import dataclass
from functools import partial

import numpy as np

from sim.bargaining.engine import Problems, Rounds, run_rounds
from sim.bargaining.votes import distances, pairwise_support

VICTORY_POWER = 2  # KTAB offers 1, 2, 4, 8 (assumption: the middle of its "proportional" options)
_NEAR = 1e-12  # positions this close (one rounding step apart) count as the same
_TELEPORT = 1e-9  # keeps the Condorcet chain irreducible, so its stationary distribution is unique


@dataclass(frozen=True)
class KTABParameters:
    """Risk attitude R of every actor (-1..1; 0 = risk-neutral) and the victory exponent n."""

    risk: float = 0.0
    power: int = VICTORY_POWER


def victory(
    position: np.ndarray, weight: np.ndarray, params: KTABParameters
) -> tuple[np.ndarray, np.ndarray]:
    """``P[b, i, j]`` = P(i > j) and ``U[b, k, i]`` = u_k(x_i)."""
    d = distances(position)
    utility = (1 - d) * (1 + params.risk * d)
    strength = pairwise_support(weight, utility) ** params.power
    total = strength + strength.transpose(0, 2, 1)
    return np.divide(strength, total, out=np.full_like(strength, 0.5), where=total > 0), utility


def condorcet(position: np.ndarray, weight: np.ndarray, params: KTABParameters | None = None) -> np.ndarray:
    """Probability of each actor's position being the outcome, ``(B, N)``; weightless actors get 0."""
    params = params or KTABParameters()
    prob, _ = victory(position, weight, params)
    active = weight > 0
    n = position.shape[1]
    m = active.sum(axis=1)[:, None, None]
    move = np.where(active[:, None, :] & active[:, :, None], prob.transpose(0, 2, 1), 0.0) / np.maximum(
        m - 1, 1
    )
    move[:, np.arange(n), np.arange(n)] = 0.0
    # A weightless state hands everything on at once; nothing flows into it.
    move = np.where(active[:, :, None], move, active[:, None, :] / m)
    move = (1 - _TELEPORT) * move + _TELEPORT * active[:, None, :] / m
    stay = 1 - move.sum(axis=2)
    transition = move + stay[:, :, None] * np.eye(n)
    # Stationary pi: pi (I - T) = 0, sum pi = 1  <=>  (I - T + 1)^T pi = 1.
    system = (np.eye(n) - transition + 1.0).transpose(0, 2, 1)
    pi = np.linalg.solve(system, np.ones((len(position), n, 1)))[:, :, 0]
    pi = np.where(active, np.clip(pi, 0.0, None), 0.0)
    return pi / pi.sum(axis=1, keepdims=True)


def step(position: np.ndarray, problems: Problems, params: KTABParameters) -> np.ndarray:
    """One round of proposals and accepted moves."""
    weight = problems.weight
    active = weight > 0
    prob, utility = victory(position, weight, params)
    gain = 1 - utility.transpose(0, 2, 1)  # gain[b, i, j] = 1 - u_i(x_j)
    pair = active[:, :, None] & active[:, None, :] & (distances(position) > _NEAR) & (prob > 0.5)
    value = np.where(pair, weight[:, :, None] * weight[:, None, :] * prob * gain, -np.inf)
    best = value.max(axis=2, keepdims=True)
    tied = np.isfinite(value) & (value >= best - _NEAR * np.abs(best))
    target = np.argmax(np.where(tied, problems.priority[:, None, :], -np.inf), axis=2)  # (B, N)
    proposes = np.isfinite(best[:, :, 0])
    batch, n = position.shape
    proposal = np.zeros((batch, n, n), dtype=bool)  # proposal[b, i, j]
    proposal[np.arange(batch)[:, None], np.arange(n)[None, :], target] = proposes
    score = np.where(proposal, prob, -np.inf)
    strongest = score.max(axis=1, keepdims=True)
    tied = proposal & (score >= strongest - _NEAR)
    challenger = np.argmax(np.where(tied, problems.priority[:, :, None], -np.inf), axis=1)  # (B, N)
    rows = np.arange(batch)[:, None]
    targets = np.arange(n)[None, :]
    share = np.where(proposal.any(axis=1), prob[rows, challenger, targets], 0.0)
    return position + share * (position[rows, challenger] - position)


def simulate(
    problems: Problems,
    max_rounds: int,
    params: KTABParameters | None = None,
    record: bool = False,
    workers: int = 1,
) -> Rounds:
    """Play KTAB-style rounds until no position moves (or ``max_rounds``)."""
    return run_rounds(partial(step, params=params or KTABParameters()), problems, max_rounds, record, workers)


def forecast(position: np.ndarray, problems: Problems, params: KTABParameters | None = None) -> np.ndarray:
    """Expected outcome: positions weighted by their Condorcet probabilities."""
    return (condorcet(position, problems.weight, params) * position).sum(axis=1)
