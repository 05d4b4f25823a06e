"""Copy one exported table's rows from the warehouse into the app database.

Two ways, the same rows (binary COPY FROM STDIN on the app side in both):

- **pipe**, on a PostgreSQL warehouse: binary ``COPY TO STDOUT`` piped block by block
  into the app, never decoded in Python (the fastest way there is);
- **cursor**, the only way on Redshift (it has no ``COPY TO STDOUT``): a server-side
  cursor read in batches of :data:`BATCH_ROWS`, so memory stays flat at any scale.

Either reads inside the warehouse connection's transaction, so every table of a sync
comes from one snapshot.
"""

from __future__ import annotations

from collections.abc import Callable

from psycopg import Connection, sql

from sync.manifest import ExportedTable
from sync.schema import identifier_list

BATCH_ROWS = 20_000
METHODS = ("auto", "copy", "cursor")


def uses_cursor(warehouse: Connection, method: str) -> bool:
    """Whether ``method`` ("copy", "cursor" or "auto": by the warehouse) means the cursor."""
    if method == "auto":
        (version,) = warehouse.execute("select version()").fetchone()
        return "redshift" in version.lower()
    return method != "copy"


def copy_rows(
    warehouse: Connection,
    app: Connection,
    table: ExportedTable,
    into: sql.Identifier,
    advance: Callable[[int], None],
    *,
    by_cursor: bool,
    where: sql.Composable | None = None,
) -> int:
    """Copy ``table``'s warehouse rows (``where``: a filter) into ``into`` (app table or stage).

    Returns the number of rows; ``advance`` is told as they arrive (a progress bar).
    """
    columns = identifier_list(table.column_names)
    select = sql.SQL("select {} from {} {}").format(
        columns, sql.Identifier(table.schema, table.name), where or sql.SQL("")
    )
    copy_in = sql.SQL("copy {} ({}) from stdin (format binary)").format(into, columns)
    if by_cursor:
        return _by_cursor(warehouse, app, table, into, select, copy_in, advance)
    return _by_pipe(warehouse, app, select, copy_in, advance)


def _by_cursor(
    warehouse: Connection,
    app: Connection,
    table: ExportedTable,
    into: sql.Identifier,
    select: sql.Composable,
    copy_in: sql.Composable,
    advance: Callable[[int], None],
) -> int:
    """Stream rows through a server-side cursor into a binary COPY.

    Binary COPY needs each column's type up front: read from ``into`` itself, so the
    values are encoded as the app table stores them.
    """
    type_oids = [
        oid
        for (oid,) in app.execute(
            sql.SQL(
                "select atttypid from pg_attribute where attrelid = {}::regclass"
                " and attname::text = any(%s) order by array_position(%s, attname::text)"
            ).format(sql.Literal(into.as_string(app))),
            [list(table.column_names), list(table.column_names)],
        ).fetchall()
    ]
    rows = 0
    with (
        warehouse.cursor(name=f"read_{table.name}") as reader,
        app.cursor() as writer,
        writer.copy(copy_in) as cp,
    ):
        cp.set_types(type_oids)
        reader.itersize = BATCH_ROWS
        reader.execute(select)
        while batch := reader.fetchmany(BATCH_ROWS):
            for row in batch:
                cp.write_row(row)
            rows += len(batch)
            advance(len(batch))
    return rows


def _by_pipe(
    warehouse: Connection,
    app: Connection,
    select: sql.Composable,
    copy_in: sql.Composable,
    advance: Callable[[int], None],
) -> int:
    """Pipe binary ``COPY (select) TO STDOUT`` straight into the app's ``COPY FROM STDIN``."""
    copy_out = sql.SQL("copy ({}) to stdout (format binary)").format(select)
    with warehouse.cursor() as reader, app.cursor() as writer:
        with reader.copy(copy_out) as out, writer.copy(copy_in) as into_app:
            for block in out:
                into_app.write(block)
        rows = writer.rowcount
    advance(rows)
    return rows
