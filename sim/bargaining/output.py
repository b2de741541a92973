"""The folder ``multivector bargain`` writes: forecast.csv, rounds.csv, scores.csv, a figure, manifest.json.

Tables go through :func:`sim.files.atomic_write_csv` (the project's one CSV encoding), so the
same issues, options and seed give byte-identical files. The figure draws each actor's position
round by round in the central run, one panel per issue (the first ``MAX_PANELS`` issues), with
the forecast's 5-95% range over replicates as a band at the right.
"""

import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

from sim.bargaining.forecast import BargainResult
from sim.bargaining.issues import Issue
from sim.files import atomic_write_bytes, atomic_write_csv, build_manifest, write_manifest

MAX_PANELS = 24
FIGURE = "positions.png"
LINESTYLES = {"bdm": "-", "ktab": "--"}


def positions_figure(issues: list[Issue], result: BargainResult) -> bytes:
    """PNG of the actors' position paths per issue and model."""
    shown = issues[:MAX_PANELS]
    columns = min(3, len(shown))
    rows = -(-len(shown) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.6 * columns, 3.2 * rows), squeeze=False)
    for ax, issue in zip(axes.flat, shown, strict=False):
        paths = result.rounds[result.rounds["issue"] == issue.name]
        colours = {actor: plt.get_cmap("tab10")(k % 10) for k, actor in enumerate(issue.actors)}
        for (model, actor), path in paths.groupby(["model", "actor"], sort=False):
            style = LINESTYLES.get(model, ":")
            ax.plot(path["round"], path["position"], style, color=colours[actor], lw=1.2, label=actor)
        for row in result.forecast[result.forecast["issue"] == issue.name].itertuples():
            right = paths["round"].max() if len(paths) else 0
            ax.errorbar(
                right + 0.4,
                row.forecast,
                yerr=[[row.forecast - row.forecast_low], [row.forecast_high - row.forecast]],
                fmt="o" if row.model == "bdm" else "s",
                color="black",
                ms=4,
                capsize=3,
            )
        ax.set_ylim(issue.scale_low, issue.scale_high)
        ax.set_title(issue.name, fontsize=9)
        ax.set_xlabel("round (solid: BDM, dashed: KTAB; marker: forecast, 5-95%)", fontsize=7)
        ax.set_ylabel("position", fontsize=8)
        if issue.size <= 8:
            handles, labels = ax.get_legend_handles_labels()
            unique = dict(zip(labels, handles, strict=False))
            ax.legend(unique.values(), unique.keys(), fontsize=6, loc="best")
    for ax in list(axes.flat)[len(shown) :]:
        ax.axis("off")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def write_results(
    out: Path,
    issues: list[Issue],
    result: BargainResult,
    scores: pd.DataFrame,
    inputs: dict[str, Any],
    started: str,
) -> dict[str, int]:
    """Write every file of the folder (already prepared); return the row counts."""
    counts = {
        "forecast_rows": atomic_write_csv(out / "forecast.csv", [result.forecast]),
        "round_rows": atomic_write_csv(out / "rounds.csv", [result.rounds]),
    }
    if len(scores):
        counts["score_rows"] = atomic_write_csv(out / "scores.csv", [scores])
    atomic_write_bytes(out / FIGURE, positions_figure(issues, result))
    write_manifest(out, build_manifest("bargain", inputs, inputs["seed"], started, counts, outcomes=False))
    return counts
