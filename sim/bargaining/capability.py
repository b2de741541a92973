"""National capability from seeds/data: GDP (World Bank) and military spending (SIPRI), one index.

The index of country i in a year is half its share of GDP and half its share of military
spending, both taken over a fixed reference group (Kazakhstan, Russia, China, the EU and the
US), so an issue's capabilities do not depend on which actors the issue file happens to list:

    index_i = 0.5 * GDP_i / sum_ref GDP + 0.5 * milex_i / sum_ref milex

It is the two-component core of the Correlates of War CINC (which adds population, energy and
iron/steel). An issue file multiplies it by a ``reach`` in 0..1: the part of that capability the
actor can bring to bear on this Kazakh decision (an assumption, stated with its range in the
file). The EU's military spending is the sum of France, Germany, Italy and the Netherlands,
the EU members in seeds/data/sipri_milex.csv: a lower bound for the EU27.
"""

from functools import cache
from pathlib import Path

import pandas as pd

from sim.errors import UserError
from sim.paths import SEEDS_DIR

GDP_FILE = SEEDS_DIR / "data" / "gdp_current_usd_worldbank.csv"
MILEX_FILE = SEEDS_DIR / "data" / "sipri_milex.csv"
REFERENCE = ("KAZ", "RUS", "CHN", "EUU", "USA")
# SIPRI country names by ISO3 code; the EU is the sum of its members present in the file.
MILEX_NAMES = {
    "KAZ": ("Kazakhstan",),
    "RUS": ("Russia",),
    "CHN": ("China",),
    "USA": ("United States of America",),
    "FRA": ("France",),
    "DEU": ("Germany",),
    "ITA": ("Italy",),
    "NLD": ("Netherlands",),
    "EUU": ("France", "Germany", "Italy", "Netherlands"),
}


@cache
def _tables(gdp_file: Path = GDP_FILE, milex_file: Path = MILEX_FILE) -> tuple[pd.DataFrame, pd.DataFrame]:
    gdp = pd.read_csv(gdp_file)
    milex = pd.read_csv(milex_file)
    return gdp, milex[milex["metric"] == "milex_current_usd_millions"]


def gdp_usd_bn(iso3: str, year: int) -> float:
    """GDP in current US$ bn of ``iso3`` in ``year`` from seeds/data/gdp_current_usd_worldbank.csv."""
    gdp, _ = _tables()
    row = gdp[(gdp["iso3"] == iso3) & (gdp["year"] == year)]
    if row.empty:
        raise UserError(f"{GDP_FILE.name}: no GDP for iso3 {iso3!r} in {year}")
    return float(row["gdp_usd_billions"].iloc[0])


def milex_usd_m(iso3: str, year: int) -> float:
    """Military spending in current US$ m of ``iso3`` in ``year`` (the EU: sum of its members in the file)."""
    _, milex = _tables()
    if iso3 not in MILEX_NAMES:
        raise UserError(f"{MILEX_FILE.name}: no military spending for iso3 {iso3!r}")
    rows = milex[milex["country"].isin(MILEX_NAMES[iso3]) & (milex["year"] == year)]
    if len(rows) != len(MILEX_NAMES[iso3]):
        raise UserError(f"{MILEX_FILE.name}: no military spending for iso3 {iso3!r} in {year}")
    return float(rows["value"].sum())


def national_index(iso3: str, year: int) -> float:
    """Half the GDP share plus half the military-spending share over the reference group."""
    gdp_total = sum(gdp_usd_bn(code, year) for code in REFERENCE)
    milex_total = sum(milex_usd_m(code, year) for code in REFERENCE)
    return 0.5 * gdp_usd_bn(iso3, year) / gdp_total + 0.5 * milex_usd_m(iso3, year) / milex_total
