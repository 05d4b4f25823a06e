"""Helpers for the operations tests: `kpi serve` as a child process, and small local HTTP
servers standing in for the identity provider's JWKS endpoint and the alert webhook."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import jwt
from psycopg.conninfo import conninfo_to_dict

PROJECT_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_uri(dsn: str) -> str:
    """A libpq URI for a key=value conninfo (KPI_*_DSN settings must be URIs)."""
    parts = conninfo_to_dict(dsn)
    user = quote(str(parts.pop("user", "postgres")), safe="")
    dbname = quote(str(parts.pop("dbname", "postgres")), safe="")
    return f"postgresql://{user}@/{dbname}?{urlencode({k: str(v) for k, v in parts.items()})}"


def public_jwk(private_key: Any, kid: str, alg: str = "RS256") -> dict[str, Any]:
    jwk = json.loads(jwt.get_algorithm_by_name(alg).to_jwk(private_key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "alg": alg}


class LocalHttp:
    """A stdlib HTTP server on a thread: GET answers ``body`` (JSON) with ``status``; POSTs
    are recorded in ``posted``. ``stop()`` closes the port (connection refused)."""

    def __init__(self) -> None:
        self.body: Any = {}
        self.status = 200
        self.gets = 0
        self.posted: list[Any] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.gets += 1
                payload = json.dumps(owner.body).encode()
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                owner.posted.append(json.loads(self.rfile.read(length) or b"null"))
                self.send_response(owner.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()


class ServedApi:
    """``kpi serve --workers N`` in a child process on a free port, output to ``log``."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {k: as_uri(v) if k.endswith("_DSN") else v for k, v in env.items()}
        clean = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
        self._sink = log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kpi",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            cwd=PROJECT_DIR,
            env={**clean, **env},
            stdout=self._sink,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, timeout: float = 90) -> None:
        """Until /health answers (a cold start on a loaded 2-core machine is slow)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.1)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """One request on a new connection (so the kernel may hand it to any worker)."""
        return httpx.get(self.base + path, timeout=10, **kwargs)

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM (a graceful stop), then wait; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._sink.close()
        return code
