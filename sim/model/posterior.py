"""A calibration posterior: weighted parameter sets, and each replicate's draw from them.

``multivector calibrate`` writes the posterior of an ABC-SMC calibration as a TOML file
(``scenarios/calibration/posterior.toml``, format in docs/calibration.md): the particles of the
last generation with their weights, the prior, the targets, the seed and the versions. A
scenario that names it (``posterior = "calibration/posterior"``) runs over it: each replicate
draws one particle. The draw depends on the run's seed, the scenario and the replicate number,
never on the strategy, so strategies still meet the same worlds (common random numbers).

An optional ``[discrepancy]`` table holds the model discrepancy estimated in sample
(``sim.evidence.discrepancy_estimate``): what the simulator cannot reproduce, added to the
hindcast's predictive ensemble (``sim.evidence.discrepancy``). Files without it still read.
"""

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, ValidationError, model_validator

from sim.errors import UserError, describe_validation
from sim.files import read_toml
from sim.model.draws import PER_REPLICATE
from sim.model.params import Strict
from sim.model.scenario import Scenario, posterior_file

POSTERIOR_STREAM = 0x504F5354  # "POST": keeps posterior draws apart from the chunks' seeds


class PriorRange(Strict):
    """A uniform prior over [low, high], with where the range comes from."""

    low: float
    high: float
    source: str = Field(description="fact id, data row or 'assumption' with its reasoning")


Sigma = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]


class Discrepancy(Strict):
    """Model discrepancy: observed = simulator + discrepancy (docs/calibration.md).

    Shares: a random walk in log share per partner from the start year, with yearly increments
    N(0, sigma_k^2); the shares are re-normalised to the simplex. GDP growth: iid N(0, sigma^2)
    on each year's growth. Estimated on the replay of ``fit_start``-``fit_end`` over the posterior.
    """

    form: Literal["log_share_random_walk"] = Field(description="form of the share discrepancy")
    description: str = Field("", description="how it was estimated")
    fit_start: int = Field(description="observed year the estimate's replay starts from")
    fit_end: int = Field(description="last observed year the estimate uses")
    replicates: int = Field(ge=1, description="replicates of the estimate's replay")
    seed: int = Field(ge=0, description="root seed of the estimate's replay")
    share_scale: Sigma = Field(description="pooled scale tau: sigma_k = tau / sqrt(mean share of k)")
    share_sigma: dict[str, Sigma] = Field(description="partner -> sd of the yearly log-share increment")
    share_sigma_unpooled: dict[str, Sigma] = Field(
        default_factory=dict, description="partner -> the partner's own estimate, for comparison"
    )
    gdp_growth_form: Literal["iid_normal"] = Field("iid_normal", description="form of the GDP term")
    gdp_growth_sigma: Sigma | None = Field(None, description="sd of annual real GDP growth's term")

    @model_validator(mode="after")
    def _window(self) -> "Discrepancy":
        if self.fit_end <= self.fit_start:
            raise ValueError(f"fit_end: expected a year after fit_start ({self.fit_start})")
        if not self.share_sigma:
            raise ValueError("share_sigma: expected one sigma per partner")
        return self


class Posterior(Strict):
    """The weighted particles of a calibration, with what produced them."""

    spec: str = Field(description="calibration spec name")
    method: str = Field(description="inference method, e.g. ABC-SMC")
    seed: int = Field(ge=0, description="the calibration's root seed")
    versions: dict[str, str] = Field(default_factory=dict, description="package versions used")
    targets: dict[str, str] = Field(default_factory=dict, description="target name -> data and years")
    distance: dict[str, float | str] = Field(default_factory=dict, description="distance and its scales")
    prior: dict[str, PriorRange]
    generations: dict[str, list[float]] = Field(default_factory=dict, description="per-generation record")
    particles: dict[str, list[float]] = Field(description="weight and one list per parameter path")
    discrepancy: Discrepancy | None = Field(None, description="model discrepancy, if estimated")

    @model_validator(mode="after")
    def _consistent(self) -> "Posterior":
        if "weight" not in self.particles:
            raise ValueError("particles.weight: missing")
        params = set(self.particles) - {"weight"}
        if params != set(self.prior):
            differ = []
            if extra := sorted(params - set(self.prior)):
                differ.append(f"{', '.join(extra)} not in the prior")
            if missing := sorted(set(self.prior) - params):
                differ.append(f"no particles for {', '.join(missing)}")
            raise ValueError(f"particles: {'; '.join(differ)}")
        sizes = {len(v) for v in self.particles.values()}
        if len(sizes) != 1 or 0 in sizes:
            raise ValueError("particles: every list must have the same, non-zero length")
        weights = np.array(self.particles["weight"])
        if (weights < 0).any() or weights.sum() <= 0:
            raise ValueError("particles.weight: weights must be >= 0 with a positive sum")
        for path in sorted(params):
            if path not in PER_REPLICATE:
                known = ", ".join(PER_REPLICATE)
                raise ValueError(f"prior.{path}: cannot vary per replicate; parameters that can: {known}")
            low, high = self.prior[path].low, self.prior[path].high
            values = np.array(self.particles[path])
            if (values < low).any() or (values > high).any():
                raise ValueError(f"particles.{path}: values outside the prior [{low:g}, {high:g}]")
        return self

    @property
    def parameters(self) -> list[str]:
        """The calibrated parameter paths, in file order."""
        return [p for p in self.particles if p != "weight"]

    @property
    def weights(self) -> np.ndarray:
        """Particle weights normalised to sum to 1."""
        weights = np.array(self.particles["weight"], dtype=float)
        return weights / weights.sum()


def read_posterior(path: Path) -> Posterior:
    """Load and validate a posterior file; UserError names the file and the field."""
    try:
        return Posterior.model_validate(read_toml(path))
    except ValidationError as err:
        raise UserError(f"{path}: {describe_validation(err, model=Posterior)}") from None


def load_posterior(path: Path) -> Posterior:
    """``read_posterior``, once per process and file version (runs build many models)."""
    return _cached(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _cached(path: Path, mtime_ns: int) -> Posterior:
    return read_posterior(path)


def posterior_digests(scenarios: Iterable[Scenario]) -> dict[str, str]:
    """SHA-256 of each posterior file the scenarios name, by the name they give it, for manifests."""
    out = {}
    for scenario in scenarios:
        path = posterior_file(scenario)
        if path is not None:
            out[scenario.posterior] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def name_key(text: str) -> int:
    """A 32-bit integer from a name, the same on every machine and Python run."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def scenario_draws(
    scenario: Scenario, root_seed: int, replicates: Sequence[int], skip: Mapping | Iterable[str] = ()
) -> dict[str, np.ndarray]:
    """Each replicate's parameters drawn from the posterior the scenario names ({} without one).

    The draws depend on the root seed, the scenario's name and the replicate number, never on
    the strategy, the design point or how replicates are split into chunks. Paths in ``skip``
    (set by the user or a sweep for the run) keep their set value.
    """
    path = posterior_file(scenario)
    if path is None:
        return {}
    entropy = [root_seed, name_key(scenario.name)]
    return draw_parameters(load_posterior(path), entropy, replicates, skip=tuple(skip))


def draw_parameters(
    posterior: Posterior, entropy: Sequence[int], replicates: Sequence[int], skip: Sequence[str] = ()
) -> dict[str, np.ndarray]:
    """Each replicate's parameter set: one particle drawn by weight, by dotted path.

    ``entropy`` identifies the run (root seed, scenario key); replicate ``i`` draws from
    ``SeedSequence(entropy, spawn_key=(POSTERIOR_STREAM, i))``, so the draw of a replicate does
    not depend on how replicates are split into chunks. Paths in ``skip`` (set by the user for
    the run) are not drawn.
    """
    cumulative = np.cumsum(posterior.weights)
    uniforms = np.array(
        [
            np.random.default_rng(
                np.random.SeedSequence(list(entropy), spawn_key=(POSTERIOR_STREAM, int(i)))
            ).random()
            for i in replicates
        ]
    )
    chosen = np.minimum(
        np.searchsorted(cumulative, uniforms * cumulative[-1], side="right"), len(cumulative) - 1
    )
    return {
        path: np.array(posterior.particles[path], dtype=float)[chosen]
        for path in posterior.parameters
        if path not in skip
    }
