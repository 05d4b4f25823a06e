"""Fraud report response types: the OpenAPI schemas are generated from these structs.

Every field is a mart column as it is (SPEC §7): ranks, outlier scores and report flags
are computed by dbt.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

from api.params import AuthorizationType, SettlementType
from api.responses import Paged, Snapshot

FlagStatus = Literal["recurring", "new", "resolved"]


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
    """The row's key joined by ':' (SPEC §15): ``DOCTOR:party:legal_entity:settlement``,
    ``LEGAL_ENTITY:legal_entity:settlement``, ``party:legal_entity`` or the phone number."""
    partition_rows: int
    """Rows of the report partition after the report's threshold."""
    partition_median: float | None
    """Median of the report's value x over the partition's non-null x."""
    partition_mad: float | None
    """Median absolute deviation of x from partition_median."""
    outlier_threshold: float
    """is_statistical_outlier = outlier_score > outlier_threshold."""
    report_cap: int
    """Rows reported in the partition: least(ceil(5 % of partition_rows), 25)."""
    report_cutoff_value: float | None
    """The primary sort value of the partition's row at rank report_cap."""
    flag_status: FlagStatus | None
    """recurring: also reported on the previous report date kept; new: not; resolved: was
    reported then and is not now; null: neither reported now nor then."""
    first_reported_date: date | None
    """The first report date kept on which the row was reported (null if never)."""
    consecutive_reports: int | None
    """Consecutive report dates kept, ending now, on which it was reported (0: not now)."""
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


class ResolvedRow(msgspec.Struct):
    """A row reported on the previous report date kept and not on the current one, as
    it was on that previous date (its current values, if it is still in the report's
    rows, are in the report with filters)."""

    row_id: str
    report_date: date
    """The current report date D, on which the row is no longer reported."""
    previous_report_date: date
    """The report date kept before D, on which the row was reported."""
    first_reported_date: date
    authorization_type: AuthorizationType | None
    party_id: str | None
    legal_entity_id: str | None
    settlement_type: SettlementType | None
    phone_number: str | None
    previous_report_rank: int
    previous_report_value: float | None
    """The report's primary sort value on the previous date (ratio, patients_qty or
    patient_increase_30d)."""
    previous_outlier_score: float | None


class ResolvedPage(Paged, kw_only=True):
    report: Literal["authorizations", "phone-numbers", "doctors"]
    items: list[ResolvedRow]


class LinkedDoctor(msgspec.Struct):
    party_id: str
    legal_entity_id: str
    patients_qty: int
    """Of the number's active persons, how many hold an active declaration with it."""


class LinkedLegalEntity(msgspec.Struct):
    legal_entity_id: str
    patients_qty: int
    """Of the number's active persons, how many hold an active declaration with one of
    its doctors (once each)."""


class PhoneNumberLinks(Snapshot, kw_only=True):
    phone_number: str
    doctors: list[LinkedDoctor]
    """Most persons first, then by key."""
    legal_entities: list[LinkedLegalEntity]


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
