"""The fraud flag history (SPEC §15) as `make dbt-test` built it.

`make dbt-test` built 2026-11-20, then backfilled 6 weekly dates and the 6 days before.
Here: the history holds exactly those dates; the published date's history rows are
exactly the reports' `is_reported` rows; and the status table agrees with a plain Python
recomputation of first_reported_date, consecutive_reports and flag_status from the
history and its dates log (an independent reading of the rule, not the model's SQL).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from kpi.backfill import FRAUD_DATES_LOG, FRAUD_HISTORY_MODELS

# report name -> its marts
REPORT_MARTS = {
    "authorizations": ("authorization_doctor", "authorization_legal_entity"),
    "phone-numbers": ("patients_phonenumber",),
    "doctors": ("total_patients_doctor",),
}


def expected_dates(as_of: date) -> set[date]:
    weekly = {as_of - timedelta(days=7 * i) for i in range(6)}
    return weekly | {as_of - timedelta(days=i) for i in range(1, 7)}


def test_flag_history_holds_exactly_the_test_builds_dates(warehouse, as_of) -> None:
    for table in ("report_flag_history", FRAUD_DATES_LOG):
        rows = warehouse.execute(f"select distinct report_date from fraud.{table}").fetchall()
        assert {day for (day,) in rows} == expected_dates(as_of), table
    assert FRAUD_HISTORY_MODELS == ("report_flag_history", "report_flag_status")


def test_the_published_dates_history_is_the_reports_reported_rows(warehouse, as_of) -> None:
    for report, marts in REPORT_MARTS.items():
        reported = set()
        for mart in marts:
            rows = warehouse.execute(
                f"select row_id, report_rank from fraud.{mart} where is_reported"
            ).fetchall()
            reported |= set(rows)
        history = warehouse.execute(
            "select row_id, report_rank from fraud.report_flag_history"
            " where report = %s and report_date = %s",
            [report, as_of],
        ).fetchall()
        assert reported and set(history) == reported, report


def recomputed_status(warehouse) -> dict[tuple[str, str, date], tuple[Any, ...]]:
    """(report, row_id, date) -> (flag_status, first_reported_date, consecutive_reports)."""
    dates = [d for (d,) in warehouse.execute("select report_date from fraud.report_flag_dates")]
    dates.sort()
    flagged: dict[tuple[str, str], set[date]] = defaultdict(set)
    for report, row_id, day in warehouse.execute(
        "select report, row_id, report_date from fraud.report_flag_history"
    ):
        flagged[(report, row_id)].add(day)
    status = {}
    for (report, row_id), days in flagged.items():
        run = 0
        for position, day in enumerate(dates):
            first = min((d for d in days if d <= day), default=None)
            previous = dates[position - 1] if position else None
            if day in days:
                run += 1
                kind = "recurring" if previous in days else "new"
                status[(report, row_id, day)] = (kind, first, run)
            else:
                run = 0
                if previous in days:
                    status[(report, row_id, day)] = ("resolved", first, 0)
    return status


def test_status_table_agrees_with_the_rule_recomputed_from_the_history(warehouse) -> None:
    rows = warehouse.execute(
        "select report, row_id, report_date, flag_status, first_reported_date,"
        " consecutive_reports from fraud.report_flag_status"
    ).fetchall()
    table = {(r[0], r[1], r[2]): (r[3], r[4], r[5]) for r in rows}
    assert table == recomputed_status(warehouse)


def test_the_test_history_has_recurring_new_and_resolved_rows(warehouse, as_of) -> None:
    """Every status occurs in the test build's history (what the workbench shows), and the
    published date D carries its flags' status. (In the synthetic data every flag of
    D − 1 is still flagged on D, so D itself has only recurring rows: the API tests pin
    new and resolved rows on app_data.sql.)"""
    kinds = {
        kind
        for (kind,) in warehouse.execute(
            "select distinct flag_status from fraud.report_flag_status"
        )
    }
    assert kinds == {"recurring", "new", "resolved"}
    reported_on_d = warehouse.execute(
        "select count(*) from fraud.report_flag_status"
        " where report_date = %s and flag_status in ('recurring', 'new')",
        [as_of],
    ).fetchone()[0]
    history_on_d = warehouse.execute(
        "select count(*) from fraud.report_flag_history where report_date = %s", [as_of]
    ).fetchone()[0]
    assert reported_on_d == history_on_d > 0
