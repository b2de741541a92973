"""Reading and checking a results folder, and the outcome metrics it holds.

A results folder is what ``multivector run`` and ``multivector sweep`` write (see
``docs/outputs.md`` and ``docs/analysis.md``): ``runs.csv`` (one row per replicate run),
optionally ``timeseries.csv`` (one row per run and recorded step), ``design.csv`` (sweeps) and
``manifest.json`` (provenance and outcome directions). This module loads and validates those
files into a :class:`Results` record; the comparison, robustness, sensitivity and discovery
modules take that record and return DataFrames.

Analysis never imports Mesa or the model, so results can be analysed on a machine without the
simulation installed.
"""

import difflib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import UserError
from sim.files import read_result_csv
from sim.schema import (
    ID_COLUMNS,
    INT_COLUMNS,
    OUTCOMES,
    PER_ACTOR_PREFIXES,
    Direction,
    Outcome,
    outcome_of,
)

CONTEXT_KEYS: list[str] = ["scenario", "design_point"]
"""A context (state of the world) for robustness: one scenario at one design point."""

TIMESERIES_KEY = ("welfare", "autonomy", "security_risk", "max_dependence")
"""Time series drawn as fan charts, when present."""


@dataclass(frozen=True)
class Results:
    """A loaded and checked results folder.

    Attributes:
        path: the folder.
        runs: ``runs.csv`` with integer id columns; all rows, including failed runs.
        timeseries: ``timeseries.csv`` restricted to successful runs, or ``None`` if absent.
        design: ``design.csv`` (sweeps), or ``None``.
        manifest: the parsed ``manifest.json`` (empty if the folder has none).
        parameters: varied parameter columns (dotted paths), in design order.
        outcomes: outcome columns in file order, with their directions.
    """

    path: Path
    runs: pd.DataFrame
    timeseries: pd.DataFrame | None
    design: pd.DataFrame | None
    manifest: dict[str, Any]
    parameters: list[str]
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    @property
    def ok(self) -> pd.DataFrame:
        """The successful runs only."""
        return self.runs[self.runs["status"] == "ok"]

    @property
    def kind(self) -> str:
        """``"sweep"`` or ``"run"``, from the manifest or from the presence of a design."""
        return str(self.manifest.get("kind", "sweep" if self.design is not None else "run"))

    @property
    def strategies(self) -> list[str]:
        """Strategies in the results, sorted."""
        return sorted(self.runs["strategy"].unique().tolist())

    @property
    def scenarios(self) -> list[str]:
        """Scenarios in the results, sorted."""
        return sorted(self.runs["scenario"].unique().tolist())

    @property
    def sweep(self) -> dict[str, Any]:
        """The manifest's ``sweep`` table (empty for plain runs)."""
        return dict(self.manifest.get("sweep") or {})


def load_results(path: str | Path) -> Results:
    """Load and check a results folder.

    Args:
        path: folder holding at least ``runs.csv``.

    Returns:
        The checked :class:`Results`.

    Raises:
        UserError: the folder or a file is missing or malformed; the message names the file,
            the column and what was expected.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder; expected a results folder holding runs.csv")
    runs_file = folder / "runs.csv"
    if not runs_file.is_file():
        raise UserError(
            f"{folder}: not a results folder (no runs.csv); run `multivector run` or "
            "`multivector sweep` first"
        )
    manifest = _read_manifest(folder / "manifest.json")
    runs = _read_csv(runs_file)
    _require_columns(runs, ID_COLUMNS, runs_file)
    if runs.empty:
        raise UserError(f"{runs_file}: has no rows; expected one row per run")
    _check_count(len(runs), manifest, "runs", runs_file)
    runs = _coerce_ids(runs, runs_file)
    design = _read_design(folder / "design.csv")
    parameters = _parameter_columns(design, manifest)
    runs = _attach_parameters(runs, design, parameters, runs_file)
    outcomes = _outcome_columns(runs, parameters, manifest, runs_file)
    timeseries = _read_timeseries(folder / "timeseries.csv", runs, manifest)
    return Results(folder, runs, timeseries, design, manifest, parameters, outcomes)


def resolve_metrics(results: Results, names: list[str] | None) -> list[str]:
    """Check metric names against the outcome columns, or choose the headline ones.

    Args:
        results: the loaded results.
        names: metric names the user asked for, or ``None`` / empty for the default: every
            outcome with a direction that is not a per-partner or per-power column.

    Returns:
        Metric names in the order given (or file order for the default).

    Raises:
        UserError: a name is not an outcome column of ``runs.csv``.
    """
    if names:
        for name in names:
            check_metric(results, name)
        return list(dict.fromkeys(names))
    chosen = [
        name
        for name, outcome in results.outcomes.items()
        if outcome.direction is not None and not _is_per_actor(name)
    ]
    return chosen or list(results.outcomes)


def check_metric(results: Results, name: str) -> Outcome:
    """Return the outcome called ``name``, or raise a UserError listing close names."""
    if name in results.outcomes:
        return results.outcomes[name]
    close = [o for o in results.outcomes if o.startswith(name) or name in o]
    close += [
        o for o in difflib.get_close_matches(name, list(results.outcomes), n=3, cutoff=0.8) if o not in close
    ]
    close = close[:6]  # a prefix (welfare), or a typo (autonomy_meen)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UserError(
        f"{results.path / 'runs.csv'}: unknown metric {name!r}; expected an outcome column "
        f"such as {', '.join(list(results.outcomes)[:5])}{hint}"
    )


def check_strategy(results: Results, name: str) -> str:
    """Return ``name`` if it is a strategy in the results, else raise a UserError."""
    if name not in results.strategies:
        raise UserError(
            f"{results.path / 'runs.csv'}: unknown strategy {name!r} in column 'strategy'; "
            f"expected one of {', '.join(results.strategies)}"
        )
    return name


def default_reference(results: Results) -> str:
    """The reference strategy: ``multivector`` when present, else the first strategy."""
    return "multivector" if "multivector" in results.strategies else results.strategies[0]


def better_sign(direction: Direction) -> float:
    """+1 if higher is better, -1 if lower is better, NaN if the outcome has no direction."""
    return {"max": 1.0, "min": -1.0}.get(direction or "", math.nan)


def _is_per_actor(name: str) -> bool:
    return name not in OUTCOMES and name.startswith(tuple(PER_ACTOR_PREFIXES))


def _read_csv(file: Path, **options: Any) -> pd.DataFrame:
    return read_result_csv(file, **options)


def _read_manifest(file: Path) -> dict[str, Any]:
    """The folder's manifest, checked for the parts analysis reads (counts, sweep, outcomes).

    A folder without one is refused: ``run`` and ``sweep`` write the manifest last, so its
    absence means the command did not finish (and the row counts could not be checked).
    """
    if not file.is_file():
        raise UserError(
            f"{file}: missing; a results folder gets its manifest when the command finishes, so "
            "this one is incomplete (re-run the command, or resume a sweep with: multivector sweep --resume)"
        )
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise UserError(f"{file}: not valid JSON ({exc}); expected the run's manifest") from exc
    except OSError as exc:
        raise UserError(f"{file}: cannot read file: {exc.strerror or exc}") from exc
    if not isinstance(data, dict):
        raise UserError(f"{file}: expected a JSON object at the top level")
    for key in ("counts", "sweep", "outcomes"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise UserError(f"{file}: field {key!r} must be an object, got {type(data[key]).__name__}")
    for name, declaration in (data.get("outcomes") or {}).items():
        if not isinstance(declaration, dict):
            raise UserError(f"{file}: field 'outcomes.{name}' must be an object")
    parameters = (data.get("sweep") or {}).get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        raise UserError(f"{file}: field 'sweep.parameters' must be an object")
    return data


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...] | list[str], file: Path):
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UserError(f"{file}: missing column {missing[0]!r}; expected columns {', '.join(columns)}")


def _check_count(rows: int, manifest: dict, key: str, file: Path) -> None:
    """Refuse a file whose row count differs from what its manifest recorded (truncated or edited)."""
    expected = (manifest.get("counts") or {}).get(key)
    if expected is not None and (not isinstance(expected, int) or isinstance(expected, bool)):
        raise UserError(f"{file.parent / 'manifest.json'}: field 'counts.{key}' must be an integer")
    if expected is not None and rows != expected:
        raise UserError(
            f"{file}: {rows} rows, but manifest.json records {expected}; the file is incomplete or "
            "was changed (re-run, or `--resume` a sweep)"
        )


def _coerce_ids(runs: pd.DataFrame, file: Path) -> pd.DataFrame:
    runs = runs.copy()
    for column in INT_COLUMNS:
        values = pd.to_numeric(runs[column], errors="coerce")
        if values.isna().any() or (values % 1 != 0).any() or (values < 0).any():
            raise UserError(f"{file}: column {column!r} must hold integers >= 0 in every row")
        # Seeds are unsigned 64-bit (numpy SeedSequence entropy): int64 would wrap them negative.
        runs[column] = values.astype("uint64" if column == "seed" else "int64")
    for column in ("run_id", "scenario", "strategy", "status"):
        runs[column] = runs[column].astype(str)
    runs["error"] = runs["error"].astype("string").fillna("").astype(str)
    bad = sorted(set(runs["status"]) - {"ok", "error"})
    if bad:
        raise UserError(f"{file}: column 'status' has {bad[0]!r}; expected 'ok' or 'error'")
    if runs["run_id"].duplicated().any():
        dup = runs.loc[runs["run_id"].duplicated(), "run_id"].iloc[0]
        raise UserError(f"{file}: run_id {dup!r} appears twice; expected one row per run")
    return runs


def _read_design(file: Path) -> pd.DataFrame | None:
    if not file.is_file():
        return None
    design = _read_csv(file)
    _require_columns(design, ["design_point"], file)
    return design.sort_values("design_point").reset_index(drop=True)


def _parameter_columns(design: pd.DataFrame | None, manifest: dict[str, Any]) -> list[str]:
    if design is not None:
        return [c for c in design.columns if c != "design_point"]
    return list(((manifest.get("sweep") or {}).get("parameters") or {}).keys())


def _attach_parameters(
    runs: pd.DataFrame, design: pd.DataFrame | None, parameters: list[str], file: Path
) -> pd.DataFrame:
    missing = [p for p in parameters if p not in runs.columns]
    if not missing:
        return runs
    if design is None:
        raise UserError(f"{file}: missing parameter column {missing[0]!r} named in manifest.json")
    return runs.merge(design[["design_point", *missing]], on="design_point", how="left")


def _outcome_columns(
    runs: pd.DataFrame, parameters: list[str], manifest: dict[str, Any], file: Path
) -> dict[str, Outcome]:
    declared = manifest.get("outcomes") or {}
    outcomes: dict[str, Outcome] = {}
    for column in runs.columns:
        if column in ID_COLUMNS or column in parameters:
            continue
        if not pd.api.types.is_numeric_dtype(runs[column]):
            ok = runs.loc[runs["status"] == "ok", column]
            if pd.to_numeric(ok, errors="coerce").notna().sum() != ok.notna().sum():
                raise UserError(f"{file}: outcome column {column!r} must hold numbers")
            runs[column] = pd.to_numeric(runs[column], errors="coerce")
        outcomes[column] = _describe(column, declared.get(column))
    if not outcomes:
        raise UserError(f"{file}: no outcome columns; expected e.g. welfare_final, autonomy_mean")
    return outcomes


def _describe(name: str, declared: dict[str, Any] | None) -> Outcome:
    return Outcome.declared(name, declared) if declared else outcome_of(name)


def _read_timeseries(file: Path, runs: pd.DataFrame, manifest: dict | None = None) -> pd.DataFrame | None:
    if not file.is_file():
        recorded = ((manifest or {}).get("counts") or {}).get("timeseries_rows")
        if isinstance(recorded, int) and recorded > 0:
            raise UserError(f"{file}: missing, but manifest.json records {recorded} rows")
        return None
    header = _read_csv(file, nrows=0).columns
    _require_columns(pd.DataFrame(columns=header), ["run_id", "step"], file)
    wanted = [c for c in header if c in ("run_id", "step", "date", *TIMESERIES_KEY) or c.startswith("share_")]
    series = _read_csv(file, usecols=wanted)
    if manifest is not None:
        _check_count(len(series), manifest, "timeseries_rows", file)
    series["run_id"] = series["run_id"].astype(str)
    meta = runs.loc[runs["status"] == "ok", ["run_id", "scenario", "strategy"]]
    return series.merge(meta, on="run_id", how="inner")
