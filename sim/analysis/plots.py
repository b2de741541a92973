"""Figures of a results folder: fan charts, trade shares, heatmap, scatter, sensitivity bars.

Every function takes tables (the loaded results or an analysis table) and returns a matplotlib
``Figure``; nothing is shown on screen (the Agg backend is used, so figures render on a machine
without a display). Colours come from the Okabe-Ito palette (Okabe & Ito 2008), which stays
distinguishable with the common forms of colour blindness, and each strategy keeps the same
colour in every figure of a report (see :func:`strategy_colours`).
"""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.palette import OKABE_ITO, strategy_markers

SERIES_LABELS = {
    "welfare": "Welfare (GDP index, start = 1)",
    "autonomy": "Autonomy (1 - HHI of bloc trade shares)",
    "security_risk": "Security risk (0..1)",
    "max_dependence": "Largest bloc trade share",
}


def to_png(figure: Figure, dpi: int = 110) -> bytes:
    """Render a figure to PNG bytes and close it."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def fan_chart(timeseries: pd.DataFrame, scenario: str, series: list[str], colours: dict[str, str]) -> Figure:
    """Median and 5-95% band over time of each series, one panel per series, per strategy.

    Args:
        timeseries: the results' time series (with ``strategy`` and ``scenario`` columns).
        scenario: the scenario drawn.
        series: time-series columns, e.g. ``welfare``, ``autonomy``.
        colours: strategy -> colour.
    """
    data = timeseries[timeseries["scenario"] == scenario]
    ncols = min(2, len(series))
    nrows = int(np.ceil(len(series) / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(6 * ncols, 3.4 * nrows), squeeze=False, layout="constrained"
    )
    for ax, name in zip(axes.flat, series, strict=False):
        for strategy, colour in colours.items():
            runs = data[data["strategy"] == strategy]
            if runs.empty:
                continue
            q = runs.groupby("step")[name].quantile([0.05, 0.5, 0.95]).unstack()
            ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.18, linewidth=0)
            ax.plot(q.index, q[0.5], color=colour, label=strategy, linewidth=1.8)
        ax.set_title(SERIES_LABELS.get(name, name), fontsize=10)
        ax.set_ylabel(SERIES_LABELS.get(name, name).split(" (")[0])
        _date_axis(ax, data)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(series) :]:
        ax.set_visible(False)
    _legend(fig, axes.flat[0])
    fig.suptitle(f"Outcomes over time, median and 5-95% band of runs ({scenario})")
    return fig


def trade_shares(timeseries: pd.DataFrame, scenario: str, strategies: list[str]) -> Figure:
    """Mean trade share of each partner over time, stacked, one panel per strategy."""
    data = timeseries[timeseries["scenario"] == scenario]
    partners = [c for c in data.columns if c.startswith("share_")]
    ncols = min(3, len(strategies))
    nrows = int(np.ceil(len(strategies) / ncols))
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(4.6 * ncols, 3.2 * nrows),
        squeeze=False,
        sharey=True,
        layout="constrained",
    )
    palette = {p: OKABE_ITO[(i + 4) % len(OKABE_ITO)] for i, p in enumerate(partners)}
    for ax, strategy in zip(axes.flat, strategies, strict=False):
        mean = data[data["strategy"] == strategy].groupby("step")[partners].mean()
        ax.stackplot(
            mean.index,
            [mean[p] for p in partners],
            labels=[p.removeprefix("share_") for p in partners],
            colors=[palette[p] for p in partners],
            alpha=0.9,
        )
        ax.set_title(strategy, fontsize=10)
        ax.set_ylim(0, 1)
        ax.set_ylabel("Share of trade")
        _date_axis(ax, data)
    for ax in list(axes.flat)[len(strategies) :]:
        ax.set_visible(False)
    _legend(fig, axes.flat[0], title="partner")
    fig.suptitle(f"Trade shares by partner over time, mean of runs ({scenario})")
    return fig


def heatmap(summary: pd.DataFrame, metrics: list[str], strategies: list[str]) -> Figure:
    """Strategy x scenario heatmap of the mean of each metric, coloured from worst to best.

    The colour is the strategy's position between the worst (0) and best (1) mean in that
    scenario, so every panel reads the same way; the number printed is the mean itself.
    """
    ncols = min(3, len(metrics))
    nrows = int(np.ceil(len(metrics) / ncols))
    scenarios = sorted(summary["scenario"].unique())
    width = max(2.4, 0.9 * len(scenarios) + 1.0)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(width * ncols + 2.5, (0.42 * len(strategies) + 1.4) * nrows + 0.6),
        squeeze=False,
        sharey=True,
        layout="constrained",
    )
    image = None
    for ax, metric in zip(axes.flat, metrics, strict=False):
        table = summary[summary["metric"] == metric]
        means = table.pivot(index="strategy", columns="scenario", values="mean")
        means = means.reindex(index=strategies, columns=scenarios)
        direction = table["direction"].iloc[0] if len(table) else ""
        score = _relative(means, direction)
        image = ax.imshow(score.to_numpy(float), cmap="cividis", vmin=0, vmax=1, aspect="auto")
        for (i, j), value in np.ndenumerate(means.to_numpy(float)):
            colour = "white" if score.iat[i, j] < 0.55 else "black"
            ax.text(j, i, f"{value:.3g}", ha="center", va="center", fontsize=8, color=colour)
        ax.set_xticks(range(len(scenarios)), scenarios, rotation=30, ha="right", fontsize=8)
        ax.set_yticks(range(len(strategies)), strategies, fontsize=8)
        ax.tick_params(axis="y", labelleft=ax.get_subplotspec().is_first_col())
        arrow = {"max": " (higher better)", "min": " (lower better)"}.get(direction, "")
        ax.set_title(f"{metric}{arrow}", fontsize=9)
    for ax in list(axes.flat)[len(metrics) :]:
        ax.set_visible(False)
    if image is not None:
        bar = fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6)
        bar.set_label("worst (0) to best (1) in scenario")
    fig.suptitle("Mean outcome by strategy and scenario")
    return fig


def welfare_autonomy(
    runs: pd.DataFrame,
    colours: dict[str, str],
    x: str = "autonomy_mean",
    y: str = "welfare_final",
) -> Figure:
    """Each run as a faint dot, each strategy's mean as a large marker: welfare vs autonomy."""
    fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
    markers = strategy_markers(colours)
    for strategy, colour in colours.items():
        data = runs[runs["strategy"] == strategy]
        if data.empty:
            continue
        ax.scatter(data[x], data[y], s=10, color=colour, alpha=0.4, linewidths=0)
        ax.scatter(
            data[x].mean(),
            data[y].mean(),
            s=110,
            color=colour,
            marker=markers[strategy],
            edgecolors="black",
            linewidths=0.8,
            label=strategy,
            zorder=3,
        )
    ax.set_xlabel(f"{x}: autonomy, 1 - HHI of bloc trade shares (higher better)")
    ax.set_ylabel(f"{y}: GDP index, start = 1 (higher better)")
    ax.set_title("Welfare against autonomy, runs (dots) and strategy means (markers)")
    ax.grid(alpha=0.3)
    ax.legend(title="strategy", fontsize=8, loc="best")
    return fig


def paired_forest(paired: pd.DataFrame, metrics: list[str], colours: dict[str, str]) -> Figure:
    """Mean paired difference from the reference with its 95% CI, per metric and strategy."""
    ncols = min(3, len(metrics))
    nrows = int(np.ceil(len(metrics) / ncols))
    strategies = [s for s in colours if s in set(paired["strategy"])]
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(4.4 * ncols, (0.35 * len(strategies) + 1.3) * nrows),
        squeeze=False,
        layout="constrained",
    )
    for ax, metric in zip(axes.flat, metrics, strict=False):
        table = paired[paired["metric"] == metric].groupby("strategy")
        means = table[["mean_diff", "ci_low", "ci_high"]].mean().reindex(strategies)
        ypos = np.arange(len(strategies))
        err = np.vstack([means["mean_diff"] - means["ci_low"], means["ci_high"] - means["mean_diff"]])
        ax.errorbar(
            means["mean_diff"],
            ypos,
            xerr=np.nan_to_num(err),
            fmt="none",
            ecolor="grey",
        )
        ax.scatter(means["mean_diff"], ypos, c=[colours[s] for s in strategies], zorder=3)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(ypos, strategies, fontsize=8)
        direction = paired.loc[paired["metric"] == metric, "direction"].iloc[0]
        arrow = {"max": "higher better", "min": "lower better"}.get(direction, "descriptive")
        ax.set_title(f"{metric} ({arrow})", fontsize=9)
        ax.set_xlabel("difference from reference")
        ax.grid(alpha=0.3, axis="x")
    for ax in list(axes.flat)[len(metrics) :]:
        ax.set_visible(False)
    reference = paired["reference"].iloc[0]
    fig.suptitle(f"Paired difference from {reference} (mean over scenarios, 95% CI)")
    return fig


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


def _relative(means: pd.DataFrame, direction: str) -> pd.DataFrame:
    """Map each column to 0 (worst) .. 1 (best); 0.5 where all strategies tie."""
    low, high = means.min(), means.max()
    span = (high - low).replace(0, np.nan)
    score = (means - low) / span
    if direction == "min":
        score = 1 - score
    return score.fillna(0.5)


def _date_axis(ax, data: pd.DataFrame) -> None:
    """Label steps with their quarter dates (about six ticks)."""
    if "date" not in data.columns or data.empty:
        ax.set_xlabel("step (quarter)")
        return
    dates = data.drop_duplicates("step").set_index("step")["date"].sort_index()
    ticks = dates.index[:: max(1, int(np.ceil(len(dates) / 5)))]
    ax.set_xticks(ticks, [str(dates[t]) for t in ticks], fontsize=8, rotation=30, ha="right")
    ax.set_xlabel("quarter")


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
