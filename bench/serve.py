"""The apps the API benchmark serves, as factories for uvicorn and granian.

* :func:`real_app`: the app exactly as ``kpi serve`` runs it (``api.server.served_app``: auth,
  validation, typed responses, access log), with the response cache on or off
  (``BENCH_CACHE=1|0``); for bench/ops.py also without the PHI audit (``BENCH_AUDIT=0``)
  or without the request log and metrics (``BENCH_OBSERVABILITY=0``).
* :func:`minimal_app`: a bare Litestar app with the same pool settings that runs the very
  same SQL for ``/min/{endpoint}/{i}`` with the ``i``-th parameter set of the benchmark
  (``BENCH_PARAMS``, a JSON file) and returns the rows: no auth, no validation, no types.

Environment: ``BENCH_APP_DSN``, ``KPI_JWT_SECRET``, ``KPI_DB_POOL_SIZE``, ``BENCH_PARAMS``.

    python -m bench.serve uvicorn|granian real|minimal PORT WORKERS

:func:`server` starts one of them that way from the benchmark, in a process group of its
own, and stops it (workers included); :func:`token` is a bearer the real app accepts.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import jwt
from litestar import Litestar, get

from bench.common import free_port

SECRET = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


def real_app() -> Any:
    from api.server import served_app
    from kpi.settings import Settings

    served = served_app(Settings.from_env(), os.environ["BENCH_APP_DSN"], dev_login=False)
    served.state.response_cache.enabled = os.environ.get("BENCH_CACHE", "0") == "1"
    # bench/ops.py's baselines: the PHI audit off, or the request-log + metrics wrapper off
    served.state.audit_log.enabled = os.environ.get("BENCH_AUDIT", "1") == "1"
    if os.environ.get("BENCH_OBSERVABILITY", "1") == "0":
        served.asgi_handler = served.asgi_handler.app  # the wrapper's inner handler
    return served


def minimal_app() -> Litestar:
    from api.db import Database
    from bench.endpoints import sql_of

    params: dict[str, list[dict[str, Any]]] = json.loads(
        Path(os.environ["BENCH_PARAMS"]).read_text()
    )
    db = Database(
        os.environ["BENCH_APP_DSN"],
        max_size=int(os.environ.get("KPI_DB_POOL_SIZE", "10")),
        timeout=5.0,
    )

    @get("/min/{endpoint:str}/{i:int}")
    async def run(endpoint: str, i: int) -> list[dict[str, Any]]:
        values = params[endpoint][i]
        return await db.fetch(sql_of(endpoint, values), values)

    return Litestar([run], on_startup=[db.open], on_shutdown=[db.close])


def main(argv: list[str]) -> None:
    from api.server import metrics_directory

    # Prometheus in multiprocess mode, as `kpi serve` runs it (each worker's samples in
    # mmap'd files of a shared directory): what the real app's metrics cost there.
    with metrics_directory():
        _serve(argv[0], argv[1], int(argv[2]), int(argv[3]))


def _serve(kind: str, which: str, port: int, workers: int) -> None:
    factory = f"bench.serve:{which}_app"
    if kind == "granian":
        from granian import Granian
        from granian.constants import Interfaces

        Granian(
            factory,
            address="127.0.0.1",
            port=port,
            interface=Interfaces.ASGI,
            workers=workers,
            factory=True,
            log_access=False,
            log_level="warning",  # type: ignore[arg-type]
        ).serve()
    else:
        import uvicorn

        from api.server import uvicorn_options

        options = uvicorn_options("127.0.0.1", port)  # as `kpi serve` runs it
        if kind != "uvicorn-uvloop":
            options.update(loop="asyncio", http="h11")
        uvicorn.run(factory, factory=True, workers=workers, **(options | {"log_level": "warning"}))


# ----------------------------------------------------------------- from the benchmark


def token(markets: list[int], user_id: int | None = None) -> str:
    """A lead of ``markets`` who is also a fraud analyst (and, with ``user_id``, the
    clinician of the personal hub's requests), signed with the served app's secret."""
    now = int(time.time())
    return jwt.encode(
        {
            "sub": "bench-lead",
            "iat": now,
            "exp": now + 6 * 3600,
            "market_role": "Market Manager",
            "markets": markets,
            "roles": ["fraud_analyst"],
            **({} if user_id is None else {"user_id": user_id}),
        },
        SECRET,
        algorithm="HS256",
    )


def _server_env(
    app_dsn: str, params_file: Path, pool: int, cache: bool, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """The served app's environment: the bench's own JWT secret (no key files)."""
    env = {
        **os.environ,
        **(extra or {}),
        "BENCH_APP_DSN": app_dsn,
        "BENCH_PARAMS": str(params_file),
        "BENCH_CACHE": "1" if cache else "0",
        "KPI_JWT_SECRET": SECRET,
        "KPI_DB_POOL_SIZE": str(pool),
    }
    env.pop("KPI_JWT_PUBLIC_KEY", None)
    env.pop("KPI_JWT_JWKS_FILE", None)
    env.pop("KPI_JWT_JWKS_URL", None)
    return env


def _wait_until_serving(
    proc: subprocess.Popen, port: int, probe: str, output: IO[bytes], label: str
) -> None:
    """Until ``GET probe`` on ``port`` gets an answer (180 s at most: a cold start on a loaded
    2-core machine is slow; or until the server exits)."""
    deadline = time.monotonic() + 180
    while True:
        if proc.poll() is not None:
            output.seek(0)
            raise SystemExit(f"bench: {label} exited: {output.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {probe} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                if s.recv(64):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: {label} did not start")
        time.sleep(0.2)


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the server's process group (its workers too), SIGKILL after 10 s."""
    os.killpg(proc.pid, 15)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()


@contextmanager
def server(
    kind: str,
    app: str,
    app_dsn: str,
    params_file: Path,
    *,
    workers: int = 1,
    pool: int = 10,
    cache: bool = False,
    env: dict[str, str] | None = None,
    pids: list[int] | None = None,
) -> Iterator[int]:
    """Serve ``bench.serve:{app}_app`` with ``kind`` on a free port; yields the port.
    ``pids``: gets the server's process id (with one worker, the process that serves)."""
    port = free_port()
    # The server's output (the real app writes an access log line per request) goes to a
    # file: an unread pipe would fill up and stall the server mid-run.
    with tempfile.TemporaryFile() as output:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", kind, app, str(port), str(workers)],
            env=_server_env(app_dsn, params_file, pool, cache, env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if pids is not None:
            pids.append(proc.pid)
        try:
            probe = "/health" if app == "real" else "/schema"
            _wait_until_serving(proc, port, probe, output, f"{kind} {app}")
            yield port
        finally:
            _stop_group(proc)


if __name__ == "__main__":
    main(sys.argv[1:])
