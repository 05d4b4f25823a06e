"""Fraud report SQL: one :func:`api.db.paged_query` statement per report, in report order.

Without filters a report is its ``is_reported`` rows; the doctors report's filters
(``%(filtered)s`` and the minimums) select every matching row instead.
"""

from __future__ import annotations

from api.db import paged_query

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
