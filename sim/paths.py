"""Where the project's shipped files live (scenarios, calibration specs, data)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_DIR = ROOT / "scenarios"
SPEC_DIR = SCENARIO_DIR / "calibration"
FITTED_FILE = SPEC_DIR / "fitted.toml"
OBSERVED_FILE = ROOT / "seeds" / "data" / "kz_trade_by_partner.csv"
