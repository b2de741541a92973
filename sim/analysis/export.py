"""Export a results folder to other tools' formats.

``ema``: the tar.gz archive of EMA Workbench (``ema_workbench.save_results``), so a user can
continue with ``ema_workbench.load_results(path)`` -> ``(experiments, outcomes)``:

- ``experiments``: one row per successful run, with the inputs only: the varied parameters
  (their dotted paths as column names), ``scenario_name`` (ours; EMA's feature scoring drops a
  column called ``scenario``), ``policy`` (our strategy) and ``model`` (``"multivector"``); text
  columns are categorical, as EMA Workbench makes them. Ids are not inputs (feature scoring
  would rank ``run_id``, PRIM would choke on the seed): they go to ``NAME_ids.csv`` beside the
  archive, one row per experiment in the same order (``run_id``, ``design_point``, ``chunk``,
  ``replicate``, ``seed`` as an unsigned 64-bit integer).
- ``outcomes``: every outcome column of ``runs.csv`` as a ``ScalarOutcome`` (kind MAXIMIZE or
  MINIMIZE from the outcome's direction, INFO otherwise) and, when ``timeseries.csv`` exists,
  every numeric time series as a ``TimeSeriesOutcome`` (runs x recorded steps, NaN where a
  run has fewer steps) plus ``TIME`` (the step numbers), EMA Workbench's convention.

Failed runs are left out, since their outcomes are empty. EMA Workbench is an optional extra
(``pip install 'multivector[ema]'``) imported only here.
"""

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.results import Results, load_results
from sim.errors import UserError
from sim.files import atomic_path, atomic_write_csv, check_writable

EXPERIMENT_IDS = ["design_point", "chunk", "replicate", "seed"]


def ema_ids(results: Results) -> pd.DataFrame:
    """The ids of the exported experiments, in their order (the side table ``NAME_ids.csv``)."""
    return results.ok.reset_index(drop=True)[["run_id", *EXPERIMENT_IDS]]


def ema_tables(results: Results) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, str]]:
    """Experiments (inputs only), outcome arrays and outcome kinds (``scalar`` / ``timeseries``)."""
    ok = results.ok.reset_index(drop=True)
    experiments = ok[results.parameters].copy()
    experiments["scenario_name"] = ok["scenario"]
    experiments["policy"] = ok["strategy"]
    experiments["model"] = "multivector"
    for column in ("scenario_name", "policy", "model"):
        experiments[column] = experiments[column].astype(str).astype("category")
    outcomes = {name: ok[name].to_numpy(dtype=float) for name in results.outcomes}
    kinds = dict.fromkeys(outcomes, "scalar")
    series_file = results.path / "timeseries.csv"
    if series_file.is_file():
        series = pd.read_csv(series_file)
        series["run_id"] = series["run_id"].astype(str)
        steps = np.sort(series["step"].unique())
        numeric = [
            c
            for c in series.columns
            if c not in ("run_id", "step") and pd.api.types.is_numeric_dtype(series[c])
        ]
        for column in numeric:
            wide = series.pivot(index="run_id", columns="step", values=column)
            wide = wide.reindex(index=ok["run_id"], columns=steps)
            name = column if column not in outcomes else f"{column}_series"
            outcomes[name] = wide.to_numpy(dtype=float)
            kinds[name] = "timeseries"
        outcomes["TIME"] = np.tile(steps.astype(float), (len(ok), 1))
        kinds["TIME"] = "timeseries"
    return experiments, outcomes, kinds


def export_ema(results_dir: str | Path, out_file: str | Path | None = None) -> Path:
    """Write the results as an EMA Workbench archive, and its ids as ``NAME_ids.csv`` beside it.

    Args:
        results_dir: a results folder.
        out_file: the ``.tar.gz`` to write; default ``RESULTS_DIR/ema_results.tar.gz``.

    Returns:
        The path written.

    Raises:
        UserError: the results cannot be read, EMA Workbench is not installed, or the file
            exists already (nothing is overwritten).
    """
    results = load_results(results_dir)
    out = Path(out_file) if out_file is not None else results.path / "ema_results.tar.gz"
    ids_file = out.with_name(out.name.removesuffix(".tar.gz") + "_ids.csv")
    if out.is_dir():
        raise UserError(
            f"`out_file` {out}: is a folder; expected a file name ending in .tar.gz, "
            f"e.g. {out / 'ema_results.tar.gz'}"
        )
    for path in (out, ids_file):
        if path.exists():
            raise UserError(f"`out_file` {path}: exists already; remove it or choose another file")
    if not out.name.endswith(".tar.gz"):
        raise UserError(f"`out_file` {out}: expected a file name ending in .tar.gz")
    if not out.parent.is_dir():
        raise UserError(f"`out_file` {out}: folder {out.parent} does not exist")
    check_writable(out.parent)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench import ScalarOutcome, TimeSeriesOutcome, save_results
    except ImportError as exc:
        raise UserError(
            "the ema export needs EMA Workbench; install it with pip install 'multivector[ema]'"
        ) from exc
    experiments, outcomes, kinds = ema_tables(results)
    kind_of = {"max": ScalarOutcome.MAXIMIZE, "min": ScalarOutcome.MINIMIZE}
    makers: dict[str, Callable[[str], object]] = {
        "scalar": lambda n: ScalarOutcome(
            n, kind=kind_of.get(results.outcomes[n].direction or "", ScalarOutcome.INFO)
        ),
        "timeseries": TimeSeriesOutcome,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, kind in kinds.items():
            makers[kind](name)  # registers how EMA Workbench stores this outcome
        with atomic_path(out) as temp:
            save_results((experiments, outcomes), str(temp))
    atomic_write_csv(ids_file, [ema_ids(results)])
    return out


EXPORTERS: dict[str, Callable[[str | Path, str | Path | None], Path]] = {"ema": export_ema}
"""Export format name -> writer."""
