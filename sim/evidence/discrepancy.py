"""Model discrepancy in the hindcast: the predictive ensemble is the simulator plus its discrepancy.

Why: every particle of the posterior shares the same structural bias and the replicate noise is
small, so the simulator's own 90% bands cover a third of observed shares or less (PIT histograms
shaped like a U). Following Kennedy & O'Hagan (2001) the observations are modelled as
``observed = simulator(theta) + discrepancy (+ noise)``; bands that include the discrepancy say
what the model can forecast (docs/calibration.md, "Model discrepancy").

The posterior file's ``[discrepancy]`` table (``sim.model.posterior.Discrepancy``) gives its
form and scale. Each replicate's simulated path gets its own discrepancy path:

- **shares**: ``log p_k(h) = log s_k(h) + delta_k(h)``, ``delta_k(0) = 0`` in the start year and
  ``delta_k(h) = delta_k(h - 1) + sigma_k * z``, z standard normal, for each later year; the
  shares are then re-normalised to the simplex (to the simulated total, so that sigma = 0 gives
  the simulated shares bit for bit);
- **real GDP growth**: ``g + sigma_g * z`` for each year, iid.

The normals of replicate ``i`` come from ``SeedSequence([seed, scenario key],
spawn_key=(DISCREPANCY_STREAM, i))``: the run seed and the replicate, never the strategy or the
chunking, so the same inputs and seed give the same bytes.
"""

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sim.errors import UserError
from sim.evidence.observed import PARTNER_KEYS
from sim.model.posterior import Discrepancy, load_posterior

DISCREPANCY_STREAM = 0x44495343  # "DISC": keeps discrepancy draws apart from every other stream


def discrepancy_of(path: Path | None) -> Discrepancy | None:
    """The ``[discrepancy]`` table of a posterior file (None without a file or a table).

    Its partners must be the hindcast's; otherwise a UserError names the file and the field.
    """
    if path is None:
        return None
    table = load_posterior(path).discrepancy
    if table is not None and set(table.share_sigma) != set(PARTNER_KEYS):
        raise UserError(
            f"{path}: discrepancy.share_sigma: partners {sorted(table.share_sigma)}; "
            f"expected {list(PARTNER_KEYS)}"
        )
    return table


def replicate_normals(
    entropy: Sequence[int], replicates: Sequence[int], shares: tuple[int, int], growth: int
) -> tuple[np.ndarray, np.ndarray]:
    """Standard normals of each replicate: (R, years, partners) for shares, (R, years) for growth.

    Replicate ``i`` draws its share normals, then its growth normals, from its own generator
    (module docstring), so its draws do not depend on the other replicates.
    """
    share_z = np.empty((len(replicates), *shares))
    growth_z = np.empty((len(replicates), growth))
    for row, i in enumerate(replicates):
        seq = np.random.SeedSequence(list(entropy), spawn_key=(DISCREPANCY_STREAM, int(i)))
        rng = np.random.default_rng(seq)
        share_z[row] = rng.standard_normal(shares)
        growth_z[row] = rng.standard_normal(growth)
    return share_z, growth_z


def predictive_shares(shares: np.ndarray, sigma: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """Simulated yearly shares (R, years, K) plus a log-share random walk, on the simplex.

    ``shares[:, 0]`` is the start year (no discrepancy); ``normals`` (R, years - 1, K) drive
    the increments of the later years, scaled by ``sigma`` (K,).
    """
    steps = normals * np.asarray(sigma, dtype=float)
    delta = np.concatenate([np.zeros_like(shares[:, :1]), np.cumsum(steps, axis=1)], axis=1)
    raised = shares * np.exp(delta)
    total = shares.sum(axis=-1, keepdims=True)
    return raised * (total / raised.sum(axis=-1, keepdims=True))


def predictive_growth(growth: np.ndarray, sigma: float, normals: np.ndarray) -> np.ndarray:
    """Simulated annual growth (R, years) plus iid N(0, sigma^2) per year."""
    return growth + sigma * normals


def predictive(
    table: Discrepancy | None,
    shares: np.ndarray,
    growth: np.ndarray,
    entropy: Sequence[int],
) -> tuple[np.ndarray, np.ndarray]:
    """The predictive ensembles of shares (R, years, K) and growth (R, growth years).

    Without a table both are the simulated ones; without a GDP term growth is.
    """
    if table is None:
        return shares, growth
    n, years, partners = shares.shape
    share_z, growth_z = replicate_normals(entropy, range(n), (years - 1, partners), growth.shape[1])
    sigma = np.array([table.share_sigma[key] for key in PARTNER_KEYS])
    out_shares = predictive_shares(shares, sigma, share_z)
    if table.gdp_growth_sigma is None:
        return out_shares, growth
    return out_shares, predictive_growth(growth, table.gdp_growth_sigma, growth_z)


def discrepancy_note(source: Path | None, table: Discrepancy | None) -> str:
    """One line: which model discrepancy the predictive ensemble holds, if any."""
    if source is None:
        return "no model discrepancy (no posterior): the predictive ensemble is the simulated one"
    if table is None:
        return f"no model discrepancy ({source.name} has no [discrepancy] table): predictive = simulated"
    sigma = table.share_sigma.values()
    gdp = "" if table.gdp_growth_sigma is None else f", GDP growth sd {table.gdp_growth_sigma:.4f}"
    return (
        f"model discrepancy from {source.name} ({table.fit_start}-{table.fit_end}): log-share random "
        f"walk, yearly sd {min(sigma):.3f}-{max(sigma):.3f}{gdp}"
    )
