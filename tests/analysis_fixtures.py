"""Build results folders that follow the result-file contract, from numbers the test controls."""

import json
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from sim.schema import ID_COLUMNS as SCHEMA_ID_COLUMNS

ID_COLUMNS = list(SCHEMA_ID_COLUMNS)
PARTNERS = ["russia", "china", "eu_rest", "italy", "us", "row"]
POWERS = ["russia", "china", "eu", "us"]
OUTCOME_DIRECTIONS = {
    "welfare_final": "max",
    "growth_annual": "max",
    "autonomy_mean": "max",
    "autonomy_final": "max",
    "max_dependence_final": "min",
    "security_risk_mean": "min",
    "security_risk_max": "min",
    "crises": "min",
    "sanctions_exposure_mean": "min",
    "relation_min_final": "max",
    "relation_spread_final": "min",
}


def pair_seed(scenario: str, design_point: int, chunk: int, replicate: int) -> int:
    """The same seed for every strategy of a pair, as the contract requires."""
    return zlib.crc32(f"{scenario}/{design_point}/{chunk}/{replicate}".encode())


def complete_runs(runs: pd.DataFrame, parameters: list[str] = ()) -> pd.DataFrame:
    """Fill the id columns a test left out, and order the columns as the contract does."""
    runs = runs.copy()
    defaults = {"scenario": "baseline", "design_point": 0, "chunk": 0, "status": "ok", "error": ""}
    for column, value in defaults.items():
        if column not in runs:
            runs[column] = value
    if "replicate" not in runs:
        runs["replicate"] = runs.groupby(["strategy", "scenario", "design_point"]).cumcount()
    if "seed" not in runs:
        runs["seed"] = [
            pair_seed(r.scenario, r.design_point, r.chunk, r.replicate) for r in runs.itertuples()
        ]
    if "run_id" not in runs:
        runs["run_id"] = [
            f"{r.scenario}.{r.strategy}.p{r.design_point}.c{r.chunk}.r{r.replicate}"
            for r in runs.itertuples()
        ]
    rest = [c for c in runs.columns if c not in ID_COLUMNS and c not in parameters]
    return runs[[*ID_COLUMNS, *parameters, *rest]]


def write_results(
    folder: Path,
    runs: pd.DataFrame,
    *,
    timeseries: pd.DataFrame | None = None,
    design: pd.DataFrame | None = None,
    sweep: dict | None = None,
    manifest: dict | None = None,
) -> Path:
    """Write runs.csv (completed), optional timeseries.csv / design.csv, and manifest.json."""
    folder.mkdir(parents=True, exist_ok=True)
    parameters = [c for c in design.columns if c != "design_point"] if design is not None else []
    complete_runs(runs, parameters).to_csv(folder / "runs.csv", index=False)
    if timeseries is not None:
        timeseries.to_csv(folder / "timeseries.csv", index=False)
    if design is not None:
        design.to_csv(folder / "design.csv", index=False)
    if manifest is None:
        manifest = {
            "kind": "sweep" if design is not None else "run",
            "command": "multivector test",
            "root_seed": 7,
            "created": "2025-01-01T00:00:00+00:00",
            "versions": {"multivector": "0.1.0"},
            "outcomes": {
                name: {"direction": d, "unit": "", "description": name}
                for name, d in OUTCOME_DIRECTIONS.items()
            },
            "counts": {"runs": len(runs)},
        }
        if sweep is not None:
            manifest["sweep"] = sweep
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


STRATEGY_EFFECT = {"multivector": 0.0, "pivot_china": -0.05, "bandwagon_russia": -0.1}


def make_run_folder(
    folder: Path,
    *,
    strategies: tuple[str, ...] = ("multivector", "pivot_china", "bandwagon_russia"),
    scenarios: tuple[str, ...] = ("baseline", "sanctions"),
    replicates: int = 12,
    steps: int = 8,
    seed: int = 0,
) -> Path:
    """A plain-run folder with every contract column, plausible values and a time series."""
    rng = np.random.default_rng(seed)
    rows, series = [], []
    for scenario in scenarios:
        for r in range(replicates):
            noise = rng.normal(size=4)  # shared by the strategies of a pair
            for strategy in strategies:
                effect = STRATEGY_EFFECT.get(strategy, 0.02)
                row = _outcomes(effect, noise, rng)
                row |= {"scenario": scenario, "strategy": strategy, "replicate": r}
                rows.append(row)
                run_id = f"{scenario}.{strategy}.p0.c0.r{r}"
                series.extend(_series(run_id, effect, noise, steps))
    runs = pd.DataFrame(rows)
    runs["run_id"] = [f"{r.scenario}.{r.strategy}.p0.c0.r{r.replicate}" for r in runs.itertuples()]
    return write_results(folder, runs, timeseries=pd.DataFrame(series))


def _outcomes(effect: float, noise: np.ndarray, rng: np.random.Generator) -> dict:
    shares = rng.dirichlet(np.full(len(PARTNERS), 4.0))
    autonomy = float(np.clip(0.7 + effect + 0.03 * noise[1], 0, 1))
    row = {
        "welfare_final": 1.3 + effect + 0.05 * noise[0],
        "growth_annual": 0.03 + effect / 10 + 0.004 * noise[0],
        "autonomy_mean": autonomy,
        "autonomy_final": autonomy - 0.01,
        "max_dependence_final": float(shares.max()),
        "security_risk_mean": float(np.clip(0.2 - effect + 0.03 * noise[2], 0, 1)),
        "security_risk_max": float(np.clip(0.4 - effect + 0.05 * noise[2], 0, 1)),
        "crises": float(max(0, round(2 - 10 * effect + noise[3]))),
        "sanctions_exposure_mean": float(np.clip(0.1 - effect / 2 + 0.02 * noise[3], 0, 1)),
        "relation_min_final": 0.1 + effect + 0.05 * noise[1],
        "relation_spread_final": 0.5 - effect + 0.05 * noise[2],
    }
    row |= {f"share_{p}_final": float(s) for p, s in zip(PARTNERS, shares, strict=True)}
    row |= {f"export_share_{p}_final": float(s) for p, s in zip(PARTNERS, shares, strict=True)}
    row |= {f"effort_{p}_final": 0.25 for p in POWERS}
    row |= {f"relation_{p}_final": 0.3 + effect for p in POWERS}
    row |= {f"pressure_{p}_mean": 0.1 - effect for p in POWERS}
    return row


def _series(run_id: str, effect: float, noise: np.ndarray, steps: int) -> list[dict]:
    rows = []
    for step in range(steps + 1):
        t = step / steps
        shares = np.array([0.3 - 0.1 * t, 0.2 + 0.05 * t, 0.2, 0.1, 0.05, 0.15 + 0.05 * t])
        row = {
            "run_id": run_id,
            "step": step,
            "date": f"{2024 + step // 4}Q{step % 4 + 1}",
            "welfare": 1 + (0.3 + effect + 0.05 * noise[0]) * t,
            "autonomy": 0.7 + effect * t + 0.02 * noise[1],
            "security_risk": 0.2 - effect * t + 0.02 * noise[2],
            "max_dependence": float(shares.max()),
            "oil_price": 80 + 5 * noise[3],
        }
        row |= {f"share_{p}": float(s) for p, s in zip(PARTNERS, shares, strict=True)}
        rows.append(row)
    return rows


def make_sweep_folder(
    folder: Path,
    design: pd.DataFrame,
    outcome,
    *,
    strategies: tuple[str, ...] = ("multivector",),
    replicates: int = 2,
    sweep: dict,
    noise: float = 0.0,
    seed: int = 0,
) -> Path:
    """A sweep folder whose ``welfare_final`` is ``outcome(strategy, design_matrix)``."""
    rng = np.random.default_rng(seed)
    names = [c for c in design.columns if c != "design_point"]
    x = design[names].to_numpy(float)
    frames = []
    for strategy in strategies:
        y = outcome(strategy, x)
        for r in range(replicates):
            frame = design.copy()
            frame["strategy"] = strategy
            frame["replicate"] = r
            frame["welfare_final"] = y + noise * rng.standard_normal(len(y))
            frame["autonomy_mean"] = 0.5 + 0.1 * x[:, 0] / (np.abs(x[:, 0]).max() or 1)
            frames.append(frame)
    runs = pd.concat(frames, ignore_index=True)
    return write_results(folder, runs, design=design, sweep=sweep)
