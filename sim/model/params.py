"""Typed parameters of the actors and the world, with units, ranges and sources.

Each field's description says what it means and where its default comes from: a fact id in
``seeds/facts.toml``, a row of ``seeds/data/``, or "assumption" with the range a sweep should
explore. ``multivector parameters`` lists these fields as sweepable paths.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Signed = Annotated[float, Field(ge=-1.0, le=1.0)]


class Strict(BaseModel):
    """Base for scenario tables: unknown keys are errors, values are checked on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class PowerParams(Strict):
    """A great power as the pivot state sees it (Russia, China, the EU, the US, ...)."""

    name: str = Field(description="display name")
    rivals: list[str] = Field(
        default_factory=list,
        description="powers whose engagement by the pivot this power resents (keys of [powers])",
    )
    memberships: list[str] = Field(
        default_factory=list,
        description="organisations this power belongs to (eaeu, csto, sco, brics, ...)",
    )
    salience: Unit = Field(0.5, description="weight of the region in its foreign policy; assumption 0.2-1")
    reward_budget: Unit = Field(
        0.3,
        description="offers and investment per unit of effort received, per quarter; assumption 0-0.8",
    )
    pressure_capacity: Unit = Field(
        0.2, description="coercive leverage over the pivot (0..1); assumption 0-0.8"
    )
    tolerance: Unit = Field(
        0.5,
        description="share of the pivot's effort given to its rivals that it accepts without "
        "pressure; assumption 0.1-0.9",
    )
    secondary_sanctions: Unit = Field(
        0.0,
        description="pressure per unit of sanctions level and Russia-bloc trade share "
        "(secondary-sanctions enforcement); assumption 0-0.8",
    )
    initial_relation: Signed = Field(
        0.3,
        description="relation with the pivot at the start (-1..1); baseline from F10, F12, "
        "D07 (UN votes), assumption",
    )
    initial_effort: Unit = Field(0.25, description="pivot's diplomatic effort share at the start")
    noise: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.15,
        description="log-sd of the quarterly noise on its rewards and pressure; assumption 0-0.4",
    )
    market_growth: Annotated[float, Field(ge=-0.2, le=0.2)] = Field(
        0.0,
        description="annual growth of its market relative to world demand (log points); "
        "from World Bank GDP trends, range -0.05-0.05",
    )
    gdp_usd_bn: Annotated[float, Field(gt=0)] = Field(
        1000.0, description="GDP, current US$ bn (World Bank, 2023)"
    )
    milex_usd_m: Annotated[float, Field(ge=0)] = Field(
        0.0, description="military expenditure, current US$ m (SIPRI, 2023)"
    )


class PartnerParams(Strict):
    """A trade partner of the pivot; ``bloc`` names the power that speaks for it."""

    name: str = Field(description="display name")
    bloc: str | None = Field(
        None, description="power key this partner belongs to, none for the rest of the world"
    )
    trade_share: Unit = Field(description="share of the pivot's trade turnover at the start")
    export_fraction: Unit = Field(
        description="exports as a share of turnover with this partner; baseline from D01 (2023 BNS rows)"
    )
    fdi_share: Unit = Field(description="share of the pivot's inward FDI at the start")
    corridors: dict[str, Unit] = Field(
        default_factory=dict,
        description="dependence of this trade on each transit corridor (0..1 weights); assumption",
    )


class PivotParams(Strict):
    """The middle state (Kazakhstan by default) and its economy's response rates."""

    name: str = Field("Kazakhstan", description="display name")
    gdp_usd_bn: Annotated[float, Field(gt=0)] = Field(
        261.4, description="GDP, current US$ bn (World Bank 2023)"
    )
    base_growth: Annotated[float, Field(ge=-0.1, le=0.15)] = Field(
        0.035,
        description="annual trend growth of the GDP index at the start's balance; assumption 0.02-0.05",
    )
    security_dependence: Unit = Field(
        0.6, description="initial security dependence on CSTO/Russia; assumption 0.3-0.8"
    )
    trade_inertia: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.08,
        description="quarterly rate at which trade shares move to their attraction;"
        " assumption 0.02-0.4, fitted in baseline_2023 (docs/calibration.md)",
    )
    fdi_inertia: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.05,
        description="quarterly rate at which FDI shares move to their attraction; assumption 0.02-0.15",
    )
    market_growth_elasticity: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.3,
        description="elasticity of partners' trade attraction to their market growth; assumption 0-1 "
        "(Russia's share held near 19% in 2013-2023 while its GDP fell relative to the world); "
        "fitted in baseline_2023",
    )
    effort_elasticity: Annotated[float, Field(ge=0.0, le=3.0)] = Field(
        0.8,
        description="elasticity of trade attraction to diplomatic effort;"
        " assumption 0-1.5, fitted in baseline_2023",
    )
    relation_elasticity: Annotated[float, Field(ge=0.0, le=3.0)] = Field(
        0.8, description="log change of trade attraction per unit of relation; assumption 0.3-1.5"
    )
    relation_rate: Unit = Field(
        0.15, description="quarterly adjustment rate of relations; assumption 0.05-0.3"
    )
    relation_effort_weight: Annotated[float, Field(ge=0.0, le=3.0)] = Field(
        0.5,
        description="relation gained per unit of effort above the start, times powers; assumption 0.2-1",
    )
    relation_reward_weight: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        1.0, description="relation gained per unit of reward above the start; assumption 0.5-2"
    )
    relation_pressure_weight: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        2.0, description="relation lost per unit of pressure above the start; assumption 1-4"
    )
    reward_gain: Annotated[float, Field(ge=0.0, le=0.2)] = Field(
        0.02, description="quarterly GDP growth per unit of rewards received; assumption 0.005-0.05"
    )
    punishment_cost: Annotated[float, Field(ge=0.0, le=0.2)] = Field(
        0.03, description="quarterly GDP loss per unit of pressure received; assumption 0.01-0.06"
    )
    sanctions_cost: Annotated[float, Field(ge=0.0, le=0.2)] = Field(
        0.01,
        description="quarterly GDP loss per unit of sanctions level x Russia-bloc trade share; "
        "assumption 0-0.03",
    )
    oil_gdp_elasticity: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.15, description="GDP index change per log change of the oil price; assumption 0.05-0.3"
    )
    fdi_reward_gain: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        2.0, description="FDI attraction gained per unit of reward; assumption 0.5-4"
    )


class CommodityParams(Strict):
    """A commodity price index (1 = start) following a mean-reverting log process."""

    initial: Annotated[float, Field(gt=0.0, le=10.0)] = Field(
        1.0, description="index at the start (1 = the start year's price)"
    )
    mean: Annotated[float, Field(gt=0.0, le=10.0)] = Field(
        1.0, description="long-run index level; assumption 0.6-1.4 (commodity_bust: 0.7)"
    )
    reversion: Unit = Field(0.1, description="quarterly mean reversion of the log index; assumption 0.05-0.3")
    volatility: Unit = Field(0.08, description="quarterly log-sd of shocks; assumption 0.03-0.15")


class Memberships(Strict):
    """The pivot's memberships in force (each can be switched by an event)."""

    cis: bool = Field(True, description="Commonwealth of Independent States (F13, data 1991-12-21)")
    eaeu: bool = Field(True, description="Eurasian Economic Union (F13, data 2015-01-01)")
    csto: bool = Field(True, description="Collective Security Treaty Organisation (D06)")
    sco: bool = Field(True, description="Shanghai Cooperation Organisation (F13, data 2001-06-15)")
    wto: bool = Field(True, description="World Trade Organization (data 2015-11-30); no channel in the model")
    brics_partner: bool = Field(False, description="BRICS partner country (F14, data 2025-01-01)")


class WorldParams(Strict):
    """World state: great-power rivalry, sanctions, commodities, corridors, memberships."""

    rivalry: Unit = Field(
        0.6, description="long-run rivalry intensity between the powers (0..1); assumption 0.2-0.9"
    )
    rivalry_initial: Unit | None = Field(
        None, description="rivalry at the start; default: `rivalry` (F01); assumption"
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
        description="trade attraction lost by the sanctioned bloc at full sanctions;"
        " assumption 0-0.6, fitted in baseline_2023",
    )
    sanctions_diversion: Unit = Field(
        0.2,
        description="trade attraction gained by sanctions senders' blocs at full sanctions; assumption 0-0.5",
    )
    oil_export_weight: Unit = Field(
        0.6,
        description="share of exports whose value follows the oil price;"
        " assumption 0.2-1, fitted in baseline_2023",
    )
    oil: CommodityParams = Field(default_factory=CommodityParams)
    uranium: CommodityParams = Field(default_factory=lambda: CommodityParams(volatility=0.06))
    corridors: dict[str, Annotated[float, Field(ge=0.0, le=3.0)]] = Field(
        default_factory=dict,
        description="transit corridor capacities (1 = start level; F05); assumption 0.5-2",
    )
    memberships: Memberships = Field(default_factory=Memberships)
    eaeu_trade_bonus: Unit = Field(
        0.2,
        description="trade attraction of EAEU powers' blocs while in the EAEU;"
        " assumption 0-0.4, fitted in baseline_2023",
    )
    membership_tolerance_bonus: Unit = Field(
        0.05, description="tolerance added by each shared membership in force; assumption 0-0.15"
    )
    csto_leverage: Unit = Field(
        0.5,
        description="extra pressure capacity per unit of security dependence (CSTO powers); assumption 0-1",
    )
    crisis_threshold: Unit = Field(
        0.3, description="pressure from one power that counts as a crisis; assumption 0.2-0.5"
    )
