"""Fraud report endpoints (/v1/fraud-reports): authorizations, phone numbers, doctors.

Without filters each report returns its flagged rows (``is_reported``); with filters,
every row that matches them. Always in report order (``report_rank``), paged.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Router, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api import cache
from api.auth import all_of, authenticated, fraud_analyst_required
from api.db import Database, meta, page_items, paged_query
from api.errors import PROTECTED_RESPONSES
from api.params import (
    MAX_QUANTITY,
    AuthorizationType,
    AuthorizationTypeParam,
    PageNumber,
    PerPage,
    SettlementType,
    SettlementTypeParam,
    offset,
    single_query_values,
)
from api.responses import Paged, from_row, paging

# --------------------------------------------------------------------------- responses


class ReportFlags(msgspec.Struct, kw_only=True):
    report_rank: int
    """Position in the report's order (1 = most suspicious)."""
    is_reported: bool
    """Among the top least(ceil(5% of rows), 25) of the report."""
    outlier_score: float | None
    """Robust z-score (median/MAD) within the report; null with too little data."""
    is_statistical_outlier: bool
    report_date: date


class AuthorizationRow(ReportFlags, kw_only=True):
    id: str
    """party_id for type DOCTOR, legal_entity_id for LEGAL_ENTITY."""
    party_id: str | None
    legal_entity_id: str
    settlement_type: str
    patients_qty: int
    offline_patients_qty: int
    ratio_offline_patients_qty: float | None


class AuthorizationPage(Paged, kw_only=True):
    type: AuthorizationType
    settlement_type: SettlementType
    items: list[AuthorizationRow]


class PhoneNumberRow(ReportFlags, kw_only=True):
    phone_number: str
    patients_qty: int


class PhoneNumberPage(Paged, kw_only=True):
    items: list[PhoneNumberRow]


class DoctorRow(ReportFlags, kw_only=True):
    party_id: str
    legal_entity_id: str
    patients_qty: int
    new_30: int | None
    """Declarations inserted in the last 30 days."""
    new_prev_60: int | None
    """Declarations inserted in the 60 days before those."""
    lifetime_days: int | None
    patient_increase_30d: float | None
    patient_increase_30d_0: int | None


class DoctorPage(Paged, kw_only=True):
    filtered: bool
    """False: the report's flagged rows; true: every row matching the filters."""
    items: list[DoctorRow]


# ---------------------------------------------------------------------------- queries

FLAGS = (
    "report_rank, is_reported, outlier_score, is_statistical_outlier, report_date"
)  # fmt: skip

AUTHORIZATION_SQL = {
    "DOCTOR": paged_query(
        f"""
    select
        party_id as id, party_id, legal_entity_id, settlement_type,
        patients_qty, offline_patients_qty, ratio_offline_patients_qty, {FLAGS}
    from fraud.authorization_doctor
    where settlement_type = %(settlement_type)s and is_reported
""",
        order_by="report_rank, party_id, legal_entity_id",
    ),
    "LEGAL_ENTITY": paged_query(
        f"""
    select
        legal_entity_id as id, null::text as party_id, legal_entity_id, settlement_type,
        patients_qty, offline_patients_qty, ratio_offline_patients_qty, {FLAGS}
    from fraud.authorization_legal_entity
    where settlement_type = %(settlement_type)s and is_reported
""",
        order_by="report_rank, legal_entity_id",
    ),
}

PHONE_NUMBERS_SQL = paged_query(
    f"""
    select phone_number, patients_qty, {FLAGS}
    from fraud.patients_phonenumber
    where is_reported
""",
    order_by="report_rank, phone_number",
)

DOCTORS_SQL = paged_query(
    f"""
    select
        party_id, legal_entity_id, patients_qty, new_30, new_prev_60, lifetime_days,
        patient_increase_30d, patient_increase_30d_0, {FLAGS}
    from fraud.total_patients_doctor
    where (is_reported or %(filtered)s)
        and (%(min_patients_qty)s::bigint is null
            or patients_qty >= %(min_patients_qty)s::bigint)
        and (%(min_patient_increase_30d)s::float8 is null
            or patient_increase_30d >= %(min_patient_increase_30d)s::float8)
        and (%(min_patient_increase_30d_0)s::bigint is null
            or patient_increase_30d_0 >= %(min_patient_increase_30d_0)s::bigint)
""",
    order_by="report_rank, party_id, legal_entity_id",
)


def _minimum(description: str, kind: type = int) -> Any:
    return Annotated[kind | None, QueryParameter(ge=0, le=MAX_QUANTITY, description=description)]


MinPatientsQty = _minimum("Only doctors with at least this many patients.")
MinPatientIncrease = _minimum(
    "Only doctors whose patient_increase_30d is at least this (rows where it is null are "
    "excluded).",
    float,
)
MinPatientIncreaseZero = _minimum(
    "Only doctors whose patient_increase_30d_0 is at least this (rows where it is null are "
    "excluded)."
)

# --------------------------------------------------------------------------- handlers

_docs: dict[str, Any] = {"responses": PROTECTED_RESPONSES}


@get("/authorizations", summary="Offline-authorization report", **_docs)
async def list_authorizations(
    db: NamedDependency[Database],
    type: AuthorizationTypeParam,  # the report's documented name
    settlement_type: SettlementTypeParam,
    page: PageNumber = 1,
    per_page: PerPage = 25,
) -> AuthorizationPage:
    """Doctors or legal entities with the highest share of OFFLINE-authenticated patients,
    for one settlement type, in report order."""
    rows = await db.fetch(
        AUTHORIZATION_SQL[type],
        {
            "settlement_type": settlement_type,
            "limit": per_page,
            "offset": offset(page, per_page),
        },
    )
    info = meta(rows)
    return AuthorizationPage(
        type=type,
        settlement_type=settlement_type,
        items=[from_row(AuthorizationRow, row) for row in page_items(rows, "id")],
        as_of_date=info["as_of_date"],
        synced_at=info["synced_at"],
        **paging(page, per_page, info["total"]),
    )


@get("/phone-numbers", summary="Shared phone numbers report", **_docs)
async def list_phone_numbers(
    db: NamedDependency[Database], page: PageNumber = 1, per_page: PerPage = 25
) -> PhoneNumberPage:
    """Phone numbers shared by the most active patients, in report order."""
    rows = await db.fetch(PHONE_NUMBERS_SQL, {"limit": per_page, "offset": offset(page, per_page)})
    info = meta(rows)
    return PhoneNumberPage(
        items=[from_row(PhoneNumberRow, row) for row in page_items(rows, "phone_number")],
        as_of_date=info["as_of_date"],
        synced_at=info["synced_at"],
        **paging(page, per_page, info["total"]),
    )


@get("/doctors", summary="Patient growth per doctor report", **_docs)
async def list_doctors(
    db: NamedDependency[Database],
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
    rows = await db.fetch(
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
    info = meta(rows)
    return DoctorPage(
        filtered=filtered,
        items=[from_row(DoctorRow, row) for row in page_items(rows, "party_id")],
        as_of_date=info["as_of_date"],
        synced_at=info["synced_at"],
        **paging(page, per_page, info["total"]),
    )


router = Router(
    path="/v1/fraud-reports",
    route_handlers=[list_authorizations, list_phone_numbers, list_doctors],
    guards=[all_of(authenticated, fraud_analyst_required, single_query_values)],
    security=[{"bearer": []}],
    tags=["Fraud reports"],
    # per-snapshot response cache (after the guards), ETag/304, private, revalidate
    before_request=cache.before_request,
    after_request=cache.after_request,
    cache_control=CacheControlHeader(private=True, no_cache=True),
)
