"""Every command's --help: plain value names, choices listed, defaults shown, one example each."""

import re
import shlex

import pytest
import typer
from typer.testing import CliRunner

from sim.cli.app import app
from sim.cli.helptext import EXAMPLES

runner = CliRunner()


def command_paths() -> list[tuple[str, ...]]:
    """Every command below ``multivector`` as its words, groups included (e.g. ``scenarios show``)."""
    paths = []

    def walk(cmd, prefix):
        for name, sub in getattr(cmd, "commands", {}).items():
            paths.append((*prefix, name))
            walk(sub, (*prefix, name))

    walk(typer.main.get_command(app), ())
    return paths


def help_text(*words: str) -> str:
    result = runner.invoke(app, [*words, "--help"], env={"COLUMNS": "200", "TERMINAL_WIDTH": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_the_walk_finds_every_command_and_each_has_an_example():
    paths = command_paths()
    assert {"run", "sweep", "analyze", "export", "calibrate"} <= {p[0] for p in paths}
    assert ("scenarios", "show") in paths
    assert sorted(" ".join(p) for p in paths) == sorted(EXAMPLES)


@pytest.mark.parametrize("words", [(), *command_paths()], ids=lambda w: " ".join(w) or "multivector")
def test_help_is_plain(words):
    text = help_text(*words)
    assert not re.search(r"<(bool|int|float|str|list|path|int range)\b", text), text
    assert not re.search(r"\w \.(\s|$)", text), "a space before a full stop"
    if words:
        examples = [line for line in text.splitlines() if "Example:" in line]
        assert len(examples) == 1, text
        assert EXAMPLES[" ".join(words)].startswith("multivector " + " ".join(words))
        assert EXAMPLES[" ".join(words)].split("--")[0].strip() in " ".join(text.split())


@pytest.mark.parametrize(
    ("words", "choices"),
    [(("sweep",), "[local|dask]"), (("export",), "[ema]"), (("bargain",), "[bdm|ktab|all]")],
)
def test_choices_are_listed(words, choices):
    assert choices in help_text(*words)


@pytest.mark.parametrize(
    ("words", "default"),
    [
        (("run",), "results/latest"),
        (("sweep",), "results/sweeps/NAME"),
        (("analyze",), "RESULTS_DIR/analysis"),
        (("export",), "RESULTS_DIR/ema_results.tar.gz"),
        (("hindcast",), "results/hindcast_START_END"),
        (("calibrate",), "results/calibration/NAME"),
        (("bargain",), "results/bargain"),
    ],
)
def test_the_out_default_is_shown(words, default):
    text = " ".join(help_text(*words).split())
    assert f"[default: ({default}" in text, text


def test_flags_have_no_value_label_and_values_do():
    text = help_text("run")
    force = next(line for line in text.splitlines() if "--force" in line)
    assert "BOOL" not in force.upper().replace("--FORCE", "")
    assert re.search(r"--replicates\s+-r\s+INTEGER", text)
    assert re.search(r"--seed\s+INTEGER \[x>=0\]", text)
    assert "run [OPTIONS] [SCENARIOS]..." in text  # arguments in capitals, as click has them
    assert "{SPEC}" in help_text("sweep")


def test_shell_completion_is_on():
    assert "--install-completion" in help_text()
    result = runner.invoke(app, ["--show-completion", "bash"], prog_name="multivector")
    assert result.exit_code == 0
    assert "_MULTIVECTOR_COMPLETE=complete_bash" in result.output
    words = runner.invoke(
        app, [], prog_name="multivector",
        env={"_MULTIVECTOR_COMPLETE": "complete_bash", "COMP_WORDS": "multivector sw", "COMP_CWORD": "1"},
    )  # fmt: skip
    assert words.output.split() == ["sweep"]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_parses(name):
    """Each example's words are options and values its command accepts (parsed, not run)."""
    words = shlex.split(EXAMPLES[name])
    assert words[0] == "multivector"
    command = typer.main.get_command(app)
    for word in name.split():
        command = command.commands[word]
    command.make_context(name, words[1 + len(name.split()) :])  # raises on an unknown option or bad value


def test_a_bad_example_would_be_caught():
    command = typer.main.get_command(app).commands["run"]
    with pytest.raises(Exception, match="No such option"):
        command.make_context("run", ["--no-such-flag"])
