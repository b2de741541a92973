"""The compiled kernels (sim/model/kernels.py): the formulas the strategies and metrics also use,
each replicate independent of the others, shared (1, ...) and per-replicate (R, ...) parameters
read alike."""

import numpy as np

from sim.model import BalancingModel, kernels, metrics
from sim.model.powers import bidding, means, neglect, powers_respond, rival_share
from sim.model.strategies import within_capacity


def _model(replicates: int = 5, draws: dict | None = None) -> BalancingModel:
    """Six quarters of baseline_2023 (by default each replicate drawing from the posterior)."""
    model = BalancingModel("baseline_2023", "multivector", replicates, rng=3, collect=False, draws=draws)
    for _ in range(6):
        model.step()
    return model


def test_powers_kernel_agrees_with_the_formulas_strategies_predict_with():
    model = _model()
    pv, st, w = model.pivot, model.structure, model.world
    time = 5.0
    reward, pressure, tolerance, leverage = powers_respond(
        st, pv.engagement, w.rivalry, pv.bloc_shares, pv.security_dependence, pv.exposure, 0.5, None, time
    )
    rivals = pv.engagement @ st.rivals_t
    expected_tol = np.clip(st.tolerance_at_zero_rivalry - st.tightening * w.rivalry[:, None], 0.0, 0.99)
    share = rival_share(pv.engagement, rivals)
    threatened = np.maximum(share - expected_tol, 0.0) / (1.0 - expected_tol) + neglect(pv.engagement, st)
    expected_lev = (
        st.pressure_rate * (1 + st.dependence_leverage * (st.static_dependence + pv.bloc_shares))
        + st.pressure_rate * st.dependence_leverage * st.security_weight * pv.security_dependence[:, None]
    )
    np.testing.assert_allclose(tolerance, expected_tol, rtol=1e-12)
    np.testing.assert_allclose(leverage, expected_lev, rtol=1e-12)
    np.testing.assert_allclose(
        pressure, np.minimum(threatened * expected_lev + st.secondary * pv.exposure[:, None], 1.0), rtol=1e-12
    )
    np.testing.assert_allclose(reward, means(st, time) * bidding(rivals, st) * pv.engagement**0.5, rtol=1e-12)
    assert (pressure <= 1.0).all() and (pressure > 0).any()


def test_powers_kernel_noise_is_log_normal_with_mean_one():
    model = _model(replicates=4000, draws={})
    pv, st, w = model.pivot, model.structure, model.world
    args = (st, pv.engagement, w.rivalry, pv.bloc_shares, pv.security_dependence, pv.exposure, 0.5)
    calm, _, _, _ = powers_respond(*args, None)
    noisy, _, _, _ = powers_respond(*args, np.random.default_rng(1))
    ratio = noisy / calm
    assert not np.allclose(ratio, 1.0)
    np.testing.assert_allclose(ratio.mean(axis=0), 1.0, atol=0.015)


def test_outcomes_kernel_sums_the_metrics():
    model = _model()
    pv = model.pivot
    sums = [np.zeros(5) for _ in range(4)]
    peak = np.full(5, 0.5)
    kernels.outcomes_accumulate(pv.bloc_shares, pv.pressures, pv.exposure, 0.1, *sums, peak)
    risk = metrics.security_risk(pv.pressures)
    np.testing.assert_allclose(sums[0], metrics.autonomy(pv.bloc_shares), rtol=1e-12)
    np.testing.assert_allclose(sums[1], risk, rtol=1e-12)
    np.testing.assert_array_equal(sums[2], pv.exposure)
    np.testing.assert_array_equal(sums[3], (pv.pressures.max(axis=1) > 0.1).astype(float))
    np.testing.assert_array_equal(peak, np.maximum(0.5, risk))


def test_economy_kernel_capacity_and_shares():
    """Effective engagement is the capacity rule; trade, FDI and bloc shares stay on the simplex."""
    model = _model()
    pv = model.pivot
    pv.engagement = np.full_like(pv.engagement, 0.9)  # above capacity
    pv.update_economy()
    np.testing.assert_allclose(
        pv.effective_now, within_capacity(pv.engagement, pv.rates.capacity), rtol=1e-12
    )
    np.testing.assert_allclose(pv.trade.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(pv.slow.sum(axis=2), 1.0, rtol=1e-12)
    np.testing.assert_allclose(pv.bloc_shares, pv.trade @ model.structure.bloc, rtol=1e-12)
    assert (pv.trade > 0).all() and (pv.fdi > 0).all()


def test_each_replicate_of_a_kernel_call_is_the_call_on_that_replicate_alone():
    """Slicing replicate r out of every argument gives replicate r of the result."""
    model = _model()
    pv, st, w = model.pivot, model.structure, model.world
    whole = powers_respond(
        st, pv.engagement, w.rivalry, pv.bloc_shares, pv.security_dependence, pv.exposure, 0.5, None
    )
    obs = pv.observe()
    chosen = model.pivot.strategy.choose(obs)
    for r in range(model.replicates):
        one = slice(r, r + 1)
        alone = powers_respond(
            st,
            pv.engagement[one],
            w.rivalry[one],
            pv.bloc_shares[one],
            pv.security_dependence[one],
            pv.exposure[one],
            0.5,
            None,
        )
        for a, b in zip(whole, alone, strict=True):
            np.testing.assert_array_equal(a[one], b)
        est, tilt, margin, rate = model.pivot.strategy._established(obs.anchor)
        est, tilt = (a[one] if len(a) > 1 else a for a in (est, tilt))  # drawn per replicate: (R, ...)
        mine = kernels.multivector_choose(
            pv.engagement[one],
            pv.bloc_shares[one],
            pv.pressures[one],
            pv.tolerance[one],
            est,
            tilt,
            margin,
            rate,
            st.expectation,
            st.rivals_t,
            float(obs.capacity),
        )
        np.testing.assert_array_equal(chosen[one], mine)


def test_a_per_replicate_rate_equal_in_every_replicate_is_the_shared_rate():
    """(1,) and (R,) rates are read alike: the economy kernel gives the same bytes either way."""
    shared, spread = _model(draws={}), _model(draws={})
    spread.pivot.economy_rates = tuple(
        np.repeat(rate, 5) if isinstance(rate, np.ndarray) else rate for rate in spread.pivot.economy_rates
    )
    assert all(r.shape == (1,) for r in shared.pivot.economy_rates if isinstance(r, np.ndarray))
    for model in (shared, spread):
        model.pivot.update_economy()
    for name in ("slow", "trade", "gdp", "log_exports", "security_dependence", "log_export_reference"):
        np.testing.assert_array_equal(getattr(shared.pivot, name), getattr(spread.pivot, name))
