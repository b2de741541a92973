"""Plain ``--help`` for every command: value names as click spells them, one example each.

Typer 0.29 labels values with Python annotations (``<bool>``, ``<list[str]>``, ``<int range>``);
users read ``INTEGER``, ``TEXT``, ``PATH`` and a choice's values (``[local|dask]``), and flags
need no label at all. :class:`PlainCommand` and :class:`PlainGroup` relabel their parameters
when help is drawn, so the commands' own signatures stay as they are. :data:`EXAMPLES` holds
the one example line each command shows under its help (tests/test_cli_help.py checks both).
"""

from pathlib import PurePath
from typing import Any, get_args

from typer import _click as click
from typer.core import TyperArgument, TyperCommand, TyperGroup

# One example per command, shown as the help's epilog; keys are command paths below ``multivector``.
EXAMPLES = {
    "run": "multivector run baseline_2023 -s multivector -s pivot_west -r 20 --out results/demo",
    "strategies": "multivector strategies",
    "validate": "multivector validate scenarios/*.toml",
    "analyze": "multivector analyze results/demo -t 'autonomy_mean>=0.7'",
    "export": "multivector export results/demo --format ema --out demo_ema.tar.gz",
    "sweep": "multivector sweep scenarios/sweeps/eaeu_grid.toml --workers 2 --out results/eaeu",
    "parameters": "multivector parameters russia",
    "calibrate": "multivector calibrate trade_2011_2018 --quick",
    "hindcast": "multivector hindcast --start 2015 --end 2023 -r 50",
    "bargain": "multivector bargain scenarios/issues/kz_npp_vendor.toml --model all",
    "explore": "multivector explore results/demo --port 8765",
    "scenarios": "multivector scenarios",
    "scenarios show": "multivector scenarios show sanctions_escalation",
}

_NAMES = {bool: "BOOLEAN", int: "INTEGER", float: "FLOAT", str: "TEXT"}


def epilog(command: str) -> str:
    """The help epilog of ``command`` (a key of :data:`EXAMPLES`): its one example."""
    return f"Example: {EXAMPLES[command]}"


def plain_type(param: Any) -> str | None:
    """The label click would print for a typer parameter: ``INTEGER``, ``TEXT``, ``[csv|ema]``.

    ``""`` for a flag (it takes no value); ``None`` for a parameter typer did not build.
    """
    desc = getattr(param, "type_descriptor", None)
    if desc is None:
        return None
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""
    if desc.is_choice:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in desc.choices) + "]"
    if desc.is_path or desc.is_file:
        return "PATH"
    annotation = get_args(desc.annotation)[0] if desc.is_list else desc.annotation
    if isinstance(annotation, type) and issubclass(annotation, PurePath):
        return "PATH"
    return _NAMES.get(annotation, getattr(annotation, "__name__", "VALUE").upper())


def _relabel(params: list[click.Parameter], ctx: click.Context) -> list[click.Parameter]:
    for param in params:
        label = plain_type(param)
        if label is None:
            continue
        if isinstance(param, TyperArgument):
            # Typer draws an argument's label from its annotation alone (no metavar hook).
            param.display_type_rich = lambda ctx, label=label: label  # type: ignore[method-assign]
            if param.metavar is None and param.name:
                param.metavar = param.name.upper()  # SPEC, FILES: click's convention for values
        elif param.metavar is None:
            param.metavar = label
    return params


class PlainCommand(TyperCommand):
    """A typer command whose help labels values plainly (see the module docstring)."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        """The command's parameters, relabelled for help."""
        return _relabel(super().get_params(ctx), ctx)


class PlainGroup(TyperGroup):
    """A typer group (the app, ``scenarios``) whose help labels values plainly."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        """The group's parameters, relabelled for help."""
        return _relabel(super().get_params(ctx), ctx)


def plain_help(app: Any, prefix: str = "") -> None:
    """Give every command and group registered on the typer ``app`` plain help and its example.

    Called once after the commands are registered, so registering a command stays one line; a
    command without an entry in :data:`EXAMPLES` gets no example (and tests/test_cli_help.py fails).
    """
    for info in app.registered_commands:
        name = prefix + (info.name or info.callback.__name__)
        info.cls = PlainCommand
        info.epilog = info.epilog or (epilog(name) if name in EXAMPLES else None)
    for group in app.registered_groups:
        name = prefix + group.name
        group.cls = PlainGroup
        group.epilog = group.epilog or (epilog(name) if name in EXAMPLES else None)
        plain_help(group.typer_instance, f"{name} ")
