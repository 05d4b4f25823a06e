"""Reviews of fraud report rows (SPEC §15): the API's one write endpoint.

``POST /v1/fraud-reports/{report}/{row_id}/reviews`` with ``{"verdict": ..., "note": ...}``
appends a row to ``kpi_reviews.reviews`` (:mod:`sync.reviews`) with the token's subject
and the time. Same policy as the reports (``fraud_analyst``). One route per report, so
each has its own operation id and the path's report is never free text.

* **Validation** (Litestar, from :class:`ReviewRequest`): the body is a JSON object with
  ``verdict`` (one of four) and an optional ``note`` (at most :data:`MAX_NOTE_LENGTH`
  characters, no NUL); anything else is a 400 naming the field (``verdict``, ``note``, or
  ``body`` for a body that is not such an object). ``row_id`` must be a row of the
  report's marts (reported or not), else 404. A token without a subject (``sub``)
  cannot sign a review: 403.
* **Idempotency**: with an ``Idempotency-Key`` header, a retry of the same body by the
  same subject answers the first review (same body, 201) and adds no row; the same key
  with another body (report, row or content) is a 409. Keys are per subject.
* **Writing**: the API's connections are read-only by default (``api.db``); this one
  transaction is opened ``read write``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

import msgspec
import psycopg
from litestar import Request, post
from litestar.params import Body, HeaderParameter, PathParameter

from api.db import database_of
from api.errors import CONFLICT, PROTECTED_RESPONSES, ApiError, forbidden, not_found
from api.fraud.queries import row_exists_sql
from api.fraud.schemas import Review, Verdict
from api.params import MAX_ROW_ID_LENGTH
from api.policy import principal_of

MAX_NOTE_LENGTH = 2000
MAX_IDEMPOTENCY_KEY_LENGTH = 200


REVIEW_COLUMNS = "review_id, report, row_id, verdict, note, reviewed_by, reviewed_at"

BY_KEY_SQL = f"""
select {REVIEW_COLUMNS}, request_hash from kpi_reviews.reviews
where reviewed_by = %(subject)s and idempotency_key = %(key)s
"""

INSERT_SQL = f"""
insert into kpi_reviews.reviews
    (report, row_id, verdict, note, reviewed_by, idempotency_key, request_hash)
values (%(report)s, %(row_id)s, %(verdict)s, %(note)s, %(subject)s, %(key)s, %(hash)s)
on conflict (reviewed_by, idempotency_key) where idempotency_key is not null do nothing
returning {REVIEW_COLUMNS}, request_hash
"""


class ReviewRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A verdict on one report row."""

    verdict: Verdict
    note: Annotated[str, msgspec.Meta(max_length=MAX_NOTE_LENGTH, pattern="^[^\x00]*$")] | None = (
        None
    )
    """Free text for the next analyst (at most 2000 characters)."""


# The schema says what the server enforces: no other fields (forbid_unknown_fields)
ReviewBody = Annotated[
    ReviewRequest,
    Body(
        description="The verdict, and an optional note; no other fields.",
        schema_extra={"additional_properties": False},
    ),
]


def request_hash(report: str, row_id: str, review: ReviewRequest) -> str:
    text = json.dumps([report, row_id, review.verdict, review.note], ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _review(row: dict[str, Any], expected_hash: str) -> Review:
    if row.pop("request_hash") != expected_hash:
        raise ApiError(409, "this Idempotency-Key was used with another request body")
    return Review(**row)


async def store_review(conn: psycopg.AsyncConnection[Any], params: dict[str, Any]) -> Review:
    """Find the idempotent retry, check the row exists, insert: one transaction."""
    async with conn.transaction():
        await conn.execute("set transaction read write")
        if params["key"] is not None:
            found = await (await conn.execute(BY_KEY_SQL, params)).fetchone()
            if found is not None:
                return _review(found, params["hash"])
        exists = await (await conn.execute(row_exists_sql(params["report"]), params)).fetchone()
        if not exists or not exists["found"]:
            raise not_found(f"no row {params['row_id']!r} in the {params['report']} report")
        inserted = await (await conn.execute(INSERT_SQL, params)).fetchone()
        if inserted is None:  # a concurrent retry with the same key committed first
            inserted = await (await conn.execute(BY_KEY_SQL, params)).fetchone()
        return _review(inserted, params["hash"])


IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        max_length=MAX_IDEMPOTENCY_KEY_LENGTH,
        description="Makes a retry safe: the same key and body answer the first review "
        "without adding a row; the same key with another body is a 409. "
        f"At most {MAX_IDEMPOTENCY_KEY_LENGTH} characters.",
    ),
]
RowId = Annotated[
    str,
    PathParameter(
        max_length=MAX_ROW_ID_LENGTH,
        description="The report row's `row_id` (its key columns joined by `:`).",
    ),
]


def review_route(report: str, operation_id: str, summary: str) -> Any:
    """The POST route reviewing a row of ``report``."""

    @post(
        f"/{report}/{{row_id:str}}/reviews",
        operation_id=operation_id,
        summary=summary,
        status_code=201,
        responses={**PROTECTED_RESPONSES, 409: CONFLICT},
    )
    async def create_review(
        request: Request[Any, Any, Any],
        data: ReviewBody,
        row_id: RowId,
        idempotency_key: IdempotencyKey = None,
    ) -> Review:
        principal = principal_of(request)
        if not principal.subject:
            raise forbidden("a review needs a token with a subject (sub): who gave it")
        params = {
            "report": report,
            "row_id": row_id,
            "verdict": data.verdict,
            "note": data.note,
            "subject": principal.subject,
            "key": idempotency_key,
            "hash": request_hash(report, row_id, data),
        }
        return await database_of(request).transact(store_review, params)

    return create_review


REVIEW_ROUTES = [
    review_route("authorizations", "createAuthorizationReview", "Review an authorization row"),
    review_route("phone-numbers", "createPhoneNumberReview", "Review a phone number row"),
    review_route("doctors", "createDoctorReview", "Review a doctor row"),
]
