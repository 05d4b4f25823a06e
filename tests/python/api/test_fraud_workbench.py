"""The fraud workbench's reads (SPEC §15) against app_data.sql: each row's explanation and
status, the resolved rows of the published report date, the phone-number links."""

from __future__ import annotations

from typing import Any

import pytest

FRAUD = "/v1/fraud-reports"


@pytest.fixture
def fetch(fraud_get):
    return fraud_get


def status_of(body: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {
        item["row_id"]: (
            item["flag_status"],
            item["first_reported_date"],
            item["consecutive_reports"],
        )
        for item in body["items"]
    }


def test_a_row_returning_after_a_gap_is_new_with_its_first_date(fetch):
    body = fetch("/authorizations", type="DOCTOR", settlement_type="OTHER")
    assert status_of(body) == {"DOCTOR:p4:le2:OTHER": ("new", "2026-11-06", 1)}


def test_a_legal_entity_row_carries_its_typed_row_id_and_status(fetch):
    body = fetch("/authorizations", type="LEGAL_ENTITY", settlement_type="CITY")
    assert status_of(body) == {"LEGAL_ENTITY:le1:CITY": ("new", "2026-11-20", 1)}
    item = body["items"][0]
    assert (item["report_cap"], item["report_cutoff_value"], item["partition_rows"]) == (
        1,
        0.5,
        2,
    )


def test_a_recurring_phone_number_counts_its_consecutive_reports(fetch):
    body = fetch("/phone-numbers")
    assert status_of(body) == {"380501112233": ("recurring", "2026-11-13", 2)}


def test_a_row_no_longer_reported_shows_resolved_in_the_filtered_report(fetch):
    body = fetch("/doctors", min_patients_qty=0)
    assert status_of(body) == {
        "p1:le1": ("new", "2026-11-20", 1),
        "p2:le1": (None, None, None),
        "p3:le2": ("resolved", "2026-11-13", 0),
        "p5:le3": (None, None, None),
    }


def test_resolved_authorizations_are_the_previous_dates_rows_not_reported_now(fetch):
    body = fetch("/authorizations/resolved")
    assert body["report"] == "authorizations" and body["total"] == 1
    assert body["items"] == [
        {
            "row_id": "DOCTOR:p2:le1:CITY",
            "report_date": "2026-11-20",
            "previous_report_date": "2026-11-13",
            "first_reported_date": "2026-11-13",
            "authorization_type": "DOCTOR",
            "party_id": "p2",
            "legal_entity_id": "le1",
            "settlement_type": "CITY",
            "phone_number": None,
            "previous_report_rank": 2,
            "previous_report_value": 0.6,
            "previous_outlier_score": 2.1,
        }
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "DOCTOR"}, ["DOCTOR:p2:le1:CITY"]),
        ({"type": "LEGAL_ENTITY"}, []),
        ({"settlement_type": "OTHER"}, []),
        ({"type": "DOCTOR", "settlement_type": "CITY"}, ["DOCTOR:p2:le1:CITY"]),
    ],
)
def test_resolved_authorizations_filter_by_type_and_settlement(fetch, params, expected):
    body = fetch("/authorizations/resolved", **params)
    assert [item["row_id"] for item in body["items"]] == expected


def test_a_resolved_row_gone_from_the_report_is_listed_as_it_was(fetch):
    body = fetch("/phone-numbers/resolved")
    assert [
        (i["row_id"], i["phone_number"], i["previous_report_rank"], i["previous_report_value"])
        for i in body["items"]
    ] == [("380507770000", "380507770000", 2, 4.0)]
    doctors = fetch("/doctors/resolved")
    assert [(i["row_id"], i["party_id"]) for i in doctors["items"]] == [("p3:le2", "p3")]


def test_phone_number_links_list_doctors_and_legal_entities_most_persons_first(fetch):
    body = fetch("/phone-numbers/380501112233/doctors")
    assert body["phone_number"] == "380501112233" and body["as_of_date"] == "2026-11-20"
    assert body["doctors"] == [
        {"party_id": "p1", "legal_entity_id": "le1", "patients_qty": 3},
        {"party_id": "p3", "legal_entity_id": "le2", "patients_qty": 3},
        {"party_id": "p2", "legal_entity_id": "le1", "patients_qty": 1},
    ]
    assert body["legal_entities"] == [
        {"legal_entity_id": "le1", "patients_qty": 3},
        {"legal_entity_id": "le2", "patients_qty": 3},
    ]


def test_a_reported_number_without_linked_doctors_has_empty_lists(fetch):
    body = fetch("/phone-numbers/380509990000/doctors")
    assert (body["doctors"], body["legal_entities"]) == ([], [])


def test_a_number_not_in_the_report_is_404(client, analyst_headers):
    response = client.get(f"{FRAUD}/phone-numbers/380500000000/doctors", headers=analyst_headers)
    assert response.status_code == 404


@pytest.mark.parametrize("number", ["38050abc", "1" * 33, "+380501112233"])
def test_a_malformed_phone_number_is_400_naming_it(client, analyst_headers, number):
    response = client.get(f"{FRAUD}/phone-numbers/{number}/doctors", headers=analyst_headers)
    assert response.status_code == 400, response.text
    assert "phone_number" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/authorizations/resolved",
        "/phone-numbers/resolved",
        "/doctors/resolved",
        "/phone-numbers/380501112233/doctors",
    ],
)
def test_a_lead_token_cannot_read_the_workbench(client, lead_headers, path):
    assert client.get(f"{FRAUD}{path}", headers=lead_headers).status_code == 403
