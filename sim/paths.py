"""Where the project's shipped files live: scenarios, calibration specs, facts and data.

Every path the package derives from its own location is defined here and nowhere else, so
moving a module cannot silently point it at another folder.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_DIR = ROOT / "scenarios"
CALIBRATION_DIR = SCENARIO_DIR / "calibration"
FITTED_FILE = CALIBRATION_DIR / "fitted.toml"
SEEDS_DIR = ROOT / "seeds"
FACTS_FILE = SEEDS_DIR / "facts.toml"
OBSERVED_FILE = SEEDS_DIR / "data" / "kz_trade_by_partner.csv"
