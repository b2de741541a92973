"""Where the project's shipped files live: scenarios, calibration specs, facts and data.

Every path the package derives from its own location is defined here and nowhere else, so
moving a module cannot silently point it at another folder.

In a checkout (or an editable install) the shipped files are the repository's ``scenarios/``
and ``seeds/`` beside ``sim/``. A wheel carries copies of both inside the package, under
``sim/_shipped/`` (setup.py's build step copies them; tests/test_packaging.py checks the wheel),
so an installed ``multivector`` finds them without the repository.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED = ("scenarios", "seeds")  # the folders the program reads at run time
WHEEL_DATA_DIR = PACKAGE_DIR / "_shipped"  # where a wheel carries them


def _root() -> Path:
    """The folder holding ``scenarios/`` and ``seeds/``: the checkout, else the wheel's copy."""
    checkout = PACKAGE_DIR.parent
    if all((checkout / name).is_dir() for name in SHIPPED):
        return checkout
    return WHEEL_DATA_DIR


ROOT = _root()
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


def user_calibration_dir(cwd: Path | None = None) -> Path:
    """Where calibration output the user writes goes by default: never inside the installed package.

    The current folder's ``scenarios/calibration/`` when it exists (a checkout of this project,
    where shipped scenarios read ``fitted.toml`` from it), else ``./calibration/``. ``cwd``
    stands for the current folder (tests); the path is relative when ``cwd`` is not given.
    """
    base = cwd if cwd is not None else Path()
    checkout = base / "scenarios" / "calibration"
    return checkout if checkout.is_dir() else base / "calibration"
