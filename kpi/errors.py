"""The ``kpi`` command's expected failures and exit statuses.

A failure the user can cause (a bad argument, an unreachable database, a red build) is
raised as a :class:`CliError` anywhere below the command line; ``kpi.cli.main`` prints it
as one line on stderr and exits with its status, so no traceback reaches the user.
"""

from __future__ import annotations

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NOT_RUNNING = 3  # `kpi db status`: the embedded server is not running
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """An expected failure: printed as one line, exit status ``code``."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def first_line(exc: BaseException, default: str) -> str:
    """The first line of ``exc``'s message (psycopg's span several), or ``default``."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else default
