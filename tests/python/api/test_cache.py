"""The per-snapshot response cache (api/cache.py): ETag/304, invalidation, authorization.

Runs on its own database (a copy of app_data.sql) because it publishes new snapshots.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from api_support import bearer, claims, sign
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from api.cache import ResponseCache
from kpi.embedded import conninfo_for_dbname
from kpi.settings import Settings
from sync.audit import ensure_audit

HERE = Path(__file__).resolve().parent

LH = "/v1/leader-hub-metrics"
RANKING = f"{LH}/markets/1/providers"
_run_ids = itertools.count(100)


@pytest.fixture(scope="module")
def cache_dsn(admin_dsn: str) -> str:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute("drop database if exists api_cache_test with (force)")
        conn.execute("create database api_cache_test")
    dsn = conninfo_for_dbname(admin_dsn, "api_cache_test")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute((HERE / "app_data.sql").read_text())
        ensure_audit(conn, ["leader_hub", "fraud"])  # the review table the fraud lists read
    return dsn


@pytest.fixture(scope="module")
def cache_app(api_settings: Settings, cache_dsn: str) -> Litestar:
    return create_app(api_settings, cache_dsn)


@pytest.fixture(scope="module")
def cclient(cache_app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(cache_app) as test_client:
        yield test_client


@pytest.fixture
def cache(cache_app: Litestar) -> ResponseCache:
    response_cache = cache_app.state.response_cache
    response_cache.ttl = 0.0  # check the snapshot on every request
    return response_cache


LEAD = bearer(sign(claims()))  # markets 1, 2, 3, 999
OTHER_LEAD = bearer(sign(claims(markets=[4])))
MARKET_1_LEAD = bearer(sign(claims(markets=[1])))
ANALYST = bearer(sign(claims(market_role=None, markets=[], roles=["fraud_analyst"])))


def publish(dsn: str, sql: str = "", params: Any = None, outcome: str = "success") -> int:
    """A sync: change data and record a finished run, in one transaction."""
    run_id = next(_run_ids)
    with psycopg.connect(dsn) as conn:
        if sql:
            conn.execute(sql, params)
        conn.execute(
            "insert into kpi_sync.sync_runs values (%s, '2026-11-21', 'inv', now(),"
            " clock_timestamp(), '{}', %s)",
            [run_id, outcome],
        )
    return run_id


def test_200_has_etag_and_private_cache_control(cclient, cache):
    response = cclient.get(RANKING, params={"job_title": "APP"}, headers=LEAD)
    assert response.status_code == 200
    assert response.headers["etag"].startswith('"')
    cache_control = response.headers["cache-control"]
    assert "private" in cache_control and "no-cache" in cache_control
    again = cclient.get(RANKING, params={"job_title": "APP"}, headers=LEAD)
    assert again.status_code == 200
    assert again.content == response.content
    assert again.headers["etag"] == response.headers["etag"]
    assert "private" in again.headers["cache-control"]


def test_matching_if_none_match_is_304(cclient, cache):
    first = cclient.get(f"{LH}/markets/1", headers=LEAD)
    etag = first.headers["etag"]
    hits = cache.hits
    response = cclient.get(f"{LH}/markets/1", headers={**LEAD, "If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert "private" in response.headers["cache-control"]
    assert cache.hits == hits + 1
    stale = cclient.get(f"{LH}/markets/1", headers={**LEAD, "If-None-Match": '"1-0000"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_304_also_on_a_miss_when_the_etag_matches(cclient, cache):
    path = f"{LH}/markets/2"
    etag = cclient.get(path, headers=LEAD).headers["etag"]
    cache.clear()
    response = cclient.get(path, headers={**LEAD, "If-None-Match": f'W/{etag}, "x"'})
    assert response.status_code == 304
    assert response.headers["etag"] == etag


def test_query_order_is_normalized_and_values_are_not(cclient, cache):
    a = cclient.get(f"{RANKING}?job_title=APP&per_page=2", headers=LEAD)
    b = cclient.get(f"{RANKING}?per_page=2&job_title=APP", headers=LEAD)
    c = cclient.get(f"{RANKING}?per_page=3&job_title=APP", headers=LEAD)
    assert a.headers["etag"] == b.headers["etag"] != c.headers["etag"]
    assert len(c.json()["items"]) == 3 and len(b.json()["items"]) == 2


def test_a_sync_changes_the_etag_and_the_body(cclient, cache, cache_dsn):
    path = f"{LH}/markets/1"
    before = cclient.get(path, headers=LEAD)
    assert before.json()["name"] == "Denver"
    cclient.get(path, headers=LEAD)  # now served from the cache
    try:
        publish(
            cache_dsn, "update leader_hub.markets set name = 'Denver Metro' where market_id = 1"
        )
        after = cclient.get(path, headers={**LEAD, "If-None-Match": before.headers["etag"]})
        assert after.status_code == 200
        assert after.json()["name"] == "Denver Metro"
        assert after.json()["synced_at"] != before.json()["synced_at"]
        assert after.headers["etag"] != before.headers["etag"]
    finally:
        publish(cache_dsn, "update leader_hub.markets set name = 'Denver' where market_id = 1")
    assert cclient.get(path, headers=LEAD).json()["name"] == "Denver"


def test_failed_or_running_runs_do_not_invalidate(cclient, cache, cache_dsn):
    path = f"{LH}/providers/101"
    etag = cclient.get(path, headers=LEAD).headers["etag"]
    publish(cache_dsn, outcome="failed")
    assert cclient.get(path, headers=LEAD).headers["etag"] == etag


def test_a_body_of_a_newer_snapshot_is_never_stored_under_the_old_key(cclient, cache, cache_dsn):
    cclient.get(f"{LH}/markets", headers=LEAD)  # the cache knows the current snapshot
    cache.ttl = 3600.0  # ... and will not look again
    old = cache.snapshot
    publish(cache_dsn)
    path = f"{LH}/providers/102/markets"
    response = cclient.get(path, headers=LEAD)  # a miss: the query sees the new snapshot
    assert response.status_code == 200
    assert response.json()["synced_at"] != old.synced_at.isoformat()
    assert "etag" not in response.headers  # not labelled with the old snapshot
    assert "private" in response.headers["cache-control"]
    assert len([k for k in cache._entries if k[2] == path]) == 0
    cache.ttl = 0.0
    fresh = cclient.get(path, headers=LEAD)
    assert fresh.headers["etag"].startswith(f'"{cache.snapshot.run_id}-')


def test_another_market_never_gets_a_cached_market(cclient, cache):
    etag = cclient.get(f"{LH}/markets/1", headers=LEAD).headers["etag"]
    for headers in (OTHER_LEAD, {**OTHER_LEAD, "If-None-Match": etag}):
        response = cclient.get(f"{LH}/markets/1", headers=headers)
        assert response.status_code == 403
        assert "etag" not in response.headers
        response = cclient.get(RANKING, params={"job_title": "APP"}, headers=headers)
        assert response.status_code == 403


def test_invisible_provider_stays_404_with_a_cached_body(cclient, cache):
    # Provider 101 is active in markets 1 and 2: visible to LEAD, not to a market-4 lead.
    for path in ("/providers/101", "/providers/101/provider-visits", "/providers/101/markets"):
        seen = cclient.get(LH + path, headers=LEAD)
        assert seen.status_code == 200
        cclient.get(LH + path, headers=LEAD)  # cached
        for headers in (OTHER_LEAD, {**OTHER_LEAD, "If-None-Match": seen.headers["etag"]}):
            response = cclient.get(LH + path, headers=headers)
            assert response.status_code == 404, path
            assert "etag" not in response.headers


def test_a_narrower_token_gets_its_own_body(cclient, cache):
    wide = cclient.get(f"{LH}/markets", headers=LEAD)
    narrow = cclient.get(f"{LH}/markets", headers=MARKET_1_LEAD)
    assert [m["market_id"] for m in wide.json()["items"]] == [2, 1, 3]
    assert [m["market_id"] for m in narrow.json()["items"]] == [1]
    assert wide.headers["etag"] != narrow.headers["etag"]


def test_fraud_reports_are_never_stored_since_a_review_changes_them(cclient, cache):
    # SPEC §14: a review changes a list within one snapshot, so no fraud response is kept.
    path = "/v1/fraud-reports/phone-numbers"
    before = len(cache)
    for accept in ("application/json", "text/csv"):
        first = cclient.get(path, headers={**ANALYST, "Accept": accept})
        assert first.status_code == 200 and "etag" not in first.headers
    assert len(cache) == before
    review = cclient.post(
        f"{path}/380501112233/reviews", json={"verdict": "referred"}, headers=ANALYST
    )
    assert review.status_code == 201, review.text
    again = cclient.get(path, headers=ANALYST).json()["items"][0]
    assert again["review_verdict"] == "referred"
    assert cclient.get(path, headers=LEAD).status_code == 403
    assert cclient.get(path).status_code == 401


def test_errors_are_not_cached(cclient, cache):
    bad = cclient.get(RANKING, params={"job_title": "APP", "per_page": "0"}, headers=LEAD)
    assert bad.status_code == 400 and "etag" not in bad.headers
    missing = cclient.get(f"{LH}/markets/999", headers=LEAD)
    assert missing.status_code == 404 and "etag" not in missing.headers


def test_a_remembered_token_still_expires(cclient, cache):
    # Verified tokens are remembered per process (api.tokens); the time window still applies.
    import time

    # Valid for ~4 more seconds (exp + the 30 s leeway), so a loaded machine still sends the
    # first request in time; then wait until the leeway has passed for sure.
    now = int(time.time())
    almost = bearer(sign({**claims(), "iat": now - 100, "nbf": now - 100, "exp": now - 26}))
    assert cclient.get(f"{LH}/markets/1", headers=almost).status_code == 200
    time.sleep(max(0.0, now + 4.6 - time.time()))
    response = cclient.get(f"{LH}/markets/1", headers=almost)
    assert response.status_code == 401
    assert response.json()["message"] == "token expired"


def publish_as_of(dsn: str, as_of: str) -> None:
    """A successful sync of a build of ``as_of`` (no data change)."""
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "insert into kpi_sync.sync_runs values (%s, %s, 'inv', now(), clock_timestamp(),"
            " '{}', 'success')",
            [next(_run_ids), as_of],
        )


def test_history_is_cached_per_snapshot_and_a_sync_moves_its_dates(cclient, cache, cache_dsn):
    path = f"{LH}/markets/1/history"
    params = {"interval": "day", "points": 2}
    publish_as_of(cache_dsn, "2026-11-20")
    before = cclient.get(path, params=params, headers=LEAD)
    etag = before.headers["etag"]
    assert [p["as_of_date"] for p in before.json()["items"]] == ["2026-11-19", "2026-11-20"]
    again = cclient.get(path, params=params, headers={**LEAD, "If-None-Match": etag})
    assert again.status_code == 304
    publish_as_of(cache_dsn, "2026-11-21")  # its history row (after 11-20) is now a point
    after = cclient.get(path, params=params, headers={**LEAD, "If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    items = after.json()["items"]
    assert [p["as_of_date"] for p in items] == ["2026-11-20", "2026-11-21"]
    assert items[-1]["on_scene_time_median_seconds"] == 1111
