"""Analysis of result folders, never of the model: comparison, robustness, sensitivity, report.

Every function reads the files ``multivector run`` and ``multivector sweep`` write, so results
can be analysed on a machine without Mesa. Public names load on first use::

    from sim.analysis import load_results, summary_table
"""

from typing import TYPE_CHECKING

from sim import lazy_exports

_EXPORTS = {
    "Results": "results",
    "load_results": "results",
    "summary_table": "comparison",
    "paired_differences": "comparison",
    "regret_table": "robustness",
    "satisficing_table": "robustness",
    "robustness_ranking": "robustness",
    "Threshold": "robustness",
    "sensitivity": "sensitivity",
    "prim_boxes": "discovery",
    "Analysis": "report",
    "analyze": "report",
    "write_analysis": "report",
    "export_ema": "export",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from sim.analysis.comparison import paired_differences as paired_differences
    from sim.analysis.comparison import summary_table as summary_table
    from sim.analysis.discovery import prim_boxes as prim_boxes
    from sim.analysis.export import export_ema as export_ema
    from sim.analysis.report import Analysis as Analysis
    from sim.analysis.report import analyze as analyze
    from sim.analysis.report import write_analysis as write_analysis
    from sim.analysis.results import Results as Results
    from sim.analysis.results import load_results as load_results
    from sim.analysis.robustness import Threshold as Threshold
    from sim.analysis.robustness import regret_table as regret_table
    from sim.analysis.robustness import robustness_ranking as robustness_ranking
    from sim.analysis.robustness import satisficing_table as satisficing_table
    from sim.analysis.sensitivity import sensitivity as sensitivity
