"""Pieces shared by the CLI commands: options defined once, error lines, the progress bar.

Library errors name parameters as Python spells them (``replicates``, ``force=True``; see
``sim.errors``); here they become the command's own flags (``--replicates``, ``--force``).
"""

import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from typer.core import TyperGroup
from typer.models import OptionInfo
from typer.utils import get_params_from_function

from sim.errors import UserError, render

try:  # typer 0.29 carries its own copy of click; its exceptions live there
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - older typer uses click itself
    from click.exceptions import NoArgsIsHelpError, UsageError

OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Output folder.")]


def out_option(default: str) -> Any:
    """The ``--out`` option of a command whose output folder defaults to ``default`` (shown in --help)."""
    return Annotated[Path | None, typer.Option("--out", "-o", help="Output folder.", show_default=default)]


ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite a non-empty output folder.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary table.")]
SeedOption = Annotated[int, typer.Option("--seed", min=0, help="Root random seed.")]


def option_flags(command: Callable[..., Any]) -> dict[str, str]:
    """A command's long flag for each of its Python parameters (``record_every`` -> ``--record-every``)."""
    flags = {}
    for name, meta in get_params_from_function(command).items():
        if isinstance(meta.default, OptionInfo):
            long = [d.split("/")[0] for d in meta.default.param_decls or () if d.startswith("--")]
            flags[name] = long[0] if long else "--" + name.replace("_", "-")
    return flags


def print_error(message: str, flags: Mapping[str, str] | None = None) -> None:
    """Print ``error: MESSAGE`` on one line to stderr, naming parameters by their ``flags``."""
    named = render(message, (flags or {}).get)
    typer.echo(f"error: {' '.join(named.split())}", err=True)


def fail(message: str, code: int = 2, flags: Mapping[str, str] | None = None) -> typer.Exit:
    """Print one error line to stderr and return the Exit to raise."""
    print_error(message, flags)
    return typer.Exit(code)


def handle_user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn UserError (and Ctrl-C) into one line on stderr and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as err:
            raise fail(str(err), flags=option_flags(func)) from None
        except OSError as err:  # a file the library did not expect to fail (name too long, ...)
            where = f"{err.filename}: " if err.filename else ""
            raise fail(f"{where}{err.strerror or err}") from None
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None

    return wrapper


class OneLineErrors(TyperGroup):
    """The app's command group: a command-line mistake is one line on stderr, like a UserError.

    Click reports a bad option value, a missing argument or an unknown option with the usage
    and a boxed message over several lines; here it is ``error: MESSAGE (see: COMMAND --help)``
    with exit code 2, so every mistake reads the same whichever layer caught it.
    """

    def make_context(self, *args: Any, **kwargs: Any) -> typer.Context:
        """Parse the command line; Ctrl-C meanwhile is one line, as inside a command."""
        try:
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None

    def invoke(self, ctx: typer.Context) -> Any:
        """Run the subcommand, turning its usage errors (and a Ctrl-C) into one line."""
        try:
            return super().invoke(ctx)
        except NoArgsIsHelpError:
            raise
        except KeyboardInterrupt:  # before or after the command's own handler runs
            raise fail("interrupted", 130) from None
        except UsageError as err:
            where = err.ctx.command_path if err.ctx is not None else ctx.command_path
            # typer's pydantic-style checks prefix "Value error, " and end in a full stop
            message = err.format_message().replace(": Value error, ", ": ").rstrip(".")
            print_error(f"{message} (see: {where} --help)")
            raise typer.Exit(2) from None


@contextmanager
def taken_back_on_interrupt(out: Path, names: tuple[str, ...]) -> Iterator[None]:
    """On Ctrl-C while a command writes ``names`` into ``out``, remove them and re-raise.

    A folder holding some of a command's files but not its manifest.json looks finished and is
    not, and the next command into it would ask for --force. The folder was empty, or --force
    was given to replace these very files, so nothing else is lost; it is removed if that
    empties it.
    """
    try:
        yield
    except KeyboardInterrupt:
        for name in names:
            (out / name).unlink(missing_ok=True)
        if out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        raise


@contextmanager
def working(message: str, quiet: bool) -> Iterator[None]:
    """A spinner with ``message`` on a terminal while a step without countable units runs."""
    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield
        return
    with console.status(message):
        yield


@contextmanager
def progress_bar(total: int, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar with ETA and failures on a terminal; silent when piped or ``quiet``.

    Yields ``advance(runs, failed)``. The bar starts on the first call, so that a sweep's
    worker pool is forked before the bar's thread exists (see ``sim.experiments.backends``).
    """
    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield lambda runs, failed: None
        return
    bar = Progress(
        TextColumn("runs"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[failed]} failed"),
        console=console,
        transient=True,
    )
    task = bar.add_task("runs", total=total, failed=0)
    failures = 0

    def advance(runs: int, failed: int) -> None:
        nonlocal failures
        if not bar.live.is_started:
            bar.start()
        failures += failed
        bar.update(task, advance=runs, failed=failures)

    try:
        yield advance
    finally:
        bar.stop()
