"""Running sweeps: determinism across workers and backends, resume after SIGKILL, failures."""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from sweep_helpers import TINY, result_bytes, write_spec

import sim.experiments.sweep_tasks
from sim.errors import UserError
from sim.experiments.seeding import derive_seed
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_spec import load_sweep
from sim.experiments.sweep_tasks import group_tasks, plan_chunks

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spec")
    # A private copy of the scenario (found next to the spec first), so the resume tests
    # compare like with like even while scenarios/ is being edited.
    shutil.copy(ROOT / "scenarios" / "baseline_2023.toml", folder)
    shutil.copytree(ROOT / "scenarios" / "calibration", folder / "calibration")
    sweep = load_sweep(write_spec(folder))
    out = folder / "serial"
    run_sweep(sweep, out, workers=1)
    return sweep, out


def test_result_files_rows_and_seeds(tiny):
    sweep, out = tiny
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == sweep.runs_planned == 30
    assert (runs["status"] == "ok").all()
    assert list(runs.columns[:11]) == [
        "run_id", "scenario", "strategy", "design_point", "chunk", "replicate", "seed",
        "status", "error", "powers.russia.tolerance", "world.rivalry",
    ]  # fmt: skip
    assert runs["run_id"].is_unique
    # chunks of 2 replicates: seeds from (seed, scenario, design point, chunk), shared by
    # strategies (common random numbers)
    row = runs[(runs.design_point == 2) & (runs.replicate == 4)].iloc[0]
    assert int(row["seed"]) == derive_seed(4, "baseline_2023", 2, 2)
    # the number itself, not only the function's own answer: a change of derivation changes
    # every result file, which the promise of byte-identical reruns across versions forbids
    assert int(row["seed"]) == 11318007623995369907
    assert runs.groupby(["design_point", "replicate"])["seed"].nunique().max() == 1
    # every chunk of every design point draws its own stream (a key without the chunk or the
    # design point would give replicates 0 and 2 the same noise)
    assert runs.drop_duplicates(["design_point", "chunk"])["seed"].is_unique
    assert runs.groupby(["design_point", "chunk"])["seed"].nunique().max() == 1
    design = pd.read_csv(out / "design.csv")
    merged = runs.merge(design, on="design_point", suffixes=("", "_design"))
    assert (merged["world.rivalry"] == merged["world.rivalry_design"]).all()
    ts = pd.read_csv(out / "timeseries.csv")
    assert set(ts["step"]) == {0, 2, 4, 5}
    assert set(ts["run_id"]) == set(runs["run_id"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sweep"]["design"] == "lhs"
    assert manifest["sweep"]["spec_hash"] == sweep.spec_hash
    assert manifest["counts"]["runs"] == 30 and manifest["counts"]["errors"] == 0
    assert not (out / ".parts").exists()


def test_different_seed_gives_different_runs(tiny, tmp_path):
    _, out = tiny
    other = load_sweep(write_spec(tmp_path, TINY.replace("seed = 4", "seed = 9")))
    run_sweep(other, tmp_path / "o", workers=1)
    assert (tmp_path / "o" / "runs.csv").read_bytes() != (out / "runs.csv").read_bytes()


def test_tasks_do_not_depend_on_workers(tiny):
    sweep, _ = tiny
    chunks = plan_chunks(sweep)
    assert len(chunks) == 3 * 2 * 3  # design points x strategies x chunks of 2 of 5
    assert [c.replicates for c in chunks[:3]] == [2, 2, 1]
    assert sum(len(t) for t in group_tasks(chunks, 2)) == len(chunks)


def test_two_workers_give_identical_files(tiny, tmp_path):
    _, out = tiny
    sweep = tiny[0]
    summary = run_sweep(sweep, tmp_path / "two", workers=2)
    assert summary.workers == 2 and summary.done == 30
    assert result_bytes(tmp_path / "two") == result_bytes(out)


def test_dask_backend_gives_identical_files(tiny, tmp_path):
    pytest.importorskip("distributed", reason='the dask extra is not installed: pip install ".[dask]"')
    from distributed import LocalCluster

    sweep, out = tiny
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        summary = run_sweep(sweep, tmp_path / "dask", backend="dask", scheduler=cluster.scheduler_address)
    assert summary.backend == "dask" and summary.workers == 2
    assert result_bytes(tmp_path / "dask") == result_bytes(out)


def test_dask_local_cluster_of_processes_gives_identical_files(tiny, tmp_path):
    """Worker processes import the task function by its module path (sim.experiments.sweep_tasks)."""
    pytest.importorskip("distributed", reason='the dask extra is not installed: pip install ".[dask]"')
    sweep, out = tiny
    summary = run_sweep(sweep, tmp_path / "dask", backend="dask", workers=1)
    assert summary.backend == "dask" and summary.done == 30
    assert result_bytes(tmp_path / "dask") == result_bytes(out)


def test_the_sweep_command_has_no_format_flag(tmp_path):
    """Parquet output was dropped (docs/sweeps.md): the flag is gone, not silently ignored."""
    from typer.testing import CliRunner

    from sim.cli.app import app

    result = CliRunner().invoke(app, ["sweep", "x.toml", "--format", "parquet"])
    assert result.exit_code == 2 and "No such option" in result.output


def test_failing_runs_become_error_rows_and_the_sweep_goes_on(tiny, tmp_path, monkeypatch):
    sweep, out = tiny
    real = sim.experiments.sweep_tasks.run_chunk

    def flaky(spec):
        if spec.design_point == 1 and spec.strategy == "equidistance":
            raise RuntimeError("boom\nsecond line")
        return real(spec)

    monkeypatch.setattr(sim.experiments.sweep_tasks, "run_chunk", flaky)
    summary = run_sweep(sweep, tmp_path / "f", workers=1)
    assert summary.failed == 5
    runs = pd.read_csv(tmp_path / "f" / "runs.csv")
    bad = runs[runs["status"] == "error"]
    assert len(bad) == 5 and set(bad["strategy"]) == {"equidistance"}
    assert set(bad["error"]) == {"RuntimeError: boom second line"}
    assert bad["welfare_final"].isna().all() and bad["world.rivalry"].notna().all()
    good = runs[runs["status"] == "ok"]
    expected = pd.read_csv(out / "runs.csv")
    expected = expected[expected["status"] == "ok"].drop(bad.index)
    pd.testing.assert_frame_equal(
        good.drop(columns="error"), expected.drop(columns="error"), check_dtype=False
    )
    manifest = json.loads((tmp_path / "f" / "manifest.json").read_text())
    assert manifest["counts"]["errors"] == 5


KILLER = """
import os, signal, sys
from pathlib import Path
import sim.experiments.store
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_spec import load_sweep

mode, spec, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
state = {"tasks": 0}

def progress(runs, failed):
    if runs:
        state["tasks"] += 1
    if mode == "tasks" and state["tasks"] == 3:
        os.kill(os.getpid(), signal.SIGKILL)

merge = sim.experiments.store.SweepStore.merge

def merge_then_die(self, table, n):
    merge(self, table, n)
    if mode == "merge":
        os.kill(os.getpid(), signal.SIGKILL)

sim.experiments.store.SweepStore.merge = merge_then_die
run_sweep(load_sweep(spec), out, workers=int(sys.argv[4]), progress=progress)
"""


@pytest.mark.parametrize(("mode", "workers"), [("tasks", 1), ("tasks", 2), ("merge", 1)])
def test_resume_after_sigkill_gives_identical_files(tiny, tmp_path, mode, workers):
    sweep, out = tiny
    target = tmp_path / "killed"
    script = tmp_path / "killer.py"
    script.write_text(textwrap.dedent(KILLER))
    done = subprocess.run(
        [sys.executable, str(script), mode, str(sweep.path), str(target), str(workers)],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    assert (target / ".parts" / "plan.json").is_file()
    summary = run_sweep(sweep, target, workers=1, resume=True)
    assert summary.resumed > 0
    assert summary.resumed + summary.done == sweep.runs_planned or mode == "merge"
    assert result_bytes(target) == result_bytes(out)
    assert not (target / ".parts").exists()


def test_resume_refuses_a_changed_spec(tiny, tmp_path):
    sweep, _ = tiny
    target = tmp_path / "r"
    run_sweep(sweep, target, workers=1)
    changed = load_sweep(write_spec(tmp_path, TINY.replace("high = 0.6", "high = 0.5")))
    with pytest.raises(UserError, match="cannot resume: the spec"):
        run_sweep(changed, target, workers=1, resume=True)
    assert run_sweep(sweep, target, workers=1, resume=True).complete_before


def test_output_folder_guard_and_force(tiny, tmp_path):
    sweep, out = tiny
    target = tmp_path / "g"
    target.mkdir()
    (target / "old.txt").write_text("x")
    with pytest.raises(UserError, match="not empty; use `force=True`"):
        run_sweep(sweep, target, workers=1)
    run_sweep(sweep, target, workers=1, force=True)
    assert (target / "runs.csv").read_bytes() == (out / "runs.csv").read_bytes()
    with pytest.raises(UserError, match="choose one"):
        run_sweep(sweep, target, resume=True, force=True)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"backend": "ray"}, "`backend`: expected one of local, dask"),
        ({"workers": 0}, "`workers`: expected at least 1"),
        ({"fmt": "parquet"}, "`fmt`: expected one of csv, got 'parquet'"),  # parquet was dropped
        ({"scheduler": "tcp://x:1"}, "`scheduler`: only used with the dask backend"),
    ],
)
def test_bad_execution_options(tiny, tmp_path, options, message):
    """The library names the Python parameter at fault; the CLI turns it into a flag."""
    with pytest.raises(UserError, match=message):
        run_sweep(tiny[0], tmp_path / "x", **options)


def test_forked_workers_limit_blas_threads(tmp_path):
    from sim.experiments.backends import LocalBackend

    with LocalBackend(2) as backend:
        values = list(backend.imap_unordered(os.getenv, ["OPENBLAS_NUM_THREADS"] * 2))
    assert values == ["1", "1"]
