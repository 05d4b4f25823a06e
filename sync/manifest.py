"""What to publish, read from dbt's artifacts — and whether it may be published at all.

The exported models are the ones whose YAML says ``config: meta: sync: {unique_key: ...}``;
their columns and types come from the enforced contracts in ``target/manifest.json``. No
table list is repeated in Python.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

# A test that warns does not block publishing, and exposures report "no-op"; everything
# else (error, fail, skipped, runtime error) must not have happened.
GREEN_STATUSES = frozenset({"success", "pass", "warn", "no-op"})
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


class GateError(RuntimeError):
    """The last build may not be published; the message says why."""


class ShrinkError(RuntimeError):
    """A table would lose more rows (a history table: dates) than the shrink guard allows."""


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str


@dataclass(frozen=True)
class ExportedTable:
    unique_id: str
    schema: str
    name: str
    columns: tuple[Column, ...]
    unique_key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()
    # A history table (meta.sync.partition_by): published date by date, the dates to move
    # told by its log table (meta.sync.partition_log, in the same schema). See sync.history.
    partition_by: str | None = None
    partition_log: str | None = None

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class Build:
    """A green build ready to publish."""

    invocation_id: str
    as_of_date: date
    generated_at: datetime
    tables: tuple[ExportedTable, ...] = field(default_factory=tuple)


def _load(path: Path, what: str) -> dict:
    """A dbt artifact as JSON; a missing or broken one is a refusal, not a crash."""
    if not path.exists():
        raise GateError(f"no {what} at {path}: run `kpi build` first")
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise GateError(f"{what} at {path} is unreadable: {exc}") from None


def _identifier(value: object, where: str) -> str:
    """A name from the manifest that the sync will splice into SQL: plain, or refused."""
    text = str(value)
    if not _IDENTIFIER.match(text):
        raise GateError(f"{where}: {text!r} is not a plain lowercase SQL identifier")
    return text


def exported_tables(manifest: dict) -> tuple[ExportedTable, ...]:
    """Every model the YAML marks for export (``meta.sync``), in unique-id order."""
    tables = []
    for unique_id, node in sorted(manifest.get("nodes", {}).items()):
        if node.get("resource_type") != "model":
            continue
        meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
        sync = meta.get("sync")
        if sync:
            tables.append(_exported_table(unique_id, node, sync))
    if not tables:
        raise GateError("the manifest has no model with config.meta.sync.unique_key")
    return tuple(tables)


def _exported_table(unique_id: str, node: dict, sync: dict) -> ExportedTable:
    """One exported model's table, refused unless its contract fixes every column's type.

    The app table is created from the contract, so an unenforced contract or an untyped
    column would let the published schema drift from the mart's.
    """
    name = _identifier(node.get("alias") or node["name"], unique_id)
    if not (node.get("config") or {}).get("contract", {}).get("enforced"):
        raise GateError(f"{unique_id} is exported but its contract is not enforced")
    columns = tuple(
        Column(_identifier(col["name"], unique_id), str(col["data_type"]))
        for col in node.get("columns", {}).values()
    )
    if not columns or any(not c.data_type or c.data_type == "None" for c in columns):
        raise GateError(f"{unique_id} is exported but not every column has a data_type")
    key = tuple(_identifier(k, unique_id) for k in sync.get("unique_key") or ())
    if not key or not set(key) <= {c.name for c in columns}:
        raise GateError(f"{unique_id}: meta.sync.unique_key must name columns of the model")
    indexes = tuple(
        tuple(_identifier(c, unique_id) for c in ([idx] if isinstance(idx, str) else idx))
        for idx in sync.get("indexes") or ()
    )
    partition_by = sync.get("partition_by")
    if partition_by is not None and partition_by not in key:
        raise GateError(f"{unique_id}: meta.sync.partition_by must be a column of the unique key")
    log = sync.get("partition_log")
    if (log is None) != (partition_by is None):
        raise GateError(f"{unique_id}: meta.sync.partition_by and partition_log go together")
    return ExportedTable(
        unique_id=unique_id,
        schema=_identifier(node["schema"], unique_id),
        name=name,
        columns=columns,
        unique_key=key,
        indexes=indexes,
        partition_by=partition_by,
        partition_log=None if log is None else _identifier(log, unique_id),
    )


def _as_of(run_results: dict) -> date:
    """The build's report date: its ``as_of_date`` var, else the date dbt defaulted it to."""
    vars_ = (run_results.get("args") or {}).get("vars") or {}
    if isinstance(vars_, str):
        try:
            vars_ = json.loads(vars_)
        except json.JSONDecodeError:
            import yaml

            vars_ = yaml.safe_load(vars_) or {}
    value = vars_.get("as_of_date") if isinstance(vars_, dict) else None
    if value:
        return date.fromisoformat(str(value))
    # Without the var, dbt's as_of_date() is the run's start date (UTC).
    started = run_results["metadata"]["generated_at"]
    elapsed = float(run_results.get("elapsed_time") or 0)
    finished = datetime.fromisoformat(started.replace("Z", "+00:00"))
    return (finished - timedelta(seconds=elapsed)).date()


def check_build(target_path: Path) -> Build:
    """The last build, if it may be published; else GateError with the reason."""
    manifest = _load(target_path / "manifest.json", "manifest")
    results = _load(target_path / "run_results.json", "run_results.json")
    invocation = results.get("metadata", {}).get("invocation_id")
    if invocation != manifest.get("metadata", {}).get("invocation_id"):
        raise GateError(
            "run_results.json does not belong to the current manifest (another dbt command ran"
            " after the build): run `kpi build` again"
        )
    command = (results.get("args") or {}).get("which")
    if command != "build":
        raise GateError(f"the last dbt command was `{command}`, not `build`: run `kpi build`")
    bad = [
        f"{r['unique_id']} ({r['status']})"
        for r in results.get("results", [])
        if r.get("status") not in GREEN_STATUSES
    ]
    if bad:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise GateError(f"the last build is not green: {shown}; nothing was synced")
    tables = exported_tables(manifest)
    built = {r["unique_id"] for r in results.get("results", []) if r.get("status") == "success"}
    missing = [t.unique_id for t in tables if t.unique_id not in built]
    if missing:
        raise GateError(
            f"the last build did not build every exported model (missing {', '.join(missing)}):"
            " run a full `kpi build`"
        )
    generated = results["metadata"]["generated_at"].replace("Z", "+00:00")
    return Build(
        invocation_id=invocation,
        as_of_date=_as_of(results),
        generated_at=datetime.fromisoformat(generated),
        tables=tables,
    )
