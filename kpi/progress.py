"""Progress of the long table-by-table commands (``generate``, ``sync``).

On a terminal each table gets a rich progress bar on stderr; anywhere else (CI logs,
pipes) one plain line per table, so captured output carries no cursor movements or
colour codes.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

# advance(n): called after every chunk with the number of rows written.
Advance = Callable[[int], None]
# reporter(table, expected_rows) -> advance: how a caller (the CLI's progress bars) watches
# a table being written; the one progress type of the generators and the sync.
Reporter = Callable[[str, int], Advance]


@contextlib.contextmanager
def progress_reporter() -> Iterator[Reporter]:
    """A per-table progress bar on a terminal, plain lines elsewhere (CI, pipes)."""
    if not sys.stderr.isatty():
        yield _report_plain
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    # The bar goes where the plain lines go: stdout stays the command's summary alone.
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as bar:

        def report(table: str, total: int) -> Advance:
            task = bar.add_task(table, total=total or None)
            return lambda n: bar.advance(task, n)

        yield report


def _report_plain(table: str, total: int) -> Advance:
    print(f"  {table}" + (f" (~{total:,} rows)" if total else ""), file=sys.stderr, flush=True)
    return lambda n: None


def print_row_counts(rows: dict[str, int]) -> None:
    """One aligned line per table, in name order: the summary after generate and sync."""
    for table, count in sorted(rows.items()):
        print(f"  {table:45s} {count:>12,}")
