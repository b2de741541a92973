"""Probabilistic scores of a hindcast ensemble: CRPS, the PIT and its histogram.

Why: RMSE and skill judge only the replicate mean, and coverage only one band. The continuous
ranked probability score (CRPS, via the maintained ``scoringrules`` package) judges the whole
ensemble in the units of the forecast; for a point forecast such as persistence it is the
absolute error, so the two compare directly (lower is better). The probability integral
transform (PIT) places each observation in its ensemble: a calibrated ensemble gives a flat
histogram, a too-narrow one a U, a biased one a slope.
"""

from pathlib import Path

import numpy as np

from sim.files import atomic_path


def crps(observed: np.ndarray, ensemble: np.ndarray) -> np.ndarray:
    """CRPS of each observation against its ensemble (members on the last axis).

    The empirical distribution's CRPS, E|X - y| - E|X - X'| / 2 (``scoringrules``, estimator
    ``nrg``); a one-member ensemble gives the absolute error.
    """
    import scoringrules

    ens = np.asarray(ensemble, dtype=float)
    obs = np.asarray(observed, dtype=float)
    if ens.shape[:-1] != obs.shape:
        raise ValueError(f"ensemble shape {ens.shape} does not match observations {obs.shape}")
    return np.asarray(scoringrules.crps_ensemble(obs, ens, estimator="nrg"), dtype=float)


def pit(observed: np.ndarray, ensemble: np.ndarray) -> np.ndarray:
    """Normalised rank of each observation in its ensemble, in [0, 1].

    (members below + half the members equal + 1/2) / (members + 1): the mid rank among the
    members + 1 values, so an observation below every member gives 1 / (2 (n + 1)) and one
    above every member 1 - 1 / (2 (n + 1)).
    """
    ens = np.asarray(ensemble, dtype=float)
    obs = np.asarray(observed, dtype=float)[..., None]
    below = (ens < obs).sum(axis=-1)
    ties = (ens == obs).sum(axis=-1)
    return (below + 0.5 * ties + 0.5) / (ens.shape[-1] + 1)


def plot_pit(values: dict[str, np.ndarray], path: Path, bins: int = 10) -> Path:
    """PIT histograms (density; 1 is flat), one panel per named group (e.g. shares, GDP growth)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(values), figsize=(4.5 * len(values), 3.4), squeeze=False)
    for ax, (name, v) in zip(axes[0], values.items(), strict=True):
        ax.hist(v, bins=bins, range=(0, 1), density=True, color="#4477aa", edgecolor="white")
        ax.axhline(1.0, color="black", lw=0.8, ls="--")
        ax.set_xlim(0, 1)
        ax.set_title(f"PIT, {name} (n = {len(v)})", fontsize=10)
        ax.set_xlabel("rank of the observation in the ensemble")
    axes[0][0].set_ylabel("density (flat = calibrated)")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=90, format="png")
    plt.close(fig)
    return path
