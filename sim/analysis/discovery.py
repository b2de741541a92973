"""Scenario discovery: where in the swept parameter space does a strategy fail?

A run *fails* when it misses any of the user's thresholds (``thresholds``). For each strategy
and scenario of a sweep, PRIM (the Patient Rule Induction Method, Friedman & Fisher 1999, as
used for scenario discovery by Bryant & Lempert 2010) looks for boxes in the varied parameters
where failures concentrate. PRIM comes from EMA Workbench (``ema_workbench.analysis.prim``,
BSD-3, maintained; install ``multivector[ema]``), not from a hand-written version.

Each box is reported with its **coverage** (share of all failures that fall inside the box),
**density** (share of runs inside the box that fail), **mass** (share of all runs inside) and
its limits on each restricted parameter. EMA Workbench 3 leaves the choice of a box on the
peeling trajectory to the user; here the box chosen is the densest one whose coverage is at
least :data:`MIN_COVERAGE`, the usual compromise between a precise and an inclusive box.
"""

import importlib.util
import logging
import warnings

import numpy as np
import pandas as pd

from sim.analysis.results import Results
from sim.analysis.robustness import Threshold, failures

MIN_COVERAGE = 0.5
"""Least coverage of the box chosen on the peeling trajectory."""
MASS_MIN = 0.05
"""PRIM's smallest box, as a share of runs (EMA Workbench's default)."""
PEEL_ALPHA = 0.05
"""Share of runs peeled per step (EMA Workbench's default)."""
MAX_BOXES = 2
"""Boxes sought per strategy and scenario; PRIM stops early when a box adds nothing."""

PRIM_COLUMNS = [
    "strategy",
    "scenario",
    "box",
    "failure_rate",
    "coverage",
    "density",
    "mass",
    "n_runs",
    "parameter",
    "low",
    "high",
    "qp_value",
]


def prim_available() -> bool:
    """Whether EMA Workbench (which provides PRIM) is installed."""
    return importlib.util.find_spec("ema_workbench") is not None


def prim_boxes(results: Results, thresholds: list[Threshold]) -> pd.DataFrame:
    """PRIM boxes of failing runs for each strategy and scenario of a sweep.

    Strategies that never fail, or always fail, in a scenario get no box (nothing to
    discover). One row per box and restricted parameter; a box that restricts nothing is one
    row with an empty ``parameter``.

    Args:
        results: a sweep (with varied parameters).
        thresholds: the conditions a run must meet; a run failing any of them fails.

    Returns:
        A DataFrame with :data:`PRIM_COLUMNS`.
    """
    if not thresholds or not results.parameters:
        return pd.DataFrame(columns=PRIM_COLUMNS)
    ok = results.ok
    failed = failures(results, thresholds)
    rows: list[dict] = []
    for (strategy, scenario), index in ok.groupby(["strategy", "scenario"]).groups.items():
        y = failed.loc[index].to_numpy(dtype=bool)
        if y.all() or not y.any():
            continue
        x = ok.loc[index, results.parameters].reset_index(drop=True)
        for number, (stats, limits) in enumerate(_find_boxes(x, y), start=1):
            base = {"strategy": strategy, "scenario": scenario, "box": number}
            base |= {"failure_rate": float(y.mean()), **stats}
            if limits.empty:
                rows.append(base | {"parameter": "", "low": np.nan, "high": np.nan})
            rows.extend(base | row for row in limits.to_dict("records"))
    return pd.DataFrame(rows, columns=PRIM_COLUMNS)


def _find_boxes(x: pd.DataFrame, y: np.ndarray) -> list[tuple[dict, pd.DataFrame]]:
    """(stats, limits) of up to MAX_BOXES boxes found by EMA Workbench's PRIM."""
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA Workbench's own deprecation warnings
        from ema_workbench.analysis import prim

        logging.getLogger("EMA").setLevel(logging.WARNING)
        finder = prim.Prim(x, y, peel_alpha=PEEL_ALPHA, mass_min=MASS_MIN)
        for _ in range(MAX_BOXES):
            box = finder.find_box()
            if box is None:
                break
            trajectory = box.peeling_trajectory
            eligible = trajectory[trajectory["coverage"] >= MIN_COVERAGE]
            if eligible.empty or eligible["density"].max() <= y.mean():
                break
            chosen = int(eligible.sort_values(["density", "coverage"]).index[-1])
            box.select(chosen)
            found.append((_box_stats(box, chosen), _box_limits(box, chosen)))
    return found


def _box_stats(box, i: int) -> dict[str, float]:
    row = box.peeling_trajectory.iloc[i]
    return {
        "coverage": float(row["coverage"]),
        "density": float(row["density"]),
        "mass": float(row["mass"]),
        "n_runs": int(row["n"]),
    }


def _box_limits(box, i: int) -> pd.DataFrame:
    """One row per restricted parameter: low, high and the quasi-p-value of the restriction."""
    _, limits = box.inspect(i, style="data")[0]
    if limits.empty:
        return pd.DataFrame(columns=["parameter", "low", "high", "qp_value"])
    limits = limits.droplevel(0, axis=1)
    qp = limits["qp value"].max(axis=1, skipna=True)
    return pd.DataFrame(
        {
            "parameter": limits.index.astype(str),
            "low": limits["min"].astype(float).to_numpy(),
            "high": limits["max"].astype(float).to_numpy(),
            "qp_value": qp.astype(float).to_numpy(),
        }
    )
