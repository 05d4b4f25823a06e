"""Fraud report SQL: per report, one statement for a page (:func:`api.db.paged_query`) and
one for the CSV export (every matching row, same filters and order, no paging).

Without filters a report is its ``is_reported`` rows; the doctors report's filters
(``%(filtered)s`` and the minimums) select every matching row instead. Every row carries
its ``row_id`` (SPEC §15) and its latest review (``kpi_reviews.reviews``); a row whose
latest verdict is ``false_positive``, given within ``%(suppress_days)s`` days, is left out
of the default (unfiltered) report unless ``%(include_reviewed)s``.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.db import paged_query

FLAGS = (
    "report_rank, is_reported, outlier_score, is_statistical_outlier, report_date"
)  # fmt: skip

# The row id of SPEC §15, from each mart's key columns.
ROW_IDS = {
    "authorization_doctor": (
        "'DOCTOR:' || party_id || ':' || legal_entity_id || ':' || settlement_type"
    ),
    "authorization_legal_entity": "'LEGAL_ENTITY:' || legal_entity_id || ':' || settlement_type",
    "patients_phonenumber": "phone_number",
    "total_patients_doctor": "party_id || ':' || legal_entity_id",
}

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
        and review.reviewed_at > now() - make_interval(days => %(suppress_days)s),
        false
    )"""


def rows_of(table: str) -> str:
    """The mart's rows with their ``row_id``, as a subquery aliased ``report``."""
    return f"(select mart.*, {ROW_IDS[table]} as row_id from fraud.{table} as mart) as report"


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
    select {columns}, report.row_id, {FLAGS}, {REVIEW_COLUMNS}
    from {rows_of(table)}
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
        f"select 1 from {rows_of(table)} where report.row_id = %(row_id)s"
        for table in REPORT_TABLES[report]
    )
    return f"select exists ({unions}) as found"
