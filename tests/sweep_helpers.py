"""Tiny sweep specs shared by the sweep tests (seconds, not minutes)."""

from pathlib import Path

TINY = """
name = "tiny"
scenarios = ["baseline_2023"]
strategies = ["multivector", "equidistance"]
design = "lhs"
samples = 3
replicates = 5
chunk_size = 2
seed = 4
steps = 5
record_every = 2

[parameters."powers.russia.tolerance"]
low = 0.1
high = 0.6

[parameters."world.rivalry"]
values = [0.2, 0.8]
"""


def write_spec(folder: Path, text: str = TINY, name: str = "spec.toml") -> Path:
    """Write a spec file and return its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def result_bytes(out: Path) -> dict[str, bytes]:
    """The deterministic files of a results folder (everything but the manifest)."""
    return {
        p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and p.name != "manifest.json"
    }
