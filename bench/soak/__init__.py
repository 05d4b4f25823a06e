"""Soak the read API while `kpi sync` republishes the app database again and again.

    python -m bench.soak                       # scale 1, 8 clients, 5 minutes
    python -m bench.soak --scale 0.02 --duration 30 --data-dir /tmp/soak

Setup (its own embedded PostgreSQL under ``--data-dir``, default ``.kpi/soak``): generate
the sources once, dbt build them for two report dates D-1 and D, and keep both builds:
the D-1 marts are copied by the real sync into a database of their own (``warehouse_prev``)
next to that build's dbt artifacts, the D build stays in ``warehouse``. Then:

* the API runs as its own process (``api.serve``, uvicorn on 127.0.0.1, a free port);
* N clients (asyncio + httpx, keep-alive) request a fixed list of URLs covering every
  endpoint, until the time or the request budget is spent;
* meanwhile `kpi sync` runs as a child process over and over, alternating D-1 and D.

Every response is checked against the published snapshot it names: its body (less
``synced_at``) must equal the body the same request got when that as-of date was served
alone, its rows' own ``as_of_date``/``report_date`` must equal its ``as_of_date``, and
its ``synced_at`` must be the finish time of a successful sync of that same date. A
response that fails any of these is a mixed snapshot; a transport error, a 5xx or any
other unexpected status is an error. Both must be 0.

Loopback only; everything stops by itself (``--duration``, ``--max-requests``, and a
timeout on each sync). The report: JSON on stdout, Markdown on stderr, and with
``--results`` (the default when run as a script) ``bench/results/soak.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import psycopg

from api.cache import DEFAULT_TTL_SECONDS
from kpi.settings import PROJECT_DIR, Settings

RESULTS = PROJECT_DIR / "bench" / "results"
DEFAULT_AS_OF = date(2026, 11, 20)
HUB = "/v1/leader-hub-metrics"
FRAUD = "/v1/fraud-reports"
SYNC_TIMEOUT_SECONDS = 600
REQUEST_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Snapshot:
    """One publishable build: where its marts are and its dbt artifacts."""

    as_of: date
    warehouse_dsn: str
    target_path: Path


@dataclass
class Outcome:
    started: float  # seconds since the soak started
    seconds: float
    url: str
    status: int | None  # None: transport error
    problem: str | None = None  # "error: ..." or "mixed: ..."
    as_of: str | None = None
    synced_at: str | None = None


@dataclass
class SyncRun:
    started: float
    finished: float
    as_of: date
    ok: bool
    tail: str = ""


@dataclass
class Report:
    requests: int = 0
    errors: int = 0
    mixed_snapshots: int = 0
    examples: list[str] = field(default_factory=list)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ setup


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update(KPI_DATA_DIR=str(data_dir), DBT_SEND_ANONYMOUS_USAGE_STATS="false", **extra)
    return env


def uri_for_dbname(dsn: str, dbname: str) -> str:
    """A libpq URI (what KPI_*_DSN need) for another database on the server of ``dsn``."""
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    info["dbname"] = dbname
    host = info.pop("host", "") or ""
    port = info.pop("port", None)
    user = info.pop("user", "postgres")
    password = info.pop("password", None)
    auth = quote(str(user)) + (":" + quote(str(password)) if password else "")
    query = {k: str(v) for k, v in info.items() if k != "dbname"}
    netloc = auth + "@"
    if host.startswith("/"):
        query["host"] = host
    else:
        netloc += host + (f":{port}" if port else "")
    if port and host.startswith("/"):
        query["port"] = str(port)
    return f"postgresql://{netloc}/{quote(dbname)}" + (f"?{urlencode(query)}" if query else "")


def _kpi(args: list[str], env: dict[str, str], timeout: float = 3600) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "kpi", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
        raise SystemExit(f"soak: `kpi {' '.join(args)}` failed:\n{tail}")
    return proc.stdout


def prepare(data_dir: Path, scale: float, as_of: date) -> tuple[str, list[Snapshot]]:
    """Generate once, build D-1 and D; returns the app DSN and the two snapshots."""
    from kpi import embedded

    data_dir.mkdir(parents=True, exist_ok=True)
    previous = as_of - timedelta(days=1)
    conns = embedded.start(data_dir / "pgdata")
    embedded_env = _env(data_dir)
    _log(f"soak: generate scale {scale:g} as of {as_of}")
    _kpi(
        ["generate", "--replace", "--scale", str(scale), "--as-of", as_of.isoformat()], embedded_env
    )
    prev_target = data_dir / f"target-{previous}"
    _log(f"soak: dbt build as of {previous}")
    _kpi(
        ["build", "--as-of", previous.isoformat()],
        {**embedded_env, "DBT_TARGET_PATH": str(prev_target)},
    )
    # Keep the D-1 marts: the real sync copies them into a database of their own.
    prev_dsn = uri_for_dbname(conns.warehouse_dsn, "warehouse_prev")
    with psycopg.connect(conns.warehouse_dsn, autocommit=True) as conn:
        conn.execute("drop database if exists warehouse_prev with (force)")
        conn.execute("create database warehouse_prev")
    import sync

    sync.run_sync(conns.warehouse_dsn, prev_dsn, prev_target, allow_shrink=True)
    target = data_dir / f"target-{as_of}"
    _log(f"soak: dbt build as of {as_of}")
    _kpi(["build", "--as-of", as_of.isoformat()], {**embedded_env, "DBT_TARGET_PATH": str(target)})
    with psycopg.connect(conns.app_dsn, autocommit=True) as conn:
        conn.execute("drop schema if exists leader_hub, fraud, kpi_sync cascade")
    return conns.app_dsn, [
        Snapshot(previous, prev_dsn, prev_target),
        Snapshot(as_of, conns.warehouse_dsn, target),
    ]


# ------------------------------------------------------------------------ the workload


def _urls(app_dsn: str, max_markets: int = 6, max_providers: int = 24) -> list[str]:
    """A fixed list of requests that covers every endpoint (ids from the served data)."""
    with psycopg.connect(app_dsn) as conn:
        markets = [
            r[0]
            for r in conn.execute(
                "select market_id from leader_hub.markets_active_providers group by 1"
                " order by count(*) desc, 1 limit %s",
                [max_markets],
            )
        ]
        providers = [
            r[0]
            for r in conn.execute(
                "select provider_id from leader_hub.provider_visits group by 1"
                " order by count(*) desc, 1 limit %s",
                [max_providers],
            )
        ]
        pairs = conn.execute(
            "select market_id, min(provider_id) from leader_hub.market_provider_metrics"
            " where market_id = any(%s) group by 1 order by 1",
            [markets],
        ).fetchall()
        shifts = [
            r[0]
            for r in conn.execute(
                "select shift_team_id from leader_hub.provider_shifts where provider_id = any(%s)"
                " group by 1 order by 1 desc limit 12",
                [providers],
            )
        ]
    urls = ["/ready", f"{HUB}/markets"]
    metrics = ["on_scene_time", "chart_closure_rate", "net_promoter_score", "on_task_percent"]
    for market in markets:
        urls.append(f"{HUB}/markets/{market}")
        for title in ("APP", "DHMT"):
            for metric in metrics:
                urls.append(f"{HUB}/markets/{market}/providers?job_title={title}&metric={metric}")
        urls.append(f"{HUB}/markets/{market}/providers?job_title=APP&search=a&per_page=5&page=2")
    for market, provider in pairs:
        urls.append(f"{HUB}/markets/{market}/providers/{provider}")
    for provider in providers:
        base = f"{HUB}/providers/{provider}"
        urls += [
            base,
            f"{base}/markets",
            f"{base}/provider-visits",
            f"{base}/provider-visits?page=3&per_page=20&is_escalated=false",
            f"{base}/provider-shifts",
            f"{base}/provider-shifts?last_days=7&sort=asc",
        ]
    for shift in shifts:
        urls.append(f"{HUB}/provider-shifts/{shift}/provider-shift-breakdowns")
    for kind in ("DOCTOR", "LEGAL_ENTITY"):
        for settlement in ("CITY", "OTHER"):
            urls.append(f"{FRAUD}/authorizations?type={kind}&settlement_type={settlement}")
    urls += [
        f"{FRAUD}/phone-numbers",
        f"{FRAUD}/phone-numbers?page=2&per_page=10",
        f"{FRAUD}/doctors",
        f"{FRAUD}/doctors?min_patients_qty=10",
    ]
    return urls


def _comparable(body: Any) -> Any:
    """The body less the fields that differ between two syncs of the same build."""
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k not in ("synced_at", "run_id")}
    return body


def _as_of(body: Any) -> str | None:
    return body.get("as_of_date") if isinstance(body, dict) else None


def _row_dates(body: Any) -> set[str]:
    """The rows' own dates: as_of_date of one-row metrics, report_date of fraud rows."""
    dates = set()
    if isinstance(body, dict):
        for item in body.get("items") or []:
            if isinstance(item, dict) and item.get("report_date"):
                dates.add(item["report_date"])
    return dates


class Checker:
    """Judges each response against the snapshot it names."""

    def __init__(self, expected: dict[str, dict[str, tuple[int, Any]]]) -> None:
        self.expected = expected  # as_of -> url -> (status, comparable body)

    def judge(self, url: str, status: int, body: Any) -> tuple[str | None, str | None, str | None]:
        """(problem, as_of_date, synced_at) of one response."""
        as_of = body.get("as_of_date") if isinstance(body, dict) else None
        synced_at = body.get("synced_at") if isinstance(body, dict) else None
        if status >= 500:
            return f"error: {status} {str(body)[:120]}", as_of, synced_at
        if status == 404 and as_of is None:
            # A 404 carries no snapshot: it must be a 404 in one of the snapshots.
            if any(exp.get(url, (None,))[0] == 404 for exp in self.expected.values()):
                return None, None, None
            return f"error: unexpected 404 {str(body)[:120]}", None, None
        if status != 200:
            return f"error: unexpected {status} {str(body)[:120]}", as_of, synced_at
        if as_of not in self.expected:
            return f"mixed: as_of_date {as_of} is neither snapshot", as_of, synced_at
        rows = _row_dates(body)
        if rows - {as_of}:
            return f"mixed: rows of {sorted(rows)} in a response of {as_of}", as_of, synced_at
        want_status, want_body = self.expected[as_of][url]
        if want_status != status or want_body != _comparable(body):
            return f"mixed: body differs from the {as_of} snapshot's", as_of, synced_at
        return None, as_of, synced_at


async def _fetch_all(base: str, token: str, urls: list[str]) -> dict[str, tuple[int, Any]]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        out = {}
        for url in urls:
            response = await client.get(url)
            out[url] = (response.status_code, _comparable(response.json()))
        return out


async def _hammer(
    base: str,
    token: str,
    urls: list[str],
    checker: Checker,
    *,
    clients: int,
    deadline: float,
    max_requests: int,
    origin: float,
    seed: int,
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    budget = [max_requests]
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def one_client(rng: random.Random, client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            url = rng.choice(urls)
            started = time.monotonic()
            try:
                response = await client.get(url)
                seconds = time.monotonic() - started
                try:
                    body = response.json()
                except ValueError:
                    body = response.text[:200]
                problem, as_of, synced_at = checker.judge(url, response.status_code, body)
                outcomes.append(
                    Outcome(started - origin, seconds, url, response.status_code, problem, as_of,
                            synced_at)
                )  # fmt: skip
            except httpx.HTTPError as exc:
                seconds = time.monotonic() - started
                outcomes.append(
                    Outcome(started - origin, seconds, url, None, f"error: {type(exc).__name__}")
                )

    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=REQUEST_TIMEOUT_SECONDS, limits=limits
    ) as client:
        await asyncio.gather(*(one_client(random.Random(seed + i), client) for i in range(clients)))
    return outcomes


# ------------------------------------------------------------------ the moving parts


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVE = """
import sys
from api import serve
from kpi.settings import Settings
serve(Settings.from_env(), sys.argv[1], host="127.0.0.1", port=int(sys.argv[2]))
"""


class Api:
    """The API in a process of its own (uvicorn, loopback), as `kpi serve` runs it."""

    def __init__(self, app_dsn: str, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVE, app_dsn, str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("soak: the API process exited")
            try:
                if httpx.get(f"{self.base}/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit("soak: the API did not become ready")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def sync_once(snapshot: Snapshot, app_dsn: str, env: dict[str, str]) -> tuple[bool, str]:
    """`kpi sync` of one snapshot, as a child process; (succeeded, output tail)."""
    child_env = {
        **env,
        "KPI_WAREHOUSE_DSN": snapshot.warehouse_dsn,
        "KPI_APP_DSN": app_dsn,
        "DBT_TARGET_PATH": str(snapshot.target_path),
    }
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "kpi", "sync"],
            env=child_env,
            capture_output=True,
            text=True,
            timeout=SYNC_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, "timed out"
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-3:])
    return proc.returncode == 0, tail


def _sync_loop(
    snapshots: list[Snapshot],
    app_dsn: str,
    env: dict[str, str],
    stop: threading.Event,
    origin: float,
    runs: list[SyncRun],
    pause: float | None,
) -> None:
    """Sync the snapshots in turn until ``stop``; between two syncs wait ``pause`` seconds
    (None: as long as the last sync took, so about half the time is idle for comparison)."""
    index = 0
    while not stop.is_set():
        snapshot = snapshots[index % len(snapshots)]
        started = time.monotonic() - origin
        ok, tail = sync_once(snapshot, app_dsn, env)
        finished = time.monotonic() - origin
        runs.append(SyncRun(started, finished, snapshot.as_of, ok, tail))
        index += 1
        stop.wait(finished - started if pause is None else pause)


# ----------------------------------------------------------------------------- report


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _summarize(
    outcomes: list[Outcome],
    runs: list[SyncRun],
    published: dict[datetime, str],
    seconds: float,
    clients: int,
) -> dict[str, Any]:
    windows = [(r.started, r.finished) for r in runs]

    def during_sync(o: Outcome) -> bool:
        return any(a <= o.started <= b for a, b in windows)

    problems = []
    for o in outcomes:
        problem = o.problem
        if problem is None and o.synced_at is not None:
            finished = datetime.fromisoformat(o.synced_at.replace("Z", "+00:00"))
            if published.get(finished) != o.as_of:
                problem = f"mixed: synced_at {o.synced_at} is not a sync of {o.as_of}"
        if problem:
            problems.append((o, problem))
    errors = [(o, p) for o, p in problems if p.startswith("error")]
    mixed = [(o, p) for o, p in problems if p.startswith("mixed")]
    ok = [o for o in outcomes if o.status is not None]
    busy = [o.seconds * 1000 for o in ok if during_sync(o)]
    idle = [o.seconds * 1000 for o in ok if not during_sync(o)]
    served = {}
    for o in outcomes:
        if o.as_of:
            served[o.as_of] = served.get(o.as_of, 0) + 1
    return {
        "clients": clients,
        "seconds": round(seconds, 1),
        "requests": len(outcomes),
        "requests_per_second": round(len(outcomes) / seconds, 1) if seconds else None,
        "errors": len(errors),
        "mixed_snapshots": len(mixed),
        "problem_examples": [f"{o.url}: {p}" for o, p in problems[:10]],
        "responses_by_as_of_date": dict(sorted(served.items())),
        "syncs": {
            "runs": len(runs),
            "succeeded": sum(r.ok for r in runs),
            "failed": [f"{r.as_of}: {r.tail}" for r in runs if not r.ok],
            "seconds_mean": round(sum(r.finished - r.started for r in runs) / len(runs), 2)
            if runs
            else None,
            "share_of_time_syncing": round(
                sum(min(r.finished, seconds) - r.started for r in runs) / seconds, 2
            )
            if seconds
            else None,
        },
        "latency_ms": {
            "idle": {
                "requests": len(idle),
                "p50": _round(_percentile(idle, 0.50)),
                "p99": _round(_percentile(idle, 0.99)),
            },
            "during_sync": {
                "requests": len(busy),
                "p50": _round(_percentile(busy, 0.50)),
                "p99": _round(_percentile(busy, 0.99)),
            },
        },
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def markdown(report: dict[str, Any]) -> str:
    lat = report["latency_ms"]
    syncs = report["syncs"]
    return "\n".join(
        [
            f"Soak: {report['clients']} clients for {report['seconds']} s"
            f" ({report.get('scale', '?')} scale), `kpi sync` alternating"
            f" {' / '.join(report.get('as_of_dates', []))}",
            "",
            "| requests | req/s | errors | mixed snapshots | syncs (ok) | time syncing |"
            " p50 / p99 idle (ms) | p50 / p99 during sync (ms) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {report['requests']:,} | {report['requests_per_second']} | {report['errors']}"
            f" | {report['mixed_snapshots']} | {syncs['runs']} ({syncs['succeeded']})"
            f" | {syncs['share_of_time_syncing']:.0%}"
            f" | {lat['idle']['p50']} / {lat['idle']['p99']}"
            f" | {lat['during_sync']['p50']} / {lat['during_sync']['p99']} |",
        ]
    )


# ------------------------------------------------------------------------------- run


def run(
    app_dsn: str,
    snapshots: list[Snapshot],
    *,
    data_dir: Path,
    duration: float,
    clients: int,
    max_requests: int,
    sync_pause: float | None = None,
    seed: int = 7,
    log: Callable[[str], None] = _log,
) -> dict[str, Any]:
    """Soak the API at ``app_dsn`` while syncing ``snapshots`` in turn; returns the report.

    ``data_dir``: the KPI_DATA_DIR of the API and the syncs (its dev secret signs the
    token). The app database is left serving the last snapshot synced.
    """
    from api.tokens import mint_dev_token

    env = _env(data_dir)
    settings = Settings.from_env({"KPI_DATA_DIR": str(data_dir)})
    published: dict[str, dict[str, tuple[int, Any]]] = {}
    api = Api(app_dsn, env)
    try:
        urls: list[str] = []
        token = ""
        for snapshot in snapshots:  # what each snapshot serves, alone
            ok, tail = sync_once(snapshot, app_dsn, env)
            if not ok:
                raise SystemExit(f"soak: the sync of {snapshot.as_of} failed: {tail}")
            if not urls:
                api.wait_ready()
                urls = _urls(app_dsn)
                with psycopg.connect(app_dsn) as conn:
                    markets = [
                        r[0] for r in conn.execute("select market_id from leader_hub.markets")
                    ]
                token = mint_dev_token(settings, "Market Manager", markets, True, 24 * 3600)
            # The API's response cache notices a new snapshot within its TTL: until then it
            # still serves the previous one, correctly labelled. Record this snapshot's
            # bodies only once the API has moved to it.
            time.sleep(DEFAULT_TTL_SECONDS + 0.2)
            bodies = asyncio.run(_fetch_all(api.base, token, urls))
            stale = [
                u for u, (_, b) in bodies.items() if _as_of(b) not in (None, str(snapshot.as_of))
            ]
            if stale:
                raise SystemExit(f"soak: {stale[0]} still serves another snapshot")
            published[snapshot.as_of.isoformat()] = bodies
        log(f"soak: {len(urls)} URLs, {clients} clients, {duration:g} s, syncs alternating "
            f"{', '.join(s.as_of.isoformat() for s in snapshots)}")  # fmt: skip
        checker = Checker(published)
        stop = threading.Event()
        runs: list[SyncRun] = []
        origin = time.monotonic()
        syncer = threading.Thread(
            target=_sync_loop,
            args=(snapshots, app_dsn, env, stop, origin, runs, sync_pause),
            daemon=True,
        )
        syncer.start()
        try:
            outcomes = asyncio.run(
                _hammer(
                    api.base,
                    token,
                    urls,
                    checker,
                    clients=clients,
                    deadline=origin + duration,
                    max_requests=max_requests,
                    origin=origin,
                    seed=seed,
                )
            )
        finally:
            seconds = time.monotonic() - origin
            stop.set()
            syncer.join(timeout=SYNC_TIMEOUT_SECONDS + 10)
        with psycopg.connect(app_dsn) as conn:
            finished = {
                row[0]: row[1].isoformat()
                for row in conn.execute(
                    "select finished_at, as_of_date from kpi_sync.sync_runs"
                    " where outcome = 'success'"
                )
            }
    finally:
        api.stop()
    report = _summarize(outcomes, runs, finished, seconds, clients)
    report["urls"] = len(urls)
    report["as_of_dates"] = [s.as_of.isoformat() for s in snapshots]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF)
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=2_000_000)
    parser.add_argument(
        "--sync-pause",
        type=float,
        default=None,
        help="seconds between syncs (default: as long as the last sync took)",
    )
    parser.add_argument("--data-dir", type=Path, default=PROJECT_DIR / ".kpi" / "soak")
    parser.add_argument("--reuse", action="store_true", help="skip setup: reuse the last one")
    parser.add_argument("--no-results", action="store_true", help="do not write soak.json")
    args = parser.parse_args(argv)
    if not args.scale > 0 or args.clients < 1 or args.duration <= 0 or args.max_requests < 1:
        parser.error("--scale, --duration, --clients and --max-requests must be positive")
    data_dir = args.data_dir.resolve()
    if args.reuse:
        from kpi import embedded

        conns = embedded.start(data_dir / "pgdata")
        previous = args.as_of - timedelta(days=1)
        snapshots = [
            Snapshot(
                previous,
                uri_for_dbname(conns.warehouse_dsn, "warehouse_prev"),
                data_dir / f"target-{previous}",
            ),
            Snapshot(args.as_of, conns.warehouse_dsn, data_dir / f"target-{args.as_of}"),
        ]
        app_dsn = conns.app_dsn
    else:
        app_dsn, snapshots = prepare(data_dir, args.scale, args.as_of)
    report = run(
        app_dsn,
        snapshots,
        data_dir=data_dir,
        duration=args.duration,
        clients=args.clients,
        max_requests=args.max_requests,
        sync_pause=args.sync_pause,
    )
    report["scale"] = args.scale
    report["date"] = date.today().isoformat()
    report["machine"] = f"{os.uname().machine}, {os.cpu_count()} cores"
    if not args.no_results:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "soak.json").write_text(json.dumps(report, indent=2) + "\n")
    _log(markdown(report))
    print(json.dumps(report, indent=2))
    return 0 if report["errors"] == 0 and report["mixed_snapshots"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
