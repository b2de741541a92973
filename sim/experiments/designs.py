"""Experimental designs: pure samplers from a parameter space to a table of design points.

Every sampler has one contract, ``sampler(space, n, *, rng) -> DataFrame`` (one row per design
point, one column per parameter path, in the space's order), and is listed in ``SAMPLERS``.
Space-filling designs come from ``scipy.stats.qmc`` (Latin hypercube, scrambled Sobol'
sequence); sensitivity designs from SALib, in the exact row order its analysers expect:
``sobol`` is ``SALib.sample.sobol.sample(problem, N, calc_second_order=False)`` (Saltelli
2010; N blocks of D + 2 rows) and ``morris`` is ``SALib.sample.morris.sample(problem, N,
num_levels)`` (Morris 1991; N trajectories of D + 1 rows). ``grid`` is the full factorial of
each parameter's values (the first parameter varies slowest) and ``list`` takes the points of
a CSV file as they are.

Real values are rounded to ``sim.files.FLOAT_DECIMALS`` decimal places, the precision of
the result files, so a point read back from ``design.csv`` reproduces the run exactly.
"""

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.files import FLOAT_DECIMALS
from sim.model.catalogue import Kind


@dataclass(frozen=True)
class SweptParameter:
    """One varied parameter: a range ``[low, high]``, or a list of values."""

    path: str
    kind: Kind
    low: float | None = None
    high: float | None = None
    values: tuple = ()
    levels: int | None = None  # grid over a range: this many evenly spaced values

    def grid_values(self) -> tuple:
        """The values a grid takes: the listed ones, or ``levels`` points spanning the range."""
        if self.values:
            return self.values
        points = np.linspace(self.low, self.high, self.levels or 2)
        return tuple(_cast(self, points))


@dataclass(frozen=True)
class DesignSpace:
    """The varied parameters, in spec order, and options some designs need."""

    parameters: tuple[SweptParameter, ...]
    morris_levels: int = 4
    points: pd.DataFrame | None = field(default=None, compare=False)  # the ``list`` design

    @property
    def paths(self) -> list[str]:
        """Parameter paths in order (the design's columns)."""
        return [p.path for p in self.parameters]

    def salib_problem(self) -> dict:
        """The SALib problem dict (names and bounds in order)."""
        return {
            "num_vars": len(self.parameters),
            "names": self.paths,
            "bounds": [[p.low, p.high] for p in self.parameters],
        }


Sampler = Callable[..., pd.DataFrame]


def _cast(param: SweptParameter, x: np.ndarray) -> np.ndarray:
    """Values of the parameter's kind: integers rounded, reals to file precision."""
    if param.kind == "integer":
        return np.clip(np.rint(x), param.low, param.high).astype(np.int64)
    return np.round(np.asarray(x, dtype=float), FLOAT_DECIMALS)


def from_unit(space: DesignSpace, unit: np.ndarray) -> pd.DataFrame:
    """Map points of the unit hypercube to parameter values (stratum by stratum)."""
    columns = {}
    for j, p in enumerate(space.parameters):
        u = unit[:, j]
        if p.values:  # categorical: equal-width strata, one per value
            idx = np.minimum((u * len(p.values)).astype(int), len(p.values) - 1)
            columns[p.path] = pd.Series([p.values[i] for i in idx])
        elif p.kind == "integer":  # every integer in [low, high] gets an equal stratum
            span = p.high - p.low + 1
            columns[p.path] = pd.Series(np.minimum(p.low + np.floor(u * span), p.high).astype(np.int64))
        else:
            columns[p.path] = pd.Series(_cast(p, p.low + u * (p.high - p.low)))
    return pd.DataFrame(columns)


def lhs(space: DesignSpace, n: int, *, rng: np.random.Generator) -> pd.DataFrame:
    """Latin hypercube of ``n`` points (scipy.stats.qmc.LatinHypercube)."""
    unit = qmc.LatinHypercube(d=len(space.parameters), rng=rng).random(n)
    return from_unit(space, unit)


def qmc_sobol(space: DesignSpace, n: int, *, rng: np.random.Generator) -> pd.DataFrame:
    """Scrambled Sobol' sequence of ``n`` points, n a power of 2 (scipy.stats.qmc.Sobol)."""
    unit = qmc.Sobol(d=len(space.parameters), scramble=True, rng=rng).random_base2(int(np.log2(n)))
    return from_unit(space, unit)


def saltelli(space: DesignSpace, n: int, *, rng: np.random.Generator) -> pd.DataFrame:
    """Saltelli's design for first and total Sobol indices: n * (D + 2) points."""
    from SALib.sample import sobol

    x = sobol.sample(space.salib_problem(), n, calc_second_order=False, seed=rng)
    return _salib_frame(space, x)


def morris(space: DesignSpace, n: int, *, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` Morris trajectories on ``space.morris_levels`` levels: n * (D + 1) points."""
    from SALib.sample import morris as morris_sampler

    x = morris_sampler.sample(space.salib_problem(), n, num_levels=space.morris_levels, seed=rng)
    return _salib_frame(space, x)


def _salib_frame(space: DesignSpace, x: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({p.path: _cast(p, x[:, j]) for j, p in enumerate(space.parameters)})


def grid(space: DesignSpace, n: int, *, rng: np.random.Generator) -> pd.DataFrame:
    """Full factorial of every parameter's values; ``n`` and ``rng`` are not used."""
    axes = [p.grid_values() for p in space.parameters]
    rows = list(itertools.product(*axes))
    return pd.DataFrame(rows, columns=space.paths).astype(_dtypes(space))


def listed(space: DesignSpace, n: int, *, rng: np.random.Generator) -> pd.DataFrame:
    """The points of the spec's CSV file, in file order; ``n`` and ``rng`` are not used."""
    if space.points is None:
        raise ValueError("the list design needs a table of points")
    return space.points[space.paths].reset_index(drop=True).astype(_dtypes(space))


def _dtypes(space: DesignSpace) -> dict[str, str]:
    kinds = {"real": "float64", "integer": "int64", "bool": "bool"}
    return {p.path: kinds[p.kind] for p in space.parameters}


SAMPLERS: dict[str, Sampler] = {
    "grid": grid,
    "list": listed,
    "lhs": lhs,
    "qmc": qmc_sobol,
    "sobol": saltelli,
    "morris": morris,
}
"""Design name (the spec's ``design``) -> sampler."""

MAX_DESIGN_POINTS = 1_000_000
"""Largest design a spec may ask for: its table is built in memory before any run starts."""


def design_size(design: str, space: DesignSpace, samples: int) -> int:
    """Number of points ``design`` would make, computed without building it."""
    d = len(space.parameters)
    if design == "grid":
        return math.prod(len(p.values) if p.values else (p.levels or 2) for p in space.parameters)
    if design == "list":
        return 0 if space.points is None else len(space.points)
    if design == "sobol":
        return samples * (d + 2)
    if design == "morris":
        return samples * (d + 1)
    return samples


NEEDS_BOUNDS = frozenset({"sobol", "morris"})
"""Designs whose parameters must all be ranges (SALib samples a box)."""

NEEDS_SAMPLES = frozenset({"lhs", "qmc", "sobol", "morris"})
"""Designs sized by ``samples``; grid and list are sized by their values or file."""

POWER_OF_TWO = frozenset({"qmc", "sobol"})
"""Designs whose ``samples`` must be a power of 2 (Sobol' sequence balance)."""
