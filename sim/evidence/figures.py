"""Figures of observed against simulated paths: partner shares of trade and real GDP growth.

Shared by the hindcast and the calibration; matplotlib is imported on first use (Agg backend).
"""

from pathlib import Path

import pandas as pd

from sim.evidence.observed import PARTNER_KEYS
from sim.files import atomic_path


def plot_paths(
    table: pd.DataFrame, path: Path, *lines: tuple[str, str], gdp: pd.DataFrame | None = None
) -> None:
    """One panel per partner: observed shares against simulated columns (and band if present).

    A predictive band (``predictive_p5``, ``predictive_p95``: the simulator plus its model
    discrepancy) is drawn lighter behind the simulated band when it differs from it. With ``gdp``
    (year, observed and the same simulated columns), a last panel shows real GDP growth.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    with_gdp = gdp is not None and not gdp.empty
    fig, axes = plt.subplots(2, 4 if with_gdp else 3, figsize=(14 if with_gdp else 11, 6), sharex=True)
    panels = axes.ravel()
    if with_gdp:
        _growth_panel(panels[len(PARTNER_KEYS)], gdp, lines)
        panels[-1].set_visible(False)
        axes = axes[:, [0, 1, 2]]  # the legend goes on the first partner panel as before
    for ax, key in zip(panels, PARTNER_KEYS, strict=False):
        part = table[table["partner"] == key]
        if _has_predictive(part):
            ax.fill_between(
                part["year"],
                part["predictive_p5"],
                part["predictive_p95"],
                alpha=0.15,
                color="#cc6677",
                label="5-95% with model discrepancy",
            )
        if {"p5", "p95"} <= set(part.columns):
            band = "5-95%, simulator alone" if _has_predictive(part) else "5-95%"
            ax.fill_between(part["year"], part["p5"], part["p95"], alpha=0.25, label=band)
        for column, label in lines:
            ax.plot(part["year"], part[column], marker=".", label=label)
        ax.plot(part["year"], part["observed"], "k-o", markersize=3, label="observed")
        ax.set_title(key)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))  # decimals follow the axis range
    axes[0, 0].legend(fontsize=7)
    title = "Kazakhstan: partner shares of trade turnover" + (" and real GDP growth" if with_gdp else "")
    fig.suptitle(f"{title}, observed and simulated")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)


def _growth_panel(ax, gdp: pd.DataFrame, lines: tuple[tuple[str, str], ...]) -> None:
    """Observed against simulated annual real GDP growth."""
    from matplotlib.ticker import PercentFormatter

    if _has_predictive(gdp):
        ax.fill_between(gdp["year"], gdp["predictive_p5"], gdp["predictive_p95"], alpha=0.15, color="#cc6677")
    if {"p5", "p95"} <= set(gdp.columns):
        ax.fill_between(gdp["year"], gdp["p5"], gdp["p95"], alpha=0.25)
    for column, label in lines:
        if column in gdp.columns:
            ax.plot(gdp["year"], gdp[column], marker=".", label=label)
    ax.plot(gdp["year"], gdp["observed"], "k-o", markersize=3)
    ax.axhline(0.0, color="grey", linewidth=0.5)
    ax.set_title("real GDP growth")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))  # decimals follow the axis range


def _has_predictive(table: pd.DataFrame) -> bool:
    """Whether the table has a predictive band that differs from the simulated one."""
    columns = ["predictive_p5", "predictive_p95"]
    if not set(columns) <= set(table.columns):
        return False
    return table[columns].to_numpy().tolist() != table[["p5", "p95"]].to_numpy().tolist()
