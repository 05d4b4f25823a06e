"""End to end: the real generate → dbt build → kpi sync → API, as `make test` ran them.

`make test` generated and built the warehouse for KPI_TEST_AS_OF before pytest; this
module publishes that build with the real `kpi sync` and reads it back through the API.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from api.tokens import mint_dev_token
from kpi.cli import main
from sync.manifest import check_build

HUB = "/v1/leader-hub-metrics"
PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def published(settings, connections) -> list[str]:
    """Sync the build into a fresh app database; returns the exported tables."""
    with psycopg.connect(connections.app_dsn, autocommit=True) as conn:
        conn.execute("drop schema if exists leader_hub, fraud, kpi_sync cascade")
    assert main(["sync"]) == 0
    return [t.qualified for t in check_build(settings.dbt_target_path).tables]


@pytest.fixture(scope="module")
def client(settings, connections, published) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(settings, connections.app_dsn)) as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_sync_publishes_every_exported_mart(connections, published) -> None:
    # what the sync exports (the marts' `meta`) is exactly what the API's exposures declare
    # it reads: a mart added to one and not the other fails here
    exposures = (PROJECT / "models" / "marts" / "_marts__exposures.yml").read_text()
    declared = set(re.findall(r"ref\('([a-z0-9_]+)'\)", exposures))
    assert sorted(t.split(".", 1)[1] for t in published) == sorted(declared)
    with (
        psycopg.connect(connections.warehouse_dsn) as wh,
        psycopg.connect(connections.app_dsn) as app,
    ):
        for table in published:
            checksum = (
                "select count(*) || ':' || coalesce(md5(string_agg(t::text, ',' order by"
                f" t::text)), '') from {table} as t"
            )
            assert wh.execute(checksum).fetchone() == app.execute(checksum).fetchone(), table
            (rows,) = app.execute(f"select count(*) from {table}").fetchone()
            assert rows > 0, f"{table} is empty"


def test_ready_reports_the_built_as_of_date(client, as_of) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json()["as_of_date"] == as_of.isoformat()


def busiest_market(connections) -> tuple[int, list[int]]:
    with psycopg.connect(connections.app_dsn) as conn:
        rows = conn.execute(
            "select market_id from leader_hub.markets_active_providers"
            " group by market_id order by count(*) desc, market_id"
        ).fetchall()
    markets = [r[0] for r in rows]
    return markets[0], markets


@pytest.mark.parametrize(
    "metric", ["on_scene_time", "chart_closure_rate", "net_promoter_score", "on_task_percent"]
)
def test_ranking_is_dense_over_non_null_values_and_nulls_come_last(
    settings, connections, client, metric: str, as_of
) -> None:
    market, _ = busiest_market(connections)
    token = mint_dev_token(settings, "Market Manager", [market], False)
    response = client.get(
        f"{HUB}/markets/{market}/providers",
        params={"job_title": "APP", "metric": metric, "per_page": 100},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["as_of_date"] == as_of.isoformat()
    items = body["items"]
    assert body["total"] == len(items) > 0
    ranked = [i for i in items if i["value"] is not None]
    unranked = [i for i in items if i["value"] is None]
    assert items == ranked + unranked
    assert all(i["rank"] is None for i in unranked)
    assert all(i["ranked_providers"] == len(ranked) for i in items)
    ascending = metric == "on_scene_time"
    distinct = sorted({i["value"] for i in ranked}, reverse=not ascending)
    for item in ranked:
        assert item["rank"] == distinct.index(item["value"]) + 1
    assert [i["rank"] for i in ranked] == sorted(i["rank"] for i in ranked)


def test_search_filters_rows_but_keeps_ranks(settings, connections, client) -> None:
    market, _ = busiest_market(connections)
    token = mint_dev_token(settings, "Lead APP", [market], False)
    url = f"{HUB}/markets/{market}/providers"
    full = client.get(url, params={"job_title": "DHMT", "per_page": 100}, headers=bearer(token))
    first = full.json()["items"][0]["provider"]
    query = f"{first['last_name']}, {first['first_name'][:3].upper()}"
    found = client.get(
        url, params={"job_title": "DHMT", "search": query}, headers=bearer(token)
    ).json()
    assert found["total"] >= 1
    assert found["items"][0] == full.json()["items"][0]


def test_provider_outside_the_token_markets_is_404(settings, connections, client) -> None:
    market, _ = busiest_market(connections)
    with psycopg.connect(connections.app_dsn) as conn:
        (outsider,) = conn.execute(
            "select provider_id from leader_hub.providers as p where not exists ("
            " select from leader_hub.markets_active_providers as m"
            " where m.provider_id = p.provider_id and m.market_id = %s) order by 1 limit 1",
            [market],
        ).fetchone()
        (insider,) = conn.execute(
            "select min(provider_id) from leader_hub.markets_active_providers where market_id = %s",
            [market],
        ).fetchone()
    token = mint_dev_token(settings, "RDO", [market], False)
    for path in ("", "/markets", "/provider-visits", "/provider-shifts"):
        assert (
            client.get(f"{HUB}/providers/{outsider}{path}", headers=bearer(token)).status_code
            == 404
        )
        assert (
            client.get(f"{HUB}/providers/{insider}{path}", headers=bearer(token)).status_code == 200
        )


def test_fraud_report_returns_least_5_percent_or_25(settings, connections, client) -> None:
    token = mint_dev_token(settings, "", [], True)
    with psycopg.connect(connections.app_dsn) as conn:
        (partition,) = conn.execute(
            "select count(*) from fraud.authorization_doctor where settlement_type = 'CITY'"
        ).fetchone()
    response = client.get(
        "/v1/fraud-reports/authorizations",
        params={"type": "DOCTOR", "settlement_type": "CITY", "per_page": 100},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == min(math.ceil(0.05 * partition), 25)
    ratios = [i["ratio_offline_patients_qty"] for i in body["items"]]
    assert ratios == sorted(ratios, reverse=True)
    lead = mint_dev_token(settings, "Market Manager", [1], False)
    denied = client.get("/v1/fraud-reports/phone-numbers", headers=bearer(lead))
    assert denied.status_code == 403
