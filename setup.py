"""Build step that puts the shipped scenarios and seeds inside the wheel (see sim/paths.py).

Everything else about the package is declared in pyproject.toml. The program reads
``scenarios/`` and ``seeds/`` at run time; in a checkout they sit beside ``sim/``, and an
installed wheel carries copies under ``sim/_shipped/`` where ``sim.paths`` looks for them.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = ("scenarios", "seeds")  # the same names as sim.paths.SHIPPED


class BuildWithShippedData(build_py):
    """``build_py`` that also copies the shipped folders into the built package."""

    def run(self) -> None:
        """Build the package, then copy ``scenarios/`` and ``seeds/`` into ``sim/_shipped/``."""
        super().run()
        if self.editable_mode:
            return  # an editable install reads the checkout's folders directly
        for name in SHIPPED:
            shutil.copytree(
                HERE / name,
                Path(self.build_lib) / "sim" / "_shipped" / name,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"),
            )


setup(cmdclass={"build_py": BuildWithShippedData})
