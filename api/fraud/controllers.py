"""Fraud report handlers (/v1/fraud-reports): authorizations, phone numbers, doctors
(the workbench's resolved rows and phone-number links are ``api.fraud.workbench``).

Without filters each report returns its flagged rows (``is_reported``); with filters,
every row that matches them. Always in report order (``report_rank``), paged. Every
route has a stable ``operation_id`` for generated clients.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get
from litestar.datastructures import CacheControlHeader

from api import cache
from api.db import database_of
from api.errors import PROTECTED_RESPONSES
from api.fraud.queries import AUTHORIZATION_SQL, DOCTORS_SQL, PHONE_NUMBERS_SQL
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

_docs: dict[str, Any] = {"responses": PROTECTED_RESPONSES}


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
) -> AuthorizationPage:
    """Doctors or legal entities with the highest share of OFFLINE-authenticated patients,
    for one settlement type, in report order."""
    result = await database_of(request).fetch_rows(
        AUTHORIZATION_SQL[type],
        {
            "settlement_type": settlement_type,
            "limit": per_page,
            "offset": offset(page, per_page),
        },
    )
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
    request: Request[Any, Any, Any], page: PageNumber = 1, per_page: PerPage = 25
) -> PhoneNumberPage:
    """Phone numbers shared by the most active patients, in report order."""
    result = await database_of(request).fetch_rows(
        PHONE_NUMBERS_SQL, {"limit": per_page, "offset": offset(page, per_page)}
    )
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
) -> DoctorPage:
    """Without filters: the flagged doctors. With any filter: every doctor matching all of
    them. In report order (patient_increase_30d desc, then patient_increase_30d_0 desc)."""
    filtered = any(
        value is not None
        for value in (min_patients_qty, min_patient_increase_30d, min_patient_increase_30d_0)
    )
    result = await database_of(request).fetch_rows(
        DOCTORS_SQL,
        {
            "filtered": filtered,
            "min_patients_qty": min_patients_qty,
            "min_patient_increase_30d": min_patient_increase_30d,
            "min_patient_increase_30d_0": min_patient_increase_30d_0,
            "limit": per_page,
            "offset": offset(page, per_page),
        },
    )
    return DoctorPage(
        **envelope(result, page, per_page),
        filtered=filtered,
        items=items_of(DoctorRow, result, "party_id"),
    )


router = Router(
    path="/v1/fraud-reports",
    route_handlers=[list_authorizations, list_phone_numbers, list_doctors, *WORKBENCH_ROUTES],
    security=[{"bearer": []}],
    tags=["Fraud reports"],
    # the access policy, then the per-snapshot response cache (ETag/304, private, revalidate)
    before_request=checked_first(FRAUD_REPORTS_POLICY, cache.before_request),
    after_request=cache.after_request,
    cache_control=CacheControlHeader(private=True, no_cache=True),
)
