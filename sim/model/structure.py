"""The scenario compiled to arrays: per-power and per-partner parameter vectors.

The model reads its parameters from a ``Structure`` so that each step does a few numpy
operations over all powers and partners at once. A dated event swaps in a new structure
compiled from the parameters in force after it.
"""

from dataclasses import dataclass

import numpy as np

from sim.model.scenario import Scenario

# Memberships of the pivot (world.memberships field) matched to power memberships.
MEMBERSHIP_KEYS = {
    "cis": "cis",
    "eaeu": "eaeu",
    "csto": "csto",
    "sco": "sco",
    "wto": "wto",
    "brics_partner": "brics",
}


@dataclass(frozen=True)
class Structure:
    """Parameter vectors (P = powers, K = partners) of one scenario state."""

    powers: tuple[str, ...]
    partners: tuple[str, ...]
    bloc: np.ndarray  # (K, P) 0/1: partner k belongs to power p's bloc
    rivals: np.ndarray  # (P, P) 0/1: rivals[p, h] = 1 if h is a rival of p
    tolerance: np.ndarray  # stated tolerance plus membership bonuses
    noise: np.ndarray
    csto_power: np.ndarray  # (P,) 1 for powers in the CSTO while the pivot is a member
    market_growth: np.ndarray  # (K,) annual log growth of each partner's market
    export_fraction: np.ndarray  # (K,)
    trade_factor: np.ndarray  # (K,) corridors x EAEU x sanctions multipliers
    fdi_factor: np.ndarray  # (K,) sanctions multiplier on FDI attraction
    target_bloc: int  # index of the sanctioned power
    sanctions: float
    rivals_t: np.ndarray  # rivals transposed, for effort @ rivals_t
    reward_rate: np.ndarray  # (P,) reward per unit of effort: budget x salience
    pressure_rate: np.ndarray  # (P,) pressure at full excess: capacity x salience
    csto_rate: np.ndarray  # (P,) extra pressure per unit of security dependence
    secondary_rate: np.ndarray  # (P,) secondary-sanctions pressure per unit of sanctioned-bloc share
    tightening: float  # tolerance lost per unit of rivalry above the reference
    tolerance_at_zero_rivalry: np.ndarray  # (P,) tolerance + tightening x reference rivalry
    noise_half_variance: np.ndarray  # (P,) noise^2 / 2, the log-normal mean correction


def compile_structure(s: Scenario) -> Structure:
    """Turn a validated scenario into parameter arrays."""
    powers = tuple(s.powers)
    partners = tuple(s.partners)
    pw = [s.powers[k] for k in powers]
    pt = [s.partners[k] for k in partners]
    bloc = np.array([[1.0 if p.bloc == key else 0.0 for key in powers] for p in pt])
    rivals = np.array([[1.0 if h in p.rivals else 0.0 for h in powers] for p in pw])
    in_force = {MEMBERSHIP_KEYS[m] for m, on in s.world.memberships.model_dump().items() if on}
    shared = np.array([len(in_force & set(p.memberships)) for p in pw], dtype=float)
    w = s.world
    target = powers.index(w.sanctions_target)
    senders = np.array([p.secondary_sanctions > 0 for p in pw], dtype=float)
    sanction_trade = 1.0 - w.sanctions_friction * w.sanctions * bloc[:, target]
    sanction_trade *= 1.0 + w.sanctions_diversion * w.sanctions * (bloc @ senders).clip(0, 1)
    eaeu = np.array([1.0 if "eaeu" in p.memberships else 0.0 for p in pw])
    eaeu_bonus = 1.0 + w.eaeu_trade_bonus * (bloc @ eaeu) * ("eaeu" in in_force)
    salience = np.array([p.salience for p in pw])
    noise = np.array([p.noise for p in pw])
    tolerance = np.clip(np.array([p.tolerance for p in pw]) + w.membership_tolerance_bonus * shared, 0.0, 1.0)
    pressure_rate = np.array([p.pressure_capacity for p in pw]) * salience
    csto_power = np.array([1.0 if "csto" in p.memberships else 0.0 for p in pw]) * ("csto" in in_force)
    secondary = np.array([p.secondary_sanctions for p in pw])
    corridor = np.array([1.0 + sum(wt * (w.corridors[c] - 1.0) for c, wt in p.corridors.items()) for p in pt])
    return Structure(
        powers=powers,
        partners=partners,
        bloc=bloc,
        rivals=rivals,
        tolerance=tolerance,
        noise=noise,
        csto_power=csto_power,
        market_growth=bloc @ np.array([p.market_growth for p in pw]),
        export_fraction=np.array([p.export_fraction for p in pt]),
        trade_factor=np.maximum(corridor, 0.05) * eaeu_bonus * sanction_trade,
        fdi_factor=1.0 - w.sanctions_friction * w.sanctions * bloc[:, target],
        target_bloc=target,
        sanctions=w.sanctions,
        rivals_t=np.ascontiguousarray(rivals.T),
        reward_rate=np.array([p.reward_budget for p in pw]) * salience,
        pressure_rate=pressure_rate,
        csto_rate=pressure_rate * csto_power * w.csto_leverage,
        secondary_rate=secondary * w.sanctions,
        tightening=w.rivalry_tightening,
        tolerance_at_zero_rivalry=tolerance + w.rivalry_tightening * w.rivalry_reference,
        noise_half_variance=noise**2 / 2,
    )
