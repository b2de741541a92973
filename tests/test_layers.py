"""The package's layers: the dependency rule holds, the public names load, a wheel carries it all."""

import importlib
import os
import pkgutil
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

import sim
from sim.paths import SHIPPED

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sim.model", "sim.experiments", "sim.analysis", "sim.evidence", "sim.cli")


def every_module() -> list[str]:
    """Every module of the sim package, by walking its folders (not by importing)."""
    return sorted(
        name for _, name, _ in pkgutil.walk_packages(sim.__path__, "sim.") if name != "sim.cli.__main__"
    )


def run_python(code: str, cwd: Path, python: str = sys.executable) -> str:
    done = subprocess.run(
        [python, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_dependency_rule_in_pyproject_holds(monkeypatch):
    """import-linter checks every contract of [tool.importlinter]: layers, forbidden imports, no cycles."""
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def test_the_rule_covers_every_subpackage():
    """A new subpackage must be placed in the layers contract, or the rule says nothing of it."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["id"] == "layers")["layers"]
    named = {part.strip() for layer in layers for part in layer.split("|")}
    top = {name.split(".")[1] for name in every_module()}
    assert top <= named, f"not in the layers contract: {sorted(top - named)}"


def test_model_schema_modules_import_without_mesa(tmp_path):
    """Loading and checking scenarios needs no Mesa: only the model's step does."""
    code = (
        "import sys; sys.modules['mesa'] = None\n"
        "import sim.model.scenario, sim.model.catalogue, sim.model.events, sim.model.strategies\n"
        "from sim.model import load_scenario, sweepable\n"
        "print(len(sweepable(load_scenario('baseline_2023'))))\n"
    )
    assert int(run_python(code, tmp_path)) > 50


def test_every_public_name_of_each_package_loads():
    for package in PACKAGES[:-1]:
        module = importlib.import_module(package)
        assert module.__all__, package
        for name in module.__all__:
            assert getattr(module, name) is not None, f"{package}.{name}"
        assert dir(module) == sorted(module.__all__)
        with pytest.raises(AttributeError):
            module.no_such_name  # noqa: B018


def test_type_checking_imports_match_the_lazy_exports():
    """Each package's TYPE_CHECKING block (for type checkers) names what ``_EXPORTS`` loads."""
    import ast

    for package in PACKAGES[:-1]:
        module = importlib.import_module(package)
        tree = ast.parse(Path(module.__file__).read_text())
        guarded = next(
            n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
        )
        imported = {a.name: n.module.rsplit(".", 1)[1] for n in guarded.body for a in n.names}
        assert imported == module._EXPORTS, package


def test_the_readme_imports_keep_working():
    from sim.analysis import load_results
    from sim.analysis.results import load_results as defined
    from sim.model import BalancingModel
    from sim.model.balancing import BalancingModel as Model

    assert BalancingModel is Model and load_results is defined


def test_string_module_paths_name_real_modules():
    """Module paths written as strings (the forkserver preload, the console script) resolve."""
    import tomllib

    from sim.experiments.backends import PRELOAD

    for name in PRELOAD:
        importlib.import_module(name)
    script = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["multivector"]
    module, _, attribute = script.partition(":")
    assert callable(getattr(importlib.import_module(module), attribute))


def test_a_built_wheel_holds_every_module_and_runs_in_a_fresh_venv(tmp_path):
    """Build a wheel from a copy of the source, install it alone in a new venv, import and run it."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH (the README's install command provides it)")
    source = tmp_path / "src"
    shutil.copytree(ROOT / "sim", source / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "setup.py", "MANIFEST.in"):
        shutil.copy(ROOT / name, source / name)
    for name in SHIPPED:  # the scenarios and seeds the program reads at run time
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "dist"
    build = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(wheels), str(source)]
    done = subprocess.run(build, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = wheels.glob("multivector-*.whl")
    packed = {name.removesuffix(".py").replace("/", ".") for name in zipfile.ZipFile(wheel).namelist()}
    missing = [m for m in every_module() if m not in packed and f"{m}.__init__" not in packed]
    assert not missing, f"modules missing from the wheel: {missing}"
    shipped = [p.relative_to(ROOT).as_posix() for n in SHIPPED for p in (ROOT / n).rglob("*") if p.is_file()]
    assert "seeds/facts.toml" in shipped and "scenarios/baseline_2023.toml" in shipped
    names = set(zipfile.ZipFile(wheel).namelist())
    unshipped = [f for f in shipped if f"sim/_shipped/{f}" not in names]
    assert not unshipped, f"shipped files missing from the wheel: {unshipped[:5]}"

    venv = tmp_path / "venv"
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "VIRTUAL_ENV": str(venv)}
    subprocess.run(
        [uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env, timeout=120
    )
    subprocess.run([uv, "pip", "install", "-q", "--no-deps", str(wheel)], check=True, env=env, timeout=120)
    # The wheel alone in the venv; its dependencies from this environment's site-packages, added
    # by a .pth file (whose own .pth files, and so the editable install of sim, are not read).
    site = next((venv / "lib").glob("python*/site-packages"))
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (site / "dependencies.pth").write_text("\n".join(deps) + "\n")
    python = str(venv / "bin" / "python")
    code = (
        "import importlib, sim\n"
        f"for name in {every_module()!r}: importlib.import_module(name)\n"
        "from sim.model import BalancingModel\n"
        "print(sim.__file__)\n"
    )
    assert run_python(code, tmp_path, python).startswith(str(venv))
    version = subprocess.run(
        [str(venv / "bin" / "multivector"), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert version.stdout.strip() == f"multivector {sim.__version__}"
    # Outside the repository, the installed program finds its scenarios, facts and data.
    root = run_python("from sim.paths import ROOT; print(ROOT)", tmp_path, python)
    assert root.strip().startswith(str(venv)) and root.strip().endswith("_shipped")
    outputs = []
    for command in (["scenarios"], ["run", "--steps", "4", "-r", "2", "--out", "x", "--no-report", "-q"]):
        done = subprocess.run(
            [str(venv / "bin" / "multivector"), *command],
            cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(done.stdout)
    assert "baseline_2023:" in outputs[0]
    assert (tmp_path / "x" / "runs.csv").is_file()
