"""Error messages: the library names Python parameters, a front end renders them its own way."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.cli.analyze import analyze
from sim.cli.common import option_flags
from sim.cli.run import run
from sim.cli.sweep import sweep
from sim.errors import UserError, render
from sim.experiments.experiment import RunRequest, plan_experiment


def test_render_swaps_known_parameters_and_keeps_the_rest():
    flags = {"replicates": "--replicates", "force": "--force"}.get
    message = "x: `replicates` is 0; use `force=True`; see `multivector run` and `steps`"
    assert render(message, flags) == "x: --replicates is 0; use --force; see `multivector run` and `steps`"


@given(st.text())
def test_render_never_changes_text_without_known_parameters(text):
    assert render(text, lambda name: None) == text


def test_command_flags_come_from_the_typer_declarations():
    assert option_flags(run)["record_every"] == "--record-every"
    assert option_flags(run)["report"] == "--report"  # --report/--no-report
    assert option_flags(analyze)["thresholds"] == "--threshold"  # the flag is not the parameter's name
    assert option_flags(sweep)["workers"] == "--workers"


def test_the_library_speaks_python():
    with pytest.raises(UserError, match=r"^`replicates`: expected at least 1, got 0$"):
        plan_experiment(RunRequest(replicates=0))
    with pytest.raises(UserError, match=r"^`record_every`: expected 0 \(off\) or more"):
        plan_experiment(RunRequest(record_every=-1))
