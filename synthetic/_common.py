"""Shared plumbing for the synthetic generators: column-wise COPY and progress reporting.

Generators build each table as a dict of equally long columns (numpy arrays or lists;
``None`` or NaN-free masked values become SQL NULL); :func:`write_tables` hands each one to
:func:`copy_columns`, which streams it into PostgreSQL with ``COPY ... FROM STDIN`` in
bounded chunks and tells the caller's :data:`Reporter` how far it got.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import psycopg

from kpi.progress import Advance, Reporter

CHUNK_ROWS = 100_000
NULL = "\\N"

# schema-qualified table name -> column name -> equally long column
Tables = dict[str, dict[str, Any]]


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def render_values(
    column: Any, start: int, stop: int, null: str = NULL, escape: Callable[[str], str] = _escape
) -> list[str]:
    """Render one column slice as text values: COPY's text format by default (NULL as \\N,
    backslash escapes); the CSV writer passes its own NULL marker and no escaping."""
    part = column[start:stop]
    if isinstance(part, np.ndarray):
        if part.dtype == bool:
            return np.where(part, "t", "f").tolist()
        if part.dtype.kind in "iu":
            return part.astype(str).tolist()
        if part.dtype.kind == "f":
            return [null if v != v else repr(v) for v in part.tolist()]
        if part.dtype.kind == "M":  # datetime64
            # Whole seconds, or microseconds for columns that carry them (SPEC §4).
            fine = np.datetime_data(part.dtype)[0] in ("ms", "us", "ns")
            text = np.datetime_as_string(part, unit="us" if fine else "s")
            return [null if t == "NaT" else t.replace("T", " ") for t in text.tolist()]
        part = part.tolist()
    out = []
    for v in part:
        if v is None:
            out.append(null)
        elif isinstance(v, bool):
            out.append("t" if v else "f")
        elif isinstance(v, str):
            out.append(escape(v))
        else:
            out.append(str(v))
    return out


def copy_columns(
    conn: psycopg.Connection,
    table: str,
    columns: Mapping[str, Sequence[Any] | np.ndarray],
    advance: Advance | None = None,
) -> int:
    """COPY equally long columns into ``table`` (schema-qualified); returns the row count."""
    names = list(columns)
    lengths = {len(columns[name]) for name in names}
    if len(lengths) != 1:
        raise ValueError(f"{table}: columns have different lengths {sorted(lengths)}")
    total = lengths.pop()
    column_list = ", ".join(names)
    with conn.cursor() as cur, cur.copy(f"copy {table} ({column_list}) from stdin") as copy:
        for start in range(0, total, CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, total)
            rendered = [render_values(columns[name], start, stop) for name in names]
            copy.write("\n".join(map("\t".join, zip(*rendered, strict=True))) + "\n")
            if advance is not None:
                advance(stop - start)
    return total


def write_tables(
    conn: psycopg.Connection, tables: Tables, reporter: Reporter | None = None
) -> dict[str, int]:
    """COPY every table in order (the caller commits); returns the rows written per table."""
    counts: dict[str, int] = {}
    for table, columns in tables.items():
        rows = len(next(iter(columns.values())))
        advance = reporter(table, rows) if reporter is not None else None
        counts[table] = copy_columns(conn, table, columns, advance)
    return counts
