"""Create and migrate the app tables from the marts' contracts.

- A table is created on first sync with the contract's columns and its unique key as the
  primary key.
- A column added to a contract is added to the app table; a column whose type changed
  is converted in place (the next upsert rewrites its values anyway). Columns removed
  from a contract are kept (nullable) so an API still reading them keeps working until
  it is deployed without them.
- The unique key becomes the primary key, and the indexes named in ``meta.sync.indexes``
  are created for the API's lookups, by :func:`ensure_indexes`. The sync calls it after a
  table's first rows are in (building an index over loaded rows is about twice as fast
  as maintaining it row by row), and before it merges into a table that has rows (an
  index declared later is created then).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import psycopg
from psycopg import sql

from sync.manifest import ExportedTable

SYNC_SCHEMA = "kpi_sync"
SCHEMA_LOCK_ID = 7_362_190_412

SYNC_RUNS_DDL = """
create table if not exists kpi_sync.sync_runs (
    run_id bigint generated always as identity primary key,
    as_of_date date not null,
    dbt_invocation_id text not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    rows_per_table jsonb,
    outcome text not null check (outcome in ('running', 'success', 'failed')),
    message text
);
create index if not exists sync_runs_success_idx
    on kpi_sync.sync_runs (finished_at desc) where outcome = 'success';
"""


def table_exists(conn: psycopg.Connection, schema: str, name: str) -> bool:
    """Whether ``schema.name`` exists. information_schema, not ``to_regclass``: the
    warehouse side may be Redshift."""
    (found,) = conn.execute(
        "select count(*) from information_schema.tables where table_schema = %s"
        " and table_name = %s",
        [schema, name],
    ).fetchone()
    return bool(found)


def identifier_list(names: Iterable[str]) -> sql.Composed:
    """``"a", "b", ...``: a column list, quoted, in the order given."""
    return sql.SQL(", ").join(map(sql.Identifier, names))


def _canonical_types(conn: psycopg.Connection, table: ExportedTable) -> dict[str, str]:
    """The contract's types as PostgreSQL spells them (format_type), via a probe table."""
    probe = sql.Identifier(f"probe_{table.name}")
    definition = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.data_type)) for c in table.columns
    )
    with conn.transaction(force_rollback=True):
        conn.execute(sql.SQL("create temp table {} ({})").format(probe, definition))
        rows = conn.execute(
            "select attname, format_type(atttypid, atttypmod) from pg_attribute"
            " where attrelid = %s::regclass and attnum > 0 and not attisdropped",
            [f"pg_temp.probe_{table.name}"],
        ).fetchall()
    return dict(rows)


def _existing_types(conn: psycopg.Connection, table: ExportedTable) -> dict[str, str] | None:
    """The app table's columns and types (format_type), or None when it does not exist."""
    (oid,) = conn.execute("select to_regclass(%s)::oid", [table.qualified]).fetchone()
    if oid is None:
        return None
    rows = conn.execute(
        "select attname, format_type(atttypid, atttypmod) from pg_attribute"
        " where attrelid = %s and attnum > 0 and not attisdropped",
        [oid],
    ).fetchall()
    return dict(rows)


def _index_name(table: ExportedTable, columns: tuple[str, ...]) -> str:
    """A stable name per declared index (so a sync can tell it exists), within 63 bytes."""
    name = f"{table.name}__{'_'.join(columns)}_idx"
    if len(name) > 63:
        digest = hashlib.sha1(name.encode()).hexdigest()[:8]
        name = f"{name[:50]}_{digest}_idx"
    return name


def ensure_table(conn: psycopg.Connection, table: ExportedTable) -> list[str]:
    """Create or migrate one app table; returns the changes made, for the log.

    A new table gets its columns only (the key columns ``not null``); its primary key and
    indexes come from :func:`ensure_indexes` once its first rows are loaded.
    """
    changes = []
    target = sql.Identifier(table.schema, table.name)
    wanted = _canonical_types(conn, table)
    existing = _existing_types(conn, table)
    conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(table.schema)))
    if existing is None:
        definition = sql.SQL(", ").join(
            sql.SQL("{} {}{}").format(
                sql.Identifier(c.name),
                sql.SQL(c.data_type),
                sql.SQL(" not null") if c.name in table.unique_key else sql.SQL(""),
            )
            for c in table.columns
        )
        conn.execute(sql.SQL("create table {} ({})").format(target, definition))
        changes.append(f"created {table.qualified}")
    else:
        for column in table.columns:
            if column.name not in existing:
                conn.execute(
                    sql.SQL("alter table {} add column {} {}").format(
                        target, sql.Identifier(column.name), sql.SQL(column.data_type)
                    )
                )
                changes.append(f"added {table.qualified}.{column.name}")
            elif existing[column.name] != wanted[column.name]:
                conn.execute(
                    sql.SQL("alter table {} alter column {} type {} using {}::{}").format(
                        target,
                        sql.Identifier(column.name),
                        sql.SQL(column.data_type),
                        sql.Identifier(column.name),
                        sql.SQL(column.data_type),
                    )
                )
                changes.append(
                    f"changed {table.qualified}.{column.name} from {existing[column.name]}"
                    f" to {wanted[column.name]}"
                )
    return changes


def ensure_indexes(conn: psycopg.Connection, table: ExportedTable) -> list[str]:
    """Add the primary key (the unique key) and the declared indexes a table lacks.

    Adding the primary key locks the table until commit; it only happens on a table's
    first publish, when the table was empty and nothing could be read from it anyway.
    Declared indexes take a lock that blocks writers only.
    """
    changes = []
    target = sql.Identifier(table.schema, table.name)
    (has_key,) = conn.execute(
        "select exists (select from pg_constraint where conrelid = %s::regclass and contype = 'p')",
        [table.qualified],
    ).fetchone()
    if not has_key:
        conn.execute(
            sql.SQL("alter table {} add primary key ({})").format(
                target, identifier_list(table.unique_key)
            )
        )
        changes.append(f"added the primary key of {table.qualified}")
    for columns in table.indexes:
        name = _index_name(table, columns)
        (exists,) = conn.execute(
            "select to_regclass(%s) is not null", [f"{table.schema}.{name}"]
        ).fetchone()
        if not exists:
            conn.execute(
                sql.SQL("create index {} on {} ({})").format(
                    sql.Identifier(name), target, identifier_list(columns)
                )
            )
            changes.append(f"created index {table.schema}.{name}")
    return changes


def ensure_schema(conn: psycopg.Connection, tables: tuple[ExportedTable, ...]) -> list[str]:
    """Bring the app database up to the manifest's contracts, under a lock, in one go."""
    changes: list[str] = []
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", [SCHEMA_LOCK_ID])
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(SYNC_SCHEMA)))
        conn.execute(SYNC_RUNS_DDL)
        for table in tables:
            changes += ensure_table(conn, table)
    return changes
