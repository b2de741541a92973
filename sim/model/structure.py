"""The scenario compiled to arrays: per-power, per-partner and per-commodity parameter vectors.

The model reads its parameters from a ``Structure`` so that each step does a few numpy
operations over all powers and partners at once. A dated event swaps in a new structure
compiled from the parameters in force after it; quantities measured against the start (market
size, military spending) compare with the scenario's state at step 0, ``reference``.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.model.params import COMMODITIES

if TYPE_CHECKING:
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


ROWS = (
    "static_dependence",
    "pressure_rate",
    "neglect",
    "expectation",
    "reward_rate",
    "competition",
    "power_size",
    "power_growth",
    "market_trend",
    "export_fraction",
    "export_other",
)
"""Vectors the step combines element by element with (R, P) or (R, K) state, stored as rows
(1, P) or (1, K). They broadcast against the state as the flat vectors would, with the same
numbers; at R = 1 the shapes then match, and numpy's same-shape path costs a third of its
broadcasting one on arrays this small (about 0.4 against 1.1 us a call)."""


@dataclass(frozen=True)
class Structure:
    """Parameter vectors (P = powers, K = partners, C = commodities) of one scenario state.

    The fields named in ``ROWS`` are rows (1, P) or (1, K) rather than the flat shapes noted.
    """

    powers: tuple[str, ...]
    partners: tuple[str, ...]
    bloc: np.ndarray  # (K, P) 0/1: partner k belongs to power p's bloc
    bloc_t: np.ndarray  # (P, K)
    rivals: np.ndarray  # (P, P) rivalry weights: rivals[p, h] = how much p resents engagement with h
    rivals_t: np.ndarray  # rivals transposed, for engagement @ rivals_t
    tolerance: np.ndarray  # (P,) stated tolerance plus membership bonuses
    tolerance_at_zero_rivalry: np.ndarray  # (P,) tolerance + tightening x reference rivalry
    tightening: float  # tolerance lost per unit of rivalry above the reference
    noise: np.ndarray  # (P,)
    noise_half_variance: np.ndarray  # (P,) noise^2 / 2, the log-normal mean correction
    reward_rate: np.ndarray  # (P,) offer per unit of engagement: budget x salience
    competition: np.ndarray  # (P,) offer rise per unit of rival-weighted engagement
    pressure_rate: np.ndarray  # (P,) coercive capacity x salience x military-spending factor
    neglect: np.ndarray  # (P,) threat per unit of engagement below expectation
    expectation: np.ndarray  # (P,) engagement each power expects
    secondary: np.ndarray  # (P,) pressure per unit of sanctions exposure
    csto_power: np.ndarray  # (P,) 1 for CSTO powers while the pivot is a member
    static_dependence: np.ndarray  # (P,) transit share x weight (dependence not from trade)
    dependence_leverage: float
    security_weight: np.ndarray  # (P,) csto_leverage for CSTO powers
    power_size: np.ndarray  # (P,) log GDP against the start (an event may change gdp_usd_bn)
    power_growth: np.ndarray  # (P,) quarterly log growth of each power's economy
    market_trend: np.ndarray  # (K,) quarterly log growth of each partner's market x elasticity
    market_level: np.ndarray  # (K,) log market size against the start x elasticity
    export_fraction: np.ndarray  # (K,)
    import_fraction: np.ndarray  # (K,) 1 - export_fraction
    trade_factor: np.ndarray  # (K,) corridors x memberships x sanctions x re-export multipliers
    fdi_factor: np.ndarray  # (K,) sanctions multiplier on FDI attraction
    exposure_weight: np.ndarray  # (K,) sanctions exposure per unit of trade with each partner
    target_bloc: int  # index of the sanctioned power
    sanctions: float
    # Export value indices (start 1) are prices @ export_mix + export_other: columns :K are the
    # partners' mixes, column K the pivot's national mix, each priced commodity times its volume.
    export_mix: np.ndarray  # (C, K + 1)
    export_other: np.ndarray  # (K + 1,) unpriced goods in each mix
    # Leverage (``kernels.powers_respond``) = pressure_rate x (1 + dependence_leverage x dependence),
    # multiplied out: base + per_bloc_share x bloc shares + per_security x security dependence.
    leverage_base: np.ndarray = field(init=False)  # (1, P) pressure_rate x (1 + dl x static)
    leverage_per_bloc_share: np.ndarray = field(init=False)  # (1, P) pressure_rate x dl
    leverage_per_security: np.ndarray = field(init=False)  # (1, P) pressure_rate x dl x security_weight

    def __post_init__(self) -> None:
        """Store the ``ROWS`` vectors as rows and derive the leverage terms.

        A per-replicate array (R, n) stays as it is.
        """
        for name in ROWS:
            vector = getattr(self, name)
            if vector.ndim == 1:
                object.__setattr__(self, name, vector[None, :])  # frozen: set once, at construction
        slope = self.pressure_rate * self.dependence_leverage
        object.__setattr__(self, "leverage_base", self.pressure_rate + slope * self.static_dependence)
        object.__setattr__(self, "leverage_per_bloc_share", slope)
        object.__setattr__(self, "leverage_per_security", slope * self.security_weight)


def compile_structure(s: "Scenario", reference: "Scenario | None" = None) -> Structure:
    """Turn a validated scenario into parameter arrays (``reference``: the state at step 0)."""
    ref = reference or s
    powers = tuple(s.powers)
    partners = tuple(s.partners)
    pw = [s.powers[k] for k in powers]
    pt = [s.partners[k] for k in partners]
    w = s.world
    bloc = np.array([[1.0 if p.bloc == key else 0.0 for key in powers] for p in pt])
    rivals = np.array([[p.rivals.get(h, 0.0) for h in powers] for p in pw])
    in_force = {MEMBERSHIP_KEYS[m] for m, on in w.memberships.model_dump().items() if on}
    shared = np.array([len(in_force & set(p.memberships)) for p in pw], dtype=float)
    target = powers.index(w.sanctions_target)
    senders = np.array([p.secondary_sanctions > 0 for p in pw], dtype=float)
    member = {m: np.array([float(m in p.memberships and m in in_force) for p in pw]) for m in ("eaeu", "wto")}
    salience = np.array([p.salience for p in pw])
    noise = np.array([p.noise for p in pw])
    # Not clipped here: the effective tolerance is clipped once, after the rivalry term (ODD 7.3).
    tolerance = np.array([p.tolerance for p in pw]) + w.membership_tolerance_bonus * shared
    milex = np.array([p.milex_usd_m for p in pw])
    milex0 = np.array([ref.powers[k].milex_usd_m for k in powers])  # events add no powers
    milex_factor = np.where(
        milex0 > 0, (milex / np.where(milex0 > 0, milex0, 1.0)) ** w.milex_elasticity, 1.0
    )
    gdp = np.array([p.gdp_usd_bn for p in pw])
    gdp0 = np.array([ref.powers[k].gdp_usd_bn for k in powers])
    csto_power = np.array([float("csto" in p.memberships) for p in pw]) * ("csto" in in_force)

    # Exports by commodity: volumes follow corridor capacity along each commodity's routes.
    tables = [getattr(w, c) for c in COMMODITIES]
    volume = _volumes(s) / _volumes(ref)
    export_share = np.array([t.export_share for t in tables])
    mix = np.array([[p.export_mix.get(c, 0.0) for c in COMMODITIES] for p in pt])
    transit = np.zeros(len(powers))
    for t in tables:
        for route, sh in t.routes.items():
            owner = w.corridor_transit.get(route)
            if owner in powers:
                transit[powers.index(owner)] += t.export_share * sh

    # Trade attraction multipliers: corridors, memberships, sanctions, the Eurasian roundabout.
    corridor = np.array([1.0 + sum(wt * (w.corridors[c] - 1.0) for c, wt in p.corridors.items()) for p in pt])
    sanction_trade = 1.0 - w.sanctions_friction * w.sanctions * bloc[:, target]
    sanction_trade *= 1.0 + w.sanctions_diversion * w.sanctions * (bloc @ senders).clip(0, 1)
    memberships = (1.0 + w.eaeu_trade_bonus * (bloc @ member["eaeu"])) * (
        1.0 + w.wto_trade_bonus * (bloc @ member["wto"])
    )
    source = np.array([p.reexport_source for p in pt])
    export_fraction = np.array([p.export_fraction for p in pt])
    roundabout = s.pivot.reexport_gain * w.sanctions
    reexport = 1.0 + roundabout * (source * (1.0 - export_fraction) + bloc[:, target] * export_fraction)
    expectation = np.array(
        [p.initial_engagement if p.expected_engagement is None else p.expected_engagement for p in pw]
    )
    return Structure(
        powers=powers,
        partners=partners,
        bloc=bloc,
        bloc_t=np.ascontiguousarray(bloc.T),
        rivals=rivals,
        rivals_t=np.ascontiguousarray(rivals.T),
        tolerance=tolerance,
        tolerance_at_zero_rivalry=tolerance + w.rivalry_tightening * w.rivalry_reference,
        tightening=w.rivalry_tightening,
        noise=noise,
        noise_half_variance=noise**2 / 2,
        reward_rate=np.array([p.reward_budget for p in pw]) * salience,
        competition=np.array([p.competition for p in pw]),
        pressure_rate=np.array([p.pressure_capacity for p in pw]) * salience * milex_factor,
        neglect=np.array([p.neglect_sensitivity for p in pw]),
        expectation=expectation,
        secondary=np.array([p.secondary_sanctions for p in pw]),
        csto_power=csto_power,
        static_dependence=w.transit_weight * transit,
        dependence_leverage=w.dependence_leverage,
        security_weight=w.csto_leverage * csto_power,
        power_size=np.log(gdp / gdp0),
        power_growth=np.array([p.market_growth for p in pw]) / 4.0,
        market_trend=s.pivot.market_size_elasticity * (bloc @ np.array([p.market_growth for p in pw])) / 4.0,
        market_level=s.pivot.market_size_elasticity * (bloc @ np.log(gdp / gdp0)),
        export_fraction=export_fraction,
        import_fraction=1.0 - export_fraction,
        trade_factor=np.maximum(corridor, 0.05) * memberships * sanction_trade * reexport,
        fdi_factor=1.0 - w.sanctions_friction * w.sanctions * bloc[:, target],
        exposure_weight=bloc[:, target] + roundabout * source,
        target_bloc=target,
        sanctions=w.sanctions,
        export_mix=np.ascontiguousarray(np.vstack([mix * volume, export_share * volume]).T),
        export_other=np.append(np.maximum(1.0 - mix.sum(axis=1), 0.0), max(0.0, 1.0 - export_share.sum())),
    )


def _volumes(s: "Scenario") -> np.ndarray:
    """Export volume of each commodity: its routes' capacities weighted by their shares (no route: 1).

    Capacity is the binding constraint: an expansion raises volume, a disruption cuts it unless
    another route grows.
    """
    out = []
    for c in COMMODITIES:
        routes = getattr(s.world, c).routes
        out.append(sum(sh * s.world.corridors.get(r, 1.0) for r, sh in routes.items()) if routes else 1.0)
    return np.maximum(np.array(out), 1e-6)
