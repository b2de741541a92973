"""The GDP equation's coefficients, estimated from annual data, and the export weights behind it.

Model v2's quarterly GDP log growth is ``g_t = g0 + beta * dln X_t + gamma * ln(X_t / Xref_t)``
with ``ln Xref_{t+1} = ln Xref_t + theta * (ln X_t - ln Xref_t)``: X is Kazakhstan's export
price index and Xref its slowly adjusting reference, so a price rise lifts growth at once
(beta) and keeps lifting it while prices stay above the level the economy has adjusted to
(gamma); the gap closes at rate theta.

**Export price index X.** A fixed-weight log-linear index, ``dln X = sum_g w_g dln P_g``, over
four commodity groups with weights = mean shares of total exports 2015-2023 (BNS, in
``kz_exports_by_commodity_annual.csv``): oil (crude oil + natural gas + petroleum products,
priced by Brent), metals (copper, zinc, lead, aluminium, ferroalloys; priced by the World Bank
copper, zinc, lead and aluminium prices weighted by their own export shares: there is no
ferroalloy price in the Pink Sheet, so the ferroalloy share counts in the group's weight and
its price moves with the priced metals), uranium (inorganic chemicals, HS 28, an upper-bound
proxy; priced by the IMF uranium series) and other (constant price). 2022 lacks September in
the source: its shares are ratios of 11-month sums, i.e. September is taken as typical. The
IMF uranium series has no full-year mean after 2022: 2023 uses the January-August mean (the
only IMF figure; the Sprott spot quotes are a different series and are not mixed in), later
years hold the last value (a zero price change).

**Annual estimation.** On BNS growth (``sim.evidence.observed_gdp``) for 2005-2024, by OLS:
``growth_y = a + b dln PX_y + c gap_y``, ``gap_y = ln PX_y - ln PXref_y`` with PXref the annual
exponential smoothing of the index at rate theta_a (started at the 2000 level, the first year
with prices; 2000-2004 run it in, and they are the double-digit catch-up years after the 1998
crisis, growth the price index does not explain: on 2001-2024 the level term turns negative,
picking up the slowdown from that boom, see docs/calibration.md); theta_a is
chosen by least squares over a grid and its 95% interval is the profile (F-test) set
``SSR(theta) <= SSR_min (1 + F_0.95(1, n - p) / (n - p))``. The other intervals are t intervals
conditional on theta_a. The quarterly equivalents are g0 = a/4, beta = b, gamma = c/4 and
theta_q = 1 - (1 - theta_a)^(1/4). An optional 2020 dummy (pandemic) is off by default.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.errors import UserError
from sim.evidence.observed_gdp import read_observed_gdp
from sim.evidence.tables import no_conflicts, numeric, read_table, years
from sim.paths import COMMODITY_PRICES_FILE, EXPORTS_BY_COMMODITY_FILE, OBSERVED_GDP_FILE, OIL_ROUTES_FILE

GROUPS = {
    "oil": ("CRUDE_OIL", "NATURAL_GAS", "PETROLEUM_PRODUCTS"),
    "metals": ("COPPER", "ZINC", "LEAD", "ALUMINIUM", "FERROALLOYS"),
    "uranium": ("INORGANIC_CHEM",),
}
METAL_PRICES = {"COPPER": "copper", "ZINC": "zinc", "LEAD": "lead", "ALUMINIUM": "aluminum"}
OIL_PRICE = "crude_oil_brent"
URANIUM_PRICE = "uranium_u3o8_spot_imf"
URANIUM_PARTIAL = "uranium_u3o8_spot_imf_partial_jan_aug"
SHARE_YEARS = (2015, 2023)
FIT_YEARS = (2005, 2024)  # 2000-2004 run the reference in; see the module docstring
THETA_GRID = tuple(np.round(np.arange(0.02, 0.96, 0.01), 2))
TABLE_COLUMNS = ("coefficient", "estimate", "std_error", "ci_low", "ci_high", "n", "r2")


def export_shares(path: Path | str = EXPORTS_BY_COMMODITY_FILE) -> pd.DataFrame:
    """Shares of total exports by year (rows) and group (oil, metals, uranium, other)."""
    path = Path(path)
    rows = read_table(path, ("year", "commodity_group", "value_usd_millions"), "exports-by-commodity")
    rows = rows.assign(year=years(path, rows), value=numeric(path, rows, "value_usd_millions"))
    rows = no_conflicts(path, rows, ["year", "commodity_group"], "value")
    table = rows.pivot(index="year", columns="commodity_group", values="value")
    needed = ["TOTAL", *(c for codes in GROUPS.values() for c in codes)]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise UserError(f"{path}: no rows for commodity group(s) {', '.join(missing)}")
    table = table.dropna(subset=needed)
    share = table[needed].div(table["TOTAL"], axis=0)
    out = pd.DataFrame({g: share[list(codes)].sum(axis=1) for g, codes in GROUPS.items()})
    out["other"] = 1.0 - out.sum(axis=1)
    if (out < 0).to_numpy().any():
        raise UserError(f"{path}: commodity groups add up to more than TOTAL")
    return out


def group_weights(
    path: Path | str = EXPORTS_BY_COMMODITY_FILE, first: int = SHARE_YEARS[0], last: int = SHARE_YEARS[1]
) -> pd.Series:
    """Mean export shares of oil, metals, uranium and other over ``first``-``last`` (sum 1)."""
    shares = export_shares(path)
    span = shares.loc[first:last]
    if span.empty:
        raise UserError(f"{path}: no complete year between {first} and {last}")
    return span.mean().rename("weight")


def metal_weights(
    path: Path | str = EXPORTS_BY_COMMODITY_FILE, first: int = SHARE_YEARS[0], last: int = SHARE_YEARS[1]
) -> pd.Series:
    """Weights of the priced metals (copper, zinc, lead, aluminium) in the metals index, sum 1."""
    path = Path(path)
    rows = read_table(path, ("year", "commodity_group", "value_usd_millions"), "exports-by-commodity")
    rows = rows.assign(year=years(path, rows), value=numeric(path, rows, "value_usd_millions"))
    table = rows.pivot_table(index="year", columns="commodity_group", values="value", aggfunc="first")
    span = table.loc[first:last, list(METAL_PRICES)].div(table.loc[first:last, "TOTAL"], axis=0).mean()
    return (span / span.sum()).rename("weight")


def commodity_prices(path: Path | str = COMMODITY_PRICES_FILE) -> tuple[pd.DataFrame, list[str]]:
    """Annual prices by year and commodity (oil, the four metals, uranium), and notes on gaps."""
    path = Path(path)
    rows = read_table(path, ("year", "commodity", "value"), "commodity-prices")
    wanted = [OIL_PRICE, *METAL_PRICES.values(), URANIUM_PRICE, URANIUM_PARTIAL]
    rows = rows[rows["commodity"].isin(wanted)]
    rows = rows.assign(year=years(path, rows), value=numeric(path, rows, "value", "a price > 0"))
    if (rows["value"] <= 0).any():
        raise UserError(f"{path}: value: expected a price > 0")
    rows = no_conflicts(path, rows, ["year", "commodity"], "value")
    table = rows.pivot(index="year", columns="commodity", values="value").sort_index()
    absent = [c for c in wanted[:-1] if c not in table.columns]
    if absent:
        raise UserError(f"{path}: no rows for commodity {', '.join(absent)}")
    notes = []
    uranium = table[URANIUM_PRICE]
    if URANIUM_PARTIAL in table:
        partial = table[URANIUM_PARTIAL].dropna()
        partial = partial[uranium.reindex(partial.index).isna()]
        uranium = uranium.fillna(partial)
        if len(partial):
            notes.append(f"uranium: partial-year IMF mean used for {', '.join(map(str, partial.index))}")
    held = uranium.index[uranium.isna() & (uranium.index > uranium.first_valid_index())]
    if len(held):
        notes.append(f"uranium: last value held (no price change) in {', '.join(map(str, held))}")
    table[URANIUM_PRICE] = uranium.ffill()
    prices = table[[OIL_PRICE, *METAL_PRICES.values(), URANIUM_PRICE]].dropna()
    return prices, notes


def price_index(prices: pd.DataFrame, weights: pd.Series, metals: pd.Series) -> pd.Series:
    """Ln X by year: the fixed-weight log-linear export price index, 0 in the first year."""
    logs = np.log(prices)
    metal = sum(metals[code] * logs[name] for code, name in METAL_PRICES.items())
    lnx = (
        weights["oil"] * logs[OIL_PRICE]
        + weights["metals"] * metal
        + weights["uranium"] * logs[URANIUM_PRICE]
    )
    return (lnx - lnx.iloc[0]).rename("ln_x")


def reference_gap(lnx: np.ndarray, theta: float) -> np.ndarray:
    """Ln X - ln Xref with ln Xref_{t+1} = ln Xref_t + theta (ln X_t - ln Xref_t), Xref_0 = X_0."""
    ref = np.empty_like(lnx, dtype=float)
    ref[0] = lnx[0]
    for t in range(1, len(lnx)):
        ref[t] = ref[t - 1] + theta * (lnx[t - 1] - ref[t - 1])
    return lnx - ref


@dataclass
class Fit:
    """An OLS fit of annual growth at one theta."""

    theta: float
    names: list[str]
    coef: np.ndarray
    se: np.ndarray
    ssr: float
    r2: float
    n: int


def fit_at(growth: np.ndarray, lnx: np.ndarray, theta: float, dummy: np.ndarray | None = None) -> Fit:
    """OLS of growth[1:] on 1, dln X, gap (and a dummy) at smoothing rate ``theta``.

    ``lnx`` starts one year before the first growth observation used (``growth[0]`` is unused).
    """
    gap = reference_gap(lnx, theta)
    columns = [np.ones(len(lnx) - 1), np.diff(lnx), gap[1:]]
    names = ["a", "b", "c"]
    if dummy is not None:
        columns.append(dummy[1:])
        names.append("d2020")
    design = np.column_stack(columns)
    y = growth[1:]
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    n, k = design.shape
    ssr = float(resid @ resid)
    sigma2 = ssr / (n - k)
    se = np.sqrt(np.diag(sigma2 * np.linalg.pinv(design.T @ design)))
    r2 = 1.0 - ssr / float(((y - y.mean()) ** 2).sum())
    return Fit(theta, names, coef, se, ssr, r2, n)


def estimate(
    growth: pd.Series,
    lnx: pd.Series,
    first: int = FIT_YEARS[0],
    last: int = FIT_YEARS[1],
    grid: tuple[float, ...] = THETA_GRID,
    pandemic_dummy: bool = False,
) -> tuple[Fit, tuple[float, float]]:
    """Best fit over the theta grid for years ``first``-``last``, and theta's 95% profile interval."""
    span = list(range(first - 1, last + 1))
    missing = [y for y in span if y not in lnx.index] + [y for y in span[1:] if y not in growth.index]
    if missing:
        gaps = sorted(set(missing))
        raise UserError(
            f"GDP equation: no price index or growth for {len(gaps)} year(s) in {gaps[0]}-{gaps[-1]}; "
            f"fit years {first}-{last} need the price index from {first - 1}"
        )
    x = lnx.loc[span].to_numpy(dtype=float)
    g = np.r_[np.nan, growth.loc[span[1:]].to_numpy(dtype=float)]
    dummy = np.array([1.0 if y == 2020 else 0.0 for y in span]) if pandemic_dummy else None
    fits = [fit_at(g, x, theta, dummy) for theta in grid]
    best = min(fits, key=lambda f: f.ssr)
    dof = best.n - len(best.names) - 1
    bound = best.ssr * (1.0 + stats.f.ppf(0.95, 1, dof) / dof)
    inside = [f.theta for f in fits if f.ssr <= bound]
    return best, (min(inside), max(inside))


def equation_table(fit: Fit, theta_interval: tuple[float, float]) -> pd.DataFrame:
    """Annual coefficients and the quarterly ones the model uses, with 95% intervals."""
    t = stats.t.ppf(0.975, fit.n - len(fit.names) - 1)
    rows = []
    for name, value, se in zip(fit.names, fit.coef, fit.se, strict=True):
        rows.append((name, value, se, value - t * se, value + t * se))
    rows.append(("theta_a", fit.theta, np.nan, *theta_interval))
    annual = {r[0]: r for r in rows}
    for name, source, scale in (("g0", "a", 0.25), ("beta", "b", 1.0), ("gamma", "c", 0.25)):
        _, value, se, low, high = annual[source]
        rows.append((name, value * scale, se * scale, low * scale, high * scale))
    quarterly = [1.0 - (1.0 - v) ** 0.25 for v in (fit.theta, *theta_interval)]
    rows.append(("theta_q", quarterly[0], np.nan, quarterly[1], quarterly[2]))
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS[:5]))
    return table.assign(n=fit.n, r2=fit.r2)


def gdp_equation(
    gdp_file: Path | str = OBSERVED_GDP_FILE,
    exports_file: Path | str = EXPORTS_BY_COMMODITY_FILE,
    prices_file: Path | str = COMMODITY_PRICES_FILE,
    pandemic_dummy: bool = False,
    first: int = FIT_YEARS[0],
    last: int = FIT_YEARS[1],
) -> pd.DataFrame:
    """The table (coefficient, estimate, std_error, ci_low, ci_high, n, r2) from the data files."""
    growth = read_observed_gdp(gdp_file).growth
    prices, _ = commodity_prices(prices_file)
    lnx = price_index(prices, group_weights(exports_file), metal_weights(exports_file))
    fit, interval = estimate(growth, lnx, first, last, pandemic_dummy=pandemic_dummy)
    return equation_table(fit, interval)


def oil_route_shares(path: Path | str = OIL_ROUTES_FILE) -> pd.DataFrame:
    """Shares of Kazakhstan's oil exports by route and year, where the file allows one.

    A route volume in million tonnes is divided by the year's ``all routes`` total; a share
    stated in percent is taken as stated. Rows without a dated year or a number are skipped.
    """
    path = Path(path)
    rows = read_table(path, ("year", "route", "metric", "value"), "oil-routes")
    parsed = []
    for row in rows.itertuples():
        year = re.match(r"(\d{4})", row.year)
        tonnes = re.fullmatch(r"([\d.]+) million tonnes", row.value)
        percent = re.search(r"([\d.]+)%", row.value)
        if year and (tonnes or percent):
            parsed.append((int(year.group(1)), row.route, row.metric, tonnes, percent))
    totals = {y: float(t.group(1)) for y, route, _, t, _ in parsed if route == "all routes" and t}
    out = []
    for year, route, metric, tonnes, percent in parsed:
        if route == "all routes":
            continue
        if percent:
            out.append((year, route, metric, float(percent.group(1)) / 100.0, "stated share"))
        elif year in totals:
            share = float(tonnes.group(1)) / totals[year]
            out.append((year, route, metric, share, f"{tonnes.group(1)} Mt of {totals[year]:g} Mt"))
    return pd.DataFrame(out, columns=["year", "route", "metric", "share_of_oil_exports", "basis"])
