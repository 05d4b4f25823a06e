"""Response types shared by the controllers; OpenAPI schemas are generated from them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from operator import itemgetter
from typing import Annotated, Any, TypeVar

import msgspec
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.params import KwargDefinition

from api.db import Rows
from api.errors import not_found
from api.params import total_pages

S = TypeVar("S", bound=msgspec.Struct)

# The marts' timestamps are `timestamp without time zone` in market-local time (SPEC §4), so
# they are sent without a UTC offset ("2026-11-14T14:50:11"). OpenAPI's `date-time` format
# (RFC 3339) requires an offset, so these fields document a pattern instead.
_LOCAL_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$"
_LOCAL_DOC = "Market-local date and time, without a UTC offset."
LocalDateTime = Annotated[
    datetime,
    KwargDefinition(description=_LOCAL_DOC, pattern=_LOCAL_PATTERN, schema_extra={"format": None}),
]
OptionalLocalDateTime = Annotated[
    datetime | None,
    KwargDefinition(
        description=_LOCAL_DOC,
        schema_extra={
            "one_of": [
                Schema(type=OpenAPIType.STRING, pattern=_LOCAL_PATTERN),
                Schema(type=OpenAPIType.NULL),
            ]
        },
    ),
]


class Snapshot(msgspec.Struct, kw_only=True):
    """Which published data a response comes from."""

    as_of_date: date | None = msgspec.field(default=None)
    """The report date D of the data (null before the first sync)."""
    synced_at: datetime | None = msgspec.field(default=None)
    """When the sync that published it finished."""


class Paged(Snapshot, kw_only=True):
    """The paging envelope: ``total`` is the true row count, also past the last page."""

    page: int
    per_page: int
    total: int
    total_pages: int


def envelope(
    result: Rows,
    page: int | None = None,
    per_page: int | None = None,
    *,
    hidden_as: str | None = None,
) -> dict[str, Any]:
    """The envelope of a :func:`api.db.paged_query` result: the fields of :class:`Snapshot`,
    and of :class:`Paged` when ``page`` and ``per_page`` are given.

    ``hidden_as``: what the result is about ("provider"), when the statement has a
    visibility predicate: a 404 "<hidden_as> not found" if the token may not see it
    (SPEC §10). Every list handler builds its response as ``Page(**envelope(...), items=...)``
    so the metadata columns are read in one place.
    """
    # paged_query always returns a row, its first four columns the metadata
    total, visible, as_of_date, synced_at = result.rows[0][:4]
    if hidden_as is not None and not visible:
        raise not_found(f"{hidden_as} not found")
    fields = {"as_of_date": as_of_date, "synced_at": synced_at}
    if page is not None and per_page is not None:
        fields["page"] = page
        fields["per_page"] = per_page
        fields["total"] = total
        fields["total_pages"] = total_pages(total, per_page)
    return fields


def page_rows(result: Rows, key: str) -> list[tuple[Any, ...]]:
    """The page's rows of a :func:`api.db.paged_query` result (none when the page is empty:
    then its one row has NULL in ``key``, a never-null column of the page)."""
    at = result.names.index(key)
    return [row for row in result.rows if row[at] is not None]


def items_of(cls: type[S], result: Rows, key: str) -> list[S]:
    """The page's rows of a paged_query result as ``cls`` (``key``: a never-null column)."""
    make = row_maker(cls, result.names)
    return [make(row) for row in page_rows(result, key)]


def from_row(cls: type[S], result: Rows, row: tuple[Any, ...], **overrides: Any) -> S:
    """Build ``cls`` from the row's columns of the same names, and ``overrides`` (which
    win over a column of the same name)."""
    values = zip(result.names, row, strict=True)
    fields = cls.__struct_fields__
    columns = {name: value for name, value in values if name in fields}
    return cls(**(columns | overrides))


_makers: dict[tuple[type, tuple[str, ...]], Callable[[tuple[Any, ...]], Any]] = {}


def row_maker(cls: type[S], names: tuple[str, ...]) -> Callable[[tuple[Any, ...]], S]:
    """A function building ``cls`` from a row of a result with columns ``names``, by
    position: ``itemgetter`` picks the struct's fields in its order, msgspec builds it.

    No dict per row and no Python loop over the fields: on a 30-row page, building the
    items from dicts was ~8 % of a request's CPU (cProfile, BENCHMARKS.md). Made once per
    (struct, columns) and kept; the columns of a statement change only with the schema.
    """
    key = (cls, names)
    make = _makers.get(key)
    if make is None:
        fields = cls.__struct_fields__
        pick = itemgetter(*(names.index(name) for name in fields))
        if len(fields) == 1:
            make = _one_field(cls, pick)
        elif len(getattr(cls, "__match_args__", ())) == len(fields):  # positional fields
            make = _positional(cls, pick)
        else:  # keyword-only fields (the fraud rows)
            make = _by_keyword(cls, fields, pick)
        if len(_makers) > 1_000:  # bounded, whatever happens to the schema
            _makers.clear()
        _makers[key] = make
    return make


def _one_field(cls: type[S], pick: itemgetter[Any]) -> Callable[[tuple[Any, ...]], S]:
    return lambda row: cls(pick(row))


def _positional(cls: type[S], pick: itemgetter[Any]) -> Callable[[tuple[Any, ...]], S]:
    return lambda row: cls(*pick(row))


def _by_keyword(
    cls: type[S], fields: tuple[str, ...], pick: itemgetter[Any]
) -> Callable[[tuple[Any, ...]], S]:
    return lambda row: cls(**dict(zip(fields, pick(row), strict=True)))
