"""Compiled kernels of the step's hot path, one plain function per submodel (numba).

At R = 1 a quarter was about 145 numpy calls on arrays of 1 to 7 numbers, and numpy's overhead
per call (0.4-1 us) was most of the step. Each kernel here computes one submodel's formulas
(docs/ODD.md, section 7) in explicit loops over the replicates and the powers or partners: at
R = 1 it costs about what one numpy call did, and it grows linearly in R with no temporaries.
The model calls each kernel from the same place in the step as the submodel it computes
(``BalancingModel.step`` still reads in the ODD order); the docstrings of the calling methods
and modules say what the formulas mean.

Conventions:

- Per-replicate parameters arrive as ``(R, ...)`` arrays and shared ones as ``(1, ...)``:
  ``a[_row(a, r)]`` is replicate r's entry of either.
- Random draws are numpy ``Generator`` draws made by the caller, in the model's order, and
  passed in, so a run is reproducible from its seed whatever the kernels do.
- Scalars are Python floats (numba would compile again for an int or a 0-d array).
- No ``fastmath``: it would let the compiler reorder sums, so results would depend on the
  platform. Sums run in index order.
- ``@kernel`` is numba's ``njit`` with its disk cache: compiled once per machine into
  ``__pycache__`` next to this module, or into the user's cache directory (numba's fallback)
  where the package is read-only; where neither is writable, compiled in each process.
- All kernels live in this one module: numba's cache is invalidated when a kernel's own file
  changes, not when a function it calls from another file does, so a kernel calling ``_row``
  or ``_threat`` from elsewhere could run stale machine code after an edit.
"""

from collections.abc import Callable

import numpy as np
from numba import njit

RIVAL_SHARE_EPS = 1e-9  # rivals' share of the engagement: rivals / (total + this)
MAX_TOLERANCE = 0.99  # a power's effective tolerance stays below 1 (threat divides by 1 - it)
ATTRACTION_EPS = 0.05  # engagement floor in the trade and FDI attraction, so zero is finite
MIN_LIMIT = 0.05  # multivector: the least rivals' share it aims for


def kernel(func: Callable) -> Callable:
    """Compile ``func`` with numba (nopython), cached on disk where a cache folder is writable."""
    try:
        return njit(cache=True)(func)
    except RuntimeError:  # numba: "cannot cache function ...: no locator available"
        return njit(func)


@kernel
def _row(a, r):
    """Index of replicate r's entry in a per-replicate ``(R, ...)`` array, or 0 in a shared ``(1, ...)`` one.

    An index rather than a view: a view costs a reference count in the replicate loop.
    """
    return r if a.shape[0] > 1 else 0


@kernel
def _threat(share, tolerance, neglected):
    """A power's threat: its rivals' share above its tolerance, scaled to 1 at full share, plus neglect."""
    return max(share - tolerance, 0.0) / (1.0 - tolerance) + neglected


@kernel
def world_advance(
    state: np.ndarray, reversion: np.ndarray, mean: np.ndarray, volatility: np.ndarray, normal: np.ndarray
) -> np.ndarray:
    """Exogenous drivers, one quarter: mean-reverting AR(1) steps, rivalry clipped to [0, 1].

    ``state`` (n, R): rivalry and log prices; ``reversion``, ``mean``, ``volatility`` (n, 1);
    ``normal`` (n, R) standard normal draws. Returns the new state (n, R).
    """
    n, replicates = state.shape
    new = np.empty_like(state)
    for i in range(n):
        for r in range(replicates):
            step = reversion[i, 0] * (mean[i, 0] - state[i, r]) + volatility[i, 0] * normal[i, r]
            new[i, r] = state[i, r] + step
    for r in range(replicates):
        new[0, r] = min(max(new[0, r], 0.0), 1.0)
    return new


@kernel
def powers_respond(
    engagement: np.ndarray,
    rivalry: np.ndarray,
    bloc_shares: np.ndarray,
    security_dependence: np.ndarray,
    exposure: np.ndarray,
    returns: float,
    time: float,
    normal: np.ndarray,
    tolerance_at_zero_rivalry: np.ndarray,
    tightening: float,
    rivals_t: np.ndarray,
    neglect: np.ndarray,
    expectation: np.ndarray,
    leverage_base: np.ndarray,
    leverage_per_bloc_share: np.ndarray,
    leverage_per_security: np.ndarray,
    secondary: np.ndarray,
    reward_rate: np.ndarray,
    power_size: np.ndarray,
    power_growth: np.ndarray,
    competition: np.ndarray,
    noise: np.ndarray,
    noise_half_variance: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The great powers' rule (ODD 7.3): rewards, pressures, effective tolerances, leverage (R, P).

    tolerance = clip(tolerance_at_zero_rivalry - tightening x rivalry, 0, 0.99);
    threat = max(rivals' share - tolerance, 0) / (1 - tolerance) + neglect x max(expectation -
    engagement, 0); leverage = base + per_bloc_share x bloc share + per_security x security
    dependence; pressure = min(threat x leverage + secondary x exposure, 1) after its noise;
    reward = reward_rate x exp(power_size + power_growth x time) x (1 + competition x rivals)
    x engagement ** returns, times its noise. The noise is log-normal with mean 1, from
    ``normal`` (2, R, P): pressures' draws, then rewards'; ``normal`` with no rows (0, ...)
    gives the noise-free expectation. The arguments after ``normal`` are the ``Structure``'s
    fields of the same names.
    """
    replicates, powers = engagement.shape
    reward = np.empty((replicates, powers))
    pressure = np.empty((replicates, powers))
    tolerance = np.empty((replicates, powers))
    leverage = np.empty((replicates, powers))
    noisy = normal.shape[0] > 0
    # offer per unit of engagement before bidding: once per row of its parameters, not per replicate
    rows = max(reward_rate.shape[0], power_size.shape[0], power_growth.shape[0])
    means = np.empty((rows, powers))
    for i in range(rows):
        rr, sz, gr = _row(reward_rate, i), _row(power_size, i), _row(power_growth, i)
        for p in range(powers):
            means[i, p] = reward_rate[rr, p] * np.exp(power_size[sz, p] + power_growth[gr, p] * time)
    for r in range(replicates):
        total = 0.0
        for p in range(powers):
            total += engagement[r, p]
        n, e = _row(neglect, r), _row(expectation, r)
        lb, ls, lsec = (
            _row(leverage_base, r),
            _row(leverage_per_bloc_share, r),
            _row(leverage_per_security, r),
        )
        m, cp = _row(means, r), _row(competition, r)
        for p in range(powers):
            level = engagement[r, p]
            rivals = 0.0
            for h in range(powers):
                rivals += engagement[r, h] * rivals_t[h, p]
            tol = min(max(tolerance_at_zero_rivalry[p] - tightening * rivalry[r], 0.0), MAX_TOLERANCE)
            share = rivals / (total + RIVAL_SHARE_EPS)
            threat = _threat(share, tol, neglect[n, p] * max(expectation[e, p] - level, 0.0))
            lev = (
                leverage_base[lb, p]
                + leverage_per_bloc_share[ls, p] * bloc_shares[r, p]
                + leverage_per_security[lsec, p] * security_dependence[r]
            )
            press = threat * lev + secondary[p] * exposure[r]
            offer = means[m, p] * (1.0 + competition[cp, p] * rivals) * level**returns
            if noisy:
                press *= np.exp(noise[p] * normal[0, r, p] - noise_half_variance[p])
                offer *= np.exp(noise[p] * normal[1, r, p] - noise_half_variance[p])
            reward[r, p] = offer
            pressure[r, p] = min(press, 1.0)
            tolerance[r, p] = tol
            leverage[r, p] = lev
    return reward, pressure, tolerance, leverage


@kernel
def multivector_choose(
    engagement: np.ndarray,
    bloc_shares: np.ndarray,
    pressures: np.ndarray,
    tolerance: np.ndarray,
    established: np.ndarray,
    tilt: np.ndarray,
    margin: float,
    rate: float,
    expectation: np.ndarray,
    rivals_t: np.ndarray,
    capacity: float,
) -> np.ndarray:
    """Multi-vector hedging's next engagement (R, P) (ODD 7.4; ``strategies.Multivector``).

    base = established + bloc shares x tilt / their sum, at least each power's expectation;
    raised to what brings each power's rivals' share under max(tolerance - margin, 0.05)
    (rivals / limit - the others' total), plus this quarter's pressure, capped at 1, scaled
    within the capacity; engagement moves toward it at ``rate``. ``established`` (1 or R, P),
    ``tilt`` (1 or R,): the fixed parts ``Multivector._established`` holds.
    """
    replicates, powers = engagement.shape
    out = np.empty((replicates, powers))
    target = np.empty(powers)
    raised = np.empty(powers)
    for r in range(replicates):
        held, expected, factor = _row(established, r), _row(expectation, r), tilt[_row(tilt, r)]
        blocs = 0.0
        for p in range(powers):
            blocs += bloc_shares[r, p]
        total = 0.0
        for p in range(powers):
            target[p] = max(
                established[held, p] + bloc_shares[r, p] * (factor / blocs), expectation[expected, p]
            )
            total += target[p]
        raised_total = 0.0
        for p in range(powers):
            rivals = 0.0
            for h in range(powers):
                rivals += target[h] * rivals_t[h, p]
            limit = max(tolerance[r, p] - margin, MIN_LIMIT)
            needed = rivals / limit - (total - target[p])
            raised[p] = min(max(target[p], needed) + pressures[r, p], 1.0)
            raised_total += raised[p]
        scale = max(raised_total / capacity, 1.0)  # within the diplomatic capacity
        for p in range(powers):
            out[r, p] = engagement[r, p] + rate * (raised[p] / scale - engagement[r, p])
    return out


@kernel
def adaptive_hedging_utility(
    levels: np.ndarray,
    effective: np.ndarray,
    bidding: np.ndarray,
    powered: np.ndarray,
    balance: np.ndarray,
    rival_share: np.ndarray,
    neglect: np.ndarray,
    bloc_shares: np.ndarray,
    offered: np.ndarray,
    tolerance: np.ndarray,
    leverage: np.ndarray,
    engagement: np.ndarray,
    w_welfare: float,
    w_autonomy: float,
    w_security: float,
    adjustment_cost: float,
) -> np.ndarray:
    """Adaptive hedging's utility (R, C) of candidates, net of the adjustment cost (ODD 7.4).

    w_welfare x gains + w_autonomy x balance - w_security x risk - adjustment_cost x moved:
    gains = sum(offered x bidding x powered) + sum(effective x bloc shares normalised); risk =
    sum(min(threat x leverage, 1)), the pressure expected at this quarter's tolerance and
    leverage; moved = sum|levels - engagement|. The candidates' terms (``levels`` ...
    ``neglect``, (1 or R, C, P); ``balance`` (1 or R, C)) are ``strategies.Candidates``;
    ``offered`` (1, P): the powers' offers per unit of engagement before bidding.
    """
    replicates, powers = engagement.shape
    count = levels.shape[1]
    utility = np.empty((replicates, count))
    market = np.empty(powers)
    for r in range(replicates):
        blocs = 0.0
        for p in range(powers):
            blocs += bloc_shares[r, p]
        for p in range(powers):
            market[p] = bloc_shares[r, p] / blocs
        i = _row(levels, r)
        for c in range(count):
            gains, markets, risk, moved = 0.0, 0.0, 0.0, 0.0
            for p in range(powers):
                gains += offered[0, p] * bidding[i, c, p] * powered[i, c, p]
                markets += effective[i, c, p] * market[p]
                threat = _threat(rival_share[i, c, p], tolerance[r, p], neglect[i, c, p])
                risk += min(threat * leverage[r, p], 1.0)
                moved += abs(levels[i, c, p] - engagement[r, p])
            utility[r, c] = (
                w_welfare * (gains + markets)
                + w_autonomy * balance[i, c]
                - w_security * risk
                - adjustment_cost * moved
            )
    return utility


@kernel
def economy_update(
    engagement: np.ndarray,
    capacity: float,
    relations: np.ndarray,
    rewards: np.ndarray,
    pressures: np.ndarray,
    log_prices: np.ndarray,
    time: float,
    slow: np.ndarray,
    log_trade0: np.ndarray,
    log_fdi0: np.ndarray,
    market_trend: np.ndarray,
    fdi_reward_t: np.ndarray,
    bloc_t: np.ndarray,
    export_mix: np.ndarray,
    export_other: np.ndarray,
    import_fraction: np.ndarray,
    blocs_exposure: np.ndarray,
    growth_base: np.ndarray,
    gdp: np.ndarray,
    log_exports: np.ndarray,
    log_export_reference: np.ndarray,
    security_dependence: np.ndarray,
    security_weights: np.ndarray,
    engagement_elasticity: np.ndarray,
    relation_elasticity: np.ndarray,
    trade_inertia: np.ndarray,
    fdi_inertia: np.ndarray,
    import_elasticity: np.ndarray,
    export_elasticity: np.ndarray,
    export_gap_effect: np.ndarray,
    export_reference_rate: np.ndarray,
    reward_gain: float,
    punishment_cost: float,
    security_rate: float,
) -> tuple[np.ndarray, ...]:
    """The pivot's economy, one quarter (ODD 7.5-7.6; ``PivotState.update_economy``).

    Returns new arrays: the slow shares (R, 2, K) (trade's structural part, FDI), trade shares
    (R, K), bloc shares (R, P), sanctions exposure, GDP, log export index (R,) and effective
    engagement (R, P). Updates ``log_export_reference`` and ``security_dependence`` in place.
    The per-replicate rates (``engagement_elasticity`` ... ``export_reference_rate``) are
    (1 or R,) arrays; ``blocs_exposure`` (K, P + 2) holds the bloc matrix, the sanctions
    exposure weights and those weights x the sanctions cost.
    """
    replicates, powers = engagement.shape
    partners = log_trade0.shape[1]
    commodities = log_prices.shape[0]
    new_slow = np.empty_like(slow)
    trade = np.empty((replicates, partners))
    blocs = np.empty((replicates, powers))
    exposure = np.empty(replicates)
    new_gdp = np.empty(replicates)
    new_log_exports = np.empty(replicates)
    effective = np.empty((replicates, powers))
    prices = np.empty(commodities)
    exports = np.empty(partners + 1)
    valued = np.empty(partners)
    attraction = np.empty((2, partners))
    sums = np.empty(2)
    for r in range(replicates):
        # effective engagement: diluted when the total exceeds the diplomatic capacity
        total = 0.0
        for p in range(powers):
            total += engagement[r, p]
        scale = max(total / capacity, 1.0)
        for p in range(powers):
            effective[r, p] = engagement[r, p] / scale
        # export value indices (start 1) x export fractions per partner, then the national index
        for c in range(commodities):
            prices[c] = np.exp(log_prices[c, r])
        other = _row(export_other, r)
        for j in range(partners + 1):
            value = 0.0
            for c in range(commodities):
                value += prices[c] * export_mix[c, j]
            exports[j] = value + export_other[other, j]
        national = exports[partners]
        log_national = np.log(national)
        # attractions of trade's structural part and FDI, moved toward at their inertias
        pull_engagement = engagement_elasticity[_row(engagement_elasticity, r)]
        pull_relations = relation_elasticity[_row(relation_elasticity, r)]
        trend = _row(market_trend, r)
        sums[0], sums[1] = 0.0, 0.0
        for k in range(partners):
            engaged, related, offered = 0.0, 0.0, 0.0
            for p in range(powers):
                engaged += effective[r, p] * bloc_t[p, k]
                related += relations[r, p] * bloc_t[p, k]
                offered += rewards[r, p] * fdi_reward_t[p, k]
            pull = pull_engagement * np.log(ATTRACTION_EPS + engaged) + pull_relations * related
            attraction[0, k] = np.exp(log_trade0[r, k] + market_trend[trend, k] * time + pull)
            attraction[1, k] = np.exp(log_fdi0[r, k] + offered + pull)
            sums[0] += attraction[0, k]
            sums[1] += attraction[1, k]
        inertia = (trade_inertia[_row(trade_inertia, r)], fdi_inertia[_row(fdi_inertia, r)])
        for i in range(2):
            for k in range(partners):
                new_slow[r, i, k] = slow[r, i, k] + inertia[i] * (attraction[i, k] / sums[i] - slow[r, i, k])
        # turnover at this quarter's prices: exports with each partner's mix, imports with earnings
        imports = national ** import_elasticity[_row(import_elasticity, r)]
        turnover = 0.0
        for k in range(partners):
            valued[k] = new_slow[r, 0, k] * (exports[k] + import_fraction[k] * imports)
            turnover += valued[k]
        for k in range(partners):
            trade[r, k] = valued[k] / turnover
        for p in range(powers):
            share = 0.0
            for k in range(partners):
                share += trade[r, k] * blocs_exposure[k, p]
            blocs[r, p] = share
        exposed, sanctions_cost = 0.0, 0.0
        for k in range(partners):
            exposed += trade[r, k] * blocs_exposure[k, powers]
            sanctions_cost += trade[r, k] * blocs_exposure[k, powers + 1]
        exposure[r] = exposed
        # growth: base, export earnings and their gap to the reference, offers, pressure, sanctions
        gap = log_national - log_export_reference[r]
        offered, pressed = 0.0, 0.0
        for p in range(powers):
            offered += rewards[r, p]
            pressed += pressures[r, p]
        growth = (
            growth_base[r]
            + export_elasticity[_row(export_elasticity, r)] * (log_national - log_exports[r])
            + export_gap_effect[_row(export_gap_effect, r)] * gap
            + reward_gain * offered
            - punishment_cost * pressed
            - sanctions_cost
        )
        new_gdp[r] = gdp[r] * np.exp(growth)
        log_export_reference[r] += export_reference_rate[_row(export_reference_rate, r)] * gap
        new_log_exports[r] = log_national
        # security dependence drifts toward CSTO engagement x dependence per unit of it
        security = 0.0
        for p in range(powers):
            security += effective[r, p] * security_weights[r, p]
        security_dependence[r] += security_rate * (min(security, 1.0) - security_dependence[r])
    return new_slow, trade, blocs, exposure, new_gdp, new_log_exports, effective


@kernel
def relations_update(
    relations: np.ndarray,
    relation_base: np.ndarray,
    effective: np.ndarray,
    rewards: np.ndarray,
    pressures: np.ndarray,
    engagement_weight: float,
    reward_weight: float,
    pressure_weight: float,
    rate: float,
) -> None:
    """Relations drift toward a level set by engagement, rewards and pressure (ODD 7.6), in place.

    target = base + engagement_weight x effective engagement + reward_weight x rewards -
    pressure_weight x pressures, clipped to [-1, 1]; relations move toward it at ``rate``.
    """
    replicates, powers = relations.shape
    for r in range(replicates):
        for p in range(powers):
            target = (
                relation_base[r, p]
                + engagement_weight * effective[r, p]
                + reward_weight * rewards[r, p]
                - pressure_weight * pressures[r, p]
            )
            relations[r, p] += rate * (min(max(target, -1.0), 1.0) - relations[r, p])


@kernel
def outcomes_accumulate(
    bloc_shares: np.ndarray,
    pressures: np.ndarray,
    exposure: np.ndarray,
    crisis_threshold: float,
    autonomy: np.ndarray,
    security_risk: np.ndarray,
    exposure_sum: np.ndarray,
    crises: np.ndarray,
    peak_risk: np.ndarray,
) -> None:
    """Running sums and peaks of the per-run outcomes (R,), in place (``sim.model.metrics``'s formulas).

    autonomy 1 - sum of squared bloc shares; security risk 1 - prod(1 - pressure); a crisis
    when the largest pressure exceeds ``crisis_threshold``; the peak of the security risk.
    """
    replicates, powers = pressures.shape
    for r in range(replicates):
        squares, spared, top = 0.0, 1.0, -np.inf
        for p in range(powers):
            squares += bloc_shares[r, p] * bloc_shares[r, p]
            spared *= 1.0 - pressures[r, p]
            top = max(top, pressures[r, p])
        risk = 1.0 - spared
        autonomy[r] += 1.0 - squares
        security_risk[r] += risk
        exposure_sum[r] += exposure[r]
        if top > crisis_threshold:
            crises[r] += 1.0
        peak_risk[r] = max(peak_risk[r], risk)
