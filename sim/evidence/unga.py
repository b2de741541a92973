"""A check of the relation dynamics: UN General Assembly vote agreement of Kazakhstan by year.

``seeds/data/unga_vote_agreement_kz.csv`` gives, per year and pair of countries, the share of
roll calls on which both voted the same way. Kazakhstan's agreement with a power is an
observable trace of how close the two are; the model's relation with that power should rise and
fall with it. The check is a Spearman rank correlation, per power, between the replicate-mean
yearly simulated relation (mean of the four quarterly states labelled with the year) and the
observed agreement, over the simulated years that have an observation (at least
``MIN_YEARS``). A rank correlation because relations and vote shares are on different scales.

Model powers map to countries in ``POWER_COUNTRIES``; the EU is the mean agreement with France,
Germany and Italy (the EU members in the file) over those present in the year. Powers with no
mapping, or a simulated relation that does not vary, get no row.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.errors import UserError
from sim.evidence.tables import line_of, no_conflicts, numeric, read_table, years
from sim.paths import UNGA_AGREEMENT_FILE

COLUMNS = ("year", "country_a", "country_b", "share_identical_votes")
PIVOT_COUNTRY = "Kazakhstan"
POWER_COUNTRIES = {
    "russia": ("Russia",),
    "china": ("China",),
    "us": ("United States",),
    "eu": ("France", "Germany", "Italy"),
}
MIN_YEARS = 4


def read_agreement(path: Path | str = UNGA_AGREEMENT_FILE) -> pd.DataFrame:
    """Kazakhstan's vote agreement by year (rows) and model power (columns), 0..1."""
    path = Path(path)
    rows = read_table(path, COLUMNS, "UNGA vote-agreement")
    rows = rows.assign(
        year=years(path, rows), share=numeric(path, rows, "share_identical_votes", "a share 0..1")
    )
    bad = (rows["share"] < 0) | (rows["share"] > 1)
    if bad.any():
        raise UserError(f"{path}: {line_of(rows, bad)}: share_identical_votes: expected a share 0..1")
    pair = rows[(rows["country_a"] == PIVOT_COUNTRY) | (rows["country_b"] == PIVOT_COUNTRY)]
    pair = pair.assign(
        other=np.where(pair["country_a"] == PIVOT_COUNTRY, pair["country_b"], pair["country_a"])
    )
    pair = no_conflicts(path, pair, ["year", "other"], "share")
    by_country = pair.pivot(index="year", columns="other", values="share").sort_index()
    out = pd.DataFrame(index=by_country.index)
    for power, countries in POWER_COUNTRIES.items():
        present = [c for c in countries if c in by_country.columns]
        if present:
            out[power] = by_country[present].mean(axis=1)
    return out


def relation_correlations(
    relations: np.ndarray, years_simulated: list[int], powers: tuple[str, ...], agreement: pd.DataFrame
) -> tuple[dict[str, float], list[str]]:
    """Spearman correlation per power of yearly mean relations (R, Y, P) with agreement, and notes."""
    mean = relations.mean(axis=0)
    scores, notes = {}, []
    for p, power in enumerate(powers):
        if power not in agreement.columns:
            continue
        observed = agreement[power].dropna()
        idx = [j for j, y in enumerate(years_simulated) if y in observed.index]
        if len(idx) < MIN_YEARS:
            notes.append(f"unga_corr_{power}: only {len(idx)} simulated year(s) with vote data, not scored")
            continue
        sim = mean[idx, p]
        if np.ptp(sim) == 0 or np.ptp(observed.loc[[years_simulated[j] for j in idx]]) == 0:
            notes.append(f"unga_corr_{power}: simulated or observed series constant, not scored")
            continue
        rho = stats.spearmanr(sim, observed.loc[[years_simulated[j] for j in idx]].to_numpy()).statistic
        scores[f"unga_corr_{power}"] = float(rho)
        scores[f"unga_n_years_{power}"] = float(len(idx))
    return scores, notes
