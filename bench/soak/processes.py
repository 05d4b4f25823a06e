"""The soak's moving parts, each a process of its own: the API (as `kpi serve` runs it) and
`kpi sync` republishing the snapshots in turn, from a thread."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date

import httpx

from bench.common import free_port
from bench.soak.snapshots import Snapshot, kpi_child

SYNC_TIMEOUT_SECONDS = 600


@dataclass
class SyncRun:
    started: float  # seconds since the soak started
    finished: float
    as_of: date
    ok: bool
    tail: str = ""


SERVE = """
import sys
from api.server import serve
from kpi.settings import Settings
serve(Settings.from_env(), sys.argv[1], host="127.0.0.1", port=int(sys.argv[2]))
"""


class Api:
    """The API in a process of its own (uvicorn, loopback), as `kpi serve` runs it."""

    def __init__(self, app_dsn: str, env: dict[str, str]) -> None:
        self.port = free_port()
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
        # The soak publishes two warehouses in turn on purpose: the older day every other
        # sync (SPEC §12: refused without --allow-older), and each with its own history
        # dates (the other's backfilled dates go: refused by the shrink guard otherwise).
        proc = kpi_child(
            ["sync", "--allow-older", "--allow-shrink"], child_env, SYNC_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        return False, "timed out"
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-3:])
    return proc.returncode == 0, tail


def sync_loop(
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
