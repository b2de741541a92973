"""Pieces shared by the CLI commands: options defined once, error handling, progress bars."""

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sim.errors import UserError

OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Output folder.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite a non-empty output folder.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary table.")]
SeedOption = Annotated[int, typer.Option("--seed", min=0, help="Root random seed.")]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one error line to stderr (newlines in the message folded) and return the Exit to raise."""
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return typer.Exit(code)


def handle_user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn UserError (and Ctrl-C) into one line on stderr and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as err:
            raise fail(str(err)) from None
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None

    return wrapper


@contextmanager
def progress_bar(total: int, label: str, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on a terminal; silent when piped or ``quiet``. Yields advance(n)."""
    if quiet or not sys.stderr.isatty():
        yield lambda n=1: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[note]}"),
    )
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task(label, total=total, note="")
        yield lambda n=1: progress.advance(task, n)
