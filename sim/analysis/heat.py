"""The strategy x scenario heat table: one readable figure as an HTML table.

A table coloured cell by cell stays legible at any page width (its labels are text at the
page's font size, never shrunk with an image), costs nothing to draw and needs no script. The
colour is the strategy's position between the worst (0) and best (1) strategy in that scenario
on the ``cividis`` scale, which stays readable with colour blindness; the cell shows the value.
"""

import html

import numpy as np
import pandas as pd

# cividis at 0, 0.25, 0.5, 0.75, 1 (matplotlib), interpolated linearly.
_CIVIDIS = np.array(
    [[0, 34, 78], [64, 77, 107], [124, 123, 120], [188, 175, 111], [254, 232, 56]], dtype=float
)


def cividis(score: float) -> str:
    """Hex colour of ``score`` in [0, 1] on the cividis scale (grey for NaN)."""
    if not np.isfinite(score):
        return "#dddddd"
    position = min(max(score, 0.0), 1.0) * (len(_CIVIDIS) - 1)
    i = min(int(position), len(_CIVIDIS) - 2)
    rgb = _CIVIDIS[i] + (_CIVIDIS[i + 1] - _CIVIDIS[i]) * (position - i)
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


def relative(values: pd.DataFrame, direction: str | None) -> pd.DataFrame:
    """Each column mapped to 0 (worst strategy) .. 1 (best); 0.5 where all tie."""
    low, high = values.min(), values.max()
    score = (values - low) / (high - low).replace(0, np.nan)
    if direction == "min":
        score = 1 - score
    return score.fillna(0.5)


def heat_table(
    values: pd.DataFrame,
    *,
    direction: str | None,
    table_id: str,
    caption: str = "",
    fmt: str = "{:.3g}",
    scores: pd.DataFrame | None = None,
) -> str:
    """HTML table of ``values`` (rows strategies, columns scenarios) coloured worst to best.

    Args:
        values: the numbers printed in the cells.
        direction: ``max`` or ``min`` (which end is best), or None for no ordering.
        table_id: the table's id attribute.
        caption: a caption above the table.
        fmt: format of each number.
        scores: the colour of each cell in [0, 1]; default :func:`relative` of ``values``.
    """
    score = relative(values, direction) if scores is None else scores
    # a zero-width space after each underscore lets long scenario names wrap in the header
    head = "".join(f"<th>{html.escape(str(c)).replace('_', '_&#8203;')}</th>" for c in values.columns)
    rows = []
    for strategy, row in values.iterrows():
        cells = []
        for column, value in row.items():
            s = float(score.at[strategy, column])
            text = "#fff" if s < 0.55 else "#111"
            shown = fmt.format(value) if pd.notna(value) else ""
            cells.append(f'<td style="background:{cividis(s)};color:{text}">{shown}</td>')
        rows.append(f'<tr><th scope="row">{html.escape(str(strategy))}</th>{"".join(cells)}</tr>')
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="heat" id="{html.escape(table_id)}">{cap}<thead><tr><th>strategy</th>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


HEAT_CSS = (
    "table.heat{border-collapse:collapse;font-size:13px;margin:.5rem 0}"
    "table.heat th,table.heat td{padding:6px 8px;border:1px solid #fff;white-space:nowrap}"
    "table.heat thead th{white-space:normal;min-width:4.5em;vertical-align:bottom}"
    "table.heat td{text-align:right;font-variant-numeric:tabular-nums}"
    "table.heat thead th{font-weight:600;text-align:center;background:#f3f5f8}"
    "table.heat tbody th{text-align:left;background:#f3f5f8}"
    "table.heat caption{text-align:left;font-size:13px;color:#444;padding-bottom:4px}"
)
"""Style of :func:`heat_table` (13 px text: readable at 1280 px)."""
