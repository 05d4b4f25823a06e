"""The soak itself: record what each snapshot serves alone, then hammer the API while
`kpi sync` alternates the snapshots, and judge every response."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from api.cache import DEFAULT_TTL_SECONDS
from bench.common import log as _log
from bench.soak.checker import Checker, Expected, as_of_date
from bench.soak.processes import SYNC_TIMEOUT_SECONDS, Api, SyncRun, sync_loop, sync_once
from bench.soak.report import summarize
from bench.soak.snapshots import Snapshot, kpi_env
from bench.soak.workload import Outcome, fetch_all, hammer, urls_of
from kpi.settings import Settings


def _lead_token(app_dsn: str, settings: Settings) -> str:
    """A dev token of a Market Manager of every market, who is also a fraud analyst."""
    from api.tokens import mint_dev_token

    with psycopg.connect(app_dsn) as conn:
        markets = [r[0] for r in conn.execute("select market_id from leader_hub.markets")]
    return mint_dev_token(settings, "Market Manager", markets, True, 24 * 3600)


def _record_snapshots(
    api: Api, app_dsn: str, snapshots: list[Snapshot], env: dict[str, str], settings: Settings
) -> tuple[list[str], str, Expected]:
    """Sync each snapshot alone and record every URL's answer: (urls, token, expected)."""
    urls: list[str] = []
    token = ""
    published: Expected = {}
    for snapshot in snapshots:
        ok, tail = sync_once(snapshot, app_dsn, env)
        if not ok:
            raise SystemExit(f"soak: the sync of {snapshot.as_of} failed: {tail}")
        if not urls:
            api.wait_ready()
            urls = urls_of(app_dsn)
            token = _lead_token(app_dsn, settings)
        # The API's response cache notices a new snapshot within its TTL: until then it
        # still serves the previous one, correctly labelled. Record this snapshot's
        # bodies only once the API has moved to it.
        time.sleep(DEFAULT_TTL_SECONDS + 0.2)
        bodies = asyncio.run(fetch_all(api.base, token, urls))
        stale = [
            u for u, (_, b) in bodies.items() if as_of_date(b) not in (None, str(snapshot.as_of))
        ]
        if stale:
            raise SystemExit(f"soak: {stale[0]} still serves another snapshot")
        published[snapshot.as_of.isoformat()] = bodies
    return urls, token, published


def _successful_syncs(app_dsn: str) -> dict[datetime, str]:
    """Finish time -> as-of date of every successful sync the app database recorded."""
    with psycopg.connect(app_dsn) as conn:
        return {
            row[0]: row[1].isoformat()
            for row in conn.execute(
                "select finished_at, as_of_date from kpi_sync.sync_runs where outcome = 'success'"
            )
        }


def _under_syncs(
    app_dsn: str,
    snapshots: list[Snapshot],
    env: dict[str, str],
    load: Callable[[float, list[SyncRun]], list[Outcome]],
    sync_pause: float | None,
) -> tuple[list[Outcome], list[SyncRun], float]:
    """``load(origin, runs)`` while a thread syncs the snapshots in turn and appends each sync
    to ``runs``: (outcomes, syncs, seconds)."""
    stop = threading.Event()
    runs: list[SyncRun] = []
    origin = time.monotonic()
    syncer = threading.Thread(
        target=sync_loop,
        args=(snapshots, app_dsn, env, stop, origin, runs, sync_pause),
        daemon=True,
    )
    syncer.start()
    try:
        outcomes = load(origin, runs)
    finally:
        seconds = time.monotonic() - origin
        stop.set()
        syncer.join(timeout=SYNC_TIMEOUT_SECONDS + 10)
    return outcomes, runs, seconds


def run(
    app_dsn: str,
    snapshots: list[Snapshot],
    *,
    data_dir: Path,
    duration: float,
    clients: int,
    max_requests: int,
    sync_pause: float | None = None,
    min_syncs: int = 0,
    seed: int = 7,
    log: Callable[[str], None] = _log,
) -> dict[str, Any]:
    """Soak the API at ``app_dsn`` while syncing ``snapshots`` in turn; returns the report.

    ``data_dir``: the KPI_DATA_DIR of the API and the syncs (its dev secret signs the
    token). The app database is left serving the last snapshot synced. ``min_syncs``: the
    load goes on past ``duration`` until that many syncs have succeeded (at most
    SYNC_TIMEOUT_SECONDS per missing sync), so a slow machine still sees them under load.
    """
    env = kpi_env(data_dir)
    settings = Settings.from_env({"KPI_DATA_DIR": str(data_dir)})
    api = Api(app_dsn, env)
    try:
        urls, token, published = _record_snapshots(api, app_dsn, snapshots, env, settings)
        log(f"soak: {len(urls)} URLs, {clients} clients, {duration:g} s, syncs alternating "
            f"{', '.join(s.as_of.isoformat() for s in snapshots)}")  # fmt: skip
        checker = Checker(published)

        def load(origin: float, runs: list[SyncRun]) -> list[Outcome]:
            cap = origin + duration + SYNC_TIMEOUT_SECONDS * min_syncs

            def done() -> bool:
                now = time.monotonic()
                synced = sum(run.ok for run in list(runs))
                return now >= cap or (now >= origin + duration and synced >= min_syncs)

            return asyncio.run(
                hammer(
                    api.base,
                    token,
                    urls,
                    checker,
                    clients=clients,
                    done=done,
                    max_requests=max_requests,
                    origin=origin,
                    seed=seed,
                )
            )

        outcomes, runs, seconds = _under_syncs(app_dsn, snapshots, env, load, sync_pause)
        finished = _successful_syncs(app_dsn)
    finally:
        api.stop()
    report = summarize(outcomes, runs, finished, seconds, clients)
    report["urls"] = len(urls)
    report["as_of_dates"] = [s.as_of.isoformat() for s in snapshots]
    return report
