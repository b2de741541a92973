"""What a new user met following README.md and docs/ command by command, fixed and kept fixed.

Each test runs the commands end to end (typer's CliRunner) as the user typed them:

- an interrupted sweep says how to continue it, and re-running it without ``--resume`` names
  ``--resume`` as well as ``--force`` (it said only "use --force to overwrite", which throws
  the finished runs away);
- the sweep's closing line says "1 worker", not "1 workers";
- ``analyze`` of a Sobol sweep in which a rare outcome (``crises``) did not vary over the
  design's A and B rows printed SALib's two-line ``UserWarning`` on stderr, and its indices
  read 0 (or were blown up by a near-zero variance): now they are empty and the report's notes
  say why, once;
- Ctrl-C while ``run`` writes its report said only "interrupted", though the runs were
  complete: now it says so and how to get the report;
- ``run --help`` states the ranges and units of --replicates, --steps and --record-every;
- ``calibrate trade_2011_2018 --quick``, docs/calibration.md's check, wrote its throwaway
  posterior into the checkout's ``scenarios/calibration/`` (an untracked file beside the
  shipped posterior): it now stays in its work folder under ``results/``;
- a typo in a --threshold or --metric name (autonomy_meen) is answered with the close name, as
  a prefix (welfare) already was; a sweep spec's unknown strategy lists the known ones as run
  does, not as a Python list;
- a bad choice on the command line read "Invalid value for '--model' / '-m': Value error,
  'bdn' is not one of ... . (see: ...)": the "Value error, " and the stray full stop are gone;
- ``analyze`` again without the earlier ``--threshold`` left the earlier ``satisficing.csv``
  beside the new tables, as if it were theirs: an earlier analysis's tables and figures that
  the new one does not write are removed (a user's own files stay);
- ``export --out FOLDER`` said the folder "exists already; remove it": it now says a file name
  ending in .tar.gz is expected, with one in that folder as the example;
- a scenario event dated after the run's last quarter (a typo, 2040Q2 for 2024Q2) validated
  "ok" and silently never fired: ``validate`` and ``run`` now say so in one ``note:`` line;
- ``calibrate --resume --force`` threw the history away and started again; like ``sweep`` it
  now refuses the pair in one line, before any work;
- a bad value in a ``--weights`` TOML file named the flag but not the file: now the file;
- ``bargain`` and ``hindcast`` interrupted while drawing their figures left their CSVs
  without the figures or manifest.json, a folder that looked finished: they now take back
  their files, so the next command needs no --force;
- Ctrl-C, the documented way to stop ``explore``, ended a running explorer with
  "error: interrupted" and exit code 130: now "explorer stopped" and 0 (while it is still
  starting, an interrupt stays one error line and 130).

And what held, kept so: every ``--flag`` that README.md and docs/*.md show after
``multivector COMMAND`` is an option of that command, and every repository path they name exists.
"""

import html
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from analysis_fixtures import make_run_folder, make_sweep_folder
from SALib.sample import sobol as sobol_sample
from sweep_helpers import TINY, result_bytes, write_spec
from typer.testing import CliRunner

import sim.analysis.report
import sim.bargaining.output
import sim.evidence.hindcast
import sim.experiments.sweep
import sim.explorer.server
from sim.cli.app import app
from sim.experiments.experiment import MAX_STEPS

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny spec and the files of its uninterrupted sweep."""
    folder = tmp_path_factory.mktemp("tiny")
    spec = write_spec(folder)
    done = runner.invoke(app, ["sweep", str(spec), "--out", str(folder / "reference"), "-w", "1"])
    assert done.exit_code == 0, done.output
    return spec, done, result_bytes(folder / "reference")


def test_the_sweep_summary_counts_one_worker_in_the_singular(tiny):
    _, done, _ = tiny
    assert ", 1 worker, local)" in done.stdout
    assert "1 workers" not in done.stdout


def test_an_interrupted_sweep_says_how_to_continue_and_resume_finishes_it(tiny, tmp_path, monkeypatch):
    spec, _, reference = tiny
    out = tmp_path / "out"

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(sim.experiments.sweep, "_finish", stop)  # every task written, then Ctrl-C
        stopped = runner.invoke(app, ["sweep", str(spec), "--out", str(out), "-w", "1", "-q"])
    assert stopped.exit_code == 130
    assert (
        stopped.stderr
        == f"error: interrupted; the finished runs are kept in {out}: add --resume to continue\n"
    )

    again = runner.invoke(app, ["sweep", str(spec), "--out", str(out), "-w", "1", "-q"])
    assert again.exit_code == 2
    assert again.stderr.count("\n") == 1
    assert "--resume to continue the interrupted sweep" in again.stderr and "--force" in again.stderr
    assert (out / ".parts" / "plan.json").is_file()  # nothing was thrown away

    resumed = runner.invoke(app, ["sweep", str(spec), "--out", str(out), "-w", "1", "-q", "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert result_bytes(out) == reference


def test_an_interrupt_before_a_sweep_begins_is_a_plain_interrupt(tiny, tmp_path, monkeypatch):
    spec, _, _ = tiny

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.experiments.sweep, "open_backend", stop)
    stopped = runner.invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "out"), "-w", "1"])
    assert stopped.exit_code == 130
    assert stopped.stderr == "error: interrupted\n"
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_analyze_of_a_sobol_sweep_with_an_outcome_flat_over_a_and_b_warns_nothing_and_says_why(tmp_path):
    problem = {"num_vars": 2, "names": ["world.rivalry", "world.sanctions"], "bounds": [[0.0, 1.0]] * 2}
    matrix = sobol_sample.sample(problem, 16, calc_second_order=False, seed=2)  # blocks A, AB_1, AB_2, B

    def flat_but_in_the_ab_rows(strategy, x):
        y = np.zeros(len(x))
        y[1::4] = x[1::4, 0]  # varies in AB_1 only: the Saltelli estimators divide by 0
        return y

    design = pd.DataFrame(matrix, columns=problem["names"])
    design.insert(0, "design_point", np.arange(len(matrix)))
    parameters = {n: {"low": 0.0, "high": 1.0} for n in problem["names"]}
    folder = make_sweep_folder(
        tmp_path / "sweep",
        design,
        flat_but_in_the_ab_rows,
        strategies=("multivector", "pivot_china"),
        sweep={"design": "sobol", "parameters": parameters, "samples": 16},
    )
    with warnings.catch_warnings(record=True) as caught:  # pytest would hide them from stderr
        warnings.simplefilter("always")
        done = runner.invoke(app, ["analyze", str(folder), "--no-figures", "-q"])
    assert done.exit_code == 0, done.output
    assert done.stderr == ""
    assert [str(w.message) for w in caught if "SALib" in w.filename] == []
    sobol = pd.read_csv(folder / "analysis" / "sobol.csv")
    flat = sobol[sobol["metric"] == "welfare_final"]
    assert len(flat) == 4 and flat[["S1", "S1_conf", "ST", "ST_conf"]].isna().all().all()
    varied = sobol[sobol["metric"] == "autonomy_mean"]
    assert varied[["S1", "ST"]].notna().all().all()
    report = html.unescape((folder / "analysis" / "report.html").read_text())
    assert "Sobol indices of welfare_final are left empty" in report


def test_ctrl_c_while_run_writes_its_report_keeps_the_runs_and_says_how_to_get_it(tmp_path, monkeypatch):
    out = tmp_path / "out"

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.analysis.report, "write_analysis", stop)
    args = ["run", "baseline_2023", "-s", "multivector", "-s", "pivot_west", "-r", "2", "--steps", "4", "-q"]
    stopped = runner.invoke(app, [*args, "--out", str(out)])
    assert stopped.exit_code == 130
    assert stopped.stderr == (
        f"error: interrupted while writing the report; the runs in {out} are complete: "
        f"`multivector analyze {out}` writes the report\n"
    )
    assert (out / "runs.csv").is_file() and (out / "manifest.json").is_file()
    assert not (out / "analysis").exists()
    monkeypatch.undo()
    analysed = runner.invoke(app, ["analyze", str(out), "--no-figures", "-q"])
    assert analysed.exit_code == 0, analysed.output
    assert (out / "analysis" / "report.html").is_file()


def test_run_help_states_ranges_and_units():
    done = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200", "TERMINAL_WIDTH": "200"})
    text = " ".join(done.output.split())
    assert "Replicate runs per scenario x strategy, at least 1." in text
    assert f"Quarters to simulate, 1 to {MAX_STEPS}" in text
    assert "Quarters between timeseries.csv rows (4 = yearly; 0 = no timeseries.csv)." in text


def test_a_quick_calibration_keeps_its_posterior_in_its_work_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shipped = tmp_path / "scenarios" / "calibration"  # as in a checkout
    shipped.mkdir(parents=True)
    done = runner.invoke(app, ["calibrate", "trade_2011_2018", "--quick", "-q"])
    assert done.exit_code == 0, done.output
    assert list(shipped.iterdir()) == []
    work = tmp_path / "results" / "calibration" / "trade_2011_2018-quick"
    posterior = work / "trade_2011_2018-quick.posterior.toml"
    assert posterior.is_file()
    written = posterior.read_bytes()
    again = runner.invoke(app, ["calibrate", "trade_2011_2018", "--quick", "--discrepancy-only", "-q"])
    assert again.exit_code == 0, again.output  # finds the quick posterior where the check wrote it
    assert posterior.read_bytes() == written  # the same estimate, written again
    assert list(shipped.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [["-t", "autonomy_meen>=0.7"], ["-m", "autonomy_meen"], ["-m", "welfare"]],
    ids=["threshold typo", "metric typo", "metric prefix"],
)
def test_an_unknown_metric_is_answered_with_the_close_name(tmp_path, args):
    folder = make_run_folder(tmp_path / "run", replicates=3)
    done = runner.invoke(app, ["analyze", str(folder), "--no-figures", "-q", *args])
    assert done.exit_code == 2
    assert done.stderr.count("\n") == 1
    wanted = "autonomy_mean" if "meen" in args[1] else "welfare_final"
    assert f"did you mean {wanted}" in done.stderr
    assert not (folder / "analysis").exists()


def test_a_sweep_specs_unknown_strategy_lists_the_known_ones_plainly(tmp_path):
    spec = write_spec(tmp_path, TINY.replace('"equidistance"', '"hedging"'))
    done = runner.invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "out"), "-q"])
    assert done.exit_code == 2
    assert done.stderr == (
        f"error: {spec}: strategies[1]: unknown strategy 'hedging'; known: "
        "multivector, bandwagon_russia, pivot_china, pivot_west, equidistance, neutrality, "
        "adaptive_hedging, opportunist\n"
    )


def test_a_bad_choice_is_one_plain_line():
    done = runner.invoke(app, ["bargain", "issues.toml", "--model", "bdn"], prog_name="multivector")
    assert done.exit_code == 2
    assert done.stderr == (
        "error: Invalid value for '--model' / '-m': 'bdn' is not one of 'bdm', 'ktab', 'all' "
        "(see: multivector bargain --help)\n"
    )


ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def shown_commands(text: str) -> list[str]:
    """Every `multivector ...` in backticks and every command line of a code block."""
    spans = re.findall(r"`([^`\n]*multivector [^`\n]*)`", text)
    lines = [line for line in text.splitlines() if re.match(r"\s*(\$ )?(\.venv/bin/)?multivector ", line)]
    return spans + lines


def test_every_flag_the_docs_show_is_an_option_of_its_command():
    group = typer.main.get_command(app)
    unknown, checked = [], 0
    for doc in DOCS:
        for shown in shown_commands(doc.read_text(encoding="utf-8")):
            for match in re.finditer(r"(?:^|[\s$/])multivector ([a-z]+)(?: ([a-z]+))?(.*)", shown):
                command = group.commands.get(match.group(1))
                if command is None:
                    continue
                if match.group(2) in getattr(command, "commands", {}):
                    command = command.commands[match.group(2)]
                options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}
                for flag in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", match.group(3).split("#")[0]):
                    checked += 1
                    if flag not in options:
                        unknown.append(f"{doc.name}: {flag} in {shown.strip()[:80]}")
    assert checked > 50  # the walk found the commands
    assert unknown == []


def test_every_repository_path_the_docs_name_exists():
    pattern = r"(?:scenarios|seeds|benchmarks|docs|sim|tests)/[\w./-]+\.(?:toml|csv|py|md|png)"
    named = {p for doc in DOCS for p in re.findall(pattern, doc.read_text(encoding="utf-8"))}
    assert len(named) > 20
    assert sorted(p for p in named if not (ROOT / p).exists()) == []


def test_a_new_analysis_removes_the_earlier_ones_tables_it_does_not_write(tmp_path):
    folder = make_run_folder(tmp_path / "run", replicates=3)
    first = runner.invoke(app, ["analyze", str(folder), "--no-figures", "-q", "-t", "autonomy_mean>=0.5"])
    assert first.exit_code == 0, first.output
    analysis = folder / "analysis"
    assert (analysis / "satisficing.csv").is_file()
    (analysis / "my_notes.csv").write_text("mine\n")
    second = runner.invoke(app, ["analyze", str(folder), "--no-figures", "-q"])
    assert second.exit_code == 0, second.output
    assert not (analysis / "satisficing.csv").exists()
    assert (analysis / "my_notes.csv").read_text() == "mine\n"
    listed = json.loads((analysis / "analysis.json").read_text())["tables"]
    assert sorted(p.name for p in analysis.glob("*.csv")) == sorted([*listed, "my_notes.csv"])


def test_export_to_a_folder_asks_for_a_file_name_in_it(tmp_path):
    folder = make_run_folder(tmp_path / "run", replicates=3)
    done = runner.invoke(app, ["export", str(folder), "--out", str(tmp_path)])
    assert done.exit_code == 2
    assert done.stderr == (
        f"error: --out {tmp_path}: is a folder; expected a file name ending in .tar.gz, "
        f"e.g. {tmp_path / 'ema_results.tar.gz'}\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


LATE_EVENT = """
name = "late"
extends = "baseline_2023"

[[events]]
at = "2040Q2"
name = "Pipeline deal"
set = { "world.rivalry" = 0.3 }
"""


def test_an_event_after_the_last_quarter_is_noted_by_validate_and_run(tmp_path):
    scenario = tmp_path / "late.toml"
    scenario.write_text(LATE_EVENT)
    note = (
        "note: scenario late: 1 event(s) after its last quarter (2035Q4, steps = 48) never fire: "
        "'Pipeline deal' at 2040Q2\n"
    )
    checked = runner.invoke(app, ["validate", str(scenario)])
    assert checked.exit_code == 0
    assert checked.stdout == f"{scenario}: ok\n" and checked.stderr == note
    ran = runner.invoke(app, ["run", str(scenario), "-s", "neutrality", "-r", "2", "--no-report", "-q",
                              "--out", str(tmp_path / "a")])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert ran.stderr.startswith(note)
    cut = runner.invoke(app, ["run", str(scenario), "-s", "neutrality", "-r", "2", "--steps", "4",
                              "--no-report", "-q", "--out", str(tmp_path / "b")])  # fmt: skip
    assert cut.exit_code == 0, cut.output
    assert "note:" not in cut.stderr  # a shorter --steps is the user's choice


def test_no_shipped_scenario_has_an_event_after_its_end():
    shipped = sorted(str(p) for p in (ROOT / "scenarios").glob("*.toml"))
    checked = runner.invoke(app, ["validate", *shipped])
    assert checked.exit_code == 0, checked.output
    assert checked.stderr == ""


def test_calibrate_refuses_resume_with_force(tmp_path):
    work = tmp_path / "work"
    done = runner.invoke(
        app, ["calibrate", "trade_2011_2018", "--quick", "--resume", "--force", "--work", str(work)]
    )
    assert done.exit_code == 2
    assert done.stderr == "error: --resume and --force: choose one (resume keeps the finished generations)\n"
    assert not work.exists()


@pytest.mark.parametrize("value", ["-1", '"a"', "true", "inf"])
def test_a_bad_weight_in_a_weights_file_names_the_file(tmp_path, value):
    folder = make_run_folder(tmp_path / "run", replicates=3)
    weights = tmp_path / "w.toml"
    weights.write_text(f"[weights]\nwelfare = {value}\n")
    done = runner.invoke(app, ["analyze", str(folder), "-q", "--no-figures", "-w", str(weights)])
    assert done.exit_code == 2
    assert done.stderr.startswith(f"error: {weights}: welfare = ")
    assert done.stderr.endswith("; expected a finite number >= 0\n")
    assert not (folder / "analysis").exists()


def test_bargain_interrupted_while_writing_leaves_no_unfinished_folder(tmp_path, monkeypatch):
    from sim.cli.bargain import OUTPUT_FILES

    assert sim.bargaining.output.FIGURE in OUTPUT_FILES
    issue = str(ROOT / "scenarios" / "issues" / "kz_csto_role.toml")
    out = tmp_path / "out"

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(sim.bargaining.output, "positions_figure", stop)  # after the CSVs are written
        stopped = runner.invoke(app, ["bargain", issue, "-r", "2", "-q", "--out", str(out)])
    assert stopped.exit_code == 130
    assert stopped.stderr == "error: interrupted\n"
    assert not out.exists()
    again = runner.invoke(app, ["bargain", issue, "-r", "2", "-q", "--out", str(out)])
    assert again.exit_code == 0, again.output
    written = {p.name for p in out.iterdir()}
    assert {"forecast.csv", "rounds.csv", "positions.png", "manifest.json"} <= written <= set(OUTPUT_FILES)


def test_hindcast_interrupted_while_writing_leaves_no_unfinished_folder(tmp_path, monkeypatch):
    from sim.cli.evidence import HINDCAST_FILES

    out = tmp_path / "out"
    args = ["hindcast", "--start", "2011", "--end", "2013", "-r", "2", "-q", "--out", str(out)]

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(sim.evidence.hindcast, "plot_paths", stop)  # after its three CSVs
        stopped = runner.invoke(app, args)
    assert stopped.exit_code == 130
    assert stopped.stderr == "error: interrupted\n"
    assert not out.exists()
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert {p.name for p in out.iterdir()} <= set(HINDCAST_FILES)
    assert {"hindcast.csv", "hindcast.png", "manifest.json"} <= {p.name for p in out.iterdir()}


@pytest.mark.parametrize("started", [True, False], ids=["serving", "starting"])
def test_ctrl_c_stops_a_running_explorer_without_an_error(started, monkeypatch):
    def serve(results_dir, *, host, port, open_browser, on_ready):
        if started:
            on_ready(f"http://{host}:{port}/")
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.explorer.server, "serve", serve)
    done = runner.invoke(app, ["explore", "--no-browser", "--port", "8799"])
    if started:
        assert done.exit_code == 0
        assert done.stdout == "Explorer at http://127.0.0.1:8799/ (Ctrl-C to stop)\nexplorer stopped\n"
        assert done.stderr == ""
    else:
        assert done.exit_code == 130
        assert done.stdout == "" and done.stderr == "error: interrupted\n"
