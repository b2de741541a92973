"""Quarterly calendar: parse, format and step dates like ``2024Q1``."""

import re

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def parse_quarter(text: str) -> int:
    """Return the quarter index (year * 4 + quarter - 1) of a date like ``2025Q2``."""
    match = _QUARTER.match(text.strip())
    if match is None:
        raise ValueError(f"expected a quarter like 2024Q1, got {text!r}")
    return int(match.group(1)) * 4 + int(match.group(2)) - 1


def format_quarter(index: int) -> str:
    """Return the ``YYYYQn`` label of a quarter index."""
    return f"{index // 4}Q{index % 4 + 1}"


def quarter_labels(start: str, steps: int) -> list[str]:
    """Labels of steps 0..steps: step k is the state at the end of quarter ``start + k - 1``.

    Step 0, the initial state, is labelled with the quarter before ``start`` (2023Q4 for a run
    starting 2024Q1: the end-of-2023 picture); step 1 is the first simulated quarter.
    """
    first = parse_quarter(start)
    return [format_quarter(first + k - 1) for k in range(steps + 1)]
