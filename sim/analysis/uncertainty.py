"""Which strategy comparisons survive parameter uncertainty: rankings checked draw by draw.

When a run draws each replicate's parameters from a calibration posterior (the manifest lists
the posterior under ``inputs.posteriors``), every replicate is one draw of the uncertain
parameters, met by every strategy (common random numbers). A comparison of two strategies on
an outcome is *robust to parameter uncertainty* when one strategy is at least as good in
``ROBUST_SHARE`` of the paired draws and better in some: the higher-ranked one (``holds``) or
the other (``reversed``); or when they are equal in most draws (``tie``, as counts of crises
often are); otherwise it is ``uncertain``. Each draw also carries its own noise, so
the test is conservative: a comparison it calls robust holds across the posterior and the noise.
"""

import math
from itertools import pairwise

import numpy as np
import pandas as pd

from sim.analysis.results import Results, better_sign
from sim.schema import PAIR_KEYS

ROBUST_SHARE = 0.9
"""Share of paired draws a comparison must hold in to be called robust."""

PAIRS_IN_VERDICT = 3
"""Adjacent pairs from the top of the ranking that the verdict describes; the table has them all."""

ALL_SCENARIOS = "all"
"""The ``scenario`` value of rows that pool every scenario's draws."""

COLUMNS = [
    "better",
    "worse",
    "scenario",
    "metric",
    "n_draws",
    "share_holds",
    "mean_diff",
    "robust",
    "verdict",
]


def posterior_in_force(results: Results) -> dict[str, str]:
    """The posterior files (reference -> sha256) the run drew its parameters from; {} if none."""
    inputs = results.manifest.get("inputs", {})
    return dict(inputs.get("posteriors", {})) if isinstance(inputs, dict) else {}


def ranking_robustness(results: Results, order: list[str], metrics: list[str]) -> pd.DataFrame:
    """For each pair of strategies adjacent in ``order`` (best first), how often the ranking holds.

    One row per pair x scenario x outcome with a direction, plus rows pooling all scenarios
    (``scenario = "all"``): ``share_holds`` is the share of paired draws in which the higher-ranked
    strategy did strictly better, ``mean_diff`` its mean advantage in the outcome's unit (positive
    = better), ``verdict`` (module doc) and ``robust`` whether it is not ``uncertain``.
    """
    ok = results.ok
    rows = []
    for better, worse in pairwise(order):
        merged = ok[ok["strategy"] == better].merge(
            ok[ok["strategy"] == worse], on=PAIR_KEYS, suffixes=("", "_worse")
        )
        for metric in metrics:
            sign = better_sign(results.outcomes[metric].direction)
            if np.isnan(sign):
                continue
            advantage = sign * (merged[metric] - merged[f"{metric}_worse"])
            groups = [(s, advantage[merged["scenario"] == s]) for s in sorted(set(merged["scenario"]))]
            for scenario, values in [*groups, (ALL_SCENARIOS, advantage)]:
                values = values.dropna()
                share = float((values > 0).mean()) if len(values) else np.nan
                losses = float((values < 0).mean()) if len(values) else np.nan
                verdict = _verdict(share, losses)
                rows.append(
                    {
                        "better": better,
                        "worse": worse,
                        "scenario": scenario,
                        "metric": metric,
                        "n_draws": len(values),
                        "share_holds": share,
                        "mean_diff": float(values.mean()) if len(values) else np.nan,
                        "robust": verdict != "uncertain",
                        "verdict": verdict,
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def robustness_sentences(table: pd.DataFrame, posteriors: dict[str, str]) -> list[str]:
    """One sentence per adjacent pair of the ranking: which outcomes' comparison survives the draws."""
    if table.empty:
        return []
    pooled = table[table["scenario"] == ALL_SCENARIOS]
    names = ", ".join(sorted(posteriors))
    out = [
        f"Parameter uncertainty: each replicate drew its parameters from the posterior {names}. An "
        f"outcome's comparison is robust when one strategy is at least as good in "
        f"{ROBUST_SHARE:.0%} of paired draws (or the two are equal in most), all scenarios pooled "
        f"(every pair of neighbours in the ranking: posterior_robustness.csv)."
    ]
    pairs = list(pooled.groupby(["better", "worse"], sort=False))[:PAIRS_IN_VERDICT]
    for (better, worse), rows in pairs:
        verdicts = ("holds", "reversed", "tie", "uncertain")
        by = {v: [r for r in rows.itertuples() if r.verdict == v] for v in verdicts}
        parts = []
        if by["holds"]:
            parts.append(f"{better} better on {_names(by['holds'])}")
        if by["reversed"]:
            parts.append(f"{worse} better on {_names(by['reversed'])}")
        if by["tie"]:
            parts.append(f"equal on {_names(by['tie'])}")
        label = (
            "robust to parameter uncertainty"
            if not by["uncertain"]
            else "not robust to parameter uncertainty"
        )
        text = f"{better} against {worse}: {label}"
        if parts:
            text += f" ({'; '.join(parts)})"
        if by["uncertain"]:
            shares = ", ".join(f"{r.metric} ({_share(r.share_holds)} for {better})" for r in by["uncertain"])
            text += f"; the draws disagree on {shares}"
        out.append(text + ".")
    return out


def _share(share: float) -> str:
    """A share of draws in whole percent, or to 0.1% where rounding would reach the threshold."""
    if share < ROBUST_SHARE and round(share * 100) >= ROBUST_SHARE * 100:
        return f"{math.floor(share * 1000) / 10:.1f}%"
    return f"{share:.0%}"


def _verdict(wins: float, losses: float) -> str:
    """``holds``, ``reversed``, ``tie`` or ``uncertain`` from the shares of draws won and lost."""
    rare = 1.0 - ROBUST_SHARE
    if wins <= rare and losses <= rare:
        return "tie"  # equal in most draws, as counts of crises often are
    if losses <= rare:
        return "holds"
    return "reversed" if wins <= rare else "uncertain"


def _names(rows: list) -> str:
    return ", ".join(r.metric for r in rows)
