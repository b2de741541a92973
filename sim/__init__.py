"""multivector: an agent-based model of a middle state balancing between great powers.

The package is in layers, each importing only those below it (pyproject.toml's
``[tool.importlinter]`` states the rule): the leaves ``errors``, ``paths``, ``schema`` and
``files``; ``model`` (the agent-based model) on them; ``experiments`` (runs and sweeps) on the
model; ``evidence`` (calibration and hindcasts) on both; ``analysis`` (result files only, never
the model) on the leaves alone; and ``cli`` on top.
"""

import importlib
from collections.abc import Callable
from typing import Any

__version__ = "0.1.0"


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list]]:
    """``__getattr__`` and ``__dir__`` for a package whose public names load on first use.

    ``exports`` maps each public name to the submodule defining it, so importing one submodule
    (``sim.model.scenario``) does not import the others (the model and Mesa).
    """

    def getattr_(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{exports[name]}"), name)

    def dir_() -> list[str]:
        return sorted(exports)

    return getattr_, dir_
