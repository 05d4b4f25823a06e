"""CSV export of the fraud report lists (SPEC §15): ``text/csv`` when the request's
``Accept`` names it or ``format=csv``.

Every matching row (not a page), with the list's filters and order, the columns of the
JSON items in their order. Streamed with flat memory: a server-side cursor fetched
:data:`BATCH_ROWS` rows at a time, each batch written by Python's ``csv`` module (RFC 4180:
CRLF line ends, fields quoted when they hold a comma, quote or line break) and sent
before the next is read. Formula-injection safe: a text cell starting with ``=``, ``+``,
``-`` or ``@`` gets a leading ``'`` (a spreadsheet then shows it as text); numbers stay
numbers, booleans are ``true``/``false``, NULL is an empty cell.

The statement runs before the response starts, so a database failure is still a 503
with the JSON error body; after that, a failure can only cut the stream short.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date
from operator import itemgetter
from typing import Any

import msgspec
from litestar import Request
from litestar.response import Stream
from psycopg.rows import tuple_row

from api.cache import CSV, response_type
from api.db import DATABASE_TROUBLE, Database, unavailable_for

BATCH_ROWS = 2000
FORMULA_STARTS = ("=", "+", "-", "@")


def wants_csv(request: Request[Any, Any, Any], format: str | None) -> bool:
    """``format=csv`` wins; without it, the ``Accept`` header decides (JSON by default)."""
    if format is not None:
        return format == "csv"
    return response_type(request) == CSV


def cell(value: Any) -> Any:
    """One CSV cell: text guarded against formulas, numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):  # dates and datetimes
        return value.isoformat()
    return value


def _batch_text(rows: list[tuple[Any, ...]], pick: itemgetter[Any] | None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # excel dialect: RFC 4180 quoting, CRLF
    for row in rows:
        picked = pick(row) if pick is not None else row
        writer.writerow([cell(value) for value in picked])
    return buffer.getvalue().encode()


class CsvStream(Stream):
    """A ``Stream`` whose own media type wins: Litestar's ``Stream`` lets the handler's
    default (JSON) override it, unlike ``Response``."""

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["media_type"] = self.media_type
        return super().to_asgi_response(*args, **kwargs)


async def _csv_chunks(
    db: Database, query: str, params: dict[str, Any], columns: tuple[str, ...]
) -> AsyncIterator[bytes]:
    async with db.pool.connection() as conn, conn.transaction():
        cursor = conn.cursor(name="kpi_fraud_export", row_factory=tuple_row)
        async with cursor:
            await cursor.execute(query, params)
            names = [column.name for column in cursor.description or ()]
            pick = itemgetter(*(names.index(column) for column in columns))
            yield _batch_text([columns], None)
            while rows := await cursor.fetchmany(BATCH_ROWS):
                yield _batch_text(rows, pick)


async def csv_response(
    db: Database,
    query: str,
    params: dict[str, Any],
    row_type: type[msgspec.Struct],
    filename: str,
) -> Stream:
    """The streamed CSV of ``query``'s rows, columns as ``row_type``'s fields."""
    chunks = _csv_chunks(db, query, params, row_type.__struct_fields__)
    try:
        header = await anext(chunks)  # runs the statement: its failure is still a 503
    except DATABASE_TROUBLE as exc:
        raise unavailable_for(exc) from None

    async def body() -> AsyncIterator[bytes]:
        yield header
        async for chunk in chunks:
            yield chunk

    return CsvStream(
        body(),
        media_type=CSV,  # sent as text/csv; charset=utf-8
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
