"""Soak the read API while `kpi sync` republishes the app database again and again.

    python -m bench.soak                       # scale 1, 8 clients, 5 minutes
    python -m bench.soak --scale 0.02 --duration 30 --data-dir /tmp/soak

Setup (its own embedded PostgreSQL under ``--data-dir``, default ``.kpi/soak``): generate
the sources once, dbt build them for two report dates D-1 and D, and keep both builds:
the D-1 marts are copied by the real sync into a database of their own (``warehouse_prev``)
next to that build's dbt artifacts, the D build stays in ``warehouse``. Then:

* the API runs as its own process (``api.server.serve``, uvicorn on 127.0.0.1, a free port);
* N clients (asyncio + httpx, keep-alive) request a fixed list of URLs covering every
  endpoint, until the time or the request budget is spent;
* meanwhile `kpi sync` runs as a child process over and over, alternating D-1 and D.

Every response is checked against the published snapshot it names: its body (less
``synced_at``) must equal the body the same request got when that as-of date was served
alone, its rows' own ``as_of_date``/``report_date`` must equal its ``as_of_date``, and
its ``synced_at`` must be the finish time of a successful sync of that same date. A
response that fails any of these is a mixed snapshot; a transport error, a 5xx or any
other unexpected status is an error. Both must be 0.

Loopback only; everything stops by itself (``--duration``, ``--max-requests``, and a
timeout on each sync). The report: JSON on stdout, Markdown on stderr, and with
``--results`` (the default when run as a script) ``bench/results/soak.json``.

The parts: :mod:`~bench.soak.snapshots` (the two builds), :mod:`~bench.soak.workload` (the
URLs and the clients), :mod:`~bench.soak.checker` (a response against its snapshot),
:mod:`~bench.soak.processes` (the API and the syncs), :mod:`~bench.soak.report`,
:mod:`~bench.soak.runner` (all of it together) and ``__main__`` (the command line).
"""

from __future__ import annotations

from bench.soak.checker import Checker
from bench.soak.report import markdown
from bench.soak.runner import run
from bench.soak.snapshots import Snapshot, uri_for_dbname

__all__ = ["Checker", "Snapshot", "markdown", "run", "uri_for_dbname"]
