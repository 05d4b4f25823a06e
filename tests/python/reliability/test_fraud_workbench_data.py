"""The fraud workbench on the real published build (SPEC §15): what the API serves is what
the sync published — every report row's status from report_flag_status of its date, the
resolved rows, the links of the reported phone numbers."""

from __future__ import annotations

from typing import Any

import psycopg
from reliability_support import FRAUD, bearer

# The published report date D: the latest date of the flag history.
LATEST = "(select max(report_date) from fraud.report_flag_dates)"


def _get(client: Any, token: str, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"{FRAUD}{path}", params=params or None, headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()


def test_report_rows_carry_the_published_status(client, analyst_token, connections) -> None:
    with psycopg.connect(connections.app_dsn) as conn:
        status = {
            (report, row_id): (kind, first.isoformat(), count)
            for report, row_id, kind, first, count in conn.execute(
                "select report, row_id, flag_status, first_reported_date, consecutive_reports"
                " from fraud.report_flag_status"
                f" where report_date = {LATEST}"
            )
        }
    served = {}
    for path, report, params in (
        ("/phone-numbers", "phone-numbers", {}),
        ("/doctors", "doctors", {}),
        ("/authorizations", "authorizations", {"type": "DOCTOR", "settlement_type": "CITY"}),
        ("/authorizations", "authorizations", {"type": "LEGAL_ENTITY", "settlement_type": "OTHER"}),
    ):
        for item in _get(client, analyst_token, path, per_page=100, **params)["items"]:
            assert item["is_reported"] and item["report_rank"] <= item["report_cap"]
            served[(report, item["row_id"])] = (
                item["flag_status"],
                item["first_reported_date"],
                item["consecutive_reports"],
            )
    assert served
    assert all(served[key] == status[key] for key in served), "a row's status differs"


def test_resolved_rows_are_the_published_ones(client, analyst_token, connections) -> None:
    with psycopg.connect(connections.app_dsn) as conn:
        expected = {
            (report, row_id)
            for report, row_id in conn.execute(
                "select report, row_id from fraud.report_flag_status"
                f" where flag_status = 'resolved' and report_date = {LATEST}"
            )
        }
    served = {
        (report, item["row_id"])
        for report in ("authorizations", "phone-numbers", "doctors")
        for item in _get(client, analyst_token, f"/{report}/resolved", per_page=100)["items"]
    }
    assert served == expected


def test_links_of_reported_numbers_are_the_published_ones(client, analyst_token, connections):
    with psycopg.connect(connections.app_dsn) as conn:
        numbers = [
            number
            for (number,) in conn.execute(
                "select phone_number from fraud.patients_phonenumber where is_reported"
                " order by report_rank limit 5"
            )
        ]
        for number in numbers:
            doctors = conn.execute(
                "select party_id, legal_entity_id, patients_qty from fraud.phone_number_doctors"
                " where phone_number = %s",
                [number],
            ).fetchall()
            body = _get(client, analyst_token, f"/phone-numbers/{number}/doctors")
            served = [
                (d["party_id"], d["legal_entity_id"], d["patients_qty"]) for d in body["doctors"]
            ]
            assert sorted(served) == sorted(doctors) and len(served) > 0
            counts = [d["patients_qty"] for d in body["doctors"]]
            assert counts == sorted(counts, reverse=True)
    assert numbers
