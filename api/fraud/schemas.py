"""Fraud report response types: the OpenAPI schemas are generated from these structs.

Every field is a mart column as it is (SPEC §7): ranks, outlier scores and report flags
are computed by dbt.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

from api.params import AuthorizationType, SettlementType
from api.responses import Paged


class ReportFlags(msgspec.Struct):
    """The report columns every fraud row carries. Positional fields (no ``kw_only``): a
    page's rows are built from row tuples by position (``api.responses.row_maker``); the
    fields' order, the JSON and the OpenAPI schema are the same as with keywords."""

    report_rank: int
    """Position in the report's order (1 = most suspicious)."""
    is_reported: bool
    """Among the top least(ceil(5% of rows), 25) of the report."""
    outlier_score: float | None
    """Robust z-score (median/MAD) within the report; null with too little data."""
    is_statistical_outlier: bool
    report_date: date
    row_id: str
    """The row's id (SPEC §15): its key columns joined by `:`; the reviews' path id."""
    review_verdict: str | None
    """The latest review's verdict (under_review, false_positive, referred, recovered)."""
    review_note: str | None
    reviewed_by: str | None
    """Who gave the latest verdict (the token subject)."""
    reviewed_at: datetime | None


class AuthorizationRow(ReportFlags):
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


class PhoneNumberRow(ReportFlags):
    phone_number: str
    patients_qty: int


class PhoneNumberPage(Paged, kw_only=True):
    items: list[PhoneNumberRow]


class DoctorRow(ReportFlags):
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


# ------------------------------------------------------------------------------ reviews

Verdict = Literal["under_review", "false_positive", "referred", "recovered"]
Report = Literal["authorizations", "phone-numbers", "doctors"]


class Review(msgspec.Struct, kw_only=True):
    """One analyst's verdict on one report row, as stored."""

    review_id: int
    report: Report
    row_id: str
    verdict: Verdict
    note: str | None
    reviewed_by: str
    """The token subject that gave it."""
    reviewed_at: datetime
