"""The EMA recipe of docs/analysis.md runs on `export --format ema` output and finds analyze's PRIM box."""

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli.app import app

pytest.importorskip("ema_workbench", reason="the recipe needs EMA Workbench: pip install 'multivector[ema]'")

ROOT = Path(__file__).resolve().parent.parent
MARKER = "<!-- tests/test_ema_recipe.py runs the next code block -->"


def recipe() -> str:
    """The code block after the marker in docs/analysis.md."""
    text = (ROOT / "docs" / "analysis.md").read_text(encoding="utf-8")
    assert text.count(MARKER) == 1
    block = re.search(r"```python\n(.*?)```", text.split(MARKER, 1)[1], re.S)
    assert block is not None
    return block.group(1)


def test_the_recipe_is_about_ten_lines():
    lines = [line for line in recipe().splitlines() if line.strip()]
    assert 8 <= len(lines) <= 14


def test_the_recipe_finds_the_same_prim_box_as_analyze(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the recipe reads results/sweeps/sanctions_exposure/ as the docs say
    runner = CliRunner()
    out = Path("results/sweeps/sanctions_exposure")
    spec = ROOT / "scenarios" / "sweeps" / "sanctions_exposure.toml"
    for command in (
        ["sweep", str(spec), "--workers", "1", "--quiet"],
        ["analyze", str(out), "--threshold", "sanctions_exposure_mean<=0.1", "--no-figures", "--quiet"],
        ["export", str(out), "--format", "ema", "--quiet"],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, (command, result.output)

    prim = pd.read_csv(out / "analysis" / "prim.csv")
    ours = prim[
        (prim["strategy"] == "multivector") & (prim["scenario"] == "baseline_2023") & (prim["box"] == 1)
    ]
    assert not ours.empty, "analyze found no box: the example spec no longer has failures to discover"
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(recipe(), "docs/analysis.md", "exec"), namespace)
    limits = namespace["limits"].droplevel(0, axis=1)
    assert sorted(limits.index) == sorted(ours["parameter"])
    for row in ours.itertuples():
        assert limits.loc[row.parameter, "min"] == pytest.approx(row.low, abs=1e-6)
        assert limits.loc[row.parameter, "max"] == pytest.approx(row.high, abs=1e-6)
    assert "world.sanctions" in namespace["scores"].index  # feature scoring ranked the inputs
