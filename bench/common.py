"""What every benchmark here shares: where results go, progress lines, a free loopback port,
and the markets a lead of several markets sees.

Kept in one place so the pipeline, API and soak benchmarks write their JSON the same way
and pick their lead's markets by the same rule.
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from typing import Any

import psycopg

from kpi.settings import PROJECT_DIR

RESULTS = PROJECT_DIR / "bench" / "results"


def log(message: str) -> None:
    """Progress on stderr, so stdout carries only the report."""
    print(message, file=sys.stderr, flush=True)


def write_result(name: str, report: Any) -> Path:
    """``bench/results/NAME`` as indented JSON (the files BENCHMARKS.md is made from)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path


def read_result(name: str) -> Any:
    return json.loads((RESULTS / name).read_text())


def free_port() -> int:
    """A loopback port nothing listens on now (the servers under test bind to it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def checkpoint(dsn: str) -> None:
    """Flush what the steps before wrote, so the next timed step does not pay for it."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("checkpoint")


def busiest_markets(conn: psycopg.Connection, limit: int) -> list[int]:
    """The ``limit`` markets with the most active providers: the markets of the benchmarks'
    lead, the ones with the most data behind every endpoint."""
    return [
        market
        for (market,) in conn.execute(
            "select market_id from leader_hub.markets_active_providers"
            " group by market_id order by count(*) desc, market_id limit %s",
            [limit],
        )
    ]
