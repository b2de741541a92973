"""Pairwise support: how much weighted backing one position has over another, for a batch of issues.

Both bargaining models count votes the same way on one dimension: actor k backs candidate i over
j by its weight times its utility difference, and a coalition's strength is the sum of the
positive backings (Scholz et al. 2011, eq. 1; KTAB's proportional vote and coalition strength).
Arrays carry a leading batch axis (issues x replicates); padded or inactive actors carry weight 0.
"""

from functools import cache

import numpy as np


def pairwise_support(weight: np.ndarray, utility: np.ndarray) -> np.ndarray:
    """``S[b, i, j] = sum_k weight[b, k] * max(0, utility[b, k, i] - utility[b, k, j])``.

    ``weight`` is ``(B, K)``, ``utility[b, k, i]`` voter k's utility for candidate i, ``(B, K, N)``.
    ``S[b, i, j] + S[b, j, i]`` is the total weight of votes cast in the i-j contest. Only pairs
    i < j are summed voter by voter; since ``max(0, a) - max(0, -a) = a``, the other half follows
    from ``S_ji = S_ij - sum_k w_k (u_ki - u_kj)``, which costs one product per pair.
    """
    batch, voters, n = utility.shape
    upper, lower = _pairs(n)
    by_candidate = np.ascontiguousarray(utility.transpose(2, 0, 1))  # (N, B, K): fast row gathers
    diff, scratch = _buffers(len(upper), batch, voters)  # reused: fresh megabyte arrays cost page faults
    np.take(by_candidate, upper, axis=0, out=diff)
    np.take(by_candidate, lower, axis=0, out=scratch)
    np.subtract(diff, scratch, out=diff)  # (pairs, B, K)
    np.maximum(diff, 0.0, out=diff)
    above = np.matmul(diff.transpose(1, 0, 2), weight[:, :, None])[:, :, 0]  # S_ij, i < j: (B, pairs)
    total = np.matmul(weight[:, None, :], utility)[:, 0, :]  # sum_k w_k u_ki
    support = np.zeros((batch, n, n))
    support[:, upper, lower] = above
    support[:, lower, upper] = above - (total[:, upper] - total[:, lower])
    return np.maximum(support, 0.0)


@cache
def _buffers(pairs: int, batch: int, voters: int) -> tuple[np.ndarray, np.ndarray]:
    """Two work arrays per shape, kept for the life of the process (each process has its own)."""
    return np.empty((pairs, batch, voters)), np.empty((pairs, batch, voters))


@cache
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n, 1)


def distances(position: np.ndarray) -> np.ndarray:
    """``D[b, i, j] = |x_i - x_j|`` for positions ``(B, N)``."""
    return np.abs(position[:, :, None] - position[:, None, :])
