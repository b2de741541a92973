"""multivector: an agent-based model of a middle state balancing between great powers.

The package is importable without Mesa for analysis-only use; the model lives in
``sim.model.balancing`` and is imported on demand.
"""

__version__ = "0.1.0"
