"""The API's server runtime: uvicorn, its worker processes and the access log.

``kpi serve`` calls :func:`serve`; tests and embedders call :func:`api.app.create_app`
directly. Kept apart from the app factory because none of it is the API's behaviour:
it is how one process (or N) runs it and logs each request's path without its data.
"""

from __future__ import annotations

import atexit
import base64
import logging
import os
import pickle
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from kpi.settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

access_logger = logging.getLogger("kpi.api.access")


class AccessLog:
    """ASGI wrapper: one line per request with method, path, status and duration.

    Only the path is logged, never the query string (a visits search is a patient's
    name), nor headers (the bearer token). The line goes to ``write`` when given (``kpi
    serve``: :meth:`BatchedStderrHandler.write_access`, one preformatted string instead
    of a ``logging`` record, ~3 % of a light request's CPU), else to the
    ``kpi.api.access`` logger.
    """

    def __init__(self, app: Any, write: Callable[[str], None] | None = None) -> None:
        self.app = app
        self.write = write

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            if self.write is not None:
                self.write(f"{scope['method']} {scope['path']} {status} {elapsed_ms:.1f}ms")
            else:
                access_logger.info(
                    "%s %s %d %.1fms", scope["method"], scope["path"], status, elapsed_ms
                )


# How `kpi serve` hands its settings to the worker processes it spawns (not a KPI_* setting).
WORKER_CONFIG_ENV = "CLINICAL_KPI_SERVE_WORKER"


ACCESS_LOG_FLUSH_SECONDS = 1.0


class BatchedStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """stderr through a 64 KiB buffer, written out every ``interval`` seconds and at the
    app's shutdown.

    stderr writes every line at once: one write(2) per request was ~15 % of the lightest
    endpoint's throughput (BENCHMARKS.md). For the access log only; a line waits at most
    ``interval`` seconds (and is lost if the process is killed with -9).
    """

    def __init__(self, interval: float = ACCESS_LOG_FLUSH_SECONDS) -> None:
        stream = open(  # noqa: SIM115 (lives as long as the process)
            sys.stderr.fileno(), "w", buffering=64 * 1024, encoding="utf-8", closefd=False
        )
        super().__init__(stream)
        self.interval = interval
        self._second = -1
        self._prefix = ""
        threading.Thread(
            target=self._flush_periodically, name="kpi-access-log", daemon=True
        ).start()
        atexit.register(self.flush_now)

    def flush(self) -> None:
        """StreamHandler calls this after every record: leave it to the timer."""

    def write_access(self, message: str) -> None:
        """One access-log line, formatted as this handler's formatter would format an INFO
        record of ``kpi.api.access`` (ACCESS_LOG_FORMAT), without making the record."""
        now = time.time()
        second = int(now)
        if second != self._second:  # the timestamp's date and time change once a second
            self._second = second
            stamp = time.strftime(logging.Formatter.default_time_format, time.localtime(now))
            self._prefix = stamp + ",{:03d} INFO " + access_logger.name + ": "
        line = self._prefix.format(int((now - second) * 1000)) + message + "\n"
        with self.lock:  # type: ignore[union-attr]
            self.stream.write(line)

    def flush_now(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            self.stream.flush()

    def _flush_periodically(self) -> None:
        while True:
            time.sleep(self.interval)
            self.flush_now()


ACCESS_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _configure_logging() -> BatchedStderrHandler:
    formatter = logging.Formatter(ACCESS_LOG_FORMAT)
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    api_logger = logging.getLogger("kpi.api")
    api_logger.addHandler(handler)
    api_logger.setLevel(logging.INFO)
    api_logger.propagate = False
    # The access log is the one line per request: batched (warnings above stay immediate).
    batched = BatchedStderrHandler()
    batched.setFormatter(formatter)
    access_logger.addHandler(batched)
    access_logger.propagate = False
    return batched


def served_app(settings: Settings, app_dsn: str, dev_login: bool) -> Any:
    """The app as ``kpi serve`` runs it: create_app behind the access log."""
    from api.app import create_app

    batched = _configure_logging()
    app = create_app(settings, app_dsn, dev_login=dev_login)
    # uvicorn ends a SIGTERM'd process by raising the signal again: atexit never runs.
    app.on_shutdown.append(batched.flush_now)
    return AccessLog(app, batched.write_access)


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
    if workers == 1:
        uvicorn.run(served_app(settings, app_dsn, dev_login), **options)
        return
    os.environ[WORKER_CONFIG_ENV] = base64.b64encode(
        pickle.dumps((settings, app_dsn, dev_login))
    ).decode()
    uvicorn.run("api.server:worker_app", factory=True, workers=workers, **options)
