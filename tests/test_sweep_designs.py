"""Designs (counts, bounds, seeded repeatability), the parameter catalogue, spec validation."""

import numpy as np
import pandas as pd
import pytest
from SALib.sample import morris as salib_morris
from SALib.sample import sobol as salib_sobol
from sweep_helpers import TINY, write_spec

from sim.errors import UserError
from sim.experiments.designs import SAMPLERS, DesignSpace, SweptParameter
from sim.experiments.sweep_spec import load_sweep
from sim.model.catalogue import sweepable
from sim.model.scenario import load_scenario

REAL = SweptParameter("a", "real", 0.1, 0.6)
REAL2 = SweptParameter("b", "real", -1.0, 1.0)
INT = SweptParameter("c", "integer", 2, 5)
CAT = SweptParameter("d", "real", values=(0.2, 0.5, 0.8))
FLAG = SweptParameter("e", "bool", values=(True, False))


def rng(seed: int = 1) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.mark.parametrize(
    ("design", "params", "n", "rows"),
    [
        ("lhs", (REAL, REAL2, INT, CAT, FLAG), 10, 10),
        ("qmc", (REAL, INT, CAT), 16, 16),
        ("sobol", (REAL, REAL2, INT), 8, 8 * (3 + 2)),
        ("morris", (REAL, REAL2), 5, 5 * (2 + 1)),
    ],
)
def test_sampled_designs_counts_bounds_and_seeds(design, params, n, rows):
    space = DesignSpace(params)
    frame = SAMPLERS[design](space, n, rng=rng(1))
    assert list(frame.columns) == space.paths
    assert len(frame) == rows
    for p in params:
        col = frame[p.path]
        if p.values:
            assert set(col) <= set(p.values)
        else:
            assert col.between(p.low, p.high).all()
        if p.kind == "integer":
            assert col.dtype == np.int64
    pd.testing.assert_frame_equal(frame, SAMPLERS[design](space, n, rng=rng(1)))
    assert not frame.equals(SAMPLERS[design](space, n, rng=rng(2)))


def test_lhs_puts_one_point_in_every_stratum():
    space = DesignSpace((REAL, REAL2))
    frame = SAMPLERS["lhs"](space, 20, rng=rng(3))
    for p in space.parameters:
        strata = np.floor((frame[p.path] - p.low) / (p.high - p.low) * 20).astype(int)
        assert sorted(strata) == list(range(20))


def test_categorical_lhs_balances_values():
    frame = SAMPLERS["lhs"](DesignSpace((CAT,)), 30, rng=rng(0))
    assert frame["d"].value_counts().tolist() == [10, 10, 10]


def test_sobol_and_morris_follow_salib_row_order():
    space = DesignSpace((REAL, REAL2))
    problem = space.salib_problem()
    ours = SAMPLERS["sobol"](space, 4, rng=rng(5)).to_numpy()
    theirs = salib_sobol.sample(problem, 4, calc_second_order=False, seed=rng(5))
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    ours = SAMPLERS["morris"](DesignSpace((REAL, REAL2), morris_levels=6), 3, rng=rng(5))
    theirs = salib_morris.sample(problem, 3, num_levels=6, seed=rng(5))
    np.testing.assert_allclose(ours.to_numpy(), theirs, atol=1e-6)


def test_grid_is_the_full_factorial_first_parameter_slowest():
    levels = SweptParameter("a", "real", 0.0, 1.0, levels=3)
    frame = SAMPLERS["grid"](DesignSpace((FLAG, levels, INT)), 0, rng=rng())
    assert len(frame) == 2 * 3 * 2  # a range without levels gives its two ends
    assert frame["e"].tolist() == [True] * 6 + [False] * 6
    assert frame["c"].tolist()[:2] == [2, 5]
    assert sorted(set(frame["a"])) == [0.0, 0.5, 1.0]


def test_list_design_keeps_file_order():
    points = pd.DataFrame({"a": [0.5, 0.1, 0.3], "other": [1, 2, 3]})
    frame = SAMPLERS["list"](DesignSpace((REAL,), points=points), 0, rng=rng())
    assert frame["a"].tolist() == [0.5, 0.1, 0.3]


def test_catalogue_lists_paths_with_kinds_ranges_and_defaults():
    scenario = load_scenario("baseline_2023")
    catalogue = sweepable(scenario)
    tol = catalogue["powers.russia.tolerance"]
    assert (tol.kind, tol.low, tol.high, tol.default) == ("real", 0.0, 1.0, 0.45)
    assert catalogue["world.memberships.eaeu"].kind == "bool"
    assert catalogue["strategies.adaptive_hedging.grid"].kind == "integer"
    assert catalogue["powers.china.gdp_usd_bn"].range_text == "(0, inf)"
    assert "world.oil.volatility" in catalogue
    assert "partners.russia.corridors.northern" in catalogue
    assert not any(p.endswith(("trade_share", "fdi_share")) for p in catalogue)
    for path, info in catalogue.items():  # every listed path really is settable
        value = info.default if info.default is not None else info.low
        scenario.with_overrides({path: value})


def test_tiny_spec_resolves(tmp_path):
    sweep = load_sweep(write_spec(tmp_path))
    assert len(sweep.design) == 3
    assert sweep.runs_planned == 3 * 1 * 2 * 5
    assert sweep.scenarios[0].steps == 5
    assert sweep.manifest_section()["parameters"] == {
        "powers.russia.tolerance": {"low": 0.1, "high": 0.6},
        "world.rivalry": {"values": [0.2, 0.8]},
    }
    assert load_sweep(write_spec(tmp_path)).spec_hash == sweep.spec_hash
    changed = write_spec(tmp_path, TINY.replace("seed = 4", "seed = 5"), "other.toml")
    assert load_sweep(changed).spec_hash != sweep.spec_hash


def _edit(old: str, new: str) -> str:
    assert old in TINY
    return TINY.replace(old, new)


ERRORS = {
    "unknown path": (
        _edit("powers.russia.tolerance", "powers.russia.tolerence"),
        'parameters."powers.russia.tolerence": unknown parameter path',
    ),
    "low >= high": (_edit("high = 0.6", "high = 0.1"), "low (0.1) must be less than high (0.1)"),
    "bound out of range": (_edit("high = 0.6", "high = 1.5"), "high: 1.5 is outside the allowed"),
    "value out of range": (_edit("[0.2, 0.8]", "[0.2, 1.8]"), "values[1]: 1.8 is outside"),
    "values for sobol": (
        _edit('design = "lhs"', 'design = "sobol"').replace("samples = 3", "samples = 4"),
        "the sobol design needs low and high, not values",
    ),
    "grid with a bare range": (
        _edit('design = "lhs"', 'design = "grid"').replace("samples = 3\n", ""),
        "the grid design needs values = [...] or levels = N",
    ),
    "samples missing": (_edit("samples = 3\n", ""), "samples: the lhs design needs samples"),
    "samples for grid": (_edit('design = "lhs"', 'design = "grid"'), "samples: not used by"),
    "sobol not power of 2": (
        _edit('design = "lhs"', 'design = "sobol"').replace("values = [0.2, 0.8]", "low = 0.2\nhigh = 0.8"),
        "needs a power of 2 (got 3)",
    ),
    "unknown strategy": (_edit('"equidistance"', '"equidistant"'), "unknown strategy 'equidistant'"),
    "unknown scenario": (_edit('["baseline_2023"]', '["atlantis"]'), "scenarios[0]: unknown scenario"),
    "unknown key": (_edit("samples = 3", "sample = 3"), "sample: unknown key; did you mean 'samples'"),
    "wrong type": (_edit("replicates = 5", 'replicates = "five"'), "replicates: Input should be"),
    "range and values": (_edit("low = 0.1", "low = 0.1\nvalues = [0.3]"), "either low and high"),
    "bool with a range": (
        _edit("powers.russia.tolerance", "world.memberships.eaeu"),
        "a true/false parameter takes values",
    ),
    "wrong value type": (
        _edit('"world.rivalry"]\nvalues = [0.2, 0.8]', '"world.memberships.eaeu"]\nvalues = [1, 0]'),
        "expected true or false, got 1",
    ),
    "no parameters": (TINY.split("[parameters")[0], "declare at least one parameter"),
    "list without points": (
        TINY.split("[parameters")[0]
        .replace('design = "lhs"', 'design = "list"')
        .replace("samples = 3\n", ""),
        'points: the list design needs points = "file.csv"',
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_spec_errors_name_file_and_key(tmp_path, case):
    text, expected = ERRORS[case]
    path = write_spec(tmp_path, text)
    with pytest.raises(UserError) as info:
        load_sweep(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert expected in message
    assert "\n" not in message


def test_all_errors_are_reported_together(tmp_path):
    text = _edit("high = 0.6", "high = 1.5").replace('"equidistance"', '"nope"')
    with pytest.raises(UserError) as info:
        load_sweep(write_spec(tmp_path, text))
    assert "outside the allowed" in str(info.value) and "unknown strategy" in str(info.value)


def test_list_design_reads_and_checks_points(tmp_path):
    head = TINY.split("[parameters")[0].replace('design = "lhs"', 'design = "list"')
    head = head.replace("samples = 3\n", 'points = "points.csv"\n')
    (tmp_path / "points.csv").write_text("world.rivalry,world.memberships.eaeu\n0.3,true\n0.7,false\n")
    sweep = load_sweep(write_spec(tmp_path, head))
    assert sweep.design["world.rivalry"].tolist() == [0.3, 0.7]
    assert sweep.design["world.memberships.eaeu"].tolist() == [True, False]
    (tmp_path / "points.csv").write_text("world.rivalry,world.nonsense\n1.3,1\n")
    with pytest.raises(UserError) as info:
        load_sweep(tmp_path / "spec.toml")
    assert "'world.nonsense' is not a parameter path" in str(info.value)
    assert "1.3 is outside the allowed [0, 1]" in str(info.value)


def test_missing_spec_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no such sweep spec file"):
        load_sweep(tmp_path / "nope.toml")


def test_shipped_sweep_specs_are_valid():
    from pathlib import Path

    specs = sorted((Path(__file__).parent.parent / "scenarios" / "sweeps").glob("*.toml"))
    assert len(specs) >= 3
    for spec in specs:
        sweep = load_sweep(spec)
        assert sweep.runs_planned <= 5000, f"{spec.name} is too big to be an example"


HUGE = {
    "grid": (
        'design = "grid"\n'
        + "".join(
            f'[parameters."{p}"]\nlow = 0.1\nhigh = 0.6\nlevels = 10000\n'
            for p in ("powers.russia.tolerance", "powers.china.tolerance", "world.rivalry")
        ),
        "1,000,000,000,000",
    ),
    "lhs": (
        'design = "lhs"\nsamples = 5000000\n[parameters."world.rivalry"]\nlow = 0.1\nhigh = 0.6\n',
        "5,000,000",
    ),
    "sobol": (
        'design = "sobol"\nsamples = 8388608\n[parameters."world.rivalry"]\nlow = 0.1\nhigh = 0.6\n',
        "25,165,824",
    ),
}


@pytest.mark.parametrize("design", sorted(HUGE))
def test_a_design_too_large_to_build_is_refused_before_it_is_built(tmp_path, design):
    """10^12 grid points or 25 million Saltelli rows: refused at once, with the number, not built."""
    body, number = HUGE[design]
    head = 'name = "huge"\nscenarios = ["baseline_2023"]\nstrategies = ["multivector"]\nreplicates = 1\n'
    with pytest.raises(UserError, match=rf"would make {number} points; the limit is 1,000,000"):
        load_sweep(write_spec(tmp_path, head + body))
