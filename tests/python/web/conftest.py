"""Web page fixtures: the real published build, served by uvicorn on a free local port.

The app tables come from the real pipeline (`make test` generated, built and synced them);
when the app database does not serve the current build (this folder run on its own), the
module syncs it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from web_support import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS

from api.app import create_app
from kpi import embedded
from kpi.cli import main
from kpi.settings import Settings
from sync.manifest import check_build

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "web"


def served_invocation(app_dsn: str) -> str | None:
    """The dbt invocation of the latest successful sync, or None (nothing synced yet)."""
    try:
        with psycopg.connect(app_dsn, autocommit=True) as conn:
            row = conn.execute(
                "select dbt_invocation_id from kpi_sync.sync_runs where outcome = 'success'"
                " order by finished_at desc, run_id desc limit 1"
            ).fetchone()
    except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName):
        return None
    return row[0] if row else None


@pytest.fixture(scope="module")
def published(settings: Settings, connections: embedded.Connections) -> str:
    """The app DSN, serving the current build (synced here if it serves another one, e.g.
    a build from before the history tables existed)."""
    build = check_build(settings.dbt_target_path)
    if served_invocation(connections.app_dsn) != build.invocation_id:
        assert main(["sync"]) == 0
    assert served_invocation(connections.app_dsn) == build.invocation_id
    return connections.app_dsn


@pytest.fixture(scope="module")
def app_db(published: str) -> Iterator[psycopg.Connection]:
    """A read connection to the app database, for the expected values."""
    with psycopg.connect(published, autocommit=True) as conn:
        yield conn


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class LiveServer:
    url: str


@pytest.fixture(scope="module")
def live_server(settings: Settings, published: str) -> Iterator[LiveServer]:
    """The app in dev mode (dev login on) under uvicorn in a background thread."""
    import uvicorn

    port = free_port()
    app = create_app(settings, published, dev_login=True)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="web-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 90
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=60)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# ------------------------------------------------------------ the browser (Playwright)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh tab on the live server; fails the test on any JavaScript error."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
