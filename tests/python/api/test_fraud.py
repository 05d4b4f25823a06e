"""Fraud report endpoints against app_data.sql: flagged rows by default, filters, order."""

from __future__ import annotations

from typing import Any

import pytest

FRAUD = "/v1/fraud-reports"


@pytest.fixture
def fetch(fraud_get):
    return fraud_get


def test_doctor_authorization_report_returns_its_flagged_rows(fetch):
    body = fetch("/authorizations", type="DOCTOR", settlement_type="CITY")
    assert body == {
        "as_of_date": "2026-11-20",
        "synced_at": "2026-11-20T06:00:00Z",
        "page": 1,
        "per_page": 25,
        "total": 1,
        "total_pages": 1,
        "type": "DOCTOR",
        "settlement_type": "CITY",
        "items": [
            {
                "report_rank": 1,
                "is_reported": True,
                "outlier_score": 4.1234,
                "is_statistical_outlier": True,
                "report_date": "2026-11-20",
                "row_id": "DOCTOR:p1:le1:CITY",
                "partition_rows": 3,
                "partition_median": 0.2,
                "partition_mad": 0.1166666667,
                "outlier_threshold": 3.5,
                "report_cap": 1,
                "report_cutoff_value": 0.9,
                "flag_status": "recurring",
                "first_reported_date": "2026-11-06",
                "consecutive_reports": 3,
                "review_verdict": None,
                "review_note": None,
                "reviewed_by": None,
                "reviewed_at": None,
                "id": "p1",
                "party_id": "p1",
                "legal_entity_id": "le1",
                "settlement_type": "CITY",
                "patients_qty": 20,
                "offline_patients_qty": 18,
                "ratio_offline_patients_qty": 0.9,
            }
        ],
    }


def test_authorization_report_is_per_settlement_type(fetch):
    body = fetch("/authorizations", type="DOCTOR", settlement_type="OTHER")
    assert [(i["id"], i["ratio_offline_patients_qty"]) for i in body["items"]] == [("p4", 1.0)]


def test_legal_entity_authorization_report(fetch):
    body = fetch("/authorizations", type="LEGAL_ENTITY", settlement_type="CITY")
    assert [(i["id"], i["party_id"], i["legal_entity_id"]) for i in body["items"]] == [
        ("le1", None, "le1")
    ]
    assert body["items"][0]["ratio_offline_patients_qty"] == 0.5
    empty = fetch("/authorizations", type="LEGAL_ENTITY", settlement_type="OTHER")
    assert empty["items"] == [] and empty["total"] == 0 and empty["total_pages"] == 0


def test_phone_number_report(fetch):
    body = fetch("/phone-numbers")
    assert [(i["phone_number"], i["patients_qty"], i["report_rank"]) for i in body["items"]] == [
        ("380501112233", 5, 1)
    ]


def doctors(body: dict[str, Any]) -> list[str]:
    return [item["party_id"] for item in body["items"]]


def test_doctor_report_without_filters_is_the_flagged_doctors(fetch):
    body = fetch("/doctors")
    assert doctors(body) == ["p1"] and body["filtered"] is False
    assert body["items"][0] == {
        "report_rank": 1,
        "is_reported": True,
        "outlier_score": 3.9,
        "is_statistical_outlier": True,
        "report_date": "2026-11-20",
        "row_id": "p1:le1",
        "partition_rows": 4,
        "partition_median": 3.5,
        "partition_mad": 2.5,
        "outlier_threshold": 3.5,
        "report_cap": 1,
        "report_cutoff_value": 6.0,
        "flag_status": "new",
        "first_reported_date": "2026-11-20",
        "consecutive_reports": 1,
        "review_verdict": None,
        "review_note": None,
        "reviewed_by": None,
        "reviewed_at": None,
        "party_id": "p1",
        "legal_entity_id": "le1",
        "patients_qty": 40,
        "new_30": 30,
        "new_prev_60": 10,
        "lifetime_days": 400,
        "patient_increase_30d": 6.0,
        "patient_increase_30d_0": None,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"min_patients_qty": 0}, ["p1", "p2", "p3", "p5"]),
        ({"min_patients_qty": 12}, ["p1", "p2", "p3"]),
        ({"min_patients_qty": 25}, ["p1", "p2"]),
        ({"min_patient_increase_30d": 1}, ["p1", "p2"]),
        ({"min_patient_increase_30d": 1.5}, ["p1"]),
        ({"min_patient_increase_30d": 0}, ["p1", "p2"]),  # NULL increases never match
        ({"min_patient_increase_30d_0": 1}, ["p3"]),
        ({"min_patient_increase_30d_0": 5}, []),
        ({"min_patients_qty": 20, "min_patient_increase_30d": 2}, ["p1"]),
    ],
)
def test_doctor_filters_return_every_matching_row_in_report_order(fetch, params, expected):
    body = fetch("/doctors", **params)
    assert doctors(body) == expected
    assert body["total"] == len(expected) and body["filtered"] is True


def test_fraud_paging_keeps_the_true_total(fetch):
    body = fetch("/doctors", min_patients_qty=0, per_page=3, page=2)
    assert doctors(body) == ["p5"]
    assert (body["total"], body["total_pages"]) == (4, 2)
    past = fetch("/doctors", min_patients_qty=0, per_page=3, page=7)
    assert past["items"] == [] and past["total"] == 4
