"""Prometheus metrics at ``/metrics`` (SPEC §14), with ``prometheus-client``.

What is measured (names as scraped):

* ``kpi_api_requests_total{route, method, status}``: every response, by route template
  (never the raw path) — ``route="unmatched"`` for paths outside every route;
* ``kpi_api_request_duration_seconds{route}``: latency histogram;
* ``kpi_api_auth_failures_total{reason}``: 401s of the bearer check, by the (fixed) message;
* ``kpi_api_db_pool_connections{state}``: the app-database pools of all workers (``size``,
  ``idle``) and requests waiting for a connection (``waiting``), sampled once a second per
  worker;
* ``kpi_data_seconds_since_sync`` / ``kpi_data_seconds_since_as_of``: the published
  snapshot's age (from its ``synced_at``, and from 00:00 UTC of its ``as_of_date``), read
  from the app database at scrape time (absent while it is unreachable).

**Workers.** ``kpi serve`` runs N processes; ``serve`` points ``PROMETHEUS_MULTIPROC_DIR``
at a fresh directory before any worker imports this module, so every worker writes its
samples there and a scrape answered by any one of them aggregates all
(``MultiProcessCollector``). A worker counts its requests in memory and publishes them
there once a second (:class:`RequestRecorder`), so the other workers' last second may be
missing from a scrape (never lost: it is in the next one, and a stopping worker publishes
before it exits). Without the variable (in-process tests, embedders) the
process's default registry is served.

**Access.** Only when ``KPI_METRICS_TOKEN`` is set, and only for ``Authorization: Bearer
<that token>`` (compared in constant time); else 401, and 404 when the setting is unset
(the route does not exist). Not in the OpenAPI document: it is an operator endpoint with
its own credential, not part of the data API.
"""

from __future__ import annotations

import asyncio
import hmac
import os
from bisect import bisect_left
from datetime import UTC, datetime
from datetime import time as time_of_day
from typing import Any

from litestar import Request, Response, get
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from api.errors import ApiError, unauthorized

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
PUBLISH_SECONDS = 1.0
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "kpi_api_requests", "HTTP responses by route template, method and status",
    ["route", "method", "status"],
)  # fmt: skip
LATENCY = Histogram(
    "kpi_api_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by route template",
    ["route"],
    buckets=LATENCY_BUCKETS,
)
AUTH_FAILURES = Counter("kpi_api_auth_failures", "401s of the bearer check, by reason", ["reason"])
POOL = Gauge(
    "kpi_api_db_pool_connections",
    "App-database pool connections of all workers (size, idle) and requests waiting",
    ["state"],
    multiprocess_mode="livesum",
)


class RequestRecorder:
    """The ``record`` hook of :class:`api.observability.RequestObservability`.

    A request only adds to this process's own counts (a dict and a bucket list per route);
    :meth:`publish` moves them into the Prometheus metrics (the mmap'd files of the
    multiprocess mode: three locked file writes per request were most of the metrics'
    cost, BENCHMARKS.md) every :data:`PUBLISH_SECONDS`, before this worker answers a
    scrape, and at shutdown. So a scrape sees its own worker's requests up to the last
    one and the other workers' up to a second ago."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        self._counts: dict[tuple[str, str, int], int] = {}
        # route -> [count per bucket of LATENCY_BUCKETS (+Inf last), sum of seconds]
        self._latency: dict[str, list[float]] = {}
        self._task: asyncio.Task[None] | None = None

    def __call__(self, route: str, method: str, status: int, seconds: float, scope: Any) -> None:
        key = (route, method, status)
        self._counts[key] = self._counts.get(key, 0) + 1
        latency = self._latency.get(route)
        if latency is None:
            latency = self._latency[route] = [0.0] * (len(LATENCY_BUCKETS) + 2)
        latency[bisect_left(LATENCY_BUCKETS, seconds)] += 1  # the first bound ≥ seconds
        latency[-1] += seconds

    def publish(self) -> None:
        """This process's counts since the last call into the Prometheus metrics."""
        counts, self._counts = self._counts, {}
        latency, self._latency = self._latency, {}
        for (route, method, status), count in counts.items():
            label = method if method in KNOWN_METHODS else "other"  # bounded label values
            REQUESTS.labels(route, label, str(status)).inc(count)
        for route, buckets in latency.items():
            _add_observations(LATENCY.labels(route), buckets)
        self.sample_pool()

    def sample_pool(self) -> None:
        stats = self.pool.get_stats()
        POOL.labels("size").set(stats.get("pool_size", 0))
        POOL.labels("idle").set(stats.get("pool_available", 0))
        POOL.labels("waiting").set(stats.get("requests_waiting", 0))

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="kpi-metrics-publisher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self.publish()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(PUBLISH_SECONDS)
            self.publish()


def _add_observations(histogram: Any, buckets: list[float]) -> None:
    """Add counted observations to a histogram child: ``buckets[i]`` observations in its
    i-th bucket (non-cumulative, as prometheus-client stores them), ``buckets[-1]`` their
    sum. prometheus-client has no public call for this (``observe`` takes one value); a
    test checks the exposition's buckets, count and sum."""
    for value, count in zip(histogram._buckets, buckets[:-1], strict=True):
        if count:
            value.inc(count)
    histogram._sum.inc(buckets[-1])


def count_auth_failure(error: ApiError) -> None:
    AUTH_FAILURES.labels(error.message).inc()


def mark_worker_stopped() -> None:
    """A stopping worker's live gauges (the pool) leave the sum."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(os.getpid())


class _DataAge:
    """The snapshot's age as two gauges (a one-off collector made per scrape)."""

    def __init__(self, as_of_date: Any, synced_at: datetime) -> None:
        self.as_of_date = as_of_date
        self.synced_at = synced_at

    def collect(self) -> Any:
        now = datetime.now(UTC)
        as_of = datetime.combine(self.as_of_date, time_of_day(0), tzinfo=UTC)
        yield GaugeMetricFamily(
            "kpi_data_seconds_since_sync",
            "Seconds since the published sync committed",
            value=(now - self.synced_at).total_seconds(),
        )
        yield GaugeMetricFamily(
            "kpi_data_seconds_since_as_of",
            "Seconds since 00:00 UTC of the published as_of_date",
            value=(now - as_of).total_seconds(),
        )


def exposition(snapshot: dict[str, Any] | None) -> bytes:
    """Every worker's samples (or this process's), then the data age."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    if snapshot is not None:
        ages = CollectorRegistry()
        ages.register(_DataAge(snapshot["as_of_date"], snapshot["synced_at"]))
        text += generate_latest(ages)
    return text


def metrics_route(token: str) -> Any:
    """The ``/metrics`` handler for the configured bearer ``token``."""
    expected = f"Bearer {token}".encode()

    @get("/metrics", include_in_schema=False, name="metrics")
    async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
        sent = request.headers.get("authorization", "").encode("latin-1", "replace")
        if not hmac.compare_digest(sent, expected):
            raise unauthorized("the metrics endpoint needs the configured metrics token")
        from api.app import READY_SQL  # the snapshot query /ready runs

        request.app.state.request_recorder.publish()  # this worker's counts up to now

        try:
            rows = await request.app.state.db.fetch(READY_SQL, {})
        except ApiError:  # database down: the request metrics still answer
            rows = []
        body = exposition(rows[0] if rows else None)
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    return metrics
