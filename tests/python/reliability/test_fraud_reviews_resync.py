"""Fraud reviews (SPEC §15) on the published build, through the API's own role: stored by
kpi_api (INSERT, never UPDATE/DELETE), and still there, still shown on their rows, after
`kpi sync` publishes the build again (the migration re-run, every mart re-merged)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from psycopg.conninfo import make_conninfo
from reliability_support import FRAUD, bearer

from api.app import create_app
from kpi.cli import main
from kpi.embedded import Connections
from kpi.settings import Settings
from sync.audit import API_ROLE, ensure_audit

NOTE = f"resync check {uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def api_dsn(connections: Connections, published: date) -> str:
    """The API's own role on the app database (the migration created and granted it)."""
    with psycopg.connect(connections.app_dsn, autocommit=True) as conn:
        ensure_audit(conn, ["leader_hub", "fraud"])
    return make_conninfo(connections.app_dsn, user=API_ROLE)


@pytest.fixture(scope="module")
def api_client(settings: Settings, api_dsn: str) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(settings, api_dsn)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def reviewed(connections: Connections, published: date) -> Iterator[str]:
    """A doctor row of the published build; the reviews made here are removed after."""
    with psycopg.connect(connections.app_dsn, autocommit=True) as conn:
        row_id = conn.execute(
            "select row_id from fraud.total_patients_doctor order by report_rank limit 1"
        ).fetchone()[0]
        yield row_id
        conn.execute("delete from kpi_reviews.reviews where note = %s", [NOTE])


def latest_on_list(client: TestClient[Litestar], token: str, row_id: str) -> dict[str, Any]:
    params = {"min_patients_qty": 0, "per_page": 100}
    pages = client.get(f"{FRAUD}/doctors", params=params, headers=bearer(token)).json()
    for page in range(1, pages["total_pages"] + 1):
        items = client.get(
            f"{FRAUD}/doctors",
            params={"min_patients_qty": 0, "per_page": 100, "page": page},
            headers=bearer(token),
        ).json()["items"]
        for item in items:
            if item["row_id"] == row_id:
                return item
    raise AssertionError(f"{row_id} is not in the doctors report")


def test_the_api_role_adds_reviews_but_cannot_change_them(api_dsn: str, reviewed: str) -> None:
    with psycopg.connect(api_dsn, autocommit=True) as conn:
        conn.execute(
            "insert into kpi_reviews.reviews (report, row_id, verdict, note, reviewed_by)"
            " values ('doctors', %s, 'under_review', %s, 'role-check')",
            [reviewed, NOTE],
        )
        for statement in (
            "update kpi_reviews.reviews set verdict = 'recovered' where note = %s",
            "delete from kpi_reviews.reviews where note = %s",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement, [NOTE])
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("truncate kpi_reviews.reviews")


def test_a_review_survives_a_resync(
    api_client: TestClient[Litestar], analyst_token: str, connections: Connections, reviewed: str
) -> None:
    response = api_client.post(
        f"{FRAUD}/doctors/{reviewed}/reviews",
        json={"verdict": "referred", "note": NOTE},
        headers={**bearer(analyst_token), "Idempotency-Key": NOTE},
    )
    assert response.status_code == 201, response.text
    review = response.json()
    assert latest_on_list(api_client, analyst_token, reviewed)["review_verdict"] == "referred"

    assert main(["sync"]) == 0  # the same build published again: migration + every mart

    with psycopg.connect(connections.app_dsn) as conn:
        kept = conn.execute(
            "select review_id, verdict, reviewed_by from kpi_reviews.reviews"
            " where row_id = %s and note = %s and verdict = 'referred'",
            [reviewed, NOTE],
        ).fetchall()
        still_a_row = conn.execute(
            "select count(*) from fraud.total_patients_doctor where row_id = %s", [reviewed]
        ).fetchone()[0]
    assert kept == [(review["review_id"], "referred", review["reviewed_by"])]
    assert still_a_row == 1  # row ids come from the keys: the same row in every build
    shown = latest_on_list(api_client, analyst_token, reviewed)
    assert (shown["review_verdict"], shown["review_note"]) == ("referred", NOTE)
    # the retry after the re-sync still finds the first review
    again = api_client.post(
        f"{FRAUD}/doctors/{reviewed}/reviews",
        json={"verdict": "referred", "note": NOTE},
        headers={**bearer(analyst_token), "Idempotency-Key": NOTE},
    )
    assert again.status_code == 201 and again.json() == review
