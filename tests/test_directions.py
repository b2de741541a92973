"""Directional tests: each direction docs/ODD.md's submodels state, through a dated scenario event.

``tests/test_events_reach.py`` checks that every event-settable parameter changes a run; it does
not check which way. Here each stated direction ("X raises Y") is one row: a dated event (the
path a user takes) in a noise-free baseline with no posterior draws, so that the event is the
only difference between the two runs, and the quantity the documentation names must move the
way it says. A sign flipped consistently in the model (a cost that becomes a gain) keeps every
invariant and the toy's hand derivation intact, and fails a row here. The shipped scenarios'
descriptions are checked the same way in ``tests/test_scenario_directions.py``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
from direction_helpers import (
    BASE,
    EVENT_AT,
    bloc_trade,
    column,
    pressure_over_run,
    run,
    tolerance,
    with_events,
)

from sim.model.balancing import BalancingModel


@dataclass(frozen=True)
class Direction:
    """An event (``set``/``add``/``shock``) and what it must raise (+1) or lower (-1)."""

    doc: str
    event: dict
    measure: Callable[[BalancingModel], float]
    sign: int
    strategy: str = "equidistance"  # fixed targets: the mechanism shows without the policy reacting
    context: tuple[dict, ...] = field(default_factory=tuple)  # events in both runs


OIL_DOWN = {"at": "2024Q2", "shock": {"oil": -0.5}, "set": {"world.oil.mean": 0.6}}
OIL_UP = {"at": "2024Q4", "shock": {"oil": 0.4}, "set": {"world.oil.mean": 1.5}}  # after the event
SANCTIONS_UP = {"at": "2024Q2", "set": {"world.sanctions": 0.9}}

DIRECTIONS = [
    # 7.2 exogenous drivers
    Direction(
        "7.2 a rivalry shock tightens every power's tolerance (Russia)",
        {"shock": {"rivalry": 0.3}, "set": {"world.rivalry": 0.95}},
        tolerance("russia"),
        -1,
    ),
    Direction(
        "7.2 a rivalry shock tightens every power's tolerance (US)",
        {"shock": {"rivalry": 0.3}, "set": {"world.rivalry": 0.95}},
        tolerance("us"),
        -1,
    ),
    Direction(
        "7.1 a one-off rivalry shock raises rivalry, which then reverts",
        {"shock": {"rivalry": 0.3}},
        column("rivalry"),
        +1,
    ),
    Direction(
        "7.2 an oil price fall lowers the export value index",
        {"shock": {"oil": -0.4}},
        column("export_value"),
        -1,
    ),
    Direction(
        "7.5 an oil price fall lowers the oil buyers' share of exports (Italy)",
        {"shock": {"oil": -0.4}},
        column("export_share_italy"),
        -1,
    ),
    Direction(
        "7.5 a metals price rise raises China's share of exports",
        {"shock": {"metals": 0.4}},
        column("export_share_china"),
        +1,
    ),
    # 7.3 great powers
    Direction(
        "7.3 a shared membership raises tolerance (BRICS partner: China)",
        {"set": {"world.memberships.brics_partner": True}},
        tolerance("china"),
        +1,
    ),
    Direction(
        "7.3 a larger membership bonus raises tolerance",
        {"set": {"world.membership_tolerance_bonus": 0.15}},
        tolerance("russia"),
        +1,
    ),
    Direction(
        "7.3 rising rivalry lowers tolerance (long-run level)",
        {"set": {"world.rivalry_tightening": 0.8, "world.rivalry": 0.9}},
        tolerance("eu"),
        -1,
    ),
    Direction(
        "7.3 lower tolerance brings more pressure",
        {"set": {"powers.russia.tolerance": 0.2}},
        pressure_over_run("russia"),
        +1,
    ),
    Direction(
        "7.3 more coercive capacity brings more pressure",
        {"set": {"powers.russia.pressure_capacity": 0.9}},
        pressure_over_run("russia"),
        +1,
    ),
    Direction(
        "7.3 neglect brings pressure: a higher sensitivity more",
        {"set": {"powers.china.neglect_sensitivity": 1.5}},
        pressure_over_run("china"),
        +1,
        "neutrality",
    ),
    Direction(
        "7.3 rivalry weights: Moscow presses a pivot to China",
        {"set": {"powers.russia.rivals.china": 1.0}},
        pressure_over_run("russia"),
        +1,
        "pivot_china",
    ),
    Direction(
        "7.3 more military spending raises leverage",
        {"set": {"powers.russia.milex_usd_m": 220000.0}},
        column("leverage_russia"),
        +1,
    ),
    Direction(
        "7.3 a higher dependence weight raises leverage",
        {"set": {"world.dependence_leverage": 3.0}},
        column("leverage_china"),
        +1,
    ),
    Direction(
        "7.3 transit across Russia is Russian leverage",
        {"set": {"world.transit_weight": 1.0}},
        column("leverage_russia"),
        +1,
    ),
    Direction(
        "7.3 CSTO security dependence is Russian leverage",
        {"set": {"world.csto_leverage": 1.0}},
        column("leverage_russia"),
        +1,
    ),
    Direction(
        "7.3 secondary sanctions press on sanctions exposure",
        {"set": {"powers.us.secondary_sanctions": 0.9}},
        pressure_over_run("us"),
        +1,
    ),
    Direction(
        "7.3 a larger reward budget raises offers",
        {"set": {"powers.china.reward_budget": 0.8}},
        column("reward_china"),
        +1,
    ),
    Direction(
        "7.3 offers grow with the power's economy (GDP)",
        {"set": {"powers.china.gdp_usd_bn": 26000.0}},
        column("reward_china"),
        +1,
    ),
    Direction(
        "7.3 offers grow with the power's market growth",
        {"set": {"powers.china.market_growth": 0.15}},
        column("reward_china"),
        +1,
    ),
    Direction(
        "7.3 offers bid up with engagement with rivals (competition)",
        {"set": {"powers.china.competition": 1.5}},
        column("reward_china"),
        +1,
    ),
    # 7.4 strategies
    Direction(
        "7.4 multivector reassures, not abandons: a less tolerant Russia gets more engagement",
        {"set": {"powers.russia.tolerance": 0.25}},
        column("engagement_russia"),
        +1,
        "multivector",
    ),
    Direction(
        "7.4 the opportunist follows offers: a larger EU budget, more engagement with the EU",
        {"set": {"powers.eu.reward_budget": 0.9}},
        column("engagement_eu"),
        +1,
        "opportunist",
    ),
    Direction(
        "7.4 less diplomatic capacity dilutes engagement: relations cool",
        {"set": {"pivot.capacity": 1.0}},
        column("relation_eu"),
        -1,
    ),
    # 7.5 trade and FDI
    Direction(
        "7.5 more capacity on the China corridor raises China's trade share",
        {"set": {"world.corridors.china": 1.6}},
        column("share_china"),
        +1,
    ),
    Direction(
        "7.5 a Middle Corridor upgrade raises the EU bloc's trade share",
        {"set": {"world.corridors.middle": 1.6}},
        bloc_trade("eu"),
        +1,
    ),
    Direction(
        "7.5 the EAEU bonus raises Russia's trade share",
        {"set": {"world.eaeu_trade_bonus": 0.3}},
        column("share_russia"),
        +1,
    ),
    Direction(
        "7.5 the WTO bonus raises members' trade against the rest of the world",
        {"set": {"world.wto_trade_bonus": 0.3}},
        column("share_row"),
        -1,
    ),
    Direction(
        "7.5 sanctions friction lowers trade with the sanctioned bloc",
        {"set": {"world.sanctions_friction": 0.95}},
        column("share_russia"),
        -1,
    ),
    Direction(
        "7.5 sanctions divert trade to the senders",
        {"set": {"world.sanctions_diversion": 0.6}},
        bloc_trade("eu"),
        +1,
    ),
    Direction(
        "7.5 the re-export channel raises trade with its source (China)",
        {"set": {"pivot.reexport_gain": 0.8}},
        column("share_china"),
        +1,
    ),
    Direction(
        "7.6 the re-export channel raises sanctions exposure",
        {"set": {"pivot.reexport_gain": 0.8}},
        column("sanctions_exposure"),
        +1,
    ),
    Direction(
        "7.5 sanctions friction lowers FDI from the sanctioned bloc",
        {"set": {"world.sanctions_friction": 0.95}},
        column("fdi_share_russia"),
        -1,
    ),
    Direction(
        "7.5 a CPC pipeline cut lowers export volume and value",
        {"set": {"world.corridors.cpc_pipeline": 0.4}},
        column("export_value"),
        -1,
    ),
    Direction(
        "7.5 ... unless another route grows: a larger Northern route makes up part of it",
        {"set": {"world.corridors.northern": 3.0}},
        column("export_value"),
        +1,
        context=({"at": "2024Q2", "set": {"world.corridors.cpc_pipeline": 0.4}},),
    ),
    Direction(
        "7.5 offers pull FDI (China's reward budget)",
        {"set": {"powers.china.reward_budget": 0.9}},
        column("fdi_share_china"),
        +1,
    ),
    Direction(
        "7.5 engagement pulls trade: a larger elasticity, more trade with the patron",
        {"set": {"pivot.engagement_elasticity": 1.2}},
        column("share_china"),
        +1,
        "pivot_china",
    ),
    Direction(
        "7.5 relations pull trade: a larger elasticity, more trade with the patron",
        {"set": {"pivot.relation_elasticity": 1.5}},
        column("share_china"),
        +1,
        "pivot_china",
    ),
    Direction(
        "7.5 market size: a growing China draws trade",
        {"set": {"pivot.market_size_elasticity": 1.5}},
        column("share_china"),
        +1,
    ),
    Direction(
        "7.5 market size: a shrinking Russia loses trade",
        {"set": {"pivot.market_size_elasticity": 1.5}},
        column("share_russia"),
        -1,
    ),
    Direction(
        "7.5 imports follow export earnings: after an oil fall, larger elasticity, less trade with importers",
        {"set": {"pivot.import_elasticity": 1.5}},
        column("share_russia"),
        -1,
        context=(OIL_DOWN,),
    ),
    # 7.6 GDP, exposure, security
    Direction(
        "7.6 a higher export elasticity turns a price rise into more growth",
        {"set": {"pivot.export_elasticity": 0.3}},
        column("welfare"),
        +1,
        context=(OIL_UP,),
    ),
    Direction(
        "7.6 a larger export gap effect turns high prices into more growth",
        {"set": {"pivot.export_gap_effect": 0.05}},
        column("welfare"),
        +1,
        context=(OIL_UP,),
    ),
    Direction("7.6 rewards raise GDP", {"set": {"powers.china.reward_budget": 0.9}}, column("welfare"), +1),
    Direction(
        "7.6 rewards raise GDP: with offers up since the start, a larger reward gain, more growth",
        {"set": {"pivot.reward_gain": 0.03}},
        column("welfare"),
        +1,
        context=({"at": "2024Q2", "set": {"powers.china.reward_budget": 0.9}},),
    ),
    Direction(
        "7.6 pressure lowers GDP",
        {"set": {"powers.russia.pressure_capacity": 0.9, "powers.russia.tolerance": 0.1}},
        column("welfare"),
        -1,
    ),
    Direction(
        "7.6 sanctions exposure costs growth",
        {"set": {"pivot.sanctions_cost": 0.08}},
        column("welfare"),
        -1,
        context=(SANCTIONS_UP,),
    ),
    Direction(
        "7.6 leaving the CSTO lowers security dependence",
        {"set": {"world.memberships.csto": False}},
        column("security_dependence"),
        -1,
    ),
    # 7.7 relations
    Direction(
        "7.7 rewards raise a relation",
        {"set": {"powers.china.reward_budget": 0.9}},
        column("relation_china"),
        +1,
    ),
    Direction(
        "7.7 pressure lowers a relation",
        {"set": {"powers.russia.pressure_capacity": 0.9, "powers.russia.tolerance": 0.1}},
        column("relation_russia"),
        -1,
    ),
    Direction(
        "7.7 engagement raises a relation",
        {"set": {"strategies.equidistance.level": 0.8}},
        column("relation_us"),
        +1,
    ),
]


@pytest.mark.parametrize("case", DIRECTIONS, ids=[d.doc for d in DIRECTIONS])
def test_a_documented_direction_holds_through_a_dated_event(case: Direction):
    before = with_events(BASE, *case.context)
    after = with_events(before, {"at": EVENT_AT, **case.event})
    without, with_event = case.measure(run(before, case.strategy)), case.measure(run(after, case.strategy))
    gap = with_event - without
    assert np.sign(gap) == case.sign and abs(gap) > 1e-6, (
        f"{case.doc}: {without:.6g} without the event, {with_event:.6g} with it"
    )


def test_engagement_with_the_west_does_not_lower_relations_with_russia_without_rivalry():
    """7.7: engagement with one power lowers relations with another only through its rivals' pressure.

    With Russia resenting nobody, an event that raises engagement with the EU and the US leaves
    the relation with Russia no lower (its leverage even falls as trade moves west).
    """
    calm = BASE.with_overrides({f"powers.russia.rivals.{h}": 0.0 for h in ("eu", "us", "china")})
    west = with_events(
        calm, {"at": EVENT_AT, "set": {"strategies.pivot_west.eu": 1.0, "strategies.pivot_west.us": 1.0}}
    )
    base_run, west_run = run(calm, "pivot_west"), run(west, "pivot_west")
    assert west_run.state()["engagement_eu"][0] > base_run.state()["engagement_eu"][0] + 0.05
    assert west_run.state()["relation_russia"][0] >= base_run.state()["relation_russia"][0] - 1e-12
    # the control: where Russia does resent the West, the same event does lower it
    tense = with_events(
        BASE, {"at": EVENT_AT, "set": {"strategies.pivot_west.eu": 1.0, "strategies.pivot_west.us": 1.0}}
    )
    assert (
        run(tense, "pivot_west").state()["relation_russia"][0]
        < run(BASE, "pivot_west").state()["relation_russia"][0]
    )


def test_engaging_russia_raises_security_dependence():
    """7.6: security dependence follows engagement with the CSTO powers."""
    bandwagon, west = run(BASE, "bandwagon_russia"), run(BASE, "pivot_west")
    assert bandwagon.state()["security_dependence"][0] > west.state()["security_dependence"][0] + 0.05
