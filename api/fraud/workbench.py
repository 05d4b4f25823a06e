"""The analyst workbench's read endpoints (SPEC §15): resolved rows and phone-number links.

``GET /v1/fraud-reports/{report}/resolved`` is three static routes, one per report:
Litestar's router does not backtrack from a static segment to a path parameter, so a
``/{report}/resolved`` route would be shadowed by ``/phone-numbers/{phone_number}/...``
(and would shadow nothing it should). Any other route under a report must also start with
the report's literal name for the same reason.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Request, get
from litestar.params import Parameter

from api.db import database_of
from api.errors import PROTECTED_RESPONSES
from api.fraud.queries import PHONE_NUMBER_LINKS_SQL, RESOLVED_SQL
from api.fraud.schemas import (
    LinkedDoctor,
    LinkedLegalEntity,
    PhoneNumberLinks,
    ResolvedPage,
    ResolvedRow,
)
from api.params import (
    AuthorizationType,
    PageNumber,
    PerPage,
    SettlementType,
    offset,
)
from api.responses import envelope, items_of, page_rows, row_maker

Report = Literal["authorizations", "phone-numbers", "doctors"]

_docs: dict[str, Any] = {"responses": PROTECTED_RESPONSES}

# The longest normalized number the marts keep (varchar(32), digits only).
PHONE_NUMBER_PATTERN = "^[0-9]{1,32}$"
PhoneNumber = Annotated[
    str,
    Parameter(
        pattern=PHONE_NUMBER_PATTERN,
        max_length=32,
        description="A normalized phone number of the report: 1 to 32 digits.",
    ),
]
OptionalType = Annotated[
    AuthorizationType | None,
    Parameter(description="Only resolved rows of this report type."),
]
OptionalSettlement = Annotated[
    SettlementType | None,
    Parameter(description="Only resolved rows of this settlement type."),
]
# The links of a number: its persons' doctors, at most this many rows in all.
MAX_LINKS = 1_000

_RESOLVED_DOC = (
    "Rows reported on the previous report date kept and not on the published one, as "
    "they were on that previous date."
)


async def _resolved(
    request: Request[Any, Any, Any],
    report: Report,
    page: int,
    per_page: int,
    *,
    type_: AuthorizationType | None = None,
    settlement_type: SettlementType | None = None,
) -> ResolvedPage:
    result = await database_of(request).fetch_rows(
        RESOLVED_SQL,
        {
            "report": report,
            "type": type_,
            "settlement_type": settlement_type,
            "limit": per_page,
            "offset": offset(page, per_page),
        },
    )
    return ResolvedPage(
        **envelope(result, page, per_page),
        report=report,
        items=items_of(ResolvedRow, result, "row_id"),
    )


@get(
    "/authorizations/resolved",
    operation_id="listResolvedAuthorizations",
    summary="Authorization rows no longer reported",
    description=_RESOLVED_DOC,
    **_docs,
)
async def list_resolved_authorizations(
    request: Request[Any, Any, Any],
    type: OptionalType = None,  # the report's documented name
    settlement_type: OptionalSettlement = None,
    page: PageNumber = 1,
    per_page: PerPage = 25,
) -> ResolvedPage:
    """In the report's partitions (type, settlement type), by their previous rank."""
    return await _resolved(
        request, "authorizations", page, per_page, type_=type, settlement_type=settlement_type
    )


def _resolved_route(report: Report, operation_id: str, summary: str) -> Any:
    """``GET /{report}/resolved`` of a report without filters of its own."""

    @get(
        f"/{report}/resolved",
        operation_id=operation_id,
        summary=summary,
        description=_RESOLVED_DOC,
        **_docs,
    )
    async def handler(
        request: Request[Any, Any, Any], page: PageNumber = 1, per_page: PerPage = 25
    ) -> ResolvedPage:
        """By their previous rank."""
        return await _resolved(request, report, page, per_page)

    return handler


list_resolved_phone_numbers = _resolved_route(
    "phone-numbers", "listResolvedPhoneNumbers", "Phone numbers no longer reported"
)
list_resolved_doctors = _resolved_route(
    "doctors", "listResolvedDoctors", "Doctors no longer reported"
)


@get(
    "/phone-numbers/{phone_number:str}/doctors",
    operation_id="getPhoneNumberDoctors",
    summary="Doctors and legal entities of a phone number's persons",
    **_docs,
)
async def get_phone_number_doctors(
    request: Request[Any, Any, Any], phone_number: PhoneNumber
) -> PhoneNumberLinks:
    """The doctors (party, legal entity of the DOCTOR employee on the declaration) holding
    active declarations of the number's active persons, with how many of those persons
    each holds, and the same per legal entity; most persons first. 404 when the number is
    not in the phone numbers report."""
    result = await database_of(request).fetch_rows(
        PHONE_NUMBER_LINKS_SQL,
        {"phone_number": phone_number, "limit": MAX_LINKS, "offset": 0},
    )
    meta = envelope(result, hidden_as="phone number")
    rows = page_rows(result, "holder_order")
    at = result.names.index("holder_order")
    doctor = row_maker(LinkedDoctor, result.names)
    entity = row_maker(LinkedLegalEntity, result.names)
    return PhoneNumberLinks(
        **meta,
        phone_number=phone_number,
        doctors=[doctor(row) for row in rows if row[at] == 1],
        legal_entities=[entity(row) for row in rows if row[at] == 2],
    )


ROUTES = [
    list_resolved_authorizations,
    list_resolved_phone_numbers,
    list_resolved_doctors,
    get_phone_number_doctors,
]
