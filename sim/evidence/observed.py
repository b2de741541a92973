"""Observed partner shares of Kazakhstan's trade, read from a file shaped like the shipped one.

The file has the columns of ``seeds/data/kz_trade_by_partner.csv`` (year, reporter, partner,
flow, value_usd_millions, series, source) and mixes series: IMF Direction of Trade Statistics
(flows ``exports_fob`` and ``imports_cif``; the EU as ``EU (IMF DOTS aggregate)``, the EU27 in
every year), the Bureau of National Statistics (BNS; flows ``turnover``, ``exports``,
``imports``; ``EU (BNS aggregate)`` is the EU28 up to 2020 and the EU27 from 2021, with a
derived ``EU27 (...)`` row for 2018) and press figures.

**Selection rule** (one rule, applied year by year):

1. Only rows with Kazakhstan as reporter (partner-reported mirror data differ a lot).
2. Never press rows; never a series that is neither BNS nor IMF DOTS.
3. National statistics (BNS) where the year has every item the model needs, else IMF DOTS
   (turnover = exports_fob + imports_cif) where it has them, else the year is not used.
4. The EU is always the EU27: DOTS's aggregate; for BNS the derived ``EU27`` row, or the BNS
   aggregate from 2021 on. A BNS year before 2021 without the derived row has no EU27.
5. Partners the model does not carry (Turkey, Uzbekistan, ...) count in the rest of the world.

The items needed for a year are Russia, China, Italy, United States, EU27 and World turnover
and exports. ``ObservedTrade.notes`` says which rows were left out and why, and
``ObservedTrade.used`` lists the rows that were used.
"""

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.errors import UserError
from sim.evidence.tables import read_table
from sim.paths import OBSERVED_FILE

COLUMNS = ("year", "reporter", "partner", "flow", "value_usd_millions", "series", "source")
REPORTER = "Kazakhstan"
EU27_FROM_BNS_AGGREGATE = 2021  # BNS "EU (BNS aggregate)" is the EU27 from this year on
BREAK_YEARS = {2010: "customs-union break in Kazakhstan-reported imports from Russia"}

# Model partner keys (baseline_2023 and history_2011_2023) in the order of the model.
PARTNER_KEYS = ("russia", "china", "eu_rest", "italy", "us", "row")
# Observed items (country or aggregate) the model's partners are built from.
ITEMS = ("russia", "china", "italy", "us", "eu27", "world")
COUNTRY_LABELS = {"Russia": "russia", "China": "china", "Italy": "italy", "United States": "us"}
DOTS_LABELS = {**COUNTRY_LABELS, "EU (IMF DOTS aggregate)": "eu27", "World": "world"}
BNS_AGGREGATE = "EU (BNS aggregate)"
BNS_DERIVED_EU27 = "EU27"  # prefix of the derived row's label
FLOWS = {"bns": ("turnover", "exports"), "dots": ("exports_fob", "imports_cif")}


@dataclass
class ObservedTrade:
    """Observed shares by year (rows) and model partner (columns), with provenance."""

    source: Path
    shares: pd.DataFrame  # share of turnover, rows sum to 1
    export_fraction: pd.DataFrame  # exports / turnover with each partner
    export_shares: pd.DataFrame  # share of total exports
    series: dict[int, str]  # year -> "BNS" or "IMF DOTS"
    used: pd.DataFrame  # the input rows that were used
    notes: list[str] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        """Years with a complete set of observed shares."""
        return [int(y) for y in self.shares.index]

    def summary(self) -> str:
        """A few lines: years used with their series, then what could not be used."""
        by_series: dict[str, list[int]] = {}
        for year, name in sorted(self.series.items()):
            by_series.setdefault(name, []).append(year)
        lines = [f"observed trade shares from {self.source}:"]
        lines += [f"  {name}: {_year_ranges(years)}" for name, years in by_series.items()]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def read_observed(path: Path | str = OBSERVED_FILE) -> ObservedTrade:
    """Read a trade file and select observed partner shares by the module's rule."""
    path = Path(path)
    rows = _read_rows(path)
    notes: list[str] = []
    rows = _drop(rows, rows["reporter"] != REPORTER, notes, "rows with a reporter other than Kazakhstan")
    rows = rows.assign(kind=rows["series"].map(_series_kind))
    rows = _drop(rows, rows["kind"] == "press", notes, "press rows")
    unknown = sorted(rows.loc[rows["kind"] == "unknown", "series"].unique())
    rows = _drop(rows, rows["kind"] == "unknown", notes, f"rows of unknown series {unknown}")
    rows = rows.assign(item=[_item(r.kind, r.partner, r.year) for r in rows.itertuples()])
    extra = sorted(rows.loc[rows["item"].isna() & ~rows["partner"].str.startswith("EU"), "partner"].unique())
    if extra:
        notes.append(f"partners the model does not carry, counted in rest of world: {', '.join(extra)}")
    eu28 = rows[(rows["partner"] == BNS_AGGREGATE) & (rows["year"] < EU27_FROM_BNS_AGGREGATE)]
    if not eu28.empty:
        notes.append(
            f"EU (BNS aggregate) is the EU28 before 2021: {_year_ranges(sorted(eu28['year'].unique()))}"
        )
    values, series, used = {}, {}, []
    for year, group in rows.groupby("year"):
        picked = _pick_year(int(year), group, notes)
        if picked is not None:
            values[int(year)], series[int(year)], rows_used = picked
            used.append(rows_used)
    for year in sorted(set(series) & set(BREAK_YEARS)):
        notes.append(f"{year} is used, but avoid it as a start year: {BREAK_YEARS[year]}")
    if not values:
        raise UserError(
            f"{path}: no year has Kazakhstan-reported turnover and exports for {', '.join(ITEMS)}"
        )
    shares, export_fraction, export_shares = _to_shares(values)
    return ObservedTrade(path, shares, export_fraction, export_shares, series, pd.concat(used), notes)


def _read_rows(path: Path) -> pd.DataFrame:
    rows = read_table(path, COLUMNS, "observed-data")
    rows["year"] = _numbers(path, rows, "year", "an integer year")
    rows["value_usd_millions"] = _numbers(path, rows, "value_usd_millions", "a number >= 0")
    if (rows["year"] % 1 != 0).any():
        raise UserError(f"{path}: {_row(rows, rows['year'] % 1 != 0)}: year: expected an integer year")
    if (rows["value_usd_millions"] < 0).any():
        bad = rows["value_usd_millions"] < 0
        raise UserError(f"{path}: {_row(rows, bad)}: value_usd_millions: expected a number >= 0")
    rows["year"] = rows["year"].astype(int)
    key = ["year", "reporter", "partner", "flow", "series"]
    dup = rows.duplicated(key, keep=False) & ~rows.duplicated([*key, "value_usd_millions"], keep=False)
    if dup.any():
        raise UserError(
            f"{path}: {_row(rows, dup)}: two different values for the same year, partner, flow and series"
        )
    return rows.drop_duplicates(key)


def _numbers(path: Path, rows: pd.DataFrame, col: str, expected: str) -> pd.Series:
    values = pd.to_numeric(rows[col], errors="coerce")
    bad = values.isna()
    if bad.any():
        got = rows.loc[bad, col].iloc[0]
        raise UserError(f"{path}: {_row(rows, bad)}: {col}: expected {expected}, got {got!r}")
    return values


def _row(rows: pd.DataFrame, mask: pd.Series) -> str:
    """The first offending line of the file (header = line 1)."""
    return f"line {int(mask.to_numpy().nonzero()[0][0]) + 2}"


def _drop(rows: pd.DataFrame, mask: pd.Series, notes: list[str], what: str) -> pd.DataFrame:
    if mask.any():
        notes.append(f"{int(mask.sum())} {what}")
    return rows[~mask]


def _series_kind(series: str) -> str:
    low = series.lower()
    if low.startswith("press"):
        return "press"
    if low.startswith("bns"):
        return "bns"
    if low.startswith("imf_dots"):
        return "dots"
    return "unknown"


def _item(kind: str, partner: str, year: int) -> str | None:
    """The model item a row stands for, or None (not carried, or not the EU27)."""
    if kind == "dots":
        return DOTS_LABELS.get(partner)
    if partner.startswith(BNS_DERIVED_EU27):
        return "eu27"
    if partner == BNS_AGGREGATE:
        return "eu27" if year >= EU27_FROM_BNS_AGGREGATE else None
    return {**COUNTRY_LABELS, "World": "world"}.get(partner)


def _pick_year(year: int, group: pd.DataFrame, notes: list[str]) -> tuple | None:
    """National statistics if complete, else DOTS if complete, else None (with a note)."""
    missing_by_kind = {}
    for kind in ("bns", "dots"):
        rows = group[(group["kind"] == kind) & group["item"].notna() & group["flow"].isin(FLOWS[kind])]
        # A derived EU27 row wins over an aggregate of the same year.
        rows = rows.sort_values("partner", key=lambda s: ~s.str.startswith(BNS_DERIVED_EU27))
        rows = rows.drop_duplicates(["item", "flow"])
        table = rows.pivot(index="item", columns="flow", values="value_usd_millions")
        missing = [f"{i} {f}" for i in ITEMS for f in FLOWS[kind] if _absent(table, i, f)]
        if not missing:
            a, b = (table[f] for f in FLOWS[kind])
            turnover, exports = (a, b) if kind == "bns" else (a + b, a)
            return (turnover, exports), {"bns": "BNS", "dots": "IMF DOTS"}[kind], rows
        if (group["kind"] == kind).any():
            missing_by_kind[kind] = missing
    detail = "; ".join(f"{k.upper()} lacks {', '.join(m)}" for k, m in missing_by_kind.items())
    notes.append(f"{year}: incomplete ({detail or 'no BNS or DOTS rows'})")
    return None


def _absent(table: pd.DataFrame, item: str, flow: str) -> bool:
    return item not in table.index or flow not in table.columns or pd.isna(table.at[item, flow])


def _to_shares(values: dict[int, tuple]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Turnover shares, export fractions and export shares of the model's partners."""
    turn = pd.DataFrame({y: v[0] for y, v in values.items()}).T.sort_index()
    exp = pd.DataFrame({y: v[1] for y, v in values.items()}).T.sort_index()
    parts = {}
    for name, t in (("turnover", turn), ("exports", exp)):
        p = pd.DataFrame(index=t.index)
        p["russia"], p["china"], p["italy"], p["us"] = t["russia"], t["china"], t["italy"], t["us"]
        p["eu_rest"] = t["eu27"] - t["italy"]
        p["row"] = t["world"] - t[["russia", "china", "eu27", "us"]].sum(axis=1)
        parts[name] = p[list(PARTNER_KEYS)]
    turnover, exports = parts["turnover"], parts["exports"]
    if (turnover < 0).to_numpy().any():
        raise UserError("observed data: EU27 or World smaller than the partners it should contain")
    shares = turnover.div(turnover.sum(axis=1), axis=0)
    fraction = (exports / turnover.where(turnover > 0)).fillna(0.0)
    export_shares = exports.div(exports.sum(axis=1), axis=0)
    for frame in (shares, fraction, export_shares):
        frame.index.name = "year"
    return shares, fraction, export_shares


def _year_ranges(years: list[int]) -> str:
    """Compact year list: 2000-2009, 2011, 2013-2018."""
    out, start = [], None
    for i, y in enumerate(years):
        start = y if start is None else start
        if i + 1 == len(years) or years[i + 1] != y + 1:
            out.append(str(y) if y == start else f"{start}-{y}")
            start = None
    return ", ".join(out)
