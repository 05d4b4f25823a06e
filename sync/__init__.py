"""Publish the exported marts into the application database (SPEC §9).

One entry function, :func:`run_sync`. The modules, in the order a sync uses them:

- ``manifest``: the gate (may the last dbt build be published?) and the exported tables
  read from its ``manifest.json``;
- ``schema``: create and migrate the app tables, their primary keys and indexes;
- ``stream``: copy one table's rows warehouse → app (binary COPY pipe, or a server-side
  cursor on Redshift);
- ``merge``: bring a published table to its staged rows, writing only what changed;
- ``publish``: all of it in one app-database transaction, under the shrink guard,
  recorded in ``kpi_sync.sync_runs``.

Beside the sync, ``compare`` diffs the exported marts of two warehouses on their keys
(``kpi compare``; e.g. Redshift against PostgreSQL built from the same sources).
"""

from __future__ import annotations

from sync.manifest import GateError
from sync.publish import ShrinkError, SyncResult, run_sync

__all__ = ["GateError", "ShrinkError", "SyncResult", "run_sync"]
