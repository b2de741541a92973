"""Rounds until nothing moves: the loop both bargaining models share, over a batch of problems.

A problem is one issue in one replicate: positions (normalised to 0..1 on the issue's scale),
saliences, capabilities and a random priority of actors that breaks exact ties. Problems of
different sizes share a batch by padding with weightless actors, who take part in nothing.
A problem stops when a round moves no position by more than ``TOLERANCE`` (it is then
``converged``) or after ``max_rounds``; finished problems leave the batch, so a few slow issues
do not keep the rest computing. Each problem's path depends on nothing but its own inputs, so
results do not depend on how the batch is cut or how many worker processes run it.
"""

import itertools
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

TOLERANCE = 1e-2  # of the scale's width (one point on 0..100): a smaller move is no move
CHUNK = 16  # problems computed together (memory ~ CHUNK x actors^3 x 8 bytes: stays in cache)
PARALLEL_FROM = 2000  # fewer problems than this run in this process: starting workers costs more


@dataclass(frozen=True)
class Problems:
    """A batch of bargaining problems, arrays ``(B, N)``."""

    position: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    priority: np.ndarray

    @property
    def weight(self) -> np.ndarray:
        """Capability x salience: an actor's say in votes."""
        return self.capability * self.salience

    def take(self, index: np.ndarray | slice) -> "Problems":
        """The problems at ``index``."""
        return Problems(
            self.position[index], self.salience[index], self.capability[index], self.priority[index]
        )


@dataclass(frozen=True)
class Rounds:
    """Final positions, rounds played, whether each problem settled and (optionally) every round."""

    position: np.ndarray
    rounds: np.ndarray
    converged: np.ndarray
    path: np.ndarray | None  # (max_rounds + 1, B, N); a settled problem repeats its final positions


Step = Callable[[np.ndarray, Problems], np.ndarray]


def _run_block(step: Step, problems: Problems, max_rounds: int, record: bool) -> Rounds:
    """Rounds over a block; each round steps the problems still live, ``CHUNK`` at a time.

    Regrouping the live problems every round keeps chunks full to the end, so the few problems
    that need many rounds do not run in nearly empty chunks.
    """
    x = problems.position.copy()
    batch = len(x)
    rounds = np.zeros(batch, dtype=np.int64)
    converged = np.zeros(batch, dtype=bool)
    path = np.empty((max_rounds + 1, *x.shape)) if record else None
    if path is not None:
        path[0] = x
    live = np.arange(batch)
    for r in range(1, max_rounds + 1):
        if live.size == 0:
            if path is not None:
                path[r:] = x
            break
        still = []
        for start in range(0, live.size, CHUNK):
            index = live[start : start + CHUNK]
            new = step(x[index], problems.take(index))
            moved = np.abs(new - x[index]).max(axis=1) > TOLERANCE
            x[index] = new
            rounds[index[moved]] = r
            converged[index[~moved]] = True
            still.append(index[moved])
        live = np.concatenate(still)
        if path is not None:
            path[r] = x
    return Rounds(x, rounds, converged, path)


def run_rounds(
    step: Step, problems: Problems, max_rounds: int, record: bool = False, workers: int = 1
) -> Rounds:
    """Play ``step`` on every problem until it settles or ``max_rounds`` pass.

    With ``workers`` > 1 and a large batch, contiguous blocks go to worker processes (numpy's
    many small operations hold the GIL, so threads would not run them side by side).
    """
    total = len(problems.position)
    if workers <= 1 or total < PARALLEL_FROM:
        return _run_block(step, problems, max_rounds, record)
    edges = np.linspace(0, total, workers + 1).astype(int)
    blocks = [problems.take(slice(a, b)) for a, b in itertools.pairwise(edges)]
    context = multiprocessing.get_context("spawn")  # workers are our children: their CPU time is ours
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(_run_block, step, block, max_rounds, record) for block in blocks]
        parts = [future.result() for future in futures]
    return Rounds(
        np.concatenate([p.position for p in parts]),
        np.concatenate([p.rounds for p in parts]),
        np.concatenate([p.converged for p in parts]),
        np.concatenate([p.path for p in parts], axis=1) if record else None,
    )
