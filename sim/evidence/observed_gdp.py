"""Observed annual real GDP growth of Kazakhstan, read from a file shaped like the shipped one.

The file (``seeds/data/kz_gdp_real_growth_annual.csv``) has the columns year, series, value,
unit, derived, source and holds several series. **Rule**: growth is the Bureau of National
Statistics series ``bns_real_growth_pct`` (the volume index minus 100, in percent); a year
without a BNS value takes the IMF WEO value ``imf_weo_real_growth_pct`` and says so in
``notes``. The IMF series is otherwise a cross-check only: ``notes`` gives the largest
BNS-IMF difference (at most 0.2 points in the shipped file). Growth is returned as a fraction
(0.041 for 4.1%), the unit the model's GDP index uses.
"""

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.errors import UserError
from sim.evidence.tables import line_of, no_conflicts, numeric, read_table, years
from sim.paths import OBSERVED_GDP_FILE

COLUMNS = ("year", "series", "value")
BNS = "bns_real_growth_pct"
IMF = "imf_weo_real_growth_pct"


@dataclass
class ObservedGDP:
    """Annual real GDP growth (fraction) by year, the series each year came from, and notes."""

    source: Path
    growth: pd.Series  # index year, values fraction (0.041 = 4.1%)
    series: dict[int, str]  # year -> "BNS" or "IMF WEO"
    notes: list[str] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        """Years with an observed growth rate."""
        return [int(y) for y in self.growth.index]


def read_observed_gdp(path: Path | str = OBSERVED_GDP_FILE) -> ObservedGDP:
    """Read a GDP growth file and select the growth series by the module's rule."""
    path = Path(path)
    rows = read_table(path, COLUMNS, "observed-GDP")
    rows = rows[rows["series"].isin((BNS, IMF))]
    if rows.empty:
        raise UserError(f"{path}: no rows of series {BNS} or {IMF}")
    rows = rows.assign(year=years(path, rows), value=numeric(path, rows, "value", "a growth rate in %"))
    bad = (rows["value"] <= -100) | (rows["value"] > 100)
    if bad.any():
        raise UserError(f"{path}: {line_of(rows, bad)}: value: expected a growth rate in % (-100 to 100)")
    rows = no_conflicts(path, rows, ["year", "series"], "value")
    table = rows.pivot(index="year", columns="series", values="value").sort_index()
    bns = table[BNS] if BNS in table else pd.Series(dtype=float)
    imf = table[IMF] if IMF in table else pd.Series(dtype=float)
    growth = bns.dropna()
    notes = []
    filled = imf.dropna().index.difference(growth.index)
    if len(filled):
        notes.append(f"no BNS value, IMF WEO used: {', '.join(str(y) for y in filled)}")
        growth = pd.concat([growth, imf[filled]]).sort_index()
    both = bns.dropna().index.intersection(imf.dropna().index)
    if len(both):
        gap = (bns[both] - imf[both]).abs()
        notes.append(
            f"BNS vs IMF WEO cross-check: largest difference {gap.max():.1f} points ({int(gap.idxmax())})"
        )
    series = {int(y): ("IMF WEO" if y in filled else "BNS") for y in growth.index}
    growth = (growth / 100.0).rename("growth")
    growth.index = growth.index.astype(int)
    growth.index.name = "year"
    return ObservedGDP(path, growth, series, notes)
