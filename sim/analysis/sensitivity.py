"""Global sensitivity of outcomes to swept parameters: Sobol indices and Morris screening.

Both use SALib (Herman & Usher 2017) on the sweep's design and the outcome averaged over
replicates at each design point (SALib assumes a deterministic model; averaging the replicates
is the usual reduction for a stochastic one). Indices are computed per strategy, scenario and
metric.

Contract with ``sim.experiments.designs`` (the design order):

- ``sobol`` designs: ``design.csv`` rows, sorted by ``design_point``, are exactly the rows of
  ``SALib.sample.sobol.sample(problem, N, calc_second_order=False)`` in the order SALib produced
  them: N blocks of D + 2 rows (A, AB_1 .. AB_D, B). A design sampled with
  ``calc_second_order=True`` (blocks of 2D + 2 rows) is recognised too, and then S2 is dropped.
  The block structure is checked, and a design in another order is refused.
- ``morris`` designs: rows of ``SALib.sample.morris.sample(problem, N, num_levels)`` in order:
  N trajectories of D + 1 rows, each row changing one parameter. ``num_levels`` is read from
  the manifest's ``sweep.num_levels`` (default 4, SALib's default).
- Parameter names and order are those of ``design.csv`` (after ``design_point``); bounds are
  the manifest's ``sweep.parameters.<name>.low/high``, else the design's range.
"""

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze

from sim.analysis.results import Results
from sim.errors import UserError

SOBOL_COLUMNS = [
    "strategy",
    "scenario",
    "metric",
    "parameter",
    "S1",
    "S1_conf",
    "ST",
    "ST_conf",
]
MORRIS_COLUMNS = [
    "strategy",
    "scenario",
    "metric",
    "parameter",
    "mu",
    "mu_star",
    "mu_star_conf",
    "sigma",
]
DEFAULT_MORRIS_LEVELS = 4
IMPOSSIBLE_INDICES = "impossible_indices"
"""Key in a Sobol table's ``attrs``: metrics with an index estimated above 1, which no share of
variance can be: the design has too few samples for them (their half-widths say how few)."""
CONSTANT_RESAMPLES = "constant_resamples"
"""Key in a Sobol table's ``attrs``: metrics whose indices are undefined for some strategy and
scenario because the outcome did not vary over the design's A and B rows (see sobol_table)."""
_SALIB_CONSTANT = "Constant values encountered"  # SALib's warning, after which it returns 0


def design_matrix(results: Results) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Parameter names, design point ids and the design as a float matrix in that order.

    Raises:
        UserError: the results are not a sweep, or a parameter column is not numeric.
    """
    names = list(results.parameters)
    if not names:
        raise UserError(f"{results.path}: no varied parameters; sensitivity needs a sweep")
    if results.design is not None:
        design = results.design
    else:
        design = results.runs.groupby("design_point")[names].first().reset_index()
    design = design.sort_values("design_point")
    try:
        matrix = design[names].to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise UserError(
            f"{results.path / 'design.csv'}: every parameter column must be numeric for "
            "Sobol or Morris analysis"
        ) from exc
    if np.isnan(matrix).any():
        raise UserError(f"{results.path / 'design.csv'}: empty cells in the design")
    return names, design["design_point"].to_numpy(), matrix


def salib_problem(results: Results, names: list[str], matrix: np.ndarray) -> dict:
    """SALib problem dict: names in design order, bounds from the manifest or the design."""
    declared = results.sweep.get("parameters") or {}
    bounds = []
    for j, name in enumerate(names):
        spec = declared.get(name) or {}
        if "low" in spec and "high" in spec:
            bounds.append([float(spec["low"]), float(spec["high"])])
        else:
            bounds.append([float(matrix[:, j].min()), float(matrix[:, j].max())])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def saltelli_second_order(matrix: np.ndarray) -> bool:
    """Check the Saltelli block layout; return whether the blocks include the BA rows.

    Raises:
        UserError: the rows are not in SALib's Saltelli order for either layout.
    """
    d = matrix.shape[1]
    for second_order, size in ((False, d + 2), (True, 2 * d + 2)):
        if len(matrix) >= size and len(matrix) % size == 0 and _blocks_match(matrix, d, size):
            return second_order
    raise UserError(
        f"design.csv: {len(matrix)} rows are not in SALib's Saltelli order for {d} parameters "
        f"(expected N blocks of {d + 2} rows A, AB_1..AB_{d}, B from "
        "SALib.sample.sobol.sample(calc_second_order=False), in design_point order)"
    )


def _blocks_match(matrix: np.ndarray, d: int, size: int) -> bool:
    blocks = matrix.reshape(-1, size, d)
    a, b = blocks[:, 0, :], blocks[:, size - 1, :]
    for j in range(d):
        expected = a.copy()
        expected[:, j] = b[:, j]
        if not np.allclose(blocks[:, 1 + j, :], expected, rtol=1e-9, atol=1e-12):
            return False
    return True


def morris_trajectories_ok(matrix: np.ndarray) -> bool:
    """True when rows form trajectories of D + 1 rows, each step changing one parameter."""
    d = matrix.shape[1]
    if len(matrix) < d + 1 or len(matrix) % (d + 1):
        return False
    steps = np.diff(matrix.reshape(-1, d + 1, d), axis=1)
    changed = (~np.isclose(steps, 0.0)).sum(axis=2)
    return bool((changed == 1).all())


def design_point_means(results: Results, metric: str) -> pd.DataFrame:
    """Mean of ``metric`` over replicates: rows design points, columns (strategy, scenario)."""
    ok = results.ok
    means = ok.groupby(["strategy", "scenario", "design_point"])[metric].mean()
    return means.unstack(["strategy", "scenario"]).sort_index()


def sobol_table(results: Results, metrics: list[str]) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol indices with 95% bootstrap half-widths.

    Args:
        results: a sweep with a sobol design (see the module docstring for the order).
        metrics: outcome columns.

    Returns:
        A DataFrame with :data:`SOBOL_COLUMNS`, one row per strategy x scenario x metric x
        parameter.
    """
    names, points, matrix = design_matrix(results)
    second_order = saltelli_second_order(matrix)
    problem = salib_problem(results, names, matrix)
    rows = []
    constant = set()
    nan = dict.fromkeys(("S1", "S1_conf", "ST", "ST_conf"), float("nan"))
    for metric, key, y in _outputs(results, metrics, points):
        if not np.ptp(y) > 0:  # a constant outcome has no variance to apportion
            rows += [dict(zip(SOBOL_COLUMNS, [*key, metric, name], strict=False)) | nan for name in names]
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            index = sobol_analyze.analyze(problem, y, calc_second_order=second_order, seed=_seed(results))
        for w in caught:  # anything else SALib says still reaches the user
            if _SALIB_CONSTANT not in str(w.message):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if any(_SALIB_CONSTANT in str(w.message) for w in caught):
            # Constant over the A and B rows, varying only in the AB rows: the estimators divide
            # by that variance, and SALib returns 0 with a multi-line warning on stderr. The
            # index is undefined, so it is left empty and the report says why, once.
            constant.add(metric)
            rows += [dict(zip(SOBOL_COLUMNS, [*key, metric, name], strict=False)) | nan for name in names]
            continue
        for j, name in enumerate(names):
            rows.append(
                dict(zip(SOBOL_COLUMNS, [*key, metric, name], strict=False))
                | {k: float(index[k][j]) for k in ("S1", "S1_conf", "ST", "ST_conf")}
            )
    table = pd.DataFrame(rows, columns=SOBOL_COLUMNS)
    table.attrs[CONSTANT_RESAMPLES] = [m for m in metrics if m in constant]
    beyond = (table["S1"] > 1.0) | (table["ST"] > 1.0)
    table.attrs[IMPOSSIBLE_INDICES] = [m for m in metrics if m in set(table.loc[beyond, "metric"])]
    return table


def morris_table(results: Results, metrics: list[str]) -> pd.DataFrame:
    """Morris elementary-effect statistics mu, mu* (with 95% half-width) and sigma.

    Args:
        results: a sweep with a morris design (see the module docstring for the order).
        metrics: outcome columns.

    Returns:
        A DataFrame with :data:`MORRIS_COLUMNS`.
    """
    names, points, matrix = design_matrix(results)
    if not morris_trajectories_ok(matrix):
        raise UserError(
            f"design.csv: {len(matrix)} rows are not Morris trajectories of "
            f"{len(names) + 1} rows each changing one parameter (SALib.sample.morris order)"
        )
    problem = salib_problem(results, names, matrix)
    levels = int(results.sweep.get("num_levels", DEFAULT_MORRIS_LEVELS))
    rows = []
    for metric, key, y in _outputs(results, metrics, points):
        index = morris_analyze.analyze(problem, matrix, y, num_levels=levels, seed=_seed(results))
        for j, name in enumerate(names):
            rows.append(
                dict(zip(MORRIS_COLUMNS, [*key, metric, name], strict=False))
                | {k: float(index[k][j]) for k in ("mu", "mu_star", "mu_star_conf", "sigma")}
            )
    return pd.DataFrame(rows, columns=MORRIS_COLUMNS)


SENSITIVITY_METHODS: dict[str, Callable[[Results, list[str]], pd.DataFrame]] = {
    "sobol": sobol_table,
    "morris": morris_table,
}
"""Sweep design name (manifest ``sweep.design``) -> the analysis it supports."""


def sensitivity(results: Results, metrics: list[str]) -> tuple[str, pd.DataFrame] | None:
    """Run the analysis matching the sweep's design, or return None for other designs."""
    design = str(results.sweep.get("design", ""))
    method = SENSITIVITY_METHODS.get(design)
    if method is None:
        return None
    return design, method(results, metrics)


def _outputs(results: Results, metrics: list[str], points: np.ndarray):
    """Yield (metric, (strategy, scenario), y) with y the per-design-point replicate mean."""
    for metric in metrics:
        means = design_point_means(results, metric).reindex(points)
        for key in means.columns:
            y = means[key].to_numpy(dtype=float)
            if np.isnan(y).any():
                missing = int(points[np.flatnonzero(np.isnan(y))[0]])
                raise UserError(
                    f"{results.path / 'runs.csv'}: design point {missing} has no successful "
                    f"run for strategy {key[0]!r} in scenario {key[1]!r}; sensitivity "
                    "indices need every design point"
                )
            yield metric, key, y


def _seed(results: Results) -> int | None:
    seed = results.manifest.get("root_seed")
    return int(seed) if seed is not None else None
