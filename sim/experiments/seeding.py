"""Seeds and replicate chunks: the two things that make results independent of how work is split.

A run of R replicates is cut into fixed chunks of ``CHUNK_SIZE`` (one model instance each, its
replicates in lockstep). Each chunk's seed comes from ``numpy.random.SeedSequence`` keyed by
(root seed, scenario, design point, chunk) -- never by the order runs finish, nor by the number
of workers. The strategy is deliberately not in the key: every strategy meets the same random
worlds (common random numbers), so differences between strategies are paired comparisons.
"""

import numpy as np

from sim.model.posterior import name_key

CHUNK_SIZE = 100


stable_key = name_key
"""A 32-bit integer from a name, the same on every machine and Python run (the posterior's key too)."""


def derive_seed(root_seed: int, scenario: str, design_point: int, chunk: int) -> int:
    """The seed of one model instance."""
    seq = np.random.SeedSequence(root_seed, spawn_key=(stable_key(scenario), design_point, chunk))
    return int(seq.generate_state(1, dtype=np.uint64)[0])


def replicate_chunks(replicates: int, chunk_size: int = CHUNK_SIZE) -> list[tuple[int, int]]:
    """(chunk index, replicates in it) for ``replicates`` split into fixed-size chunks."""
    return [
        (chunk, min(chunk_size, replicates - start))
        for chunk, start in enumerate(range(0, replicates, chunk_size))
    ]


def replicate_numbers(chunk: int, replicates: int, chunk_size: int = CHUNK_SIZE) -> np.ndarray:
    """The run-wide numbers of a chunk's replicates: what ids and posterior draws are keyed by."""
    return chunk * chunk_size + np.arange(replicates)
