"""CSV export of the largest fraud report (SPEC §15, issue 19): rows/s and the server's
peak RSS growth while it streams.

The largest list is the doctors report with a filter every row passes
(``min_patients_qty=0``: all of ``fraud.total_patients_doctor``). Measured on the app
database of the last pipeline run (``python -m bench pipeline --scale 1`` first):

* **app**: the real app (``kpi serve``'s app, one uvicorn worker) streaming
  ``GET /v1/fraud-reports/doctors?min_patients_qty=0&format=csv`` to a client that reads it
  in 64 KiB chunks; the server's RSS is sampled every 20 ms from ``/proc``: growth = the
  peak during the export minus the RSS just before it (target: at most 50 MB).
* **ceiling**: the same SQL as ``COPY (...) TO STDOUT WITH CSV`` on one connection —
  PostgreSQL writing the CSV itself, no Python per row.
* **yardstick**: pgbench -S beside (the machine is shared: compare ratios in one run).

    python -m bench export [--data-dir .kpi/bench]
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.history import pgbench_select_only
from bench.serve import server, token

PATH = "/v1/fraud-reports/doctors"
QUERY = {"min_patients_qty": "0", "format": "csv"}
RUNS = 3
SAMPLE_SECONDS = 0.02


def rss_mb(pid: int) -> float:
    """The process's resident set (VmRSS) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """Samples a process's RSS in a thread until stopped; ``peak`` is the highest seen."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = rss_mb(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(SAMPLE_SECONDS)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb(self.pid))


def export_once(port: int, bearer: str, pid: int) -> dict[str, Any]:
    """One streamed export: rows, bytes, seconds, RSS before and peak growth."""
    before = rss_mb(pid)
    lines = size = 0
    started = time.perf_counter()
    with PeakRss(pid) as peak, httpx.Client(timeout=600) as client:
        headers = {"Authorization": f"Bearer {bearer}"}
        with client.stream(
            "GET", f"http://127.0.0.1:{port}{PATH}", params=QUERY, headers=headers
        ) as r:
            r.raise_for_status()
            for chunk in r.iter_bytes(65536):
                size += len(chunk)
                lines += chunk.count(b"\r\n")
    seconds = time.perf_counter() - started
    rows = lines - 1  # the header; no cell of this report holds a line break
    return {
        "rows": rows,
        "bytes": size,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "rss_before_mb": before,
        "rss_growth_mb": peak.peak - before,
    }


def copy_ceiling(app_dsn: str) -> dict[str, Any]:
    """The same statement as PostgreSQL's own CSV (COPY ... TO STDOUT)."""
    from api.fraud.queries import DOCTORS_QUERY

    params = {
        "filtered": True,
        "include_reviewed": False,
        "suppress_days": 90,
        "min_patients_qty": 0,
        "min_patient_increase_30d": None,
        "min_patient_increase_30d_0": None,
    }
    lines = 0
    started = time.perf_counter()
    statement = f"copy ({DOCTORS_QUERY.export}) to stdout with csv"
    with (
        psycopg.connect(app_dsn) as conn,
        conn.cursor() as cursor,
        cursor.copy(statement, params) as copy,
    ):
        for block in copy:
            lines += bytes(block).count(b"\n")
    seconds = time.perf_counter() - started
    return {"rows": lines, "seconds": seconds, "rows_per_s": lines / seconds}


def run(app_dsn: str) -> dict[str, Any]:
    report: dict[str, Any] = {"load_average_start": os.getloadavg()}
    with psycopg.connect(app_dsn) as conn:
        report["table_rows"] = conn.execute(
            "select count(*) from fraud.total_patients_doctor"
        ).fetchone()[0]
    report["pgbench_select_only_tps_before"] = pgbench_select_only(app_dsn)
    pids: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        params_file = Path(tmp) / "params.json"
        params_file.write_text("{}")
        with server("uvicorn", "real", app_dsn, params_file, pids=pids) as port:
            runs = [export_once(port, token([1]), pids[0]) for _ in range(RUNS)]
    report["app_runs"] = runs
    report["app"] = max(runs, key=lambda r: r["rows_per_s"])
    report["app"]["rss_growth_mb"] = max(r["rss_growth_mb"] for r in runs)
    report["ceiling"] = max(
        (copy_ceiling(app_dsn) for _ in range(RUNS)), key=lambda r: r["rows_per_s"]
    )
    report["pgbench_select_only_tps_after"] = pgbench_select_only(app_dsn)
    report["load_average_end"] = os.getloadavg()
    return report


def markdown(report: dict[str, Any]) -> str:
    app, ceiling = report["app"], report["ceiling"]
    return "\n".join(
        [
            "| export | rows | rows/s | MB | peak RSS growth MB |",
            "|---|---|---|---|---|",
            f"| app: doctors?min_patients_qty=0&format=csv | {app['rows']:,} |"
            f" {app['rows_per_s']:,.0f} | {app['bytes'] / 1e6:.1f} | {app['rss_growth_mb']:.1f} |",
            f"| ceiling: COPY (same SQL) TO STDOUT CSV | {ceiling['rows']:,} |"
            f" {ceiling['rows_per_s']:,.0f} | | |",
            "",
            f"app / ceiling: {app['rows_per_s'] / ceiling['rows_per_s']:.2f};"
            f" pgbench -S {report['pgbench_select_only_tps_before']:,.0f} /"
            f" {report['pgbench_select_only_tps_after']:,.0f} tps (before / after);"
            f" load average {report['load_average_start'][0]:.1f} →"
            f" {report['load_average_end'][0]:.1f}",
        ]
    )
