"""Small charts as inline SVG text: fan charts, scatter plots and forest plots.

Matplotlib takes about half a second per figure, too slow for a report with a chart per scenario
or for a browser page redrawn every step. These functions write SVG by hand in a few
milliseconds; the text stays text (crisp, selectable, at least 11 px), the page needs no
JavaScript, and each line carries ``data-series`` so tests can read what was drawn.
"""

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

FONT = 'font-family="system-ui,sans-serif"'
TICK_PX = 11
TITLE_PX = 13


@dataclass(frozen=True)
class Band:
    """One series of a fan chart: a median line over x and, optionally, a low-high band."""

    label: str
    colour: str
    x: Sequence[float]
    mid: Sequence[float]
    low: Sequence[float] | None = None
    high: Sequence[float] | None = None


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values from at or below ``low`` to at or above ``high``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high <= low:
        high = low + (abs(low) * 0.1 or 1.0)
    raw = (high - low) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    ticks = [round(k * step, 12) for k in range(first, last + 1)]
    return ticks


def _fmt(value: float) -> str:
    return "0" if abs(value) < 1e-12 else f"{value:.3g}"


class _Frame:
    """Maps data to pixels inside a plot area and draws its axes."""

    def __init__(self, width: int, height: int, xs: np.ndarray, ys: np.ndarray, left: int = 52):
        self.width, self.height = width, height
        self.left, self.right, self.top, self.bottom = left, 24, 26, 30
        finite_x, finite_y = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
        x0, x1 = (float(finite_x.min()), float(finite_x.max())) if finite_x.size else (0.0, 1.0)
        y0, y1 = (float(finite_y.min()), float(finite_y.max())) if finite_y.size else (0.0, 1.0)
        self.yticks = nice_ticks(y0, y1)
        self.y0, self.y1 = min(self.yticks[0], y0), max(self.yticks[-1], y1)
        if self.y1 == self.y0:
            self.y1 = self.y0 + 1
        self.x0, self.x1 = x0, (x1 if x1 > x0 else x0 + 1)

    def px(self, x: float) -> float:
        span = self.width - self.left - self.right
        return self.left + (x - self.x0) / (self.x1 - self.x0) * span

    def py(self, y: float) -> float:
        span = self.height - self.top - self.bottom
        return self.top + (1 - (y - self.y0) / (self.y1 - self.y0)) * span

    def axes(self, title: str, x_ticks: list[tuple[float, str]]) -> list[str]:
        parts = [
            f'<text x="{self.left}" y="16" font-size="{TITLE_PX}" font-weight="600" {FONT}>'
            f"{html.escape(title)}</text>"
        ]
        for tick in self.yticks:
            y = self.py(tick)
            parts.append(
                f'<line x1="{self.left}" x2="{self.width - self.right}" y1="{y:.1f}" y2="{y:.1f}" '
                'stroke="#e4e4e4"/>'
            )
            parts.append(
                f'<text x="{self.left - 4}" y="{y + 4:.1f}" font-size="{TICK_PX}" text-anchor="end" '
                f'fill="#444" {FONT}>{_fmt(tick)}</text>'
            )
        base = self.height - self.bottom
        parts.append(
            f'<line x1="{self.left}" x2="{self.width - self.right}" y1="{base}" y2="{base}" stroke="#888"/>'
        )
        for value, label in x_ticks:
            x = self.px(value)
            parts.append(
                f'<text x="{x:.1f}" y="{base + 15}" font-size="{TICK_PX}" text-anchor="middle" '
                f'fill="#444" {FONT}>{html.escape(label)}</text>'
            )
        return parts


def _points(frame: _Frame, xs: Sequence[float], ys: Sequence[float]) -> str:
    return " ".join(
        f"{frame.px(x):.1f},{frame.py(y):.1f}" for x, y in zip(xs, ys, strict=True) if math.isfinite(y)
    )


def _x_ticks(xs: np.ndarray, labels: dict[float, str] | None, count: int = 5) -> list[tuple[float, str]]:
    values = np.unique(xs[np.isfinite(xs)])
    if values.size == 0:
        return []
    chosen = values[:: max(1, math.ceil(values.size / count))]
    return [(float(v), (labels or {}).get(float(v), _fmt(float(v)))) for v in chosen]


def _legend(items: list[tuple[str, str]], width: int) -> tuple[list[str], int]:
    """Legend entries laid out in rows under the chart; returns the parts and the height used."""
    parts, x, row = [], 8, 0
    for label, colour in items:
        size = 22 + 7 * len(label)
        if x + size > width and x > 8:
            x, row = 8, row + 1
        y = row * 16 + 10
        parts.append(f'<rect x="{x}" y="{y - 8}" width="12" height="10" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 16}" y="{y + 1}" font-size="{TICK_PX}" {FONT}>{html.escape(label)}</text>'
        )
        x += size
    return parts, (row + 1) * 16 + 4


def fan_chart(
    bands: list[Band],
    *,
    title: str,
    width: int = 520,
    height: int = 240,
    x_labels: dict[float, str] | None = None,
    chart_id: str = "",
) -> str:
    """A fan chart: each band's median as a line over its 5-95% (or low-high) band, as SVG."""
    xs = np.concatenate([np.asarray(b.x, float) for b in bands]) if bands else np.array([0.0])
    ys = np.concatenate(
        [np.asarray(v, float) for b in bands for v in (b.mid, b.low, b.high) if v is not None]
        or [np.array([0.0])]
    )
    frame = _Frame(width, height, xs, ys)
    parts = frame.axes(title, _x_ticks(xs, x_labels))
    for band in bands:
        if band.low is not None and band.high is not None:
            upper = _points(frame, band.x, band.high)
            lower = _points(frame, band.x[::-1], band.low[::-1])
            parts.append(f'<polygon points="{upper} {lower}" fill="{band.colour}" fill-opacity="0.18"/>')
        parts.append(
            f'<polyline data-series="{html.escape(band.label)}" points="{_points(frame, band.x, band.mid)}" '
            f'fill="none" stroke="{band.colour}" stroke-width="2"/>'
        )
    legend, extra = _legend([(b.label, b.colour) for b in bands], width)
    return _wrap(parts, legend, width, height, extra, chart_id)


def scatter(
    points: dict[str, tuple[Sequence[float], Sequence[float]]],
    colours: dict[str, str],
    *,
    title: str,
    width: int = 360,
    height: int = 220,
    chart_id: str = "",
    means: dict[str, tuple[float, float]] | None = None,
    x_label: str = "",
    y_label: str = "",
) -> str:
    """Dots of y against x, one colour per group, as SVG; ``means`` as large outlined dots."""
    xs = np.concatenate([np.asarray(x, float) for x, _ in points.values()] or [np.array([0.0])])
    ys = np.concatenate([np.asarray(y, float) for _, y in points.values()] or [np.array([0.0])])
    frame = _Frame(width, height, xs, ys)
    parts = frame.axes(
        title, [(t, _fmt(t)) for t in nice_ticks(frame.x0, frame.x1, 4) if frame.x0 <= t <= frame.x1]
    )
    for group, (x, y) in points.items():
        dots = "".join(
            f'<circle cx="{frame.px(a):.1f}" cy="{frame.py(b):.1f}" r="2.5"/>'
            for a, b in zip(x, y, strict=True)
            if math.isfinite(a) and math.isfinite(b)
        )
        parts.append(
            f'<g data-series="{html.escape(group)}" fill="{colours.get(group, "#444")}" '
            f'fill-opacity="0.6">{dots}</g>'
        )
    for group, (a, b) in (means or {}).items():
        parts.append(
            f'<circle cx="{frame.px(a):.1f}" cy="{frame.py(b):.1f}" r="7" '
            f'fill="{colours.get(group, "#444")}" stroke="#000" stroke-width="1.2"/>'
        )
    if x_label:
        parts.append(
            f'<text x="{width - frame.right}" y="{height - 2}" font-size="{TICK_PX}" text-anchor="end" '
            f'fill="#444" {FONT}>{html.escape(x_label)}</text>'
        )
    if y_label:
        parts.append(
            f'<text x="{frame.left + 4}" y="{frame.top + 10}" font-size="{TICK_PX}" fill="#444" {FONT}>'
            f"{html.escape(y_label)}</text>"
        )
    legend, extra = _legend([(g, colours.get(g, "#444")) for g in points], width)
    return _wrap(parts, legend, width, height, extra, chart_id)


def forest(
    rows: list[tuple[str, float, float, float, str]],
    *,
    title: str,
    width: int = 520,
    chart_id: str = "",
) -> str:
    """Horizontal intervals (label, mean, low, high, colour) around a zero line, as SVG."""
    height = 40 + 22 * max(1, len(rows))
    values = np.array([v for _, m, lo, hi, _ in rows for v in (m, lo, hi)] + [0.0], float)
    finite = values[np.isfinite(values)]
    low, high = float(finite.min()), float(finite.max())
    pad = (high - low) * 0.05 or 1.0
    left = 12 + 7 * max((len(r[0]) for r in rows), default=4)
    span = width - left - 16

    def px(v: float) -> float:
        return left + (v - low + pad) / (high - low + 2 * pad) * span

    parts = [
        f'<text x="8" y="16" font-size="{TITLE_PX}" font-weight="600" {FONT}>{html.escape(title)}</text>',
        f'<line x1="{px(0):.1f}" x2="{px(0):.1f}" y1="24" y2="{height - 16}" stroke="#222"/>',
    ]
    for tick in nice_ticks(low, high, 4):
        if low - pad <= tick <= high + pad:
            parts.append(
                f'<text x="{px(tick):.1f}" y="{height - 3}" font-size="{TICK_PX}" text-anchor="middle" '
                f'fill="#444" {FONT}>{_fmt(tick)}</text>'
            )
    for i, (label, mean, lo, hi, colour) in enumerate(rows):
        y = 34 + 22 * i
        parts.append(
            f'<text x="{left - 6}" y="{y + 4}" font-size="{TICK_PX + 1}" text-anchor="end" {FONT}>'
            f"{html.escape(label)}</text>"
        )
        if math.isfinite(lo) and math.isfinite(hi):
            parts.append(
                f'<line x1="{px(lo):.1f}" x2="{px(hi):.1f}" y1="{y}" y2="{y}" '
                'stroke="#777" stroke-width="2"/>'
            )
        if math.isfinite(mean):
            parts.append(
                f'<circle data-series="{html.escape(label)}" cx="{px(mean):.1f}" cy="{y}" r="5" '
                f'fill="{colour}"/>'
            )
    return _wrap(parts, [], width, height, 0, chart_id)


def _wrap(parts: list[str], legend: list[str], width: int, height: int, extra: int, chart_id: str) -> str:
    ident = f' id="{html.escape(chart_id)}"' if chart_id else ""
    total = height + extra
    legend_group = f'<g transform="translate(0,{height})">{"".join(legend)}</g>' if legend else ""
    return (
        f'<svg{ident} xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total}" width="{width}" '
        f'height="{total}" role="img">{"".join(parts)}{legend_group}</svg>'
    )
