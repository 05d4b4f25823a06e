"""Reviews of fraud report rows (SPEC §15) against app_data.sql, on a database of their own
(reviews are writes): stored with who and when, shown on the rows, false positives hidden,
idempotent retries, field-level 400s, the role check."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from api_support import bearer, claims, sign
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from kpi.embedded import conninfo_for_dbname
from kpi.settings import Settings
from sync.audit import ensure_audit

FRAUD = "/v1/fraud-reports"
HERE = Path(__file__).resolve().parent
ANALYST = bearer(sign(claims(market_role=None, markets=[], roles=["fraud_analyst"])))
OTHER_ANALYST = bearer(
    sign({**claims(market_role=None, markets=[], roles=["fraud_analyst"]), "sub": "user-2"})
)
LEAD = bearer(sign(claims()))


@pytest.fixture(scope="module")
def reviews_dsn(admin_dsn: str) -> Iterator[str]:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute("drop database if exists api_reviews_test with (force)")
        conn.execute("create database api_reviews_test")
    dsn = conninfo_for_dbname(admin_dsn, "api_reviews_test")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute((HERE / "app_data.sql").read_text())
        ensure_audit(conn, ["leader_hub", "fraud"])
    yield dsn


@pytest.fixture(scope="module")
def rclient(api_settings: Settings, reviews_dsn: str) -> Iterator[TestClient[Litestar]]:
    settings = dataclasses.replace(api_settings, fraud_suppress_days=90)
    with TestClient(create_app(settings, reviews_dsn)) as test_client:
        yield test_client


def stored(dsn: str, report: str, row_id: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "select verdict, note, reviewed_by, reviewed_at from kpi_reviews.reviews"
            " where report = %s and row_id = %s order by review_id",
            [report, row_id],
        ).fetchall()


def review(client: Any, report: str, row_id: str, body: Any, **headers: str) -> Any:
    return client.post(
        f"{FRAUD}/{report}/{row_id}/reviews", json=body, headers={**ANALYST, **headers}
    )


def test_a_review_is_stored_with_who_and_when_and_shown_on_its_row(rclient, reviews_dsn):
    response = review(
        rclient,
        "authorizations",
        "DOCTOR:p1:le1:CITY",
        {"verdict": "referred", "note": "sent to the regional office"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["report"], body["row_id"], body["verdict"], body["reviewed_by"]) == (
        "authorizations",
        "DOCTOR:p1:le1:CITY",
        "referred",
        "user-1",
    )
    [(verdict, note, who, when)] = stored(reviews_dsn, "authorizations", "DOCTOR:p1:le1:CITY")
    assert (verdict, note, who) == ("referred", "sent to the regional office", "user-1")
    assert body["reviewed_at"].startswith(when.isoformat()[:19])
    rows = rclient.get(
        f"{FRAUD}/authorizations",
        params={"type": "DOCTOR", "settlement_type": "CITY"},
        headers=ANALYST,
    ).json()["items"]
    assert [
        (r["row_id"], r["review_verdict"], r["review_note"], r["reviewed_by"]) for r in rows
    ] == [("DOCTOR:p1:le1:CITY", "referred", "sent to the regional office", "user-1")]


def test_the_latest_verdict_wins(rclient):
    for verdict in ("under_review", "recovered"):
        assert review(rclient, "doctors", "p1:le1", {"verdict": verdict}).status_code == 201
    [row] = rclient.get(f"{FRAUD}/doctors", headers=ANALYST).json()["items"]
    assert (row["row_id"], row["review_verdict"], row["review_note"]) == (
        "p1:le1",
        "recovered",
        None,
    )


def test_a_false_positive_leaves_the_default_report_but_not_the_filtered_one(rclient, reviews_dsn):
    phones = f"{FRAUD}/phone-numbers"
    assert [r["row_id"] for r in rclient.get(phones, headers=ANALYST).json()["items"]] == [
        "380501112233"
    ]
    assert (
        review(rclient, "phone-numbers", "380501112233", {"verdict": "false_positive"}).status_code
        == 201
    )
    default = rclient.get(phones, headers=ANALYST).json()
    assert default["items"] == [] and default["total"] == 0
    everything = rclient.get(phones, params={"include_reviewed": "true"}, headers=ANALYST).json()
    assert [(r["row_id"], r["review_verdict"]) for r in everything["items"]] == [
        ("380501112233", "false_positive")
    ]
    # the suppression lasts KPI_FRAUD_SUPPRESS_DAYS (90 here): an older one no longer hides
    with psycopg.connect(reviews_dsn) as conn:
        conn.execute(
            "update kpi_reviews.reviews set reviewed_at = now() - interval '91 days'"
            " where row_id = '380501112233'"
        )
    assert [r["row_id"] for r in rclient.get(phones, headers=ANALYST).json()["items"]] == [
        "380501112233"
    ]


def test_a_filtered_doctor_list_keeps_its_false_positives(rclient):
    assert review(rclient, "doctors", "p2:le1", {"verdict": "false_positive"}).status_code == 201
    rows = rclient.get(f"{FRAUD}/doctors", params={"min_patients_qty": 0}, headers=ANALYST).json()
    assert [(r["party_id"], r["review_verdict"]) for r in rows["items"]][:2] == [
        ("p1", "recovered"),
        ("p2", "false_positive"),
    ]


def test_a_retry_with_the_same_idempotency_key_adds_no_row(rclient, reviews_dsn):
    key = uuid.uuid4().hex
    body = {"verdict": "under_review", "note": "checking declarations"}
    first = review(rclient, "doctors", "p3:le2", body, **{"Idempotency-Key": key})
    again = review(rclient, "doctors", "p3:le2", body, **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len(stored(reviews_dsn, "doctors", "p3:le2")) == 1
    other = review(
        rclient, "doctors", "p3:le2", {"verdict": "referred"}, **{"Idempotency-Key": key}
    )
    assert other.status_code == 409 and other.json()["error"] == "conflict"
    elsewhere = review(rclient, "doctors", "p5:le3", body, **{"Idempotency-Key": key})
    assert elsewhere.status_code == 409  # the same key for another row is another body
    # keys are per subject: another analyst's same key is their own first request
    theirs = rclient.post(
        f"{FRAUD}/doctors/p3:le2/reviews",
        json=body,
        headers={**OTHER_ANALYST, "Idempotency-Key": key},
    )
    assert theirs.status_code == 201 and theirs.json()["reviewed_by"] == "user-2"
    assert len(stored(reviews_dsn, "doctors", "p3:le2")) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"verdict": "guilty"}, "verdict"),
        ({"verdict": 3}, "verdict"),
        ({"verdict": "referred", "note": 5}, "note"),
        ({"verdict": "referred", "note": "x" * 2001}, "note"),
        ({"verdict": "referred", "note": "a\x00b"}, "note"),
        ({"verdict": "referred", "extra": 1}, "body"),
        ([], "body"),
        ("referred", "body"),
    ],
)
def test_a_bad_body_is_a_400_naming_the_field(rclient, reviews_dsn, body, field):
    response = review(rclient, "doctors", "p5:le3", body)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert stored(reviews_dsn, "doctors", "p5:le3") == []


def test_a_body_that_is_not_json_is_a_400(rclient):
    response = rclient.post(
        f"{FRAUD}/doctors/p5:le3/reviews",
        content=b"{verdict",
        headers={**ANALYST, "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["field"] == "body"


def test_a_long_idempotency_key_or_row_id_is_a_400(rclient):
    long_key = review(
        rclient, "doctors", "p5:le3", {"verdict": "referred"}, **{"Idempotency-Key": "k" * 201}
    )
    assert long_key.status_code == 400
    long_row = review(rclient, "doctors", "p" * 301, {"verdict": "referred"})
    assert long_row.status_code == 400 and long_row.json()["field"] == "row_id"


def test_an_unknown_row_or_report_is_a_404(rclient):
    assert review(rclient, "doctors", "nobody:le1", {"verdict": "referred"}).status_code == 404
    # a doctor's id is not an authorization row id
    assert review(rclient, "authorizations", "p1:le1", {"verdict": "referred"}).status_code == 404
    assert review(rclient, "providers", "p1:le1", {"verdict": "referred"}).status_code in (404, 405)


def test_a_lead_can_neither_review_nor_read(rclient, reviews_dsn):
    before = stored(reviews_dsn, "doctors", "p5:le3")
    response = rclient.post(
        f"{FRAUD}/doctors/p5:le3/reviews", json={"verdict": "referred"}, headers=LEAD
    )
    assert response.status_code == 403
    assert (
        rclient.post(f"{FRAUD}/doctors/p5:le3/reviews", json={"verdict": "referred"}).status_code
        == 401
    )
    assert stored(reviews_dsn, "doctors", "p5:le3") == before
    for path in ("/doctors", "/phone-numbers?format=csv"):
        assert rclient.get(f"{FRAUD}{path}", headers=LEAD).status_code == 403


def test_a_token_without_a_subject_cannot_sign_a_review(rclient):
    anonymous = claims(market_role=None, markets=[], roles=["fraud_analyst"])
    anonymous.pop("sub")
    response = rclient.post(
        f"{FRAUD}/doctors/p5:le3/reviews",
        json={"verdict": "referred"},
        headers=bearer(sign(anonymous)),
    )
    assert response.status_code == 403
