"""The project's one exception type for mistakes a user can fix."""


class UserError(Exception):
    """A problem with the user's input: a file, a field, a name or an option.

    The message is one line naming what is wrong and what was expected; the CLI prints it
    to stderr and exits non-zero without a traceback.
    """
