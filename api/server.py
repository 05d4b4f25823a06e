"""The API's server runtime: uvicorn, its worker processes and where the logs go.

``kpi serve`` calls :func:`serve`; tests and embedders call :func:`api.app.create_app`
directly. Kept apart from the app factory because none of it is the API's behaviour: it
is how one process (or N) runs it. The access log's lines (JSON, one per request, made by
``api.observability``) go to stderr through :class:`BatchedAccessLog`; the API's other
records go to stderr as JSON lines at once.
"""

from __future__ import annotations

import atexit
import base64
import collections
import contextlib
import gc
import logging
import os
import pickle
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kpi.settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # api.metrics reads it (not imported here: see
# metrics_directory)


# How `kpi serve` hands its settings to the worker processes it spawns (not a KPI_* setting).
WORKER_CONFIG_ENV = "CLINICAL_KPI_SERVE_WORKER"


ACCESS_LOG_FLUSH_SECONDS = 1.0


class BatchedAccessLog:
    """``kpi serve``'s access-log sink (``api.observability.AccessSink``): a request only
    appends its tuple to a deque; a thread turns the queue into JSON lines every
    ``interval`` seconds and writes them to stderr in one write, and so does the app's
    shutdown (and ``atexit``).

    A line waits at most ``interval`` seconds (and is lost if the process is killed with
    -9). One write(2) per request was ~15 % of the lightest endpoint's throughput, and
    formatting each line on the request path most of the log's remaining cost
    (BENCHMARKS.md).
    """

    def __init__(self, interval: float = ACCESS_LOG_FLUSH_SECONDS) -> None:
        self.interval = interval
        self._queue: collections.deque[Any] = collections.deque()
        self._lock = threading.Lock()  # one writer at a time
        self._stream = open(sys.stderr.fileno(), "wb", closefd=False)  # noqa: SIM115
        threading.Thread(
            target=self._flush_periodically, name="kpi-access-log", daemon=True
        ).start()
        atexit.register(self.flush_now)

    def add(self, entry: Any) -> None:
        self._queue.append(entry)  # deque.append is atomic: no lock on the request path

    def flush_now(self) -> None:
        from api.observability import access_lines

        with self._lock:
            entries = [self._queue.popleft() for _ in range(len(self._queue))]
            if entries:
                self._stream.write(access_lines(entries))
                self._stream.flush()

    def _flush_periodically(self) -> None:
        while True:
            time.sleep(self.interval)
            self.flush_now()


def _configure_logging() -> BatchedAccessLog:
    from api.observability import JsonFormatter, access_logger

    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    api_logger = logging.getLogger("kpi.api")
    api_logger.addHandler(handler)
    api_logger.setLevel(logging.INFO)
    api_logger.propagate = False
    # The access log is the one line per request: batched (warnings above stay immediate).
    access_logger.propagate = False
    return BatchedAccessLog()


def served_app(settings: Settings, app_dsn: str, dev_login: bool) -> Any:
    """The app as ``kpi serve`` runs it: access log lines through the batched stderr."""
    from api.app import create_app

    batched = _configure_logging()
    app = create_app(settings, app_dsn, dev_login=dev_login, access_log=batched)
    # uvicorn ends a SIGTERM'd process by raising the signal again: atexit never runs.
    app.on_shutdown.append(batched.flush_now)
    app.on_startup.append(freeze_startup_heap)
    return app


def freeze_startup_heap() -> None:
    """Move every object alive once the app has started (modules, routes, the OpenAPI
    models: most of the heap) out of the cyclic collector's reach, so that a full
    collection scans only what requests allocate. Measured: a generation-2 collection
    otherwise paused the event loop for 90–130 ms every few seconds under load, the p99
    of the audited routes at one connection (BENCHMARKS.md, issue 17). Only in served
    processes: a test process that creates many apps would never free the older ones."""
    gc.collect()
    gc.freeze()


def worker_app() -> Any:
    """The app of one worker process of ``kpi serve --workers N`` (a uvicorn factory)."""
    settings, app_dsn, dev_login = pickle.loads(base64.b64decode(os.environ[WORKER_CONFIG_ENV]))
    return served_app(settings, app_dsn, dev_login)


def uvicorn_options(host: str, port: int) -> dict[str, Any]:
    """uvicorn's settings for the API (also used by the benchmark's servers)."""
    return dict(
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        access_log=False,  # uvicorn's access log prints query strings
        log_level="info",
        server_header=False,
        proxy_headers=False,
        lifespan="on",
    )


def serve(
    settings: Settings,
    app_dsn: str,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    dev_login: bool = False,
    workers: int = 1,
) -> None:
    """Run the API with uvicorn until interrupted (Ctrl-C); ``dev_login``: see create_app.

    uvloop and httptools as event loop and HTTP parser, and ``workers`` processes sharing
    the port (each with its own connection pool and response cache): the configuration
    BENCHMARKS.md measures.
    """
    import uvicorn

    options = uvicorn_options(host, port)
    with metrics_directory():
        if workers == 1:
            uvicorn.run(served_app(settings, app_dsn, dev_login), **options)
            return
        os.environ[WORKER_CONFIG_ENV] = base64.b64encode(
            pickle.dumps((settings, app_dsn, dev_login))
        ).decode()
        uvicorn.run("api.server:worker_app", factory=True, workers=workers, **options)


@contextlib.contextmanager
def metrics_directory() -> Iterator[Path]:
    """PROMETHEUS_MULTIPROC_DIR for this ``kpi serve`` and its workers (api.metrics).

    The operator's directory when set (emptied first: samples of a previous run's pids would
    be summed in), else a fresh temporary one removed at exit. Set before any worker imports
    prometheus_client, which reads it at import.
    """
    if "prometheus_client" in sys.modules and not os.environ.get(MULTIPROC_ENV):
        raise RuntimeError("prometheus_client was imported before the metrics directory was set")
    configured = os.environ.get(MULTIPROC_ENV)
    if configured:
        directory = Path(configured)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
        yield directory
        return
    directory = Path(tempfile.mkdtemp(prefix="kpi-metrics-"))
    os.environ[MULTIPROC_ENV] = str(directory)
    try:
        yield directory
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(directory, ignore_errors=True)
