"""The link to the agent-based model: a run's state at a quarter rescales the powers on an issue.

``multivector bargain ISSUES --from-run DIR --at QUARTER`` reads ``DIR/timeseries.csv`` (with
pandas; no model, no Mesa), averages every run's row at ``QUARTER`` and at the start (step 0),
and for each actor whose issue entry names a ``power``:

* capability x (bloc_share_p at QUARTER / bloc_share_p at the start): the larger Kazakhstan's
  trade dependence on the power's bloc, the more leverage it has (Hirschman's influence effect;
  docs/bargaining.md);
* salience x (1 + pressure_p at QUARTER) / (1 + pressure_p at the start), capped at 1: a power
  that presses harder shows that it cares more (an assumption).

At the start quarter both factors are 1, so the forecast is the unlinked one. The power keys are
found from the ``bloc_share_`` and ``pressure_`` columns, not hard-coded.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np

from sim.bargaining.issues import Issue
from sim.errors import UserError
from sim.files import read_result_csv

SHARE, PRESSURE = "bloc_share_", "pressure_"


def run_state(run_dir: Path, at: str) -> tuple[dict[str, float], dict[str, float]]:
    """Per power: (ratio of bloc shares, ratio of 1 + pressure) between ``at`` and the start."""
    path = Path(run_dir) / "timeseries.csv"
    if not path.is_file():
        raise UserError(
            f"{path}: cannot read file: No such file or directory "
            "(`from_run` needs a run folder with timeseries.csv)"
        )
    series = read_result_csv(path)
    for column in ("step", "date"):
        if column not in series.columns:
            raise UserError(f"{path}, field {column!r}: missing column")
    powers = sorted(c.removeprefix(SHARE) for c in series.columns if c.startswith(SHARE))
    powers = [p for p in powers if f"{PRESSURE}{p}" in series.columns]
    if not powers:
        raise UserError(f"{path}: no {SHARE}<power> and {PRESSURE}<power> columns")
    start = series[series["step"] == series["step"].min()]
    then = series[series["date"] == at]
    if then.empty:
        dates = ", ".join(sorted(series["date"].astype(str).unique()))
        raise UserError(f"{path}, field 'date': no rows at `at` = {at!r} (recorded: {dates})")
    share = {p: float(then[SHARE + p].mean() / start[SHARE + p].mean()) for p in powers}
    pressure = {p: float((1 + then[PRESSURE + p].mean()) / (1 + start[PRESSURE + p].mean())) for p in powers}
    return share, pressure


def apply_run(issues: list[Issue], run_dir: Path, at: str) -> list[Issue]:
    """Issues with the named powers' capabilities and saliences rescaled by the run's state at ``at``."""
    share, pressure = run_state(run_dir, at)
    linked = []
    for issue in issues:
        capability = issue.capability.copy()
        factor = np.ones(issue.size)
        for k, power in enumerate(issue.powers):
            if power is None:
                continue
            if power not in share:
                raise UserError(
                    f"{issue.source} row actor[{k}], field 'power': {power!r} is not a power of the run "
                    f"(found {', '.join(share)})"
                )
            capability[k] *= share[power]
            factor[k] = pressure[power]
        linked.append(
            replace(
                issue,
                capability=capability,
                salience=np.minimum(issue.salience * factor, 1.0),
                salience_low=np.minimum(issue.salience_low * factor, 1.0),
                salience_high=np.minimum(issue.salience_high * factor, 1.0),
            )
        )
    return linked
