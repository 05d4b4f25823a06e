"""Which databases a command works on: the configured servers, or the embedded one.

With ``KPI_WAREHOUSE_DSN``/``KPI_APP_DSN`` set nothing is started; both servers are
reached once up front, so an unreachable one is reported by its setting's name before a
long command begins, rather than as a driver error half way through.
"""

from __future__ import annotations

import psycopg

from kpi import embedded
from kpi.errors import CliError, first_line
from kpi.settings import Settings

CONNECT_TIMEOUT_SECONDS = 5


def connections(settings: Settings) -> embedded.Connections:
    """The warehouse and app DSNs: the configured servers, or the embedded one."""
    if settings.embedded:
        try:
            return embedded.start(settings.pgdata)
        except embedded.EmbeddedServerError as exc:
            raise CliError(str(exc)) from None
    conns = embedded.Connections(settings.warehouse_dsn or "", settings.app_dsn or "")
    for name, dsn in (("KPI_WAREHOUSE_DSN", conns.warehouse_dsn), ("KPI_APP_DSN", conns.app_dsn)):
        try:
            with psycopg.connect(dsn, connect_timeout=CONNECT_TIMEOUT_SECONDS) as conn:
                conn.execute("select 1")
        except psycopg.Error as exc:
            reason = first_line(exc, type(exc).__name__)
            raise CliError(f"cannot connect to {name}: {reason}") from None
    return conns
