"""Matplotlib figures of a results folder: the sensitivity bars of a sweep.

The report's other charts are inline SVG (:mod:`sim.analysis.charts`), which draw in
milliseconds; matplotlib stays for the sensitivity bars, and is imported only when a sweep has
them. Figures are rendered with the Agg backend, so they need no display; colours come from
:mod:`sim.analysis.palette`, the same as everywhere else.
"""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure


def to_png(figure: Figure, dpi: int = 110) -> bytes:
    """Render a figure to PNG bytes and close it."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def sensitivity_bars(table: pd.DataFrame, method: str, metrics: list[str], colours: dict[str, str]) -> Figure:
    """Sobol ST (bars) and S1 (markers) or Morris mu* (bars), per parameter, one panel a metric.

    Error bars are the 95% bootstrap half-widths; where a sweep spans several scenarios the
    indices are averaged over them.
    """
    value, conf, second = ("ST", "ST_conf", "S1") if method == "sobol" else ("mu_star", "mu_star_conf", None)
    parameters = list(dict.fromkeys(table["parameter"]))
    strategies = [s for s in colours if s in set(table["strategy"])]
    ncols = min(2, len(metrics))
    nrows = int(np.ceil(len(metrics) / ncols))
    height = 0.32 * len(parameters) * max(1, len(strategies) / 2) + 1.5
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(6.2 * ncols, height * nrows), squeeze=False, layout="constrained"
    )
    bar = 0.8 / max(1, len(strategies))
    for ax, metric in zip(axes.flat, metrics, strict=False):
        data = table[table["metric"] == metric].groupby(["strategy", "parameter"]).mean(numeric_only=True)
        for k, strategy in enumerate(strategies):
            rows = data.loc[strategy].reindex(parameters)
            ypos = np.arange(len(parameters)) + k * bar - 0.4 + bar / 2
            ax.barh(
                ypos,
                rows[value],
                height=bar,
                xerr=rows[conf],
                color=colours[strategy],
                alpha=0.85,
                label=strategy,
                error_kw={"elinewidth": 0.8},
            )
            if second:
                ax.scatter(rows[second], ypos, marker="|", color="black", s=60, zorder=3)
        ax.set_yticks(np.arange(len(parameters)), parameters, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(metric, fontsize=10)
        ax.set_xlabel(
            "total-order index ST (bar), first-order S1 (|)"
            if method == "sobol"
            else "Morris mu* (mean |elementary effect|, outcome units)"
        )
        ax.grid(alpha=0.3, axis="x")
    for ax in list(axes.flat)[len(metrics) :]:
        ax.set_visible(False)
    _legend(fig, axes.flat[0])
    name = "Sobol indices" if method == "sobol" else "Morris screening"
    fig.suptitle(f"Sensitivity of outcomes to swept parameters ({name}, 95% CI)")
    return fig


def _legend(fig: Figure, ax, title: str = "strategy") -> None:
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(
            handles,
            labels,
            title=title,
            loc="lower center",
            ncol=min(7, len(labels)),
            bbox_to_anchor=(0.5, -0.06),
            fontsize=8,
            frameon=False,
        )
