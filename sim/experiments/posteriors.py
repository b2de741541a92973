"""Runs over calibration posteriors: each replicate's parameter draw, and the files' digests.

A scenario that names a posterior (``sim.model.posterior``) gives every replicate its own
parameter set. The draw is keyed like the chunks' seeds (``sim.experiments.seeding``): by the
root seed, the scenario and the replicate number, never by the strategy, so strategies are
compared on the same draws.
"""

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from sim.experiments.seeding import stable_key
from sim.model.posterior import Posterior, draw_parameters, posterior_digest, read_posterior
from sim.model.scenario import Scenario, posterior_file


def replicate_draws(
    scenario: Scenario, root_seed: int, replicates: Sequence[int], skip: Iterable[str] = ()
) -> dict[str, np.ndarray]:
    """Each replicate's parameters drawn from the scenario's posterior ({} without one).

    The draws depend on the root seed, the scenario and the replicate number, not on the
    strategy, the design point or the chunking. Paths in ``skip`` (set by the user or a sweep
    for the run) keep their set value.
    """
    path = posterior_file(scenario)
    if path is None:
        return {}
    posterior = _posterior(path, path.stat().st_mtime_ns)
    return draw_parameters(posterior, [root_seed, stable_key(scenario.name)], replicates, skip=tuple(skip))


@lru_cache(maxsize=8)
def _posterior(path: Path, mtime_ns: int) -> Posterior:
    """A posterior file read once per process (keyed by its modification time too)."""
    return read_posterior(path)


def posterior_digests(scenarios: Iterable[Scenario]) -> dict[str, str]:
    """SHA-256 of each posterior file the scenarios name, by its reference, for manifests."""
    out = {}
    for scenario in scenarios:
        path = posterior_file(scenario)
        if path is not None:
            out[scenario.posterior] = posterior_digest(path)
    return out
