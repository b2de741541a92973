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
OBSERVED_GDP_FILE = SEEDS_DIR / "data" / "kz_gdp_real_growth_annual.csv"
EXPORTS_BY_COMMODITY_FILE = SEEDS_DIR / "data" / "kz_exports_by_commodity_annual.csv"
COMMODITY_PRICES_FILE = SEEDS_DIR / "data" / "commodity_prices_annual.csv"
OIL_ROUTES_FILE = SEEDS_DIR / "data" / "kz_oil_export_routes.csv"
UNGA_AGREEMENT_FILE = SEEDS_DIR / "data" / "unga_vote_agreement_kz.csv"
