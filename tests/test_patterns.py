"""Pattern-oriented validation: stylised facts the model should reproduce with default settings.

baseline_2023 with the multivector strategy (F07, F08, F17 and the research notes' Drezner
pattern). Failing patterns are marked xfail(strict=True) with the reason, and docs/validation.md
says so; a strict xfail turns into a failure when a model change makes the pattern hold.
"""

import numpy as np
import pytest

from sim.model import metrics
from sim.model.balancing import BalancingModel

REPLICATES = 50
SEED = 20240101
EARLY_QUARTERS = 12  # "the first years": three years
LONG = 4  # quarters: a power pressed by over-tolerance engagement for more than a year
RARE = 0.05  # share of replicates allowed to show such a long spell


def replay(name: str) -> dict:
    model = BalancingModel(name, "multivector", REPLICATES, rng=SEED, collect=False)
    out = {"bloc": [model.pivot.bloc_shares.copy()], "trade": [model.pivot.trade.copy()]}
    out |= {"exports": [], "over": [], "engagement": [model.pivot.engagement.copy()]}
    for _ in range(model.params.steps):
        model.step()
        st = model.structure
        out["bloc"].append(model.pivot.bloc_shares.copy())
        out["trade"].append(model.pivot.trade.copy())
        out["exports"].append(metrics.export_shares(model.pivot.trade, st.export_fraction))
        engaged = model.pivot.engagement
        rival_share = (engaged @ st.rivals_t) / engaged.sum(axis=1, keepdims=True)
        out["over"].append(rival_share > model.pivot.tolerance)
        out["engagement"].append(engaged.copy())
    series = {k: np.stack(v, axis=1) for k, v in out.items()}  # (R, T, ...)
    return {"model": model, **series}


@pytest.fixture(scope="module")
def baseline():
    return replay("baseline_2023")


@pytest.fixture(scope="module")
def pressure():
    return replay("russian_pressure")


def test_eu_bloc_is_the_largest_partner_in_the_first_years(baseline):
    powers = baseline["model"].structure.powers
    early = baseline["bloc"][:, 1 : EARLY_QUARTERS + 1].mean(axis=0)  # (T, P)
    eu = powers.index("eu")
    others = [p for p in range(len(powers)) if p != eu]
    assert (early[:, eu][:, None] > early[:, others]).all()


def test_italy_keeps_more_than_16_percent_of_exports(baseline):
    italy = baseline["model"].structure.partners.index("italy")
    assert baseline["exports"][:, :, italy].mean(axis=0).min() > 0.16


def test_russia_stays_a_prime_partner(baseline):
    partners = baseline["model"].structure.partners
    countries = [partners.index(k) for k in ("russia", "china", "italy", "us")]
    trade = baseline["trade"].mean(axis=0)[:, countries]  # (T, 4), Russia first
    rank = (trade > trade[:, [0]]).sum(axis=1)  # countries ahead of Russia
    assert (rank <= 1).all(), "Russia stays among the two largest single-country partners"
    assert trade[:, 0].min() >= 0.15


def longest_spell(flags: np.ndarray) -> np.ndarray:
    """Longest run of True along axis 1 of an (R, T) array."""
    best = np.zeros(flags.shape[0], dtype=int)
    run = np.zeros(flags.shape[0], dtype=int)
    for t in range(flags.shape[1]):
        run = np.where(flags[:, t], run + 1, 0)
        best = np.maximum(best, run)
    return best


def test_longest_spell_helper():
    flags = np.array([[1, 1, 0, 1, 1, 1], [0, 0, 0, 0, 0, 0]], dtype=bool)
    assert longest_spell(flags).tolist() == [3, 0]


def test_no_power_is_pressed_beyond_its_tolerance_for_long(baseline):
    over = baseline["over"]  # (R, T, P): rival-weighted share of engagement above its tolerance
    for p, power in enumerate(baseline["model"].structure.powers):
        spells = longest_spell(over[:, :, p])
        assert (spells > LONG).mean() <= RARE, f"{power}: {np.bincount(spells)}"


def concentration(run: dict) -> np.ndarray:
    """Herfindahl index of the bloc shares in every quarter, (R, T): 1 - autonomy, per quarter."""
    return (run["bloc"] ** 2).sum(axis=2)


def test_russian_pressure_brings_no_bandwagoning_with_moscow(pressure):
    russia = pressure["model"].structure.powers.index("russia")
    engaged = pressure["engagement"]
    share = engaged[:, :, russia] / engaged.sum(axis=2)
    assert share.max() < 0.5, "Russia's share of engagement stays below half"


@pytest.mark.xfail(
    strict=True,
    reason="bloc concentration rises under russian_pressure (0.1725 at the start, 0.1830 at the "
    "end), as it does without the pressure (0.1943): the EU bloc's share grows in both; see "
    "docs/validation.md",
)
def test_russian_pressure_lowers_bloc_concentration(pressure):
    hhi = concentration(pressure)
    assert hhi[:, -1].mean() < hhi[:, 0].mean()


def test_russian_pressure_concentrates_trade_less_than_no_pressure(pressure, baseline):
    """Drezner against the counterfactual: the same seeds without the pressure end more concentrated."""
    assert concentration(pressure)[:, -1].mean() < concentration(baseline)[:, -1].mean()


def test_russian_pressure_does_not_raise_russias_share(pressure):
    russia = pressure["model"].structure.powers.index("russia")
    assert pressure["bloc"][:, -1, russia].mean() <= pressure["bloc"][:, 0, russia].mean()
