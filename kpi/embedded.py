"""The embedded PostgreSQL (``pgserver``) used when no connection settings are given.

The server keeps its data under ``<data_dir>/pgdata`` and listens on a Unix socket
only. It is started with ``cleanup_mode=None`` so it outlives the ``kpi`` process that
started it: the next ``kpi`` command reuses it, and ``kpi db stop`` stops it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

WAREHOUSE_DB = "warehouse"
APP_DB = "app"
CREATE_LOCK_ID = 7_362_190_400
# pg_ctl (inside pgserver) waits 10 s for the server; after an unclean stop the server can
# need longer to replay its WAL, and keeps starting after pg_ctl gives up.
RECOVERY_WAIT_SECONDS = 600

# pgserver logs the whole server log on a failed start; our error names the log file.
logging.getLogger("pgserver").setLevel(logging.CRITICAL)
# pgserver keeps its lock file in the user runtime dir; without XDG_RUNTIME_DIR
# platformdirs falls back to /tmp and warns on every command.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


class EmbeddedServerError(RuntimeError):
    """The embedded server could not be started or reached."""


@dataclass(frozen=True)
class Connections:
    warehouse_dsn: str
    app_dsn: str


def _socket_host(uri: str) -> str:
    return psycopg.conninfo.conninfo_to_dict(uri)["host"]


def _dsn(host: str, dbname: str) -> str:
    return "postgresql://postgres@/" + dbname + "?host=" + host


def _postmaster_pid_file(pgdata: Path) -> Path:
    return pgdata / "postmaster.pid"


def _clear_stale_pid_file(pgdata: Path) -> None:
    """Remove a postmaster.pid whose process is gone (a server killed with -9)."""
    pid_file = _postmaster_pid_file(pgdata)
    if not pid_file.exists():
        return
    try:
        pid = int(pid_file.read_text().splitlines()[0])
    except (ValueError, IndexError, OSError):
        pid_file.unlink(missing_ok=True)
        return
    try:
        Path(f"/proc/{pid}").stat()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        if b"postgres" in cmdline:
            return
    except OSError:
        pass
    pid_file.unlink(missing_ok=True)


def _wait_until_ready(pgdata: Path, seconds: float) -> bool:
    """Wait while a started server recovers; True once postmaster.pid says "ready"."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            lines = _postmaster_pid_file(pgdata).read_text().splitlines()
        except OSError:
            return False  # the server went away: not a slow start
        if len(lines) >= 8 and lines[7].strip() == "ready":
            return True
        time.sleep(0.5)
    return False


def start(pgdata: Path) -> Connections:
    """Start (or reuse) the embedded server and make sure both databases exist."""
    import pgserver

    pgdata.mkdir(parents=True, exist_ok=True)
    _clear_stale_pid_file(pgdata)
    try:
        try:
            server = pgserver.get_server(pgdata, cleanup_mode=None)
        except subprocess.TimeoutExpired:
            if not _wait_until_ready(pgdata, RECOVERY_WAIT_SECONDS):
                raise
            # pgserver keeps the failed handle per data dir; forget it and attach again.
            from pgserver.postgres_server import PostgresServer

            PostgresServer._instances.pop(pgdata.expanduser().resolve(), None)
            server = pgserver.get_server(pgdata, cleanup_mode=None)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, AssertionError) as exc:
        raise EmbeddedServerError(
            f"the embedded PostgreSQL in {pgdata} did not start ({type(exc).__name__}); "
            f"see {pgdata / 'log'}"
        ) from None
    host = _socket_host(server.get_uri())
    with psycopg.connect(_dsn(host, "postgres"), autocommit=True) as conn:
        # Two kpi processes may start at once: serialize the database creation.
        conn.execute("select pg_advisory_lock(%s)", [CREATE_LOCK_ID])
        existing = {r[0] for r in conn.execute("select datname from pg_database").fetchall()}
        for name in (WAREHOUSE_DB, APP_DB):
            if name not in existing:
                with contextlib.suppress(
                    psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation
                ):
                    conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        conn.execute("select pg_advisory_unlock(%s)", [CREATE_LOCK_ID])
    return Connections(_dsn(host, WAREHOUSE_DB), _dsn(host, APP_DB))


def running_connections(pgdata: Path) -> Connections | None:
    """Connection strings of a running embedded server, or None when it is not running."""
    pid_file = _postmaster_pid_file(pgdata)
    if not pid_file.exists():
        return None
    lines = pid_file.read_text().splitlines()
    # postmaster.pid: pid, data dir, start time, port, socket dir, listen addr, shm, status
    if len(lines) < 5:
        return None
    host = lines[4].strip() or str(pgdata)
    try:
        with psycopg.connect(_dsn(host, "postgres"), connect_timeout=3) as conn:
            conn.execute("select 1")
    except psycopg.OperationalError:
        return None
    return Connections(_dsn(host, WAREHOUSE_DB), _dsn(host, APP_DB))


def stop(pgdata: Path) -> bool:
    """Stop the embedded server; returns False when it was not running."""
    if running_connections(pgdata) is None:
        _clear_stale_pid_file(pgdata)
        return False
    from pgserver._commands import pg_ctl

    # pgserver runs the server as the OS user `pgserver` when we are root.
    system_user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=system_user)
    return True


def conninfo_for_dbname(dsn: str, dbname: str) -> str:
    return make_conninfo(dsn, dbname=dbname)
