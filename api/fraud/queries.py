"""Fraud report SQL: one :func:`api.db.paged_query` statement per report, in report order.

Without filters a report is its ``is_reported`` rows; the doctors report's filters
(``%(filtered)s`` and the minimums) select every matching row instead.
"""

from __future__ import annotations

from api.db import paged_query

FLAGS = (
    "report_rank, is_reported, outlier_score, is_statistical_outlier, report_date,"
    " row_id, partition_rows, partition_median, partition_mad, outlier_threshold,"
    " report_cap, report_cutoff_value, flag_status, first_reported_date, consecutive_reports"
)  # fmt: skip


def with_status(report: str) -> str:
    """The join that gives a report row its status on its report date (SPEC §15 History):
    ``report_flag_status`` of the same report, row_id and report_date; nothing (NULLs)
    for a row neither reported now nor on the previous report date kept."""
    return f"""
    left join (
        select row_id, report_date, flag_status, first_reported_date, consecutive_reports
        from fraud.report_flag_status
        where report = '{report}'
    ) as status using (row_id, report_date)"""


AUTHORIZATION_SQL = {
    "DOCTOR": paged_query(
        f"""
    select
        party_id as id, party_id, legal_entity_id, settlement_type,
        patients_qty, offline_patients_qty, ratio_offline_patients_qty, {FLAGS}
    from fraud.authorization_doctor{with_status("authorizations")}
    where settlement_type = %(settlement_type)s and is_reported
""",
        order_by="report_rank, party_id, legal_entity_id",
    ),
    "LEGAL_ENTITY": paged_query(
        f"""
    select
        legal_entity_id as id, null::text as party_id, legal_entity_id, settlement_type,
        patients_qty, offline_patients_qty, ratio_offline_patients_qty, {FLAGS}
    from fraud.authorization_legal_entity{with_status("authorizations")}
    where settlement_type = %(settlement_type)s and is_reported
""",
        order_by="report_rank, legal_entity_id",
    ),
}

PHONE_NUMBERS_SQL = paged_query(
    f"""
    select phone_number, patients_qty, {FLAGS}
    from fraud.patients_phonenumber{with_status("phone-numbers")}
    where is_reported
""",
    order_by="report_rank, phone_number",
)

DOCTORS_SQL = paged_query(
    f"""
    select
        party_id, legal_entity_id, patients_qty, new_30, new_prev_60, lifetime_days,
        patient_increase_30d, patient_increase_30d_0, {FLAGS}
    from fraud.total_patients_doctor{with_status("doctors")}
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

# Rows reported on the previous report date kept and not on the published one (D), as
# they were then: report_flag_status's `resolved` rows of D with their history row.
RESOLVED_SQL = paged_query(
    """
    select
        status.row_id, status.report_date, status.previous_report_date,
        status.first_reported_date, history.authorization_type, history.party_id,
        history.legal_entity_id, history.settlement_type, history.phone_number,
        history.report_rank as previous_report_rank,
        history.report_value as previous_report_value,
        history.outlier_score as previous_outlier_score
    from fraud.report_flag_status as status
    inner join fraud.report_flag_history as history
        on history.report = status.report
        and history.row_id = status.row_id
        and history.report_date = status.previous_report_date
    where status.report = %(report)s
        and status.flag_status = 'resolved'
        and status.report_date = (select as_of_date from snapshot)
        and (%(type)s::text is null or history.authorization_type = %(type)s::text)
        and (%(settlement_type)s::text is null
            or history.settlement_type = %(settlement_type)s::text)
""",
    order_by="authorization_type, settlement_type, previous_report_rank, row_id",
)

# The doctors, then the legal entities, holding active declarations of the number's
# persons (SPEC §15 Links); 404 when the number is not in the phone numbers report.
PHONE_NUMBER_LINKS_SQL = paged_query(
    """
    select 1 as holder_order, party_id, legal_entity_id, patients_qty
    from fraud.phone_number_doctors
    where phone_number = %(phone_number)s
    union all
    select 2 as holder_order, null as party_id, legal_entity_id, patients_qty
    from fraud.phone_number_legal_entities
    where phone_number = %(phone_number)s
""",
    order_by="holder_order, patients_qty desc, legal_entity_id, party_id",
    visible="exists (select from fraud.patients_phonenumber where phone_number = %(phone_number)s)",
)
