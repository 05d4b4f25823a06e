"""/metrics (SPEC §14): Prometheus text for the configured metrics token only, per route
template and status, latency, auth failures, data age and pool use; all workers of a
`kpi serve` aggregated."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import bearer, claims, sign
from litestar import Litestar
from litestar.testing import TestClient
from ops_support import ServedApi
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from api.metrics import PUBLISH_SECONDS
from kpi.settings import Settings, SettingsError

METRICS_TOKEN = "scrape-0123456789abcdef"
MARKET_ROUTE = "/v1/leader-hub-metrics/markets/{market_id}"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by (name, sorted labels)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def requests_of(text: str, route: str, status: str) -> float:
    key = ("kpi_api_requests_total", (("method", "GET"), ("route", route), ("status", status)))
    return samples(text).get(key, 0.0)


@pytest.fixture(scope="module")
def metered(api_settings: Settings, app_dsn: str) -> Iterator[TestClient[Litestar]]:
    settings = dataclasses.replace(api_settings, metrics_token=METRICS_TOKEN)
    with TestClient(create_app(settings, app_dsn)) as client:
        yield client


def scrape(client: Any) -> str:
    response = client.get("/metrics", headers=bearer(METRICS_TOKEN))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def test_metrics_need_exactly_the_metrics_token(metered, client):
    for headers in (
        {},
        bearer(METRICS_TOKEN + "x"),
        bearer(METRICS_TOKEN[:-1]),
        {"Authorization": METRICS_TOKEN},
        bearer(sign(claims())),  # a user's valid JWT is not the metrics credential
    ):
        response = metered.get("/metrics", headers=headers)
        assert response.status_code == 401 and response.json()["error"] == "unauthorized"
    assert client.get("/metrics", headers=bearer(METRICS_TOKEN)).status_code == 404  # unset
    paths = metered.get("/schema/openapi.json").json()["paths"]
    assert "/metrics" not in paths


def test_requests_auth_failures_data_age_and_pool_are_counted(metered):
    before = scrape(metered)
    lead = bearer(sign(claims()))
    for market in (1, 2, 3):
        assert metered.get(f"/v1/leader-hub-metrics/markets/{market}", headers=lead).is_success
    assert metered.get("/v1/leader-hub-metrics/markets/1").status_code == 401
    assert metered.get("/no/such/path/555-0100").status_code == 404
    after = scrape(metered)
    assert requests_of(after, MARKET_ROUTE, "200") - requests_of(before, MARKET_ROUTE, "200") == 3
    assert requests_of(after, MARKET_ROUTE, "401") - requests_of(before, MARKET_ROUTE, "401") == 1
    assert requests_of(after, "unmatched", "404") - requests_of(before, "unmatched", "404") == 1
    reason = (("reason", "missing bearer token (Authorization: Bearer <JWT>)"),)
    found, earlier = samples(after), samples(before)
    key = ("kpi_api_auth_failures_total", reason)
    assert found[key] - earlier.get(key, 0.0) == 1

    def latency(sample: str, *labels: tuple[str, str]) -> float:
        key = (f"kpi_api_request_duration_seconds_{sample}", (*labels, ("route", MARKET_ROUTE)))
        return found[key] - earlier.get(key, 0.0)

    # the histogram, published from the worker's own counts (api.metrics._add_observations)
    assert latency("count") == 4 and latency("bucket", ("le", "+Inf")) == 4
    assert latency("bucket", ("le", "0.002")) <= latency("bucket", ("le", "10.0")) == 4
    assert 0 < latency("sum") < 4 * 10
    assert found[("kpi_data_seconds_since_sync", ())] > 0  # app_data.sql: synced 2026-11-20
    assert found[("kpi_data_seconds_since_as_of", ())] >= found[("kpi_data_seconds_since_sync", ())]
    assert found[("kpi_api_db_pool_connections", (("state", "size"),))] >= 1
    assert "/markets/1" not in after and "555-0100" not in after  # templates, never paths


def test_metrics_token_setting_is_validated(tmp_path: Path):
    with pytest.raises(SettingsError, match="KPI_METRICS_TOKEN must be 16 to 512"):
        Settings.from_env({"KPI_DATA_DIR": str(tmp_path), "KPI_METRICS_TOKEN": "short"})


def test_kpi_serve_aggregates_every_worker(app_dsn, tmp_path: Path):
    env = {
        "KPI_DATA_DIR": str(tmp_path / "data"),
        "KPI_WAREHOUSE_DSN": app_dsn,
        "KPI_APP_DSN": app_dsn,
        "KPI_JWT_SECRET": "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "KPI_METRICS_TOKEN": METRICS_TOKEN,
    }
    api = ServedApi(env, tmp_path / "serve.log", workers=2)
    try:
        api.wait_healthy()
        lead = bearer(sign(claims()))
        for _ in range(20):  # new connections: the kernel spreads them over both workers
            assert api.get("/v1/leader-hub-metrics/markets/1", headers=lead).is_success
        time.sleep(PUBLISH_SECONDS + 0.5)  # each worker publishes its counts once a second
        counts = {
            requests_of(scrape(api), MARKET_ROUTE, "200") for _ in range(6)
        }  # whichever worker answers the scrape, it reports the sum of both
        assert counts == {20.0}
        pids = {line.split("[")[1].split("]")[0] for line in api.log.read_text().splitlines()
                if "Started server process" in line}  # fmt: skip
        assert len(pids) == 2
    finally:
        assert api.stop() == 0
