"""Diff the exported marts of two warehouses, row by row on their unique keys.

Made for the first run on a real Redshift cluster: build the same sources on PostgreSQL
and on Redshift, then ``kpi compare`` the two. Each exported table (``meta.sync`` in the
manifest, the same list the sync publishes) is read from both sides ordered by its key
through server-side cursors (Redshift has no ``COPY TO STDOUT``), and the two sorted
streams are merged, so memory stays flat at any size.

What counts as equal comes from each column's contract type, not from a list of names:

- ``numeric(p, s)``: the rounded metrics of SPEC §6/§7 (rates at 4 decimals, percents and
  NPS at 2, outlier scores at 4) may differ by one unit in their last digit, 10^-s: two
  engines can round an intermediate half differently;
- ``double precision`` / ``real`` (the unrounded ratios of SPEC §7): relative 1e-9, the
  last bits of a float division are not portable;
- everything else (integers, text, dates, timestamps, booleans): exactly equal.

Only key values are reported, never other columns: a row of ``provider_visits`` holds a
patient's name and Athena id, its key does not.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal

import psycopg
from psycopg import sql

from sync.manifest import Column, ExportedTable

BATCH_ROWS = 20_000
EXAMPLES = 3
FLOAT_RELATIVE_TOLERANCE = 1e-9
_NUMERIC = re.compile(r"^\s*(?:numeric|decimal)\s*\(\s*\d+\s*,\s*(\d+)\s*\)\s*$", re.IGNORECASE)
_FLOAT = re.compile(r"^\s*(?:double precision|float8?|real|float4)\s*$", re.IGNORECASE)
_TEXT = re.compile(r"^\s*(?:text|varchar|character varying|char|character)\b", re.IGNORECASE)

Equal = Callable[[object, object], bool]


@dataclass
class TableDiff:
    """What differs between the two sides of one exported table (keys only)."""

    table: str
    key_columns: tuple[str, ...] = ()
    left_rows: int = 0
    right_rows: int = 0
    only_left: int = 0
    only_right: int = 0
    differing: int = 0
    examples_only_left: list[tuple] = field(default_factory=list)
    examples_only_right: list[tuple] = field(default_factory=list)
    examples_differing: list[tuple] = field(default_factory=list)
    differing_columns: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    @property
    def matches(self) -> bool:
        """Same rows on both sides, each equal within its columns' tolerance."""
        return self.error is None and not (self.only_left or self.only_right or self.differing)


def equality_for(column: Column) -> Equal:
    """How two values of ``column`` are compared, from its contract type."""
    numeric = _NUMERIC.match(column.data_type)
    if numeric:
        last_digit = Decimal(1).scaleb(-int(numeric.group(1)))
        # Through str: one driver may hand a numeric back as a float, the other as Decimal.
        return lambda a, b: _both_null_or(
            a, b, lambda x, y: abs(Decimal(str(x)) - Decimal(str(y))) <= last_digit
        )
    if _FLOAT.match(column.data_type):
        return lambda a, b: _both_null_or(
            a,
            b,
            lambda x, y: math.isclose(
                float(x), float(y), rel_tol=FLOAT_RELATIVE_TOLERANCE, abs_tol=1e-12
            ),
        )
    return lambda a, b: a == b


def _both_null_or(a: object, b: object, close: Callable[[object, object], bool]) -> bool:
    """NULL equals only NULL (a metric with no data must stay NULL on both sides)."""
    if a is None or b is None:
        return a is None and b is None
    return close(a, b)


def is_redshift(conn: psycopg.Connection) -> bool:
    """Whether ``conn`` is Redshift: it needs no collation to order text by bytes."""
    (version,) = conn.execute("select version()").fetchone()
    return "redshift" in version.lower()


def _ordered_select(table: ExportedTable, redshift: bool) -> sql.Composed:
    """The table's columns, key first, ordered by the key in byte order on both engines.

    Python compares str by code point, i.e. by UTF-8 bytes; Redshift's default collation
    orders that way, PostgreSQL does with ``collate "C"`` (text keys only).
    """
    types = {c.name: c.data_type for c in table.columns}
    others = [c.name for c in table.columns if c.name not in table.unique_key]
    order = [
        sql.SQL('{} collate "C"').format(sql.Identifier(k))
        if not redshift and _TEXT.match(types[k])
        else sql.Identifier(k)
        for k in table.unique_key
    ]
    return sql.SQL("select {} from {} order by {}").format(
        sql.SQL(", ").join(map(sql.Identifier, [*table.unique_key, *others])),
        sql.Identifier(table.schema, table.name),
        sql.SQL(", ").join(order),
    )


def _stream(conn: psycopg.Connection, table: ExportedTable, side: str) -> Iterator[tuple]:
    """The table's rows in key order through a server-side cursor, batch by batch."""
    query = _ordered_select(table, is_redshift(conn))
    with conn.cursor(name=f"compare_{side}_{table.name}") as cursor:
        cursor.itersize = BATCH_ROWS
        cursor.execute(query)
        while batch := cursor.fetchmany(BATCH_ROWS):
            yield from batch


def _note(examples: list[tuple], key: tuple) -> None:
    """Keep the first few keys of a kind: enough to look into, never a dump of the table."""
    if len(examples) < EXAMPLES:
        examples.append(key)


def diff_table(
    left: psycopg.Connection, right: psycopg.Connection, table: ExportedTable
) -> TableDiff:
    """Merge the two key-ordered streams of ``table`` and count what differs."""
    result = TableDiff(table.qualified, table.unique_key)
    lefts, rights = _stream(left, table, "left"), _stream(right, table, "right")
    # Closed before any rollback: a cursor closed after it would no longer exist.
    with closing(lefts), closing(rights):
        _merge(result, table, lefts, rights)
    return result


def _merge(
    result: TableDiff, table: ExportedTable, lefts: Iterator[tuple], rights: Iterator[tuple]
) -> None:
    """Walk both key-ordered streams at once: a key on one side only, or on both."""
    width = len(table.unique_key)
    columns = [c for c in table.columns if c.name not in table.unique_key]
    equal = [equality_for(c) for c in columns]
    a, b = next(lefts, None), next(rights, None)
    while a is not None or b is not None:
        key_a = a[:width] if a is not None else None
        key_b = b[:width] if b is not None else None
        if key_b is None or (key_a is not None and key_a < key_b):
            result.only_left += 1
            _note(result.examples_only_left, key_a)
            result.left_rows += 1
            a = next(lefts, None)
        elif key_a is None or key_b < key_a:
            result.only_right += 1
            _note(result.examples_only_right, key_b)
            result.right_rows += 1
            b = next(rights, None)
        else:
            _compare_row(result, columns, equal, key_a, a[width:], b[width:])
            result.left_rows += 1
            result.right_rows += 1
            a, b = next(lefts, None), next(rights, None)


def _compare_row(
    result: TableDiff,
    columns: Sequence[Column],
    equal: Sequence[Equal],
    key: tuple,
    left_values: tuple,
    right_values: tuple,
) -> None:
    """Count a row whose key is on both sides as differing when any column is not equal."""
    differ = [
        column.name
        for column, same, x, y in zip(columns, equal, left_values, right_values, strict=True)
        if not same(x, y)
    ]
    if differ:
        result.differing += 1
        _note(result.examples_differing, key)
        for name in differ:
            result.differing_columns[name] = result.differing_columns.get(name, 0) + 1


def compare_warehouses(
    left_dsn: str, right_dsn: str, tables: Sequence[ExportedTable]
) -> list[TableDiff]:
    """Diff every exported table of the two warehouses; a table that cannot be read on a
    side is reported with the reason (its first line), and the others still compared."""
    results = []
    with psycopg.connect(left_dsn) as left, psycopg.connect(right_dsn) as right:
        for table in tables:
            try:
                results.append(diff_table(left, right, table))
            except psycopg.Error as exc:
                left.rollback()
                right.rollback()
                reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                results.append(TableDiff(table.qualified, table.unique_key, error=reason))
    return results
