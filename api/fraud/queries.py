"""Fraud report SQL: per report, one statement for a page (:func:`api.db.paged_query`) and
one for the CSV export (every matching row, same filters and order, no paging).

Without filters a report is its ``is_reported`` rows; the doctors report's filters
(``%(filtered)s`` and the minimums) select every matching row instead. Every row carries
its explanation and flag status (dbt, SPEC §15) and its latest review
(``kpi_reviews.reviews``); a row whose latest verdict is ``false_positive``, given within
``%(suppress_days)s`` days, is left out of the default (unfiltered) report unless
``%(include_reviewed)s``.
"""

from __future__ import annotations

from dataclasses import dataclass

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


# The marts of each reviewable report (the path's {report}).
REPORT_TABLES = {
    "authorizations": ("authorization_doctor", "authorization_legal_entity"),
    "phone-numbers": ("patients_phonenumber",),
    "doctors": ("total_patients_doctor",),
}

REVIEW_COLUMNS = (
    "review.verdict as review_verdict, review.note as review_note,"
    " review.reviewed_by, review.reviewed_at"
)

# Hidden from the default report: a recent false positive (SPEC §15).
NOT_SUPPRESSED = """not coalesce(
        not (%(include_reviewed)s or %(filtered)s)
        and review.verdict = 'false_positive'
        and review.reviewed_at > now() - make_interval(days => %(suppress_days)s::integer),
        false
    )"""


def latest_review(report: str) -> str:
    """The row's latest review, as the lateral join ``review`` (no row: NULLs)."""
    return f"""left join lateral (
        select reviews.verdict, reviews.note, reviews.reviewed_by, reviews.reviewed_at
        from kpi_reviews.reviews as reviews
        where reviews.report = '{report}' and reviews.row_id = report.row_id
        order by reviews.reviewed_at desc, reviews.review_id desc
        limit 1
    ) as review on true"""


@dataclass(frozen=True)
class ReportQuery:
    """A report list's page statement and its export statement."""

    page: str
    export: str


def report_query(report: str, table: str, columns: str, where: str, order_by: str) -> ReportQuery:
    filtered = f"""
    select {columns}, {FLAGS}, {REVIEW_COLUMNS}
    from fraud.{table} as report{with_status(report)}
    {latest_review(report)}
    where ({where}) and {NOT_SUPPRESSED}
"""
    export = f"select * from ({filtered}) as filtered order by {order_by}"
    return ReportQuery(paged_query(filtered, order_by=order_by), export)


AUTHORIZATION_QUERIES = {
    "DOCTOR": report_query(
        "authorizations",
        "authorization_doctor",
        """party_id as id, party_id, legal_entity_id, settlement_type,
        patients_qty, offline_patients_qty, ratio_offline_patients_qty""",
        "settlement_type = %(settlement_type)s and is_reported",
        order_by="report_rank, party_id, legal_entity_id",
    ),
    "LEGAL_ENTITY": report_query(
        "authorizations",
        "authorization_legal_entity",
        """legal_entity_id as id, null::text as party_id, legal_entity_id, settlement_type,
        patients_qty, offline_patients_qty, ratio_offline_patients_qty""",
        "settlement_type = %(settlement_type)s and is_reported",
        order_by="report_rank, legal_entity_id",
    ),
}

PHONE_NUMBERS_QUERY = report_query(
    "phone-numbers",
    "patients_phonenumber",
    "phone_number, patients_qty",
    "is_reported",
    order_by="report_rank, phone_number",
)

DOCTORS_QUERY = report_query(
    "doctors",
    "total_patients_doctor",
    """party_id, legal_entity_id, patients_qty, new_30, new_prev_60, lifetime_days,
        patient_increase_30d, patient_increase_30d_0""",
    """(is_reported or %(filtered)s)
        and (%(min_patients_qty)s::bigint is null
            or patients_qty >= %(min_patients_qty)s::bigint)
        and (%(min_patient_increase_30d)s::float8 is null
            or patient_increase_30d >= %(min_patient_increase_30d)s::float8)
        and (%(min_patient_increase_30d_0)s::bigint is null
            or patient_increase_30d_0 >= %(min_patient_increase_30d_0)s::bigint)""",
    order_by="report_rank, party_id, legal_entity_id",
)


def row_exists_sql(report: str) -> str:
    """True when ``%(row_id)s`` is a row of the report's marts (reported or not)."""
    unions = " union all ".join(
        f"select 1 from fraud.{table} where row_id = %(row_id)s" for table in REPORT_TABLES[report]
    )
    return f"select exists ({unions}) as found"


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
