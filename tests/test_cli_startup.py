"""Starting the command line: quick, and a Ctrl-C before any command runs is one line too.

- ``multivector --help`` and ``--version`` import typer and rich only, not pandas or numpy
  (which took about 2 s on a busy machine): the command modules import the library inside
  the commands.
- The console script and ``python -m sim.cli`` go through ``sim.cli.main.main``, which turns
  an interrupt during those imports into ``error: interrupted`` and exit code 130, as
  ``timeout -s INT 3 multivector run`` used to end in a traceback from inside pandas.
- A Ctrl-C while typer parses the command line (converting option values imports pydantic,
  about a second on a busy machine) ended in exit code 130 with nothing said: typer turns it
  into a silent Exit(130). The app's group now says ``error: interrupted`` there too.
"""

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
import typer.core
from typer.testing import CliRunner

from sim.cli.app import app

ROOT = Path(__file__).resolve().parent.parent


def python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter from the repository root."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_line_imports_neither_pandas_nor_numpy_before_a_command_runs():
    done = python(
        """
        import sys
        import sim.cli.app
        heavy = sorted(m for m in ("pandas", "numpy", "scipy", "mesa", "pyarrow") if m in sys.modules)
        print(",".join(heavy) or "none")
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "none"


def test_the_console_script_and_python_m_go_through_main():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["multivector"] == "sim.cli.main:main"
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", "--version"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("multivector ")


def test_ctrl_c_while_the_command_line_is_imported_is_one_line_and_exit_130():
    # An import hook raises KeyboardInterrupt when sim.cli.app is imported: the moment a real
    # Ctrl-C lands in a slow start-up.
    done = python(
        """
        import sys
        from sim.cli.main import main

        class Interrupt:
            def find_spec(self, name, path=None, target=None):
                if name == "sim.cli.app":
                    raise KeyboardInterrupt
                return None

        sys.meta_path.insert(0, Interrupt())
        sys.argv = ["multivector", "strategies"]
        main()
        """
    )
    assert done.returncode == 130
    assert done.stderr == "error: interrupted\n"
    assert done.stdout == ""


def test_main_runs_the_app():
    done = python(
        """
        import sys
        from sim.cli.main import main
        sys.argv = ["multivector", "strategies"]
        main()
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("multivector: ")


@pytest.mark.parametrize(
    "parser",
    [typer.core.TyperGroup, typer.core.TyperCommand],
    ids=["parsing the command", "parsing its options"],
)
def test_ctrl_c_while_typer_parses_the_command_line_is_one_line(parser, monkeypatch):
    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(parser, "parse_args", stop)
    done = CliRunner().invoke(app, ["run", "-r", "2"])
    assert done.exit_code == 130
    assert done.stderr == "error: interrupted\n"
