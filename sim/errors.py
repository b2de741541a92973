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


def describe_validation(err: "ValidationError", prefix: str = "") -> str:
    """Every error of a pydantic ``ValidationError`` on one line: ``key.path: message (got value)``.

    List items read ``events[2]``; keys that hold dots are quoted (``parameters."world.rivalry"``);
    ``prefix`` is put before every key path (the table the validated data came from).
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
        message = item["msg"].removeprefix("Value error, ")
        got = f" (got {item['input']!r})" if item["type"] not in ("value_error", "missing") else ""
        parts.append(f"{path}: {message}{got}" if path else message)
    return "; ".join(parts)
