"""Scenario loading and validation: every mistake is a clear error naming file and key path."""

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.errors import UserError
from sim.evidence.facts import known_fact_ids, load_facts
from sim.model.scenario import load_scenario, shipped_scenarios

SHIPPED = sorted(shipped_scenarios())
BASE = """
name = "{name}"
extends = "baseline_2023"
"""


def write(tmp_path: Path, text: str, name: str = "s") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_scenario_loads_with_known_facts(name):
    scenario = load_scenario(name, known_facts=known_fact_ids())
    assert scenario.description
    assert scenario.facts, "each scenario says which facts it rests on"
    shares = [p.trade_share for p in scenario.partners.values()]
    assert sum(shares) == pytest.approx(1.0, abs=1e-3)


def test_at_least_nine_present_day_scenarios():
    required = {
        "baseline_2023",
        "sanctions_escalation",
        "russian_pressure",
        "bri_acceleration",
        "western_engagement",
        "brics_partnership",
        "rivalry_spike",
        "detente",
        "commodity_bust",
    }
    assert required <= set(SHIPPED)


def test_baseline_trade_shares_come_from_2023_national_statistics():
    s = load_scenario("baseline_2023")
    assert s.partners["china"].trade_share == pytest.approx(30055.4 / 139551.038, abs=1e-3)
    assert s.partners["russia"].trade_share == pytest.approx(27054.5 / 139551.038, abs=1e-3)
    assert s.partners["italy"].trade_share == pytest.approx(16075.5 / 139551.038, abs=1e-3)


def test_facts_have_unique_ids_and_required_fields():
    facts = load_facts()
    ids = [f["id"] for f in facts]
    assert len(ids) == len(set(ids))
    for fact in facts:
        assert {"id", "kind", "claim", "informs", "evidence"} <= set(fact)
        assert fact["kind"] in {"article", "data"}


def test_extends_merges_tables_and_appends_events(tmp_path):
    path = write(
        tmp_path,
        BASE.format(name="child")
        + """
[powers.russia]
tolerance = 0.2

[[events]]
at = "2025Q1"
name = "x"
set = { "world.sanctions" = 0.9 }
""",
    )
    child = load_scenario(str(path))
    base = load_scenario("baseline_2023")
    assert child.powers["russia"].tolerance == 0.2
    assert child.powers["russia"].salience == base.powers["russia"].salience
    assert len(child.events) == len(base.events) + 1


def test_extends_resolves_sibling_files_and_detects_cycles(tmp_path):
    write(tmp_path, 'extends = "b"\n', "a")
    write(tmp_path, 'extends = "a"\n', "b")
    with pytest.raises(UserError, match=r"extends: cycle a -> b -> a"):
        load_scenario(str(tmp_path / "a.toml"))


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        ("[powers.russia]\ntolerance = 1.5\n", r"powers\.russia\.tolerance: .*less than or equal to 1"),
        ("[powers.russia]\ntolerance = 'high'\n", r"powers\.russia\.tolerance: .*valid number"),
        ("[powers.russia]\ncolour = 'red'\n", r"powers\.russia\.colour: unknown key$"),
        (
            "[powers.russia]\ntolerence = 0.3\n",
            r"powers\.russia\.tolerence: unknown key; did you mean 'tolerance'\?",
        ),
        (
            "[partners.china]\ntrade_shar = 0.3\n",
            r"partners\.china\.trade_shar: unknown key; did you mean 'trade_share'",
        ),
        ("[world.oil]\nmaen = 1.0\n", r"world\.oil\.maen: unknown key; did you mean 'mean'"),
        (
            "[strategies.multivector]\nlevle = 0.5\n",
            r"strategies\.multivector\.levle: unknown key; did you mean 'level'",
        ),
        ("[world]\nrivalry = -0.1\n", r"world\.rivalry: .*greater than or equal to 0"),
        (
            "[partners.russia]\ntrade_share = 0.5\n",
            r"partners\.\*\.trade_share: shares sum to 1\.3061, expected 1",
        ),
        (
            "[partners.italy]\nexport_mix = { coal = 0.5 }\n",
            r"partners\.italy\.export_mix: unknown commodity 'coal'",
        ),
        ("[world.oil]\nroutes = { baltic = 0.5 }\n", r"world\.oil\.routes: unknown corridor 'baltic'"),
        ("[powers.china]\nrivals = ['japan']\n", r"powers\.china\.rivals: unknown power 'japan'"),
        ("[partners.italy]\nbloc = 'nato'\n", r"partners\.italy\.bloc: unknown power 'nato'"),
        (
            "[strategies.multivector]\nlevel = 2\n",
            r"strategies\.multivector\.level: .*less than or equal to 1",
        ),
        ("[strategies.isolation]\nx = 1\n", r"strategies\.isolation: unknown strategy"),
        ("start = '2024Q5'\n", r"expected a quarter like 2024Q1"),
        (
            "[[events]]\nat = '2025Q1'\nname = 'e'\nset = { 'powers.japan.salience' = 0.5 }\n",
            r"events\[\d+\]\.set: unknown parameter path 'powers\.japan\.salience'",
        ),
        (
            "[[events]]\nat = '2025Q1'\nname = 'e'\nadd = { 'world.sanctions' = 0.9 }\n",
            r"events\[\d+\] \(e\): world\.sanctions: .*less than or equal to 1",
        ),
        (
            "[[events]]\nat = '2025Q1'\nname = 'e'\nset = { 'world.memberships.eaeu' = 0.5 }\n",
            r"events\[\d+\]\.set\.world\.memberships\.eaeu: expected true/false",
        ),
        ("[[events]]\nat = '2025Q1'\nname = 'e'\nshock = { oil = nan }\n", r"shock\.oil: .*finite number"),
        ("[[events]]\nat = '2025Q1'\nname = 'e'\nshock = { oil = inf }\n", r"shock\.oil: .*finite number"),
        ("[world]\nrivalry_reference = nan\n", r"world\.rivalry_reference: .*finite number"),
        ("[pivot]\ngdp_usd_bn = inf\n", r"pivot\.gdp_usd_bn: .*finite number"),
    ],
)
def test_bad_scenarios_name_file_and_key_path(tmp_path, body, pattern):
    path = write(tmp_path, BASE.format(name="bad") + body)
    with pytest.raises(UserError) as err:
        load_scenario(str(path))
    message = str(err.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message
    assert re.search(pattern, message), message


def test_a_file_that_is_not_utf8_is_one_clear_error(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'name = "x"\ndescription = "caf\xe9"\n')
    with pytest.raises(UserError, match=r"latin1\.toml: not UTF-8 text \(byte \d+\)"):
        load_scenario(str(path))


def test_extends_names_a_file_beside_the_scenario_not_beside_the_user(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "parent.toml").write_text('extends = "baseline_2023"\n[world]\nrivalry = 0.8\n')
    (folder / "child.toml").write_text('extends = "parent.toml"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "parent.toml").write_text('extends = "baseline_2023"\n[world]\nrivalry = 0.2\n')
    monkeypatch.chdir(elsewhere)  # a parent.toml here must not be picked
    assert load_scenario(str(folder / "child.toml")).world.rivalry == 0.8


def test_missing_file_invalid_toml_and_unknown_name(tmp_path):
    with pytest.raises(UserError, match="no such scenario file"):
        load_scenario(str(tmp_path / "nope.toml"))
    bad = write(tmp_path, "name = [unclosed\n")
    with pytest.raises(UserError, match=r"bad|s\.toml: invalid TOML"):
        load_scenario(str(bad))
    with pytest.raises(UserError, match="unknown scenario 'atlantis'; shipped: baseline_2023"):
        load_scenario("atlantis")


def test_unknown_fact_id_is_an_error(tmp_path):
    path = write(tmp_path, BASE.format(name="f") + 'facts = ["F999"]\n')
    with pytest.raises(UserError, match=r"facts\[\d+\]: unknown fact id 'F999'"):
        load_scenario(str(path), known_facts=known_fact_ids())


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        ("events = 3\n", r"child\.toml: events: expected \[\[events\]\] tables, got 3"),
        ('[events]\nat = "2025Q1"\n', r"child\.toml: events: expected \[\[events\]\] tables, got \{"),
        ('facts = "F01"\n', r"child\.toml: facts: expected a list of fact ids, got 'F01'"),
    ],
)
def test_a_file_that_extends_another_with_events_or_facts_not_a_list_is_one_error(tmp_path, body, pattern):
    child = tmp_path / "child.toml"
    child.write_text('extends = "baseline_2023"\n' + body)
    with pytest.raises(UserError, match=pattern):
        load_scenario(str(child))


def test_an_unknown_fact_id_is_named_by_the_index_in_its_own_file(tmp_path):
    """The merged list starts with the parent's facts; the message points into the user's file."""
    child = tmp_path / "child.toml"
    child.write_text('extends = "baseline_2023"\nfacts = ["F01", "F999"]\n')
    with pytest.raises(UserError, match=r"child\.toml: facts\[1\]: unknown fact id 'F999'"):
        load_scenario(str(child), known_facts=known_fact_ids())
    child.write_text(
        'extends = "baseline_2023"\n[[events]]\nat = "2025Q1"\nname = "e"\nfacts = ["F999"]\n'
        'set = { "world.sanctions" = 0.7 }\n'
    )
    with pytest.raises(UserError, match=r"child\.toml: events\[0\]\.facts\[0\]: unknown fact id"):
        load_scenario(str(child), known_facts=known_fact_ids())


def test_with_overrides_sets_paths_and_validates():
    s = load_scenario("baseline_2023")
    t = s.with_overrides({"powers.russia.tolerance": 0.3, "strategies.multivector.level": 0.5})
    assert t.powers["russia"].tolerance == 0.3
    assert t.strategies["multivector"]["level"] == 0.5
    assert s.powers["russia"].tolerance != 0.3, "the original is unchanged"
    with pytest.raises(ValueError, match="unknown parameter path"):
        s.with_overrides({"powers.russia.mood": 1})
    with pytest.raises(ValueError):
        s.with_overrides({"powers.russia.tolerance": 3.0})


def test_events_fire_in_the_quarter_they_name():
    s = load_scenario("sanctions_escalation")
    steps = {e.event.at: e.step for e in s.timeline()}
    assert steps["2025Q2"] == 6  # 2024Q1 is step 1
    assert s.timeline()[0].params.world.sanctions == 0.8


def test_each_timeline_snapshot_keeps_its_own_values():
    """A later event's change never reaches an earlier event's parameters (strategy tables included)."""
    base = load_scenario("baseline_2023")
    s = base.model_validate(
        base.model_dump()
        | {
            "events": [
                {"at": "2024Q2", "name": "one", "set": {"strategies.multivector.level": 0.5}},
                {"at": "2024Q3", "name": "two", "set": {"strategies.multivector.level": 0.7}},
                {"at": "2024Q4", "name": "three", "add": {"world.sanctions": 0.1}},
            ]
        }
    )
    first, second, third = (e.params for e in s.timeline())
    assert first.strategies["multivector"]["level"] == 0.5
    assert second.strategies["multivector"]["level"] == third.strategies["multivector"]["level"] == 0.7
    assert first.world.sanctions == second.world.sanctions == third.world.sanctions - 0.1


def test_every_sweepable_parameter_names_its_source():
    """A fact id, a data source, or 'assumption' with a range (or a note that it is not behaviour)."""
    from sim.model.catalogue import sweepable

    marker = re.compile(r"assumption|\b[FD]\d\d\b|World Bank|SIPRI|data|fitted|resolution|start year")
    unsourced = [
        p
        for p, info in sweepable(load_scenario("baseline_2023")).items()
        if not marker.search(info.description)
    ]
    assert not unsourced, unsourced


@given(content=st.binary(max_size=400))
def test_any_bytes_as_a_scenario_file_give_a_scenario_or_one_user_error(tmp_path_factory, content):
    """Random bytes (not UTF-8, not TOML, TOML of the wrong shape): never a traceback."""
    path = tmp_path_factory.mktemp("fuzz") / "s.toml"
    path.write_bytes(content)
    try:
        load_scenario(str(path))
    except UserError as err:
        assert "\n" not in str(err) and str(path) in str(err)


@given(
    key=st.sampled_from(["world.rivalry", "powers.russia.tolerance", "pivot.capacity", "world.oil.mean"]),
    value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5), st.booleans()),
)
def test_any_value_for_a_parameter_gives_a_scenario_or_one_user_error(tmp_path_factory, key, value):
    table, _, field = key.rpartition(".")
    if isinstance(value, bool):
        literal = "true" if value else "false"
    elif isinstance(value, float):
        literal = {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    else:
        literal = json.dumps(value)  # a TOML basic string
    path = tmp_path_factory.mktemp("fuzz") / "s.toml"
    path.write_text(f'extends = "baseline_2023"\n[{table}]\n{field} = {literal}\n', encoding="utf-8")
    try:
        scenario = load_scenario(str(path))
    except UserError as err:
        assert "\n" not in str(err) and str(path) in str(err)
    else:
        assert isinstance(scenario.world.rivalry, float)
