"""PRIM scenario discovery finds a planted failure box."""

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import write_results

from sim.analysis.discovery import prim_boxes
from sim.analysis.results import load_results
from sim.analysis.robustness import parse_thresholds

pytest.importorskip("ema_workbench", reason="PRIM comes from EMA Workbench: pip install 'multivector[ema]'")


def planted(tmp_path, n=400):
    """welfare_final fails (< 1) when rivalry > 0.6 and tolerance < 0.4; noise is irrelevant."""
    rng = np.random.default_rng(4)
    design = pd.DataFrame(
        {
            "design_point": np.arange(n),
            "world.rivalry": rng.uniform(size=n),
            "powers.russia.tolerance": rng.uniform(size=n),
            "world.noise": rng.uniform(size=n),
        }
    )
    inside = (design["world.rivalry"] > 0.6) & (design["powers.russia.tolerance"] < 0.4)
    runs = design.copy()
    runs["strategy"] = "multivector"
    runs["welfare_final"] = np.where(inside, 0.9, 1.2)
    never = runs.assign(strategy="pivot_west", welfare_final=1.5)
    frame = pd.concat([runs, never], ignore_index=True)
    sweep = {"design": "lhs", "parameters": {}, "samples": n}
    return load_results(write_results(tmp_path / "prim", frame, design=design, sweep=sweep))


def test_prim_finds_the_planted_box(tmp_path):
    results = planted(tmp_path)
    table = prim_boxes(results, parse_thresholds(results, ["welfare_final>=1"]))
    assert set(table["strategy"]) == {"multivector"}  # pivot_west never fails: no box
    first = table[table["box"] == 1].set_index("parameter")
    assert set(first.index) == {"world.rivalry", "powers.russia.tolerance"}
    assert first.loc["world.rivalry", "low"] == pytest.approx(0.6, abs=0.05)
    assert first.loc["powers.russia.tolerance", "high"] == pytest.approx(0.4, abs=0.05)
    assert first["coverage"].iloc[0] >= 0.9
    assert first["density"].iloc[0] >= 0.9
    assert first["failure_rate"].iloc[0] == pytest.approx(0.24, abs=0.06)
    assert (first["qp_value"] < 0.01).all()


def test_prim_without_thresholds_gives_an_empty_table(tmp_path):
    assert prim_boxes(planted(tmp_path), []).empty
