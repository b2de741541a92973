"""The project's one exception type for mistakes a user can fix, and how its messages name options.

A message names the caller's parameter at fault in backticks, spelt as in Python: for example
"`replicates`: expected at least 1, got 0", or "use `force=True` to overwrite". That is right
for a Python user; a front end shows the same names in its own terms with :func:`render` (the
command line says --replicates and --force).
"""

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError

_PARAMETER = re.compile(r"`([a-z_][a-z0-9_]*)(=True)?`")


class UserError(Exception):
    """A problem with the user's input: a file, a field, a name or an option.

    The message is one line naming what is wrong and what was expected; the CLI prints it
    to stderr and exits non-zero without a traceback.
    """


def render(message: str, name_of: Callable[[str], str | None]) -> str:
    """The message with each backticked parameter replaced by ``name_of(parameter)``.

    Parameters that ``name_of`` does not know (it returns None) are left as written.
    """

    def swap(match: re.Match[str]) -> str:
        name = name_of(match.group(1))
        return match.group(0) if name is None else name

    return _PARAMETER.sub(swap, message)


def describe_validation(err: "ValidationError", prefix: str = "", model: type | None = None) -> str:
    """Every error of a pydantic ``ValidationError`` on one line: ``key.path: message (got value)``.

    List items read ``events[2]``; keys that hold dots are quoted (``parameters."world.rivalry"``);
    ``prefix`` is put before every key path (the table the validated data came from). With the
    validated ``model`` class, an unknown key is answered with the closest known one.
    """
    parts = []
    for item in err.errors():
        loc = ""
        for part in item["loc"]:
            if isinstance(part, int):
                loc += f"[{part}]"
            else:
                key = f'"{part}"' if "." in str(part) else str(part)
                loc += f".{key}" if loc else key
        path = ".".join(p for p in (prefix, loc) if p)
        if item["type"] == "extra_forbidden":
            message = "unknown key" + _did_you_mean(model, item["loc"])
        elif item["type"] == "missing":
            message = "required, missing"
        else:
            message = item["msg"].removeprefix("Value error, ")
            message += f" (got {item['input']!r})" if item["type"] != "value_error" else ""
        parts.append(f"{path}: {message}" if path else message)
    return "; ".join(parts)


def _did_you_mean(model: type | None, loc: tuple) -> str:
    """``; did you mean 'x'?`` when the keys beside ``loc`` in ``model`` hold a close match."""
    import difflib

    known = _keys_at(model, loc[:-1]) if model is not None else None
    close = difflib.get_close_matches(str(loc[-1]), known or [], n=1, cutoff=0.7)
    return f"; did you mean {close[0]!r}?" if close else ""


def _keys_at(model: type, loc: tuple) -> list[str] | None:
    """The field names of the pydantic model found at ``loc`` under ``model``, or None."""
    from typing import get_args, get_origin

    node: object = model
    for part in loc:
        node = _bare(node)
        if _is_model(node):
            field = node.model_fields.get(str(part))
            if field is None:
                return None
            node = field.annotation
        elif get_origin(node) in (dict, list, tuple) and get_args(node):
            node = get_args(node)[-1]  # ``part`` is a key or an index: step into the values
        else:
            return None
    node = _bare(node)
    return list(node.model_fields) if _is_model(node) else None


def _bare(node: object) -> object:
    """A type without its ``Optional``/``Union``/``Annotated`` wrapping (the model, if one is in it)."""
    from types import UnionType
    from typing import Annotated, Union, get_args, get_origin

    while get_origin(node) in (Union, UnionType, Annotated):
        args = [a for a in get_args(node) if a is not type(None)]
        node = next((a for a in args if _is_model(a)), args[0])
    return node


def _is_model(node: object) -> bool:
    from pydantic import BaseModel

    return isinstance(node, type) and issubclass(node, BaseModel)
