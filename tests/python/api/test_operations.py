"""Health, readiness, database outages, OpenAPI and its offline page, logs, dev tokens."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from api_support import bearer, claims, sign
from litestar.testing import TestClient

from api.app import create_app
from api.tokens import DEV_SECRET_FILE, TokenError, dev_secret, mint_dev_token
from kpi.embedded import conninfo_for_dbname

LEADER = "/v1/leader-hub-metrics"
PROJECT_DIR = Path(__file__).resolve().parents[3]


@pytest.fixture
def fresh_database(admin_dsn: str) -> Iterator[Any]:
    """Make empty databases on the test server; dropped afterwards."""
    created: list[str] = []

    def make(name: str, create: bool = True) -> str:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f"drop database if exists {name} with (force)")
            if create:
                conn.execute(f"create database {name}")
        created.append(name)
        return conninfo_for_dbname(admin_dsn, name)

    yield make
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        for name in created:
            conn.execute(f"drop database if exists {name} with (force)")


# ------------------------------------------------------------------- health and ready


def test_health_needs_no_token_and_no_database(client):
    assert client.get("/health").json() == {"status": "ok"}


def test_ready_reports_the_latest_successful_sync(client):
    response = client.get("/ready")
    assert response.status_code == 200
    # run 3 failed and run 4 is still running: run 2 is what is served
    assert response.json() == {
        "status": "ready",
        "as_of_date": "2026-11-20",
        "synced_at": "2026-11-20T06:00:00Z",
        "run_id": 2,
        "stale": True,  # older than KPI_STALE_AFTER_HOURS (36) by now
        "audit_protected": False,  # the tests connect as the owner; no audit table here
    }


def test_before_the_first_sync_ready_and_data_are_503(api_settings, fresh_database):
    dsn = fresh_database("api_unpublished")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "create schema kpi_sync; create table kpi_sync.sync_runs (run_id bigint,"
            " as_of_date date, dbt_invocation_id text, started_at timestamptz,"
            " finished_at timestamptz, rows_per_table jsonb, outcome text)"
        )
    with TestClient(create_app(api_settings, dsn)) as unpublished:
        ready = unpublished.get("/ready")
        assert ready.status_code == 503 and "sync" in ready.json()["message"]
        data = unpublished.get(f"{LEADER}/markets", headers=bearer(sign(claims())))
        assert data.status_code == 503
        assert data.json() == {
            "status": 503,
            "error": "service_unavailable",
            "message": "no data has been published yet: run `kpi sync`",
            "field": None,
        }


def test_database_down_is_503_and_the_pool_reconnects_by_itself(api_settings, fresh_database):
    dsn = fresh_database("api_late", create=False)  # the database does not exist yet
    headers = bearer(sign(claims()))
    with TestClient(create_app(api_settings, dsn, pool_timeout=0.5)) as late:
        assert late.get("/health").status_code == 200
        down = late.get(f"{LEADER}/markets/1", headers=headers)
        assert down.status_code == 503
        assert down.json()["message"] == "the app database is unavailable; try again shortly"
        assert down.headers["retry-after"] == "5"
        assert late.get("/ready").status_code == 503

        fresh_database("api_late")  # the database comes back, with data
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute((Path(__file__).parent / "app_data.sql").read_text())
        deadline = time.monotonic() + 90
        while late.get("/ready").status_code != 200:
            assert time.monotonic() < deadline, "the pool did not reconnect"
            time.sleep(0.2)
        assert late.get(f"{LEADER}/markets/1", headers=headers).json()["name"] == "Denver"


def test_killed_connections_are_replaced_without_an_error(client, lead_headers, admin_dsn):
    assert client.get(f"{LEADER}/markets/1", headers=lead_headers).status_code == 200
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        killed = conn.execute(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity"
            " where application_name = 'kpi-api' and datname = 'api_test'"
        ).fetchone()
    assert killed is not None and killed[0] >= 1
    assert client.get(f"{LEADER}/markets/1", headers=lead_headers).status_code == 200


def test_a_migrated_table_does_not_break_prepared_statements(api_settings, fresh_database):
    dsn = fresh_database("api_migrated")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute((Path(__file__).parent / "app_data.sql").read_text())
    headers = bearer(sign(claims()))
    settings = dataclasses.replace(api_settings, db_pool_size=1)
    with TestClient(create_app(settings, dsn)) as migrated:
        for _ in range(8):  # psycopg prepares a statement on its 5th run
            assert migrated.get(f"{LEADER}/markets/1", headers=headers).status_code == 200
        with psycopg.connect(dsn, autocommit=True) as conn:  # what a sync migration does
            conn.execute(
                "alter table leader_hub.market_metrics"
                " alter column chart_closure_rate type numeric(6, 4)"
            )
        response = migrated.get(f"{LEADER}/markets/1", headers=headers)
        assert response.status_code == 200 and response.json()["chart_closure_rate"] == 0.85


def test_connections_are_read_only(client, app):
    async def attempt_write() -> str:
        # connections are not checked on checkout: drop any an earlier test killed
        await app.state.db.pool.check()
        async with app.state.db.pool.connection() as conn:
            try:
                await conn.execute("create table leader_hub.oops (x int)")
            except psycopg.errors.ReadOnlySqlTransaction:
                return "refused"
            return "written"

    assert client.blocking_portal.call(attempt_write) == "refused"


# ------------------------------------------------------------------------------ OpenAPI


def test_openapi_documents_every_route_response_and_error(client, app):
    document = client.get("/schema/openapi.json").json()
    paths = document["paths"]
    routes = {
        re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for route in app.routes
        if route.path.startswith(("/v1", "/health", "/ready"))
    }
    # 14 + the three metric histories + 8 of the performance hub + 4 of the fraud
    # workbench + the two drill-downs + the three review POSTs
    assert len(routes) == 34
    assert routes <= set(paths)
    error_ref = "#/components/schemas/ErrorBody"
    for path in routes:
        write = path.endswith("/reviews")  # the review POSTs: 201, and 409 on a reused key
        operation = paths[path]["post" if write else "get"]
        responses = operation["responses"]
        ok = responses["201" if write else "200"]
        assert ok["content"]["application/json"]["schema"]
        expected_errors = {"503"} if path in ("/health", "/ready") else set()
        if path.startswith("/v1"):
            expected_errors = {"400", "401", "403", "404", "503"} | ({"409"} if write else set())
            assert operation["security"] == [{"bearer": []}]
        if path == "/health":
            expected_errors = set()
        for status in expected_errors:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": error_ref}, (path, status)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    error_schema = document["components"]["schemas"]["ErrorBody"]
    assert set(error_schema["properties"]) == {"status", "error", "message", "field"}
    ranking = paths[f"{LEADER}/markets/{{market_id}}/providers"]["get"]["parameters"]
    by_name = {p["name"]: p for p in ranking}
    assert by_name["per_page"]["schema"]["maximum"] == 100
    assert by_name["job_title"]["required"] is True
    assert set(by_name["metric"]["schema"]["enum"]) == {
        "on_scene_time",
        "chart_closure_rate",
        "survey_capture_rate",
        "net_promoter_score",
        "on_task_percent",
    }


@pytest.mark.parametrize("page", ["/schema", "/schema/swagger"])
def test_docs_page_references_only_local_assets(client, page):
    response = client.get(page)
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    html = response.text
    references = re.findall(r"""(?:src|href)=["']([^"']*)["']""", html)
    assert len(references) == 3  # the Swagger UI css, bundle and preset
    assert "http://" not in html and "https://" not in html
    for reference in references:
        assert reference.startswith("/static/swagger-ui/")
        asset = client.get(reference)
        assert asset.status_code == 200 and len(asset.content) > 1000


# --------------------------------------------------------------------------------- logs


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()} {record.exc_text or ''}")


def test_patient_data_never_reaches_the_logs(client, lead_headers, api_settings):
    collector = Collect()
    names = ["", "litestar", "kpi.api", "kpi.api.access", "psycopg", "psycopg.pool", "uvicorn"]
    loggers = [logging.getLogger(name) for name in names]
    previous = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(collector)
        lg.setLevel(logging.DEBUG)
    try:
        down = create_app(api_settings, "postgresql://nobody@127.0.0.1:1/none", pool_timeout=0.3)
        visits = f"{LEADER}/providers/101/provider-visits"
        with TestClient(down) as logged:
            logged.get(f"{visits}?search=Garcia", headers=lead_headers)
        client.get(f"{visits}?search=Garcia", headers=lead_headers)
        client.get(f"{visits}?search=Garcia%00", headers=lead_headers)
    finally:
        for lg, level in previous:
            lg.removeHandler(collector)
            lg.setLevel(level)
    # (a record propagating through several of these loggers is collected more than once)
    access = sorted({line for line in collector.lines if line.startswith("kpi.api.access")})
    assert len(access) == 3  # one JSON line per request, the route template, not the path
    down_line = json.loads(access[0].removeprefix("kpi.api.access ").strip())
    assert [json.loads(line.split(" ", 1)[1])["status"] for line in access] == [503, 200, 400]
    assert down_line["route"] == f"{LEADER}/providers/{{provider_id}}/provider-visits"
    assert (down_line["method"], down_line["sub"]) == ("GET", "user-1")
    server_side = [line for line in collector.lines if not line.startswith("httpx ")]  # client
    assert server_side and not any("Garcia" in line or "search=" in line for line in server_side)


def _access_lines(output: str, route: str) -> list[dict[str, Any]]:
    """The JSON access-log lines of ``route`` in a server's output."""
    lines = [json.loads(line) for line in output.splitlines() if '"kpi.api.access"' in line]
    return [line for line in lines if line["route"] == route]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_runs_uvicorn_without_query_string_logging(app_dsn, data_dir, tmp_path, workers):
    port = _free_port()
    script = (
        "import dataclasses, sys\n"
        "from api.server import serve\n"
        "from kpi.settings import Settings\n"
        "settings = dataclasses.replace(Settings.from_env(), jwt_secret=sys.argv[2])\n"
        "serve(settings, sys.argv[1], port=int(sys.argv[3]), workers=int(sys.argv[4]))\n"
    )
    from api_support import SECRET

    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env["KPI_DATA_DIR"] = str(data_dir)
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-c", script, app_dsn, SECRET, str(port), str(workers)],
            cwd=PROJECT_DIR,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90  # a cold start on a loaded 2-core machine
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
            url = f"{base}{LEADER}/providers/101/provider-visits?search=Garcia"
            response = httpx.get(url, headers=bearer(sign(claims())), timeout=5)
            assert response.status_code == 200 and response.json()["total"] == 2
            # the access log is batched: its line is out within the flush interval (1 s);
            # the deadline leaves room for a loaded machine
            route = f"{LEADER}/providers/{{provider_id}}/provider-visits"
            deadline = time.monotonic() + 20
            while not _access_lines(log.read_text(), route):
                assert time.monotonic() < deadline, "no access log line while serving"
                time.sleep(0.1)
        finally:
            process.terminate()
            process.wait(timeout=60)
    output = log.read_text()
    assert [line["status"] for line in _access_lines(output, route)] == [200]
    assert "Garcia" not in output and "/providers/101" not in output and "search=" not in output
    assert "Uvicorn running on http://127.0.0.1" in output
    # each worker process builds its own app from the settings it was handed
    assert output.count("Started server process") == workers


# --------------------------------------------------------------------------- dev tokens


def test_dev_secret_is_generated_once_and_private(api_settings, tmp_path):
    settings = dataclasses.replace(api_settings, data_dir=tmp_path / "data", jwt_secret=None)
    first = dev_secret(settings)
    assert first == dev_secret(settings) and len(first) >= 32
    path = settings.data_dir / DEV_SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    configured = dataclasses.replace(settings, jwt_secret="configured" * 4)
    assert dev_secret(configured) == "configured" * 4


def test_minted_dev_tokens_are_accepted(api_settings, app_dsn, tmp_path):
    settings = dataclasses.replace(api_settings, data_dir=tmp_path, jwt_secret=None)
    lead = mint_dev_token(settings, "Lead APP", [1, 2], fraud=False)
    analyst = mint_dev_token(settings, "RDO", [1], fraud=True, ttl_seconds=60)
    with TestClient(create_app(settings, app_dsn)) as dev:
        assert dev.get(f"{LEADER}/markets", headers=bearer(lead)).json()["items"][0]["name"] == (
            "Colorado Springs"
        )
        assert dev.get("/v1/fraud-reports/doctors", headers=bearer(lead)).status_code == 403
        assert dev.get("/v1/fraud-reports/doctors", headers=bearer(analyst)).status_code == 200
        assert dev.get(f"{LEADER}/markets/2", headers=bearer(analyst)).status_code == 403


def test_minted_tokens_follow_namespace_issuer_and_audience(api_settings, app_dsn):
    settings = dataclasses.replace(
        api_settings,
        jwt_claims_namespace="https://kpi.example/claims",
        jwt_issuer="kpi-dev",
        jwt_audience="kpi-api",
    )
    token = mint_dev_token(settings, "RMD", [3], fraud=False)
    with TestClient(create_app(settings, app_dsn)) as dev:
        assert dev.get(f"{LEADER}/markets/3", headers=bearer(token)).status_code == 200


def test_no_dev_tokens_when_only_a_public_key_is_configured(api_settings, rsa_key, tmp_path):
    pem = tmp_path / "public.pem"
    pem.write_bytes(rsa_key.public_pem)
    settings = dataclasses.replace(api_settings, jwt_secret=None, jwt_public_key=pem)
    with pytest.raises(TokenError, match="HS256"):
        mint_dev_token(settings, "Lead APP", [1], fraud=False)
    with pytest.raises(TokenError, match="markets"):
        mint_dev_token(api_settings, "Lead APP", [0], fraud=False)


def test_a_bug_is_a_500_in_the_error_shape_and_logs_no_text(caplog):
    from litestar import Litestar, get

    from api.errors import EXCEPTION_HANDLERS

    @get("/boom")
    async def boom() -> None:
        raise ValueError("patient " + "-".join(["Maria", "Garcia"]))  # not in a source line

    app = Litestar(
        [boom],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        logging_config=None,  # keep caplog's handler on the root logger
    )
    with caplog.at_level(logging.DEBUG), TestClient(app) as test_client:
        response = test_client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {
        "status": 500,
        "error": "internal_error",
        "message": "internal error",
        "field": None,
    }
    assert "internal error on GET /boom: ValueError" in caplog.text
    assert "Maria-Garcia" not in caplog.text
