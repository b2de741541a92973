"""Typed parameters of the actors and the world, with units, ranges and sources.

Each field's description says what it means and where its default comes from: a fact id in
``seeds/facts.toml``, a row of ``seeds/data/``, or "assumption" with the range a sweep should
explore. ``multivector parameters`` lists these fields as sweepable paths. Fields marked
``initial`` set the state at the start only: an event after the start may not change them.
"""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Signed = Annotated[float, Field(ge=-1.0, le=1.0)]
Coefficient = Annotated[float, Field(ge=0.0, le=5.0)]

INITIAL = {"initial": True}
"""``json_schema_extra`` of fields that only set the starting state."""

COMMODITIES = ("oil", "metals", "uranium")
"""Priced export commodity groups (``world.<name>``); the rest of exports is "other"."""


def initial_only(model: type[BaseModel], name: str) -> bool:
    """Whether a field of a parameter table sets the starting state only."""
    field = model.model_fields.get(name)
    extra = field.json_schema_extra if field is not None else None
    return isinstance(extra, dict) and bool(extra.get("initial"))


def is_initial_state(path: str) -> bool:
    """Whether a scenario's dotted parameter path sets the starting state only."""
    parts = path.split(".")
    tables: dict[str, type[BaseModel]] = {
        "pivot": PivotParams,
        "powers": PowerParams,
        "partners": PartnerParams,
        "world": WorldParams,
    }
    table = tables.get(parts[0])
    rest = parts[2:] if parts[0] in ("powers", "partners") else parts[1:]
    if table is None or not rest:
        return False
    if table is WorldParams and rest[0] in COMMODITIES and len(rest) == 2:
        return initial_only(CommodityParams, rest[1])
    return len(rest) == 1 and initial_only(table, rest[0])


class Strict(BaseModel):
    """Base for scenario tables: unknown keys and non-finite numbers are errors, checked on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class PowerParams(Strict):
    """A great power as the pivot state sees it (Russia, China, the EU, the US, ...)."""

    name: str = Field(description="display name")
    rivals: dict[str, Unit] = Field(
        default_factory=dict,
        description="rivalry weight (0..1) with each other power: how much it resents the pivot's "
        "engagement with that power (keys of [powers]; a list means weight 1); assumption 0-1",
    )
    memberships: list[str] = Field(
        default_factory=list,
        description="organisations this power belongs to (eaeu, csto, sco, brics, wto, ...)",
    )
    salience: Unit = Field(0.5, description="weight of the region in its foreign policy; assumption 0.2-1")
    reward_budget: Unit = Field(
        0.3,
        description="offers and investment per unit of engagement received, per quarter; assumption 0-0.8",
    )
    competition: Annotated[float, Field(ge=0.0, le=3.0)] = Field(
        0.5,
        description="rise of its offers per unit of the pivot's engagement with its rivals (bidding "
        "for the pivot, Cooley 2012); assumption 0-1.5",
    )
    pressure_capacity: Unit = Field(
        0.2, description="coercive capacity at no dependence (0..1); assumption 0-0.8"
    )
    tolerance: Unit = Field(
        0.5,
        description="rival-weighted share of the pivot's engagement that it accepts without "
        "pressure; assumption 0.1-0.9",
    )
    neglect_sensitivity: Annotated[float, Field(ge=0.0, le=3.0)] = Field(
        0.5,
        description="threat felt per unit of engagement below what it expects (neglect); assumption 0-1.5",
    )
    expected_engagement: Unit | None = Field(
        None,
        description="engagement level it expects from the pivot; default: its initial engagement; assumption",
    )
    secondary_sanctions: Unit = Field(
        0.0,
        description="pressure per unit of sanctions exposure (secondary-sanctions enforcement); "
        "assumption 0-0.8",
    )
    initial_relation: Signed = Field(
        0.3,
        description="relation with the pivot at the start (-1..1); baseline from F10, F12, "
        "D07 (UN votes), assumption",
        json_schema_extra=INITIAL,
    )
    initial_engagement: Unit = Field(
        0.5,
        description="pivot's engagement level with it at the start (0..1); assumption, set from "
        "facts in the scenario",
        json_schema_extra=INITIAL,
    )
    noise: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.15,
        description="log-sd of the quarterly noise on its rewards and pressure; assumption 0-0.4",
    )
    market_growth: Annotated[float, Field(ge=-0.2, le=0.2)] = Field(
        0.0,
        description="annual real growth of its economy relative to the world (log points): its "
        "market's pull on trade and the means behind its offers; World Bank GDP trends (D04), "
        "range -0.05-0.05",
    )
    gdp_usd_bn: Annotated[float, Field(gt=0)] = Field(
        1000.0,
        description="GDP, current US$ bn (World Bank, D03): a change since the start scales its "
        "offers and moves trade attraction by pivot.market_size_elasticity",
    )
    milex_usd_m: Annotated[float, Field(ge=0)] = Field(
        0.0,
        description="military expenditure, current US$ m (SIPRI, D03): a change scales its coercive "
        "capacity by world.milex_elasticity",
    )

    @field_validator("rivals", mode="before")
    @classmethod
    def _list_means_full_rivalry(cls, value: Any) -> Any:
        return dict.fromkeys(value, 1.0) if isinstance(value, list) else value


class PartnerParams(Strict):
    """A trade partner of the pivot; ``bloc`` names the power that speaks for it."""

    name: str = Field(description="display name")
    bloc: str | None = Field(
        None, description="power key this partner belongs to, none for the rest of the world"
    )
    trade_share: Unit = Field(
        description="share of the pivot's trade turnover at the start", json_schema_extra=INITIAL
    )
    export_fraction: Unit = Field(
        description="exports as a share of turnover with this partner; baseline from D01 (2023 BNS rows)"
    )
    fdi_share: Unit = Field(
        description="share of the pivot's inward FDI at the start", json_schema_extra=INITIAL
    )
    corridors: dict[str, Unit] = Field(
        default_factory=dict,
        description="dependence of this trade on each transit corridor (0..1 weights); assumption",
    )
    export_mix: dict[str, Unit] = Field(
        default_factory=dict,
        description="share of exports to this partner by priced commodity (oil, metals, uranium; "
        "the rest is other goods); assumption aggregating to the national mix (D-rows)",
    )
    reexport_source: Unit = Field(
        0.0,
        description="share of re-exported goods for Russia bought from this partner (the Eurasian "
        "roundabout); assumption from the re-export evidence rows",
    )


class PivotParams(Strict):
    """The middle state (Kazakhstan by default): economy, diplomacy and response rates."""

    name: str = Field("Kazakhstan", description="display name")
    gdp_usd_bn: Annotated[float, Field(gt=0)] = Field(
        261.4,
        description="GDP at the start, current US$ bn (World Bank 2023), for the US$ output column",
        json_schema_extra=INITIAL,
    )
    base_growth: Annotated[float, Field(ge=-0.3, le=0.15)] = Field(
        0.041,
        description="annual trend growth of real GDP at steady export prices; estimated from data "
        "(docs/calibration.md: a = 0.041, 95% 0.027-0.055)",
    )
    export_elasticity: Coefficient = Field(
        0.043,
        description="log change of real GDP per log change of the export value index; estimated "
        "from data (docs/calibration.md: b = 0.043, 95% -0.022-0.109)",
    )
    export_gap_effect: Coefficient = Field(
        0.0132,
        description="quarterly growth per log point of export value above its slow reference "
        "(terms-of-trade income); estimated from data (docs/calibration.md: c/4 = 0.0132, 95% 0-0.027)",
    )
    import_elasticity: Coefficient = Field(
        0.62,
        description="log change of the import value index per log change of the export value index "
        "(imports are paid for by export earnings); estimated from data: OLS of annual log changes "
        "2001-2018, IMF DOTS World rows of seeds/data/kz_trade_by_partner.csv, 0.62 (se 0.13)",
    )
    export_reference_rate: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.06,
        description="quarterly rate at which the export reference follows export value; estimated "
        "from data, weakly identified (docs/calibration.md: 0.06, range 0.005-0.5)",
    )
    security_dependence: Unit = Field(
        0.6,
        description="initial security dependence on CSTO/Russia; assumption 0.3-0.8",
        json_schema_extra=INITIAL,
    )
    settled_start: bool = Field(
        False,
        description="start engagement at the strategy's steady state against the powers' responses "
        "(the policy was already in force, as in a historical replay); false: start at each power's "
        "initial_engagement, so a change of policy is seen moving; a modelling choice (assumption)",
        json_schema_extra=INITIAL,
    )
    capacity: Annotated[float, Field(gt=0.0, le=8.0)] = Field(
        2.5,
        description="diplomatic capacity: total engagement it can sustain at full effect; above it "
        "every engagement is diluted; assumption 1.5-3.5",
    )
    trade_inertia: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.08,
        description="quarterly rate at which trade shares move to their attraction; assumption 0.02-0.4",
    )
    fdi_inertia: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.05,
        description="quarterly rate at which FDI shares move to their attraction; assumption 0.02-0.15",
    )
    market_size_elasticity: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.8,
        description="elasticity of a bloc's trade attraction to its market size (GDP growth, "
        "powers.*.market_growth and gdp_usd_bn); gravity models 0.7-1; fitted",
    )
    engagement_elasticity: Annotated[float, Field(ge=0.0, le=3.0)] = Field(
        0.5,
        description="elasticity of trade attraction to effective engagement; assumption 0-1.5, fitted",
    )
    relation_elasticity: Annotated[float, Field(ge=0.0, le=3.0)] = Field(
        0.8, description="log change of trade attraction per unit of relation; assumption 0.3-1.5"
    )
    relation_rate: Unit = Field(
        0.15, description="quarterly adjustment rate of relations; assumption 0.05-0.3"
    )
    security_rate: Unit = Field(
        0.15,
        description="quarterly rate at which security dependence follows CSTO engagement; "
        "assumption 0.05-0.3 (as relations adjust)",
    )
    relation_engagement_weight: Annotated[float, Field(ge=0.0, le=3.0)] = Field(
        0.8,
        description="relation gained per unit of effective engagement above the start; assumption 0.3-1.5",
    )
    relation_reward_weight: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        1.0, description="relation gained per unit of reward above the start; assumption 0.5-2"
    )
    relation_pressure_weight: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        2.0, description="relation lost per unit of pressure above the start; assumption 1-4"
    )
    reward_returns: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.6,
        description="exponent of rewards in engagement (below 1: diminishing returns); assumption 0.3-1",
    )
    reward_gain: Annotated[float, Field(ge=0.0, le=0.2)] = Field(
        0.004,
        description="quarterly GDP growth per unit of rewards (offers, investment) received; about 1.5% "
        "a year at the start's rewards, the order of FDI's growth effect; assumption 0.001-0.01",
    )
    punishment_cost: Annotated[float, Field(ge=0.0, le=0.2)] = Field(
        0.01,
        description="quarterly GDP loss per unit of pressure received (4% a year at full pressure); "
        "assumption 0.005-0.03",
    )
    sanctions_cost: Annotated[float, Field(ge=0.0, le=0.2)] = Field(
        0.01,
        description="quarterly GDP loss per unit of sanctions exposure; assumption 0-0.03",
    )
    fdi_reward_gain: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        2.0, description="FDI attraction gained per unit of reward; assumption 0.5-4"
    )
    reexport_gain: Unit = Field(
        0.3,
        description="trade attraction added at full sanctions by re-exports to Russia (imports from "
        "the source partners, exports to Russia); assumption 0-0.6, re-export evidence rows",
    )


class CommodityParams(Strict):
    """An export commodity: its price index (1 = start), mean-reverting in logs, and its routes."""

    initial: Annotated[float, Field(gt=0.0, le=10.0)] = Field(
        1.0, description="index at the start (1 = the start year's price)", json_schema_extra=INITIAL
    )
    mean: Annotated[float, Field(gt=0.0, le=10.0)] = Field(
        1.0, description="long-run index level; assumption 0.6-1.4 (commodity_bust: 0.7)"
    )
    reversion: Unit = Field(0.1, description="quarterly mean reversion of the log index; assumption 0.05-0.3")
    volatility: Unit = Field(0.08, description="quarterly log-sd of shocks; assumption 0.03-0.15")
    export_share: Unit = Field(
        0.0, description="share of the pivot's export value at the start (D13: BNS exports by commodity data)"
    )
    routes: dict[str, Unit] = Field(
        default_factory=dict,
        description="share of its export volume leaving by each corridor; volume follows corridor "
        "capacity (oil: D15 route data, CPC about 80%; metals, uranium: assumption)",
    )


class Memberships(Strict):
    """The pivot's memberships in force (each can be switched by an event)."""

    cis: bool = Field(True, description="Commonwealth of Independent States (F13, data 1991-12-21)")
    eaeu: bool = Field(True, description="Eurasian Economic Union (F13, data 2015-01-01)")
    csto: bool = Field(True, description="Collective Security Treaty Organisation (D06)")
    sco: bool = Field(True, description="Shanghai Cooperation Organisation (F13, data 2001-06-15)")
    wto: bool = Field(
        True, description="World Trade Organization (data 2015-11-30): lowers trade costs with WTO powers"
    )
    brics_partner: bool = Field(False, description="BRICS partner country (F14, data 2025-01-01)")


class WorldParams(Strict):
    """World state: great-power rivalry, sanctions, commodities, corridors, memberships."""

    rivalry: Unit = Field(
        0.6, description="long-run rivalry intensity between the powers (0..1); assumption 0.2-0.9"
    )
    rivalry_initial: Unit | None = Field(
        None,
        description="rivalry at the start; default: `rivalry` (F01); assumption",
        json_schema_extra=INITIAL,
    )
    rivalry_reversion: Unit = Field(
        0.1, description="quarterly mean reversion of rivalry; assumption 0.05-0.3"
    )
    rivalry_volatility: Unit = Field(0.03, description="quarterly sd of rivalry shocks; assumption 0-0.08")
    rivalry_reference: Unit = Field(0.5, description="rivalry at which tolerances hold as stated; assumption")
    rivalry_tightening: Unit = Field(
        0.4, description="tolerance lost per unit of rivalry above the reference; assumption 0-0.8"
    )
    sanctions: Unit = Field(0.6, description="level of Western sanctions on Russia (0..1); assumption 0-1")
    sanctions_target: str = Field("russia", description="power whose bloc the sanctions hit")
    sanctions_friction: Unit = Field(
        0.3,
        description="trade attraction lost by the sanctioned bloc at full sanctions; assumption "
        "0-0.6, calibrated on 2011-2018 (posterior 0.43-0.60), where it also stands in for the "
        "2014-16 rouble collapse; after 2022 it cuts trade with Russia that in fact held "
        "(docs/validation.md)",
    )
    sanctions_diversion: Unit = Field(
        0.2,
        description="trade attraction gained by sanctions senders' blocs at full sanctions; assumption 0-0.5",
    )
    oil: CommodityParams = Field(default_factory=CommodityParams)
    metals: CommodityParams = Field(default_factory=lambda: CommodityParams(volatility=0.06))
    uranium: CommodityParams = Field(default_factory=lambda: CommodityParams(volatility=0.06))
    corridors: dict[str, Annotated[float, Field(ge=0.0, le=20.0)]] = Field(
        default_factory=dict,
        description="transit corridor capacities or volumes (1 = 2023 level; F05); assumption 0.5-2 for a "
        "what-if; up to 20 for a route that carried far more in the past (the pipeline to China, D23)",
    )
    corridor_transit: dict[str, str] = Field(
        default_factory=dict,
        description="power whose territory each corridor crosses (cpc_pipeline and northern: Russia)",
    )
    memberships: Memberships = Field(default_factory=Memberships)
    eaeu_trade_bonus: Unit = Field(
        0.2,
        description="trade attraction of EAEU powers' blocs while in the EAEU; assumption 0-0.4, fitted",
    )
    wto_trade_bonus: Unit = Field(
        0.05,
        description="trade attraction of WTO powers' blocs while a WTO member; assumption 0-0.2",
    )
    membership_tolerance_bonus: Unit = Field(
        0.05, description="tolerance added by each shared membership in force; assumption 0-0.15"
    )
    dependence_leverage: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        1.5,
        description="coercive capacity added per unit of the pivot's dependence on a power "
        "(Hirschman; Farrell and Newman); assumption 0-3",
    )
    transit_weight: Unit = Field(
        0.5, description="weight of export transit through a power in dependence on it; assumption 0-1"
    )
    csto_leverage: Unit = Field(
        0.5,
        description="weight of security dependence in dependence on CSTO powers; assumption 0-1",
    )
    milex_elasticity: Unit = Field(
        0.5,
        description="elasticity of coercive capacity to a power's military spending; assumption 0-1",
    )
    crisis_threshold: Unit = Field(
        0.3, description="pressure from one power that counts as a crisis; assumption 0.2-0.5"
    )
