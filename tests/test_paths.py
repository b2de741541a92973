"""Where the shipped files are read from and where user calibration output goes."""

from pathlib import Path

from sim import paths


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
