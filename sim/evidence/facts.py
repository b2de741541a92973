"""The facts file (seeds/facts.toml): ids of article and data facts that parameters cite."""

from pathlib import Path

from sim.files import read_toml
from sim.paths import FACTS_FILE


def load_facts(path: Path = FACTS_FILE) -> list[dict]:
    """All facts as dicts with id, kind, claim, informs and evidence."""
    return read_toml(path).get("fact", [])


def known_fact_ids(path: Path = FACTS_FILE) -> set[str] | None:
    """Ids of the facts, or None when the facts file is not there (an installed wheel)."""
    return {f["id"] for f in load_facts(path)} if path.is_file() else None
