"""The posterior file ``multivector calibrate`` writes, its identifiability table and pair plot.

The file is TOML (docs/calibration.md): the spec, method and seed; the versions that made it;
the targets and the distance; the prior of every parameter with its source; one entry per
ABC-SMC generation; the final particles (weights summing to 1, one list per dotted parameter
path). Floats are rounded to 6 significant digits and nothing depends on the clock, so the
same inputs and seed give the same bytes. Scenarios read it through ``sim.model.posterior``.
"""

import json
import platform
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from sim import __version__
from sim.evidence.abc import AbcResult
from sim.evidence.observed import PARTNER_KEYS, ObservedTrade
from sim.evidence.observed_gdp import ObservedGDP
from sim.files import atomic_path, atomic_write_csv, atomic_write_text

DIGITS = 6


def default_output(name: str, spec_output: str = "") -> Path:
    """``scenarios/calibration/<file>`` under the current folder if it exists, else ``./<file>``."""
    file = spec_output or f"{name}.posterior.toml"
    folder = Path("scenarios") / "calibration"
    return folder / file if folder.is_dir() else Path(file)


def _float(value: float) -> str:
    """A TOML float rounded to ``DIGITS`` significant digits (always with a float form)."""
    return repr(float(f"{float(value):.{DIGITS}g}"))


def _string(text: str) -> str:
    return json.dumps(text)


def _key(key: str) -> str:
    return key if key.replace("_", "").isalnum() else _string(key)


def _floats(values: np.ndarray | list[float]) -> str:
    return "[" + ", ".join(_float(v) for v in values) + "]"


def posterior_text(result: AbcResult, observed: ObservedTrade, gdp: ObservedGDP) -> str:
    """The posterior file's text (see the module docstring)."""
    spec, years = result.spec, f"{result.spec.fit_start + 1}-{result.spec.fit_end}"
    lines = [
        f"# Posterior of `multivector calibrate {spec.name}` (sim/evidence/abc.py); do not edit by hand.",
        f"spec = {_string(spec.name)}",
        'method = "ABC-SMC"',
        f"seed = {spec.seed}",
        "",
        "[versions]",
        f"multivector = {_string(__version__)}",
        f"pyabc = {_string(result.pyabc_version)}",
        f"numpy = {_string(np.__version__)}",
        f"mesa = {_string(metadata.version('mesa'))}",
        f"python = {_string(platform.python_version())}",
        "",
        "[targets]",
        "shares = "
        + _string(
            f"mean of {spec.replicates} replicates' yearly partner shares of turnover {years} "
            f"({', '.join(PARTNER_KEYS)}), "
            f"replay of {spec.scenario} ({spec.strategy}) from the observed {spec.fit_start} shares; "
            f"data {observed.source.name} (D09)"
        ),
        "gdp_growth = "
        + _string(
            f"mean of {spec.replicates} replicates' annual real GDP growth {years}, same replay; "
            f"data {gdp.source.name} (D11)"
        ),
        "",
        "[distance]",
        "description = "
        + _string(
            "RMSE of the shares over shares scale + RMSE of GDP growth over gdp_growth scale; "
            "each scale defaults to persistence's RMSE (the start year held) over the same years"
        ),
        f"shares = {_float(result.scales['shares'])}",
        f"gdp_growth = {_float(result.scales['gdp_growth'])}",
    ]
    for key, free in spec.parameters.items():
        lines += [
            "",
            f"[prior.{_string(key)}]  # uniform",
            f"low = {_float(free.low)}",
            f"high = {_float(free.high)}",
            f"source = {_string(free.source)}",
        ]
    g = result.generations
    lines += [
        "",
        "[generations]",
        f"epsilon = {_floats([x.epsilon for x in g])}",
        f"acceptance_rate = {_floats([x.acceptance_rate for x in g])}",
        f"population = [{', '.join(str(x.population) for x in g)}]",
        f"simulations = [{', '.join(str(x.simulations) for x in g)}]",
        "",
        "[particles]",
    ]
    lines += [f"{_key(column)} = {_floats(result.particles[column])}" for column in result.particles]
    return "\n".join(lines) + "\n"


def write_posterior(result: AbcResult, observed: ObservedTrade, gdp: ObservedGDP, path: Path) -> Path:
    """Write the posterior file atomically; returns its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, posterior_text(result, observed, gdp))
    return path


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Quantile ``q`` of a weighted sample (weights at the midpoints of their cumulative mass)."""
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values, dtype=float)[order], np.asarray(weights, dtype=float)[order]
    cumulative = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cumulative, v))


def identifiability(result: AbcResult) -> pd.DataFrame:
    """Prior against posterior per parameter: mean, sd, 90% interval and its width over the prior's."""
    w = result.particles["weight"].to_numpy()
    rows = []
    for key, free in result.spec.parameters.items():
        x = result.particles[key].to_numpy()
        mean = float(np.sum(w * x))
        lo, hi = weighted_quantile(x, w, 0.05), weighted_quantile(x, w, 0.95)
        rows.append(
            {
                "parameter": key,
                "prior_low": free.low,
                "prior_high": free.high,
                "posterior_mean": mean,
                "posterior_sd": float(np.sqrt(np.sum(w * (x - mean) ** 2))),
                "p5": lo,
                "p95": hi,
                "width_ratio_90": (hi - lo) / (free.high - free.low),
            }
        )
    return pd.DataFrame(rows)


def plot_pairs(result: AbcResult, path: Path) -> Path:
    """Weighted pair plot: histograms on the diagonal, particles (size by weight) below it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    spec, particles = result.spec, result.particles
    keys, w = list(spec.parameters), particles["weight"].to_numpy()
    k = len(keys)
    fig, axes = plt.subplots(k, k, figsize=(1.9 * k + 1, 1.9 * k + 1), squeeze=False)
    for i, yk in enumerate(keys):
        for j, xk in enumerate(keys):
            ax = axes[i][j]
            xb = (spec.parameters[xk].low, spec.parameters[xk].high)
            if j > i:
                ax.set_visible(False)
                continue
            if i == j:
                ax.hist(particles[xk], bins=20, range=xb, weights=w, color="#4477aa")
                ax.set_yticks([])
            else:
                ax.scatter(particles[xk], particles[yk], s=4 + 400 * w, alpha=0.5, color="#4477aa", lw=0)
                ax.set_ylim(spec.parameters[yk].low, spec.parameters[yk].high)
            ax.set_xlim(*xb)
            ax.tick_params(labelsize=6)
            if i == k - 1:
                ax.set_xlabel(xk.rsplit(".", 1)[-1], fontsize=7)
            if j == 0 and i > 0:
                ax.set_ylabel(yk.rsplit(".", 1)[-1], fontsize=7)
    fig.suptitle(f"Posterior of {spec.name} (ABC-SMC, {len(particles)} weighted particles)")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=80, format="png", metadata={"Software": None})
    plt.close(fig)
    return path


def write_identifiability(result: AbcResult, work: Path) -> list[Path]:
    """identifiability.csv and posterior_pairs.png in the work folder."""
    table = work / "identifiability.csv"
    atomic_write_csv(table, [identifiability(result)])
    return [table, plot_pairs(result, work / "posterior_pairs.png")]
