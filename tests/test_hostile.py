"""Hostile input for the model's commands: run, validate, sweep, scenarios show, parameters.

Each case builds its inputs in a fresh folder, runs the command in-process and checks that
the exit code is not 0, that stderr is exactly one line naming the file, field or flag and
what was expected (the case's pattern), that no traceback shows, and that the folder holds
exactly what it held before (no new file, no ``*.tmp``, no output folder). A property test
varies the input: random bytes and random TOML as sweep specs. The results commands have
their table in tests/test_hostile_results.py; the helpers are in tests/hostile_helpers.py.
"""

import json

import pytest
from hostile_helpers import (
    POINTS_SPEC,
    RANDOM,
    SCENARIO,
    Build,
    after,
    check_one_line,
    made,  # noqa: F401 (a fixture)
    part_file,
    run_,
    run_case,
    runner,
    spec_,
    sweep_,
)
from hypothesis import given
from hypothesis import strategies as st
from sweep_helpers import TINY

from sim.cli.app import app

CASES: dict[str, tuple[Build, str]] = {
    # run
    "run/missing file": (lambda p: run_(p, p.out("nope.toml")), r"nope\.toml: no such scenario file"),
    "run/directory": (lambda p: run_(p, p.folder()), r"adir: no such scenario file"),
    "run/not UTF-8": (lambda p: run_(p, p.file("s.toml", b'name = "\xff"\n')), r"s\.toml: not UTF-8 text"),
    "run/random bytes": (lambda p: run_(p, p.file("s.toml", RANDOM)), r"s\.toml: not UTF-8 text"),
    "run/empty file": (lambda p: run_(p, p.file("s.toml", "")), r"s\.toml: powers: required, missing"),
    "run/bad TOML": (lambda p: run_(p, p.file("s.toml", "name = [\n")), r"s\.toml: invalid TOML"),
    "run/wrong type": (
        lambda p: run_(p, p.file("s.toml", SCENARIO + '[world]\nrivalry = "high"\n')),
        r"s\.toml: world\.rivalry: Input should be a valid number",
    ),
    "run/out of range": (
        lambda p: run_(p, p.file("s.toml", SCENARIO + "[world]\nrivalry = 2\n")),
        r"s\.toml: world\.rivalry: .*1",
    ),
    "run/unknown field": (
        lambda p: run_(p, p.file("s.toml", SCENARIO + "colour = 1\n")),
        r"s\.toml: colour: unknown key",
    ),
    "run/unknown scenario": (lambda p: run_(p, "atlantis"), r"unknown scenario 'atlantis'"),
    "run/unknown strategy": (
        lambda p: run_(p, "baseline_2023", "-s", "isolation"),
        r"unknown strategy 'isolation'",
    ),
    "run/nan": (
        lambda p: run_(p, p.file("s.toml", SCENARIO + "[world]\nrivalry = nan\n")),
        r"s\.toml: world\.rivalry: Input should be a finite number",
    ),
    "run/inf": (
        lambda p: run_(p, p.file("s.toml", SCENARIO + "[world]\nrivalry = inf\n")),
        r"s\.toml: world\.rivalry: Input should be a finite number",
    ),
    "run/huge steps in file": (
        lambda p: run_(p, p.file("s.toml", SCENARIO + "steps = 100000000000000000000000\n")),
        r"s\.toml: steps: Input should be less than or equal to 400",
    ),
    "run/huge replicates": (
        lambda p: ["run", "baseline_2023", "-r", "1" + "0" * 30, "--out", p.out()],
        r"--replicates: expected at most 10,000,000",
    ),
    "run/huge seed": (
        lambda p: ["run", "baseline_2023", "--seed", str(2**64), "--out", p.out()],
        r"--seed: expected 0 to 2\*\*64 - 1",
    ),
    "run/replicates not a number": (
        lambda p: ["run", "baseline_2023", "-r", "many", "--out", p.out()],
        r"'--replicates'.*valid integer.*\(see: .*run --help\)",
    ),
    "run/negative record interval": (
        lambda p: run_(p, "baseline_2023", "--record-every", "-1"),
        r"--record-every: expected 0 \(off\) or more",
    ),
    "run/unknown option": (lambda p: run_(p, "--colour", "red"), r"No such option: --colour"),
    "run/out is a file": (
        lambda p: ["run", "baseline_2023", "-r", "2", "--steps", "2", "--out", p.file("f", "x")],
        r"f: output path is a file, expected a folder",
    ),
    "run/out under a file": (
        lambda p: ["run", "baseline_2023", "-r", "2", "--steps", "2", "--out", p.file("f", "x") + "/o"],
        r"f/o: cannot create output folder: .*f is a file",
    ),
    "run/out read-only": (
        lambda p: ["run", "baseline_2023", "-r", "2", "--steps", "2", "--out", p.readonly() + "/o"],
        r"readonly/o: cannot create output folder in .*readonly: (Permission denied|Operation not permitted)",
    ),
    "run/out not empty": (
        lambda p: ["run", "baseline_2023", "-r", "2", "--steps", "2", "--out", p.copy("run")],
        r"run: output folder is not empty; use --force to overwrite",
    ),
    "run/out name too long": (
        lambda p: ["run", "baseline_2023", "-r", "2", "--steps", "2", "--out", p.out("x" * 300)],
        r"x{300}: File name too long",
    ),
    "run/scenario nested too deeply": (
        lambda p: run_(p, p.file("s.toml", "a = " + "[" * 5000 + "]" * 5000 + "\n")),
        r"s\.toml: invalid TOML: arrays or tables nested too deeply",
    ),
    # validate
    "validate/missing file": (
        lambda p: ["validate", p.out("nope.toml")],
        r"nope\.toml: no such scenario file",
    ),
    "validate/directory": (lambda p: ["validate", p.folder()], r"adir: no such scenario file"),
    "validate/random bytes": (lambda p: ["validate", p.file("s.toml", RANDOM)], r"s\.toml: not UTF-8 text"),
    "validate/bad TOML": (lambda p: ["validate", p.file("s.toml", "[world\n")], r"s\.toml: invalid TOML"),
    "validate/extends missing": (
        lambda p: ["validate", p.file("s.toml", 'extends = "nowhere.toml"\n')],
        r"s\.toml: .*nowhere",
    ),
    "validate/extends itself": (
        lambda p: ["validate", p.file("s.toml", 'extends = "s.toml"\n')],
        r"s\.toml: .*extends",
    ),
    "validate/no file named": (
        lambda p: ["validate"],
        r"Missing argument 'FILES",
    ),
    # sweep
    "sweep/missing file": (lambda p: sweep_(p, p.out("nope.toml")), r"nope\.toml: no such sweep spec file"),
    "sweep/directory": (lambda p: sweep_(p, p.folder()), r"adir: no such sweep spec file"),
    "sweep/random bytes": (lambda p: sweep_(p, spec_(p, RANDOM)), r"spec\.toml: not UTF-8 text"),
    "sweep/empty file": (lambda p: sweep_(p, spec_(p, "")), r"spec\.toml: name: required, missing"),
    "sweep/bad TOML": (lambda p: sweep_(p, spec_(p, "name = [")), r"spec\.toml: invalid TOML"),
    "sweep/wrong type": (
        lambda p: sweep_(p, spec_(p, TINY.replace("replicates = 5", 'replicates = "five"'))),
        r"spec\.toml: replicates: Input should be a valid integer",
    ),
    "sweep/out of range": (
        lambda p: sweep_(p, spec_(p, TINY.replace("high = 0.6", "high = 7"))),
        r"spec\.toml: parameters\.\"powers\.russia\.tolerance\"",
    ),
    "sweep/unknown field": (
        lambda p: sweep_(p, spec_(p, "colour = 1\n" + TINY)),
        r"spec\.toml: colour: unknown key",
    ),
    "sweep/unknown strategy": (
        lambda p: sweep_(p, spec_(p, TINY.replace('"equidistance"', '"isolation"'))),
        r"spec\.toml: strategies\[1\]: unknown strategy 'isolation'",
    ),
    "sweep/unknown scenario": (
        lambda p: sweep_(p, spec_(p, TINY.replace('"baseline_2023"', '"atlantis"'))),
        r"spec\.toml: scenarios\[0\]: unknown scenario 'atlantis'",
    ),
    "sweep/nan": (
        lambda p: sweep_(p, spec_(p, TINY.replace("high = 0.6", "high = nan"))),
        r"spec\.toml: parameters\.\"powers\.russia\.tolerance\": nan",
    ),
    "sweep/inf": (
        lambda p: sweep_(p, spec_(p, TINY.replace("replicates = 5", "replicates = inf"))),
        r"spec\.toml: replicates: Input should be a finite number",
    ),
    "sweep/huge replicates": (
        lambda p: sweep_(p, spec_(p, TINY.replace("replicates = 5", "replicates = 100000000000000"))),
        r"spec\.toml: replicates: Input should be less than or equal to 10000000",
    ),
    "sweep/huge design": (
        lambda p: sweep_(
            p, spec_(p, TINY.replace('design = "lhs"\nsamples = 3', 'design = "lhs"\nsamples = 9999999'))
        ),
        r"spec\.toml: .*samples|spec\.toml: design: the lhs design would make",
    ),
    "sweep/points outside (absolute)": (
        lambda p: sweep_(p, spec_(p, POINTS_SPEC.format(points="/etc/passwd"))),
        r"spec\.toml: points: '/etc/passwd' is outside the spec's folder",
    ),
    "sweep/points outside (parent)": (
        lambda p: after(
            p.file("points.csv", "world.rivalry\n0.5\n"),
            sweep_(p, p.file("deep/spec.toml", POINTS_SPEC.format(points="../points.csv"))),
        ),
        r"spec\.toml: points: '\.\./points\.csv' is outside the spec's folder",
    ),
    "sweep/points truncated": (
        lambda p: after(
            p.file("points.csv", 'world.rivalry\n"0.5\n'),
            sweep_(p, spec_(p, POINTS_SPEC.format(points="points.csv"))),
        ),
        r"spec\.toml: points: cannot read .*points\.csv",
    ),
    "sweep/unknown backend": (
        lambda p: sweep_(p, spec_(p, TINY), "--backend", "ray", "--out", p.out()),
        r"--backend: expected one of local, dask",
    ),
    "sweep/workers zero": (
        lambda p: sweep_(p, spec_(p, TINY), "--workers", "0", "--out", p.out()),
        r"'--workers'.*greater than or equal to 1",
    ),
    "sweep/out is a file": (
        lambda p: sweep_(p, spec_(p, TINY), "--out", p.file("f", "x")),
        r"f: output path is a file, expected a folder",
    ),
    "sweep/out read-only": (
        lambda p: sweep_(p, spec_(p, TINY), "--out", p.readonly()),
        r"readonly: cannot write in output folder: (Permission denied|Operation not permitted)",
    ),
    "sweep/resume a run folder": (
        lambda p: sweep_(p, spec_(p, TINY), "--resume", "--out", p.copy("run")),
        r"run: cannot resume: the spec",
    ),
    "sweep/resume, plan.json not JSON": (
        lambda p: sweep_(
            p,
            spec_(p, TINY),
            "--resume",
            "--out",
            p.copy("partial", lambda f: part_file(f, "plan.json").write_bytes(RANDOM)),
        ),
        r"plan\.json: not valid JSON .*expected the sweep's plan .*start over with --force",
    ),
    "sweep/resume, plan.json a list": (
        lambda p: sweep_(
            p,
            spec_(p, TINY),
            "--resume",
            "--out",
            p.copy("partial", lambda f: part_file(f, "plan.json").write_text("[1, 2]")),
        ),
        r"plan\.json: expected the sweep's plan \(a JSON object\)",
    ),
    "sweep/resume, plan.json without format": (
        lambda p: sweep_(
            p,
            spec_(p, TINY),
            "--resume",
            "--out",
            p.copy("partial", lambda f: part_file(f, "plan.json").write_text('{"spec_hash": "x"}')),
        ),
        r"plan\.json: missing 'format'",
    ),
    "sweep/resume, manifest not JSON": (
        lambda p: sweep_(
            p,
            spec_(p, TINY),
            "--resume",
            "--out",
            p.copy("sweep", lambda f: (f / "manifest.json").write_bytes(b"\x00\xff{")),
        ),
        r"manifest\.json: not valid JSON .*expected the sweep's manifest",
    ),
    "sweep/resume, manifest a string": (
        lambda p: sweep_(
            p,
            spec_(p, TINY),
            "--resume",
            "--out",
            p.copy("sweep", lambda f: (f / "manifest.json").write_text('"done"')),
        ),
        r"manifest\.json: expected the sweep's manifest \(a JSON object\)",
    ),
    # scenarios, parameters
    "scenarios show/random bytes": (
        lambda p: ["scenarios", "show", p.file("s.toml", RANDOM)],
        r"s\.toml: not UTF-8 text",
    ),
    "scenarios show/directory": (lambda p: ["scenarios", "show", p.folder()], r"adir: no such scenario file"),
    "scenarios show/unknown name": (
        lambda p: ["scenarios", "show", "atlantis"],
        r"unknown scenario 'atlantis'",
    ),
    "scenarios show/huge number": (
        lambda p: ["scenarios", "show", p.file("s.toml", SCENARIO + "[world]\nrivalry = 1e400\n")],
        r"s\.toml: world\.rivalry: Input should be a finite number",
    ),
    "parameters/unknown scenario": (
        lambda p: ["parameters", "--scenario", "atlantis"],
        r"unknown scenario 'atlantis'",
    ),
    "parameters/random bytes": (
        lambda p: ["parameters", "--scenario", p.file("s.toml", RANDOM)],
        r"s\.toml: not UTF-8 text",
    ),
    "parameters/no match": (lambda p: ["parameters", "zzzz"], r"no parameter path contains 'zzzz'"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_input_is_one_line_and_changes_nothing(case, made, tmp_path, monkeypatch):  # noqa: F811
    run_case(*CASES[case], made, tmp_path, monkeypatch)


# Property test: the spec file varies.


TOML_KEYS = ["name", "scenarios", "strategies", "design", "samples", "replicates", "seed", "steps",
             "chunk_size", "record_every", "points", "levels", "description"]  # fmt: skip
TOML_VALUES = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.booleans(),
    st.lists(st.one_of(st.integers(-5, 5), st.text(max_size=6)), max_size=3),
)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


@given(content=st.one_of(st.binary(max_size=300), st.dictionaries(st.sampled_from(TOML_KEYS), TOML_VALUES)))
def test_any_sweep_spec_is_refused_in_one_line_or_planned(tmp_path_factory, content):
    """Random bytes or random TOML as a sweep spec: one error line and no output folder."""
    folder = tmp_path_factory.mktemp("spec")
    if isinstance(content, dict):
        content = "\n".join(f"{k} = {toml_value(v)}" for k, v in content.items()).encode()
    spec = folder / "spec.toml"
    spec.write_bytes(content)
    result = runner.invoke(app, ["sweep", str(spec), "--out", str(folder / "out"), "--quiet"])
    check_one_line(result, r"spec\.toml: ")
    assert not (folder / "out").exists()
