"""The soak's requests: a fixed list of URLs covering every endpoint, and the clients that
request them at random, each response judged as it arrives."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg

from bench.common import busiest_markets
from bench.soak.checker import Checker, comparable

HUB = "/v1/leader-hub-metrics"
FRAUD = "/v1/fraud-reports"
REQUEST_TIMEOUT_SECONDS = 30
METRICS = ("on_scene_time", "chart_closure_rate", "net_promoter_score", "on_task_percent")


@dataclass
class Outcome:
    started: float  # seconds since the soak started
    seconds: float
    url: str
    status: int | None  # None: transport error
    problem: str | None = None  # "error: ..." or "mixed: ..."
    as_of: str | None = None
    synced_at: str | None = None


def _column(conn: psycopg.Connection, query: str, params: list) -> list:
    return [row[0] for row in conn.execute(query, params)]


def urls_of(app_dsn: str, max_markets: int = 6, max_providers: int = 24) -> list[str]:
    """A fixed list of requests that covers every endpoint (ids from the served data)."""
    with psycopg.connect(app_dsn) as conn:
        markets = busiest_markets(conn, max_markets)
        providers = _column(
            conn,
            "select provider_id from leader_hub.provider_visits group by 1"
            " order by count(*) desc, 1 limit %s",
            [max_providers],
        )
        pairs = conn.execute(
            "select market_id, min(provider_id) from leader_hub.market_provider_metrics"
            " where market_id = any(%s) group by 1 order by 1",
            [markets],
        ).fetchall()
        shifts = _column(
            conn,
            "select shift_team_id from leader_hub.provider_shifts where provider_id = any(%s)"
            " group by 1 order by 1 desc limit 12",
            [providers],
        )
    return [
        "/ready",
        f"{HUB}/markets",
        *_market_urls(markets),
        *(f"{HUB}/markets/{market}/providers/{provider}" for market, provider in pairs),
        *(f"{HUB}/markets/{m}/providers/{p}/history?interval=day" for m, p in pairs),
        *_provider_urls(providers),
        *(f"{HUB}/provider-shifts/{shift}/provider-shift-breakdowns" for shift in shifts),
        *_fraud_urls(),
    ]


def _market_urls(markets: list[int]) -> list[str]:
    urls = []
    for market in markets:
        urls.append(f"{HUB}/markets/{market}")
        urls.append(f"{HUB}/markets/{market}/history")
        for title in ("APP", "DHMT"):
            for metric in METRICS:
                urls.append(f"{HUB}/markets/{market}/providers?job_title={title}&metric={metric}")
        urls.append(f"{HUB}/markets/{market}/providers?job_title=APP&search=a&per_page=5&page=2")
    return urls


def _provider_urls(providers: list[int]) -> list[str]:
    urls = []
    for provider in providers:
        base = f"{HUB}/providers/{provider}"
        urls += [
            base,
            f"{base}/markets",
            f"{base}/provider-visits",
            f"{base}/provider-visits?page=3&per_page=20&is_escalated=false",
            f"{base}/provider-shifts",
            f"{base}/provider-shifts?last_days=7&sort=asc",
            f"{base}/history?interval=week&points=8",
        ]
    return urls


def _fraud_urls() -> list[str]:
    return [
        *(
            f"{FRAUD}/authorizations?type={kind}&settlement_type={settlement}"
            for kind in ("DOCTOR", "LEGAL_ENTITY")
            for settlement in ("CITY", "OTHER")
        ),
        f"{FRAUD}/phone-numbers",
        f"{FRAUD}/phone-numbers?page=2&per_page=10",
        f"{FRAUD}/doctors",
        f"{FRAUD}/doctors?min_patients_qty=10",
    ]


async def fetch_all(base: str, token: str, urls: list[str]) -> dict[str, tuple[int, Any]]:
    """Every URL once, in order: (status, comparable body) of each."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        out = {}
        for url in urls:
            response = await client.get(url)
            out[url] = (response.status_code, comparable(response.json()))
        return out


async def _request(client: httpx.AsyncClient, url: str, checker: Checker, origin: float) -> Outcome:
    """One request, timed and judged; a transport error is an error outcome."""
    started = time.monotonic()
    try:
        response = await client.get(url)
        seconds = time.monotonic() - started
        try:
            body = response.json()
        except ValueError:
            body = response.text[:200]
        problem, as_of, synced_at = checker.judge(url, response.status_code, body)
        return Outcome(
            started - origin, seconds, url, response.status_code, problem, as_of, synced_at
        )
    except httpx.HTTPError as exc:
        seconds = time.monotonic() - started
        return Outcome(started - origin, seconds, url, None, f"error: {type(exc).__name__}")


async def hammer(
    base: str,
    token: str,
    urls: list[str],
    checker: Checker,
    *,
    clients: int,
    done: Callable[[], bool],
    max_requests: int,
    origin: float,
    seed: int,
) -> list[Outcome]:
    """``clients`` keep-alive clients, each requesting random URLs until ``done()`` or until
    ``max_requests`` were sent between them."""
    outcomes: list[Outcome] = []
    budget = [max_requests]
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def one_client(rng: random.Random, client: httpx.AsyncClient) -> None:
        while not done() and budget[0] > 0:
            budget[0] -= 1
            outcomes.append(await _request(client, rng.choice(urls), checker, origin))

    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=REQUEST_TIMEOUT_SECONDS, limits=limits
    ) as client:
        await asyncio.gather(*(one_client(random.Random(seed + i), client) for i in range(clients)))
    return outcomes
