"""Where the shipped files are read from and where user calibration output goes."""

import shutil
import subprocess
from pathlib import Path

import pytest

from sim import files, paths


def test_a_checkout_reads_its_own_scenarios_and_seeds():
    checkout = Path(paths.__file__).resolve().parent.parent
    assert checkout == paths.ROOT
    assert paths.FACTS_FILE.is_file() and (paths.SCENARIO_DIR / "baseline_2023.toml").is_file()


def test_calibration_output_goes_to_the_projects_folder_when_there_is_one(tmp_path):
    assert paths.user_calibration_dir(tmp_path) == tmp_path / "calibration"
    (tmp_path / "scenarios" / "calibration").mkdir(parents=True)
    assert paths.user_calibration_dir(tmp_path) == tmp_path / "scenarios" / "calibration"


def test_calibration_output_is_never_inside_the_package(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = paths.user_calibration_dir().resolve()
    assert target == tmp_path.resolve() / "calibration"
    assert not target.is_relative_to(paths.PACKAGE_DIR)


def test_an_installed_copy_inside_another_repository_reports_no_commit(tmp_path, monkeypatch):
    """A wheel installed in a project's .venv must not record that project's commit as ours."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*git, "-C", str(tmp_path), "commit", "-q", "--allow-empty", "-m", "theirs"], check=True)
    shipped = tmp_path / ".venv" / "site-packages" / "sim" / "_shipped"
    shipped.mkdir(parents=True)
    monkeypatch.setattr(files, "ROOT", shipped)
    assert files.git_commit() is None
    monkeypatch.setattr(files, "ROOT", tmp_path)  # a checkout: its commit
    assert files.git_commit() is not None and len(files.git_commit()) == 40
