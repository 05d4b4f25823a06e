"""Fraud report handlers (/v1/fraud-reports): authorizations, phone numbers, doctors, the
reviews of their rows (``api.fraud.reviews``); the workbench's resolved rows and
phone-number links are ``api.fraud.workbench``.

Without filters each report returns its flagged rows (``is_reported``), less the recent
false positives (unless ``include_reviewed=true``); with filters, every row that matches
them. Always in report order (``report_rank``), paged as JSON, or every row as CSV
(``api.fraud.export``). Every route has a stable ``operation_id`` for generated clients.

Not cached (``opt={"uncached": True}``, read by ``api.cache``): every list shows its rows'
latest review, which a POST changes within a snapshot (SPEC §14).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from litestar import Request, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, Schema
from litestar.params import QueryParameter
from litestar.response import Stream

from api import cache
from api.db import database_of
from api.errors import PROTECTED_RESPONSES
from api.fraud.export import csv_response, wants_csv
from api.fraud.queries import (
    AUTHORIZATION_QUERIES,
    DOCTORS_QUERY,
    PHONE_NUMBERS_QUERY,
    ReportQuery,
)
from api.fraud.reviews import REVIEW_ROUTES
from api.fraud.schemas import (
    AuthorizationPage,
    AuthorizationRow,
    DoctorPage,
    DoctorRow,
    PhoneNumberPage,
    PhoneNumberRow,
)
from api.fraud.workbench import ROUTES as WORKBENCH_ROUTES
from api.params import (
    AuthorizationTypeParam,
    MinPatientIncrease,
    MinPatientIncreaseZero,
    MinPatientsQty,
    PageNumber,
    PerPage,
    SettlementTypeParam,
    offset,
)
from api.policy import FRAUD_REPORTS_POLICY, checked_first
from api.responses import envelope, items_of


@dataclass
class CsvOperation(Operation):
    """A list's OpenAPI operation: its JSON 200, and the same 200 as ``text/csv``."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        content = getattr(ok, "content", None)
        if content is not None:
            content["text/csv"] = OpenAPIMediaType(
                schema=Schema(
                    type=OpenAPIType.STRING,
                    description="Every matching row (not paged), in report order, the JSON "
                    "items' fields as columns, header first (RFC 4180). Text cells starting "
                    "with =, +, - or @ are prefixed with '.",
                )
            )


_docs: dict[str, Any] = {"responses": PROTECTED_RESPONSES, "operation_class": CsvOperation}

FormatParam = Annotated[
    Literal["json", "csv"] | None,
    QueryParameter(
        description="csv: every matching row as text/csv (also chosen by `Accept: text/csv`)."
    ),
]
IncludeReviewed = Annotated[
    bool,
    QueryParameter(
        description="Also list the rows hidden as false positives (latest verdict "
        "false_positive within KPI_FRAUD_SUPPRESS_DAYS days)."
    ),
]


async def _report(
    request: Request[Any, Any, Any],
    query: ReportQuery,
    params: dict[str, Any],
    csv_as: tuple[type[Any], str] | None,
) -> Any:
    """The page (paged_query result), or the whole list as CSV when ``csv_as`` (row type,
    file name) is given."""
    params = {
        "filtered": False,
        "suppress_days": request.app.state.fraud_suppress_days,
        **params,
    }
    db = database_of(request)
    if csv_as is not None:
        return await csv_response(db, query.export, params, *csv_as)
    return await db.fetch_rows(query.page, params)


@get(
    "/authorizations",
    operation_id="listAuthorizations",
    summary="Offline-authorization report",
    **_docs,
)
async def list_authorizations(
    request: Request[Any, Any, Any],
    type: AuthorizationTypeParam,  # the report's documented name
    settlement_type: SettlementTypeParam,
    page: PageNumber = 1,
    per_page: PerPage = 25,
    include_reviewed: IncludeReviewed = False,
    format: FormatParam = None,
) -> AuthorizationPage:
    """Doctors or legal entities with the highest share of OFFLINE-authenticated patients,
    for one settlement type, in report order."""
    csv_as = (AuthorizationRow, f"fraud-authorizations-{type}-{settlement_type}.csv")
    result = await _report(
        request,
        AUTHORIZATION_QUERIES[type],
        {
            "settlement_type": settlement_type,
            "include_reviewed": include_reviewed,
            "limit": per_page,
            "offset": offset(page, per_page),
        },
        csv_as if wants_csv(request, format) else None,
    )
    if isinstance(result, Stream):
        return result  # type: ignore[return-value]
    return AuthorizationPage(
        **envelope(result, page, per_page),
        type=type,
        settlement_type=settlement_type,
        items=items_of(AuthorizationRow, result, "id"),
    )


@get(
    "/phone-numbers",
    operation_id="listPhoneNumbers",
    summary="Shared phone numbers report",
    **_docs,
)
async def list_phone_numbers(
    request: Request[Any, Any, Any],
    page: PageNumber = 1,
    per_page: PerPage = 25,
    include_reviewed: IncludeReviewed = False,
    format: FormatParam = None,
) -> PhoneNumberPage:
    """Phone numbers shared by the most active patients, in report order."""
    result = await _report(
        request,
        PHONE_NUMBERS_QUERY,
        {
            "include_reviewed": include_reviewed,
            "limit": per_page,
            "offset": offset(page, per_page),
        },
        (PhoneNumberRow, "fraud-phone-numbers.csv") if wants_csv(request, format) else None,
    )
    if isinstance(result, Stream):
        return result  # type: ignore[return-value]
    return PhoneNumberPage(
        **envelope(result, page, per_page), items=items_of(PhoneNumberRow, result, "phone_number")
    )


@get(
    "/doctors",
    operation_id="listDoctors",
    summary="Patient growth per doctor report",
    **_docs,
)
async def list_doctors(
    request: Request[Any, Any, Any],
    min_patients_qty: MinPatientsQty = None,
    min_patient_increase_30d: MinPatientIncrease = None,
    min_patient_increase_30d_0: MinPatientIncreaseZero = None,
    page: PageNumber = 1,
    per_page: PerPage = 25,
    include_reviewed: IncludeReviewed = False,
    format: FormatParam = None,
) -> DoctorPage:
    """Without filters: the flagged doctors. With any filter: every doctor matching all of
    them. In report order (patient_increase_30d desc, then patient_increase_30d_0 desc)."""
    filtered = any(
        value is not None
        for value in (min_patients_qty, min_patient_increase_30d, min_patient_increase_30d_0)
    )
    result = await _report(
        request,
        DOCTORS_QUERY,
        {
            "filtered": filtered,
            "include_reviewed": include_reviewed,
            "min_patients_qty": min_patients_qty,
            "min_patient_increase_30d": min_patient_increase_30d,
            "min_patient_increase_30d_0": min_patient_increase_30d_0,
            "limit": per_page,
            "offset": offset(page, per_page),
        },
        (DoctorRow, "fraud-doctors.csv") if wants_csv(request, format) else None,
    )
    if isinstance(result, Stream):
        return result  # type: ignore[return-value]
    return DoctorPage(
        **envelope(result, page, per_page),
        filtered=filtered,
        items=items_of(DoctorRow, result, "party_id"),
    )


router = Router(
    path="/v1/fraud-reports",
    route_handlers=[
        list_authorizations,
        list_phone_numbers,
        list_doctors,
        *WORKBENCH_ROUTES,
        *REVIEW_ROUTES,
    ],
    security=[{"bearer": []}],
    tags=["Fraud reports"],
    # the access policy, then the response cache's hooks; the cache stores nothing here
    # (`uncached`) but keeps the PHI audit and the request bookkeeping in one place
    before_request=checked_first(FRAUD_REPORTS_POLICY, cache.before_request),
    after_request=cache.after_request,
    cache_control=CacheControlHeader(private=True, no_cache=True),
    opt={"uncached": True},
)
