"""Response types shared by the controllers; OpenAPI schemas are generated from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, TypeVar

import msgspec
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.params import KwargDefinition

from api.db import page_items
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
    rows: list[dict[str, Any]],
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
    first = rows[0]  # paged_query always returns a row carrying the metadata
    if hidden_as is not None and not first["_visible"]:
        raise not_found(f"{hidden_as} not found")
    fields = {"as_of_date": first["_as_of_date"], "synced_at": first["_synced_at"]}
    if page is not None and per_page is not None:
        total = first["_total"]
        fields["page"] = page
        fields["per_page"] = per_page
        fields["total"] = total
        fields["total_pages"] = total_pages(total, per_page)
    return fields


def items_of(cls: type[S], rows: list[dict[str, Any]], key: str) -> list[S]:
    """The page's rows of a paged_query result as ``cls`` (``key``: a never-null column)."""
    return [from_row(cls, row) for row in page_items(rows, key)]


def from_row(cls: type[S], row: dict[str, Any], **overrides: Any) -> S:
    """Build ``cls`` from the row's columns of the same names."""
    values = {name: row[name] for name in cls.__struct_fields__ if name not in overrides}
    return cls(**values, **overrides)
