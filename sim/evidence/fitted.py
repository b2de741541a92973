"""The calibrated parameter values the shipped scenarios use (``scenarios/calibration/fitted.toml``).

``multivector calibrate`` writes the file: nested TOML tables (``[pivot]``, ``[world]``) holding
only the fitted parameters, with the fit statistics as comments. A scenario picks the values
up with ``extends = "calibration/fitted"``; the hindcast applies them as overrides.
"""

from pathlib import Path
from typing import Any

from sim.files import atomic_write_text, read_toml
from sim.paths import FITTED_FILE


def load_fitted(path: Path = FITTED_FILE) -> dict[str, float]:
    """Fitted values by dotted parameter path; empty when there is no fitted file."""
    return dict(_flatten(read_toml(path))) if path.is_file() else {}


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        out += _flatten(value, f"{path}.") if isinstance(value, dict) else [(path, value)]
    return out


def write_fitted(path: Path, values: dict[str, float], header: list[str]) -> None:
    """Write fitted values as nested TOML tables, with ``header`` lines as comments."""
    tables: dict[str, dict[str, float]] = {}
    for dotted, value in values.items():
        table, _, leaf = dotted.rpartition(".")
        tables.setdefault(table, {})[leaf] = value
    lines = [f"# {line}" if line else "#" for line in header]
    for table, leaves in tables.items():
        lines += ["", f"[{table}]"] + [f"{leaf} = {value:.4g}" for leaf, value in leaves.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, "\n".join(lines) + "\n")
