"""Sweep specs: the TOML file declaring what varies, over which scenarios and strategies.

A spec is validated the way scenarios are: unknown keys, wrong types, unknown parameter paths,
``low >= high``, values outside a parameter's allowed range, a design that needs ranges but is
given values, and so on each give one message naming the spec file and the key path; all
problems are reported together. A valid spec resolves to a ``Sweep``: the loaded scenarios, the
strategies, the parameter space and its design table, and the hash that guards a resume.
See docs/sweeps.md for the format.
"""

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim import __version__
from sim.errors import UserError, describe_validation
from sim.experiments.designs import (
    MAX_DESIGN_POINTS,
    NEEDS_BOUNDS,
    NEEDS_SAMPLES,
    POWER_OF_TWO,
    SAMPLERS,
    DesignSpace,
    SweptParameter,
    design_size,
)
from sim.experiments.seeding import CHUNK_SIZE
from sim.files import digest, read_toml
from sim.model.catalogue import ParameterInfo, sweepable
from sim.model.scenario import Scenario, find_scenario, load_scenario
from sim.model.strategies import STRATEGIES
from sim.paths import SCENARIO_DIR

Design = Literal["grid", "list", "lhs", "qmc", "sobol", "morris"]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RangeSpec(_Table):
    """How one parameter varies: ``low``/``high`` (a range) or ``values`` (a list)."""

    low: float | None = None
    high: float | None = None
    values: list[bool | int | float] | None = None
    levels: int | None = Field(None, ge=2, le=10_000, description="grid points over a range")


class SweepSpec(_Table):
    """The sweep spec file, as written (see docs/sweeps.md)."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="output folder name")
    description: str = ""
    scenarios: list[str] = Field(default_factory=lambda: ["baseline_2023"], min_length=1)
    strategies: list[str] | Literal["all"] = "all"
    design: Design
    samples: int | None = Field(None, ge=1, le=10_000_000)
    num_levels: int = Field(4, ge=2, le=100, description="levels of the morris design")
    points: str | None = Field(None, description="CSV of design points (design = list)")
    replicates: int = Field(100, ge=1, le=10_000_000)
    seed: int = Field(1, ge=0, lt=2**63)
    steps: int | None = Field(None, ge=1, le=400)
    record_every: int = Field(4, ge=0, le=400, description="0 = no timeseries")
    chunk_size: int = Field(CHUNK_SIZE, ge=1, le=100_000, description="replicates per model")
    parameters: dict[str, RangeSpec] = Field(default_factory=dict)


@dataclass(frozen=True)
class Sweep:
    """A resolved, validated sweep: everything needed to plan and run it."""

    spec: SweepSpec
    path: Path
    scenarios: tuple[Scenario, ...]
    strategies: tuple[str, ...]
    space: DesignSpace
    design: pd.DataFrame  # one row per design point, columns = parameter paths
    spec_hash: str

    @property
    def runs_planned(self) -> int:
        """Design points x scenarios x strategies x replicates."""
        n = len(self.design) * len(self.scenarios) * len(self.strategies)
        return n * self.spec.replicates

    def manifest_section(self) -> dict:
        """The manifest's ``sweep`` table (read by the analysis modules)."""
        params = {}
        for p in self.space.parameters:
            if p.values:
                params[p.path] = {"values": list(p.values)}
            elif p.low is not None:
                params[p.path] = {"low": p.low, "high": p.high}
            else:  # list design: the range the points span
                col = self.design[p.path]
                params[p.path] = {"low": _plain(col.min()), "high": _plain(col.max())}
        s = self.spec
        return {
            "name": s.name,
            "design": s.design,
            "parameters": params,
            "samples": s.samples,
            "design_points": len(self.design),
            "num_levels": s.num_levels,
            "replicates": s.replicates,
            "seed": s.seed,
            "steps": s.steps,
            "record_every": s.record_every,
            "chunk_size": s.chunk_size,
            "scenarios": [sc.name for sc in self.scenarios],
            "strategies": list(self.strategies),
            "spec_hash": self.spec_hash,
        }


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def load_sweep(path: str | Path) -> Sweep:
    """Read, validate and resolve a sweep spec file, or raise one clear UserError."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such sweep spec file")
    try:
        spec = SweepSpec.model_validate(read_toml(path))
    except ValidationError as err:
        raise UserError(f"{path}: {describe_validation(err, model=SweepSpec)}") from None
    return resolve(spec, path)


def resolve(spec: SweepSpec, path: Path) -> Sweep:
    """Check a parsed spec against its scenarios and build the design."""
    errors: list[str] = []
    scenarios = _load_scenarios(spec, path, errors)
    strategies = _strategies(spec, errors)
    errors += _design_rules(spec)
    if scenarios:
        catalogues = [sweepable(sc) for sc in scenarios]
        points = _read_points(spec, path, catalogues[0], errors) if spec.design == "list" else None
        params = _parameters(spec, points, catalogues, errors)
        errors += _check_scenarios_accept(spec, params, scenarios)
    if errors:
        raise UserError(f"{path}: " + "; ".join(errors))
    space = DesignSpace(tuple(params), morris_levels=spec.num_levels, points=points)
    size = design_size(spec.design, space, spec.samples or 0)
    if size > MAX_DESIGN_POINTS:
        raise UserError(
            f"{path}: design: the {spec.design} design would make {size:,} points; the limit is "
            f"{MAX_DESIGN_POINTS:,} (fewer levels or samples, or split the sweep)"
        )
    sampler = SAMPLERS[spec.design]
    design = sampler(space, spec.samples or 0, rng=np.random.default_rng(spec.seed))
    spec_hash = digest(
        {
            "spec": spec.model_dump(mode="json", exclude={"description"}),
            "scenarios": [sc.digest() for sc in scenarios],
            "design": design.to_csv(index=False, float_format="%.17g"),
            "version": __version__,
        }
    )
    return Sweep(spec, path, tuple(scenarios), tuple(strategies), space, design, spec_hash)


def _load_scenarios(spec: SweepSpec, path: Path, errors: list[str]) -> list[Scenario]:
    loaded = []
    for i, name in enumerate(spec.scenarios):
        try:
            candidate = path.parent / name
            file = candidate if candidate.is_file() else find_scenario(name, near=path.parent)
            scenario = load_scenario(str(file))
            if spec.steps is not None:
                scenario = scenario.with_overrides({"steps": spec.steps})
        except UserError as err:
            errors.append(f"scenarios[{i}]: {err}")
            continue
        if any(s.name == scenario.name for s in loaded):
            errors.append(f"scenarios[{i}]: scenario {scenario.name!r} listed twice")
            continue
        loaded.append(scenario)
    return loaded


def _strategies(spec: SweepSpec, errors: list[str]) -> list[str]:
    if spec.strategies == "all":
        return list(STRATEGIES)
    if not spec.strategies:
        errors.append('strategies: list at least one strategy, or "all"')
    for i, name in enumerate(spec.strategies):
        if name not in STRATEGIES:
            errors.append(f"strategies[{i}]: unknown strategy {name!r}; known: {', '.join(STRATEGIES)}")
    return list(dict.fromkeys(spec.strategies))


def _design_rules(spec: SweepSpec) -> list[str]:
    errors = []
    d = spec.design
    if d in NEEDS_SAMPLES and spec.samples is None:
        errors.append(f"samples: the {d} design needs samples = N")
    if d not in NEEDS_SAMPLES and spec.samples is not None:
        errors.append(f"samples: not used by the {d} design (its size comes from the {_size(d)})")
    if d in POWER_OF_TWO and spec.samples and spec.samples & (spec.samples - 1):
        errors.append(f"samples: the {d} design needs a power of 2 (got {spec.samples})")
    if d == "list" and spec.points is None:
        errors.append('points: the list design needs points = "file.csv"')
    if d != "list" and spec.points is not None:
        errors.append(f"points: only used by the list design (design is {d!r})")
    if d == "list" and spec.parameters:
        errors.append("parameters: the list design takes its parameters from the points file")
    if d != "list" and not spec.parameters:
        errors.append("parameters: declare at least one parameter to vary")
    return errors


def _size(design: str) -> str:
    return "product of the parameters' values" if design == "grid" else "rows of the points file"


def _parameters(
    spec: SweepSpec,
    points: pd.DataFrame | None,
    catalogues: list[dict[str, ParameterInfo]],
    errors: list[str],
) -> list[SweptParameter]:
    if points is not None:
        return [SweptParameter(c, catalogues[0][c].kind) for c in points.columns if c in catalogues[0]]
    params = []
    for path, rng in spec.parameters.items():
        where = f'parameters."{path}"'
        info = _lookup(path, catalogues, where, errors)
        if info is not None:
            checked = _check_range(spec.design, info, rng, where, errors)
            if checked is not None:
                params.append(checked)
    return params


def _lookup(
    path: str, catalogues: list[dict[str, ParameterInfo]], where: str, errors: list[str]
) -> ParameterInfo | None:
    for catalogue in catalogues:
        if path not in catalogue:
            close = difflib.get_close_matches(path, list(catalogue), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            errors.append(f"{where}: unknown parameter path (see `multivector parameters`){hint}")
            return None
    return catalogues[0][path]


def _check_range(
    design: str, info: ParameterInfo, rng: RangeSpec, where: str, errors: list[str]
) -> SweptParameter | None:
    """Check one parameter's declaration; append errors, return it if valid."""
    start = len(errors)
    has_range = rng.low is not None or rng.high is not None
    if has_range == (rng.values is not None):
        errors.append(f"{where}: give either low and high, or values")
    elif has_range:
        _check_bounds(design, info, rng, where, errors)
    else:
        _check_values(design, info, rng, where, errors)
    if len(errors) > start:
        return None
    values = tuple(rng.values or ())
    return SweptParameter(info.path, info.kind, rng.low, rng.high, values, rng.levels)


def _check_bounds(design: str, info: ParameterInfo, rng: RangeSpec, where: str, errors: list[str]) -> None:
    if info.kind == "bool":
        errors.append(f"{where}: a true/false parameter takes values = [true, false]")
    elif rng.low is None or rng.high is None:
        errors.append(f"{where}: a range needs both low and high")
    elif rng.low >= rng.high:
        errors.append(f"{where}: low ({rng.low:g}) must be less than high ({rng.high:g})")
    else:
        for key, value in (("low", rng.low), ("high", rng.high)):
            if not info.contains(value):
                errors.append(f"{where}.{key}: {value:g} is outside the allowed {info.range_text}")
            elif info.kind == "integer" and value != int(value):
                errors.append(f"{where}.{key}: {info.path} is an integer (got {value:g})")
    if design == "grid" and rng.levels is None:
        errors.append(f"{where}: the grid design needs values = [...] or levels = N with a range")
    if design != "grid" and rng.levels is not None:
        errors.append(f"{where}.levels: only used by the grid design")


def _check_values(design: str, info: ParameterInfo, rng: RangeSpec, where: str, errors: list[str]) -> None:
    values = rng.values or []
    if design in NEEDS_BOUNDS:
        errors.append(f"{where}: the {design} design needs low and high, not values")
        return
    if not values:
        errors.append(f"{where}.values: list at least one value")
    if len(set(map(repr, values))) != len(values):
        errors.append(f"{where}.values: repeated values")
    if rng.levels is not None:
        errors.append(f"{where}.levels: only used with low and high")
    for i, v in enumerate(values):
        if (info.kind == "bool") != isinstance(v, bool) or (
            info.kind == "integer" and not isinstance(v, int)
        ):
            expected = {"bool": "true or false", "integer": "an integer", "real": "a number"}
            errors.append(f"{where}.values[{i}]: expected {expected[info.kind]}, got {v!r}")
        elif info.kind != "bool" and not info.contains(v):
            errors.append(f"{where}.values[{i}]: {v:g} is outside the allowed {info.range_text}")


def _check_scenarios_accept(
    spec: SweepSpec, params: list[SweptParameter], scenarios: list[Scenario]
) -> list[str]:
    """Each bound and value, set alone, must give a valid version of every scenario."""
    errors = []
    for p in params:
        trial = list(p.values) if p.values else [p.low, p.high] if p.low is not None else []
        for value in trial:
            for sc in scenarios:
                try:
                    sc.with_overrides({p.path: value})
                except (ValidationError, ValueError) as err:
                    reason = describe_validation(err) if isinstance(err, ValidationError) else str(err)
                    errors.append(
                        f'parameters."{p.path}": {value!r} makes scenario {sc.name} invalid: {reason}'
                    )
                    break
    return errors


def _read_points(
    spec: SweepSpec, path: Path, catalogue: dict[str, ParameterInfo], errors: list[str]
) -> pd.DataFrame | None:
    """Load and check the list design's CSV: known paths as columns, values in range."""
    file = path.parent / (spec.points or "")
    allowed = (path.parent.resolve(), SCENARIO_DIR.resolve())
    if not any(file.resolve().is_relative_to(folder) for folder in allowed):
        errors.append(
            f"points: {spec.points!r} is outside the spec's folder {path.parent}; "
            "expected a CSV file beside the spec or in a folder under it"
        )
        return None
    try:
        points = pd.read_csv(file)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        errors.append(f"points: cannot read {file}: {str(err).splitlines()[0]}")
        return None
    points = points.drop(columns=["design_point"], errors="ignore")
    where = f"points ({file})"
    if points.empty or points.columns.empty:
        errors.append(f"{where}: no design points")
        return None
    for col in points.columns:
        info = catalogue.get(col)
        if info is None:
            errors.append(f"{where}: column {col!r} is not a parameter path")
        elif points[col].isna().any():
            errors.append(f"{where}: column {col!r} has empty cells")
        elif info.kind == "bool":
            if points[col].dtype != bool:
                errors.append(f"{where}: column {col!r} must hold true/false")
        elif not pd.api.types.is_numeric_dtype(points[col]) or points[col].dtype == bool:
            errors.append(f"{where}: column {col!r} must hold numbers")
        elif info.kind == "integer" and (points[col] != points[col].round()).any():
            errors.append(f"{where}: column {col!r} must hold integers")
        else:
            bad = [v for v in points[col] if not info.contains(float(v))]
            if bad:
                errors.append(f"{where}: column {col!r}: {bad[0]:g} is outside the allowed {info.range_text}")
    return points


def spec_summary(sweep: Sweep) -> str:
    """A one-line account of what the sweep will run."""
    s = sweep.spec
    return (
        f"{len(sweep.design)} design points ({s.design}) x {len(sweep.scenarios)} scenarios x "
        f"{len(sweep.strategies)} strategies x {s.replicates} replicates = "
        f"{sweep.runs_planned:,} runs"
    )
