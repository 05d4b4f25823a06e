"""PHI access audit (SPEC §14) on the published build: the table and role the sync's
migration creates, one row per response carrying patient data (cache hits included),
nothing lost when `kpi serve` is stopped under load, and `kpi audit`."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from ops_support import ServedApi
from psycopg.conninfo import make_conninfo
from reliability_support import HUB, Dataset, bearer

from api.app import create_app
from api.audit import PHI_OPERATIONS, AuditLog
from kpi.cli import main
from kpi.embedded import Connections
from kpi.settings import Settings
from sync.audit import API_ROLE, apply_retention, ensure_audit

RUN = uuid.uuid4().hex[:8]  # the database outlives a run: this run's request ids
AUDIT_ROWS = "select request_id, subject, route, provider_id, care_request_ids"
AUDIT_ROWS += " from kpi_audit.phi_access where request_id like %s"


@pytest.fixture(scope="module")
def audited(connections: Connections, published: date) -> str:
    """The app database with the audit migration applied (as `kpi sync` does); the
    owner's DSN."""
    with psycopg.connect(connections.app_dsn, autocommit=True) as conn:
        ensure_audit(conn, ["leader_hub", "fraud"])
    return connections.app_dsn


def audit_rows(dsn: str, prefix: str) -> dict[str, tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(AUDIT_ROWS, [prefix + "%"]).fetchall()
    by_id = {row[0]: row for row in rows}
    assert len(by_id) == len(rows), "one row per audited response"
    return by_id


@pytest.fixture(scope="module")
def visible(dataset: Dataset, lead_markets: list[int]) -> list[int]:
    return sorted(dataset.visible_providers(set(lead_markets)))[:4]


def test_the_api_role_may_insert_audit_rows_but_never_change_them(audited: str) -> None:
    api_dsn = make_conninfo(audited, user=API_ROLE)
    with psycopg.connect(api_dsn, autocommit=True) as conn:
        assert conn.execute("select count(*) from leader_hub.markets").fetchone()[0] > 0
        conn.execute(
            "insert into kpi_audit.phi_access (accessed_at, request_id, route,"
            " care_request_ids, patient_athena_ids) values (now(), 'role-test', '/', '{}', '{}')"
        )
        for statement in (
            "update kpi_audit.phi_access set subject = 'x' where request_id = 'role-test'",
            "delete from kpi_audit.phi_access where request_id = 'role-test'",
            "truncate kpi_audit.phi_access",
            "select count(*) from kpi_audit.phi_access",  # reading it is the auditors' job
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_ready_says_whether_the_api_role_could_rewrite_the_audit(
    settings: Settings, audited: str
) -> None:
    """SPEC §14: /ready reports audit_protected: true as kpi_api, false as the owner."""
    for dsn, protected in ((make_conninfo(audited, user=API_ROLE), True), (audited, False)):
        with TestClient(create_app(settings, dsn)) as client:
            ready = client.get("/ready")
            assert ready.status_code == 200 and ready.json()["audit_protected"] is protected


def test_every_visits_response_is_audited_cache_hits_included(
    settings: Settings, audited: str, lead_token: str, visible: list[int]
) -> None:
    app: Litestar = create_app(settings, audited)
    provider = visible[0]
    url = f"{HUB}/providers/{provider}/provider-visits?per_page=5"
    with TestClient(app) as client:
        first = client.get(url, headers=bearer(lead_token) | {"X-Request-ID": f"{RUN}hit-1"})
        again = client.get(url, headers=bearer(lead_token) | {"X-Request-ID": f"{RUN}hit-2"})
        etag = {"If-None-Match": again.headers["etag"], "X-Request-ID": f"{RUN}hit-3"}
        revalidated = client.get(url, headers=bearer(lead_token) | etag)
        markets = client.get(f"{HUB}/markets", headers=bearer(lead_token))
        assert (first.status_code, again.status_code, revalidated.status_code) == (200, 200, 304)
        assert app.state.response_cache.hits >= 2 and markets.status_code == 200
    rows = audit_rows(audited, f"{RUN}hit-")  # the shutdown flushed them
    assert sorted(rows) == [f"{RUN}hit-1", f"{RUN}hit-2", f"{RUN}hit-3"]
    returned = [item["care_request_id"] for item in first.json()["items"]]
    for _, subject, route, provider_id, care_requests in rows.values():
        assert (subject, provider_id) == ("dev:Market Manager", provider)
        assert route == f"{HUB}/providers/{{provider_id}}/provider-visits"
        assert care_requests == returned


def test_audit_rows_keep_every_character_of_what_they_record(audited: str) -> None:
    """The writer formats COPY text by hand (api.audit): quotes, backslashes, commas,
    braces, tabs, newlines, NUL and non-ASCII in the recorded values, and the string NULL,
    arrive as sent; a request the cache answered (ids, not items) too."""
    patients = ['A"1', "A\\2", "A,3", "A{4}", "A\t5\n", "Ä6", "NULL", "A\\2", ""]
    principal = SimpleNamespace(subject='auth0|a\tb\\c"d\x00', user_id=42, market_role="R\nX")

    def request(number: int, provider: object) -> Any:
        state = {"request_id": f"{RUN}copy-{number}"}
        return SimpleNamespace(
            scope={
                "state": state,
                "user": principal,
                "path_template": "/v1/x/{provider_id}",
                "path_params": {"provider_id": provider},
            },
            route_handler=SimpleNamespace(opt={}),
        )

    items = [
        SimpleNamespace(care_request_id=9_000_000_000 + i, patient_athena_id=patient)
        for i, patient in enumerate(patients)
    ]
    log = AuditLog(audited)
    started = datetime.now(UTC)
    ids = log.add_items(request(1, "77"), items)
    log.add(request(2, None), ((5, 6), ()))
    # the request path keeps the ids, never the response items (the GC would scan them)
    assert log.pending[0][-1] == ids and not any(item in log.pending[0] for item in items)
    assert ids[0] == tuple(item.care_request_id for item in items)

    async def write() -> None:
        await log.start()
        await log.stop()  # flushes what is pending

    asyncio.run(write())
    assert (log.written, log.pending) == (2, [])
    with psycopg.connect(audited, autocommit=True) as conn:
        rows = conn.execute(
            "select request_id, accessed_at, subject, user_id, market_role, route,"
            " provider_id, care_request_ids, patient_athena_ids from kpi_audit.phi_access"
            " where request_id like %s order by request_id",
            [f"{RUN}copy-%"],
        ).fetchall()
    assert [row[0] for row in rows] == [f"{RUN}copy-1", f"{RUN}copy-2"]
    first, second = rows
    assert started - timedelta(seconds=1) <= first[1] <= datetime.now(UTC)
    assert first[2:] == (
        'auth0|a\tb\\c"d\ufffd',
        "42",
        "R\nX",
        "/v1/x/{provider_id}",
        77,
        [9_000_000_000 + i for i in range(len(patients))],
        ['A"1', "A\\2", "A,3", "A{4}", "A\t5\n", "Ä6", "NULL"],  # deduplicated, no blanks
    )
    assert second[6:] == (None, [5, 6], [])


def test_every_drill_down_response_is_audited_with_its_visits(
    settings: Settings,
    audited: str,
    lead_token: str,
    lead_markets: list[int],
    connections: Connections,
) -> None:
    """SPEC §12/§14: the changes endpoints return visits, so each response (cache hit
    included) is an audit row with the route template and the care_request_ids sent."""
    with psycopg.connect(connections.app_dsn, autocommit=True) as conn:
        market, provider = conn.execute(
            "select market_id, provider_id from leader_hub.market_provider_visit_changes"
            " where market_id = any(%s) group by 1, 2 order by count(*) desc limit 1",
            [lead_markets],
        ).fetchone()
    app: Litestar = create_app(settings, audited)
    pair = f"{HUB}/markets/{market}/providers/{provider}/changes?metric=on_scene_time"
    with TestClient(app) as client:
        sent = {
            name: client.get(url, headers=bearer(lead_token) | {"X-Request-ID": f"{RUN}dd-{name}"})
            for name, url in (
                ("market", f"{HUB}/markets/{market}/changes?metric=chart_closure_rate"),
                ("pair", pair),
                ("pair-again", pair),
            )
        }
    rows = audit_rows(audited, f"{RUN}dd-")
    assert sorted(rows) == [f"{RUN}dd-market", f"{RUN}dd-pair", f"{RUN}dd-pair-again"]
    for name, response in sent.items():
        returned = [item["care_request_id"] for item in response.json()["items"]]
        _, subject, route, provider_id, care_requests = rows[f"{RUN}dd-{name}"]
        assert returned and care_requests == returned and subject == "dev:Market Manager"
        if name == "market":
            assert (route, provider_id) == (f"{HUB}/markets/{{market_id}}/changes", None)
        else:
            assert route == f"{HUB}/markets/{{market_id}}/providers/{{provider_id}}/changes"
            assert provider_id == provider


def test_every_operation_returning_care_requests_is_audited(client: TestClient[Litestar]) -> None:
    spec = client.get("/schema/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def returns_care_requests(operation: dict[str, Any]) -> bool:
        ok = operation["responses"].get("200", {})  # POSTs answer 201: no rows returned
        ref = ok.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        if ref is None:
            return False
        page = schemas[ref.rsplit("/", 1)[1]]
        items = page.get("properties", {}).get("items", {}).get("items", {})
        item = schemas.get(items.get("$ref", "#/x").rsplit("/", 1)[1], {})
        return "care_request_id" in item.get("properties", {})

    ids = {
        operation["operationId"]
        for path in spec["paths"].values()
        for operation in path.values()
        if returns_care_requests(operation)
    }
    assert ids and ids <= PHI_OPERATIONS


def _load(
    api: ServedApi, token: str, providers: list[int], stop: threading.Event, answered: list[str]
) -> None:
    """Visits requests until ``stop``; the request ids that got a 200 go to ``answered``."""
    number = 0
    while not stop.is_set():
        number += 1
        request_id = f"{RUN}sigterm-{threading.get_ident()}-{number}"
        provider = providers[number % len(providers)]
        try:
            response = api.get(
                f"{HUB}/providers/{provider}/provider-visits?page={number % 3 + 1}",
                headers=bearer(token) | {"X-Request-ID": request_id},
            )
        except Exception:  # the server went away mid-request: not answered
            continue
        if response.status_code == 200:
            answered.append(request_id)  # list.append is atomic


def _until_answered(answered: list[str], count: int, timeout: float = 60.0) -> None:
    """At least 2 s of load, and ``count`` answered requests (a loaded machine is slow)."""
    time.sleep(2.0)
    deadline = time.monotonic() + timeout
    while len(answered) < count and time.monotonic() < deadline:
        time.sleep(0.1)


def test_sigterm_under_load_loses_no_audit_row(
    settings: Settings, audited: str, lead_token: str, visible: list[int], tmp_path: Path
) -> None:
    env = {"KPI_DATA_DIR": str(settings.data_dir)}
    api = ServedApi(env, tmp_path / "serve.log", workers=2)
    stop = threading.Event()
    answered_ids: list[str] = []
    try:
        api.wait_healthy()
        threads = [
            threading.Thread(target=_load, args=(api, lead_token, visible, stop, answered_ids))
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        _until_answered(answered_ids, 40)  # under load ...
        code = api.stop()  # ... SIGTERM
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        api.stop()
    assert code == 0, api.log.read_text()[-2000:]
    answered = set(answered_ids)
    rows = audit_rows(audited, f"{RUN}sigterm-")
    assert len(answered) >= 10, "the load did not get going"
    assert answered <= set(rows), f"{len(answered - set(rows))} answered responses not audited"
    assert "connects as the app database's owner" not in api.log.read_text()  # kpi_api


def test_kpi_audit_answers_who_saw_a_provider_or_a_patient(
    audited: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(audited, autocommit=True) as conn:
        conn.execute(
            "insert into kpi_audit.phi_access values (now(), 'cli-test', 'auditor-test',"
            " null, 'RDO', '/v1/x', 987654321, '{55501,55502}', '{ATH-CLI-1}')"
        )
    assert main(["audit", "--provider", "987654321"]) == 0
    assert "sub=auditor-test" in capsys.readouterr().out
    assert main(["audit", "--subject", "ATH-CLI-1"]) == 0
    assert "care_requests=55501,55502" in capsys.readouterr().out
    assert main(["audit", "--subject", "55502"]) == 0
    assert "request=cli-test" in capsys.readouterr().out
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert main(["audit", "--provider", "987654321", "--since", tomorrow]) == 0
    assert capsys.readouterr().out.strip() == "0 access(es)"
    assert main(["audit"]) == 2
    assert main(["audit", "--provider", "1", "--subject", "x"]) == 2
    assert main(["audit", "--provider", "abc"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_retention_deletes_only_rows_older_than_the_setting(audited: str) -> None:
    with psycopg.connect(audited, autocommit=True) as conn:
        conn.execute(
            "insert into kpi_audit.phi_access values"
            " (now() - interval '3000 days', %(old)s, null, null, null, '/', null,"
            " '{}', '{}'), (now() - interval '10 days', %(new)s, null, null, null,"
            " '/', null, '{}', '{}')",
            {"old": f"{RUN}retention-old", "new": f"{RUN}retention-new"},
        )
        assert apply_retention(conn, 2190) >= 1
    assert sorted(audit_rows(audited, f"{RUN}retention-")) == [f"{RUN}retention-new"]
