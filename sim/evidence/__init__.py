"""The model against evidence: observed trade and GDP, the facts file, calibration, hindcasts.

Public names load on first use.
"""

from typing import TYPE_CHECKING

from sim import lazy_exports

_EXPORTS = {
    "read_observed": "observed",
    "load_facts": "facts",
    "load_spec": "calibration",
    "calibrate": "calibration",
    "run_hindcast": "hindcast",
    "read_observed_gdp": "observed_gdp",
    "gdp_equation": "gdp_estimate",
    "add_discrepancy": "discrepancy_estimate",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from sim.evidence.calibration import calibrate as calibrate
    from sim.evidence.calibration import load_spec as load_spec
    from sim.evidence.discrepancy_estimate import add_discrepancy as add_discrepancy
    from sim.evidence.facts import load_facts as load_facts
    from sim.evidence.gdp_estimate import gdp_equation as gdp_equation
    from sim.evidence.hindcast import run_hindcast as run_hindcast
    from sim.evidence.observed import read_observed as read_observed
    from sim.evidence.observed_gdp import read_observed_gdp as read_observed_gdp
