"""The ``multivector`` command line: the typer app and the commands it holds.

Every command is a thin function in the module of its group (``run``, ``sweep``, ``analyze``,
``evidence``): parse, call the library, print, exit. Library modules are imported inside the
commands, so ``multivector --help`` starts fast.
"""

from typing import Annotated

import typer

from sim import __version__
from sim.cli.analyze import analyze, export
from sim.cli.bargain import bargain
from sim.cli.common import OneLineErrors
from sim.cli.evidence import calibrate, hindcast
from sim.cli.explore import explore
from sim.cli.helptext import PlainGroup, plain_help
from sim.cli.run import run, scenarios_app, strategies, validate
from sim.cli.sweep import parameters, sweep


class AppGroup(OneLineErrors, PlainGroup):
    """The top-level group: one-line usage errors, plain help labels."""


app = typer.Typer(
    cls=AppGroup,
    help="Simulate a middle state (Kazakhstan) balancing between great powers.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"multivector {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Simulate a middle state (Kazakhstan) balancing between great powers."""


app.command("run")(run)
app.command("strategies")(strategies)
app.command("validate")(validate)
app.command("analyze")(analyze)
app.command("export")(export)
app.command("sweep")(sweep)
app.command("parameters")(parameters)
app.command("calibrate")(calibrate)
app.command("hindcast")(hindcast)
app.command("bargain")(bargain)
app.command("explore")(explore)
app.add_typer(scenarios_app, name="scenarios")
plain_help(app)  # after every registration: plain value names and one example per command

if __name__ == "__main__":
    app()
