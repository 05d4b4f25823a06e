"""The PHI access audit's table and the API's database role (SPEC §14), run as the owner.

``kpi sync`` calls :func:`ensure_audit` after the app schema is up to date:

* schema ``kpi_audit`` and table ``phi_access`` (one row per response carrying patient
  data: when, request id, token subject, user id, market role, route template, provider
  id, the care_request_ids and patient Athena ids returned). Created when missing; its
  columns never altered, its rows never touched by the migration. Indexes: b-tree on
  (provider_id, accessed_at) for ``kpi audit --provider``, BRIN on ``accessed_at`` (rows
  arrive in time order) for ``--since``; none on the id arrays, which would cost every
  audited response far more than the rare ``--subject`` scan they would spare.
* role ``kpi_api`` (LOGIN, no password: set one, or use certificates, on a real server):
  USAGE on the published schemas and SELECT on their tables (now and, through default
  privileges, the tables the sync creates later), USAGE on ``kpi_audit`` and INSERT on
  ``phi_access`` — no UPDATE, DELETE or TRUNCATE, so the API cannot rewrite what it did;
  SELECT and INSERT on the fraud analysts' review table (:mod:`sync.reviews`, SPEC §15),
  which this migration also creates and never alters.

Retention (:func:`apply_retention`, run by ``kpi daily`` and ``kpi sync`` as the owner):
rows older than ``KPI_AUDIT_RETENTION_DAYS`` (default 2190, six years) are deleted.
"""

from __future__ import annotations

import logging

import psycopg
from psycopg import sql

from sync.reviews import ensure_reviews, grant_reviews

logger = logging.getLogger("kpi.sync")

API_ROLE = "kpi_api"
AUDIT_LOCK_ID = 7_362_190_413

AUDIT_DDL = """
create schema if not exists kpi_audit;
create table if not exists kpi_audit.phi_access (
    accessed_at timestamptz not null,
    request_id text not null,
    subject text,
    user_id text,
    market_role text,
    route text not null,
    provider_id bigint,
    care_request_ids bigint[] not null,
    patient_athena_ids text[] not null
);
create index if not exists phi_access_provider_idx
    on kpi_audit.phi_access (provider_id, accessed_at);
create index if not exists phi_access_time_idx
    on kpi_audit.phi_access using brin (accessed_at);
-- The first version's GIN indexes on the two id arrays: ~250 µs of database CPU per audited
-- response (BENCHMARKS.md, issue 18), and `kpi audit` never used them (`= any(...)`).
drop index if exists kpi_audit.phi_access_care_requests_idx;
drop index if exists kpi_audit.phi_access_patients_idx;
"""


def ensure_audit(conn: psycopg.Connection, published_schemas: list[str]) -> bool:
    """Create the audit and review tables and the API role with its grants; False (and a warning)
    when the sync's user may not create roles: a DBA then creates ``kpi_api`` as
    SECURITY.md describes, and the next sync grants it."""
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", [AUDIT_LOCK_ID])
        conn.execute(AUDIT_DDL)
        ensure_reviews(conn)
    try:
        with conn.transaction():
            exists = conn.execute("select 1 from pg_roles where rolname = %s", [API_ROLE])
            if exists.fetchone() is None:
                conn.execute(sql.SQL("create role {} login").format(sql.Identifier(API_ROLE)))
            _grant(conn, published_schemas)
    except psycopg.errors.InsufficientPrivilege as exc:
        logger.warning("cannot create or grant role %s: %s", API_ROLE, exc.diag.message_primary)
        return False
    return True


def _grant(conn: psycopg.Connection, published_schemas: list[str]) -> None:
    role = sql.Identifier(API_ROLE)
    for schema in ["kpi_sync", *published_schemas]:
        name = sql.Identifier(schema)
        conn.execute(sql.SQL("grant usage on schema {} to {}").format(name, role))
        conn.execute(sql.SQL("grant select on all tables in schema {} to {}").format(name, role))
        conn.execute(
            sql.SQL("alter default privileges in schema {} grant select on tables to {}").format(
                name, role
            )
        )
    conn.execute(sql.SQL("grant usage on schema kpi_audit to {}").format(role))
    conn.execute(sql.SQL("revoke all on kpi_audit.phi_access from {}").format(role))
    conn.execute(sql.SQL("grant insert on kpi_audit.phi_access to {}").format(role))
    grant_reviews(conn, API_ROLE)


def apply_retention(conn: psycopg.Connection, days: int) -> int:
    """Delete audit rows older than ``days``; returns how many."""
    cursor = conn.execute(
        "delete from kpi_audit.phi_access where accessed_at < now() - make_interval(days => %s)",
        [days],
    )
    return cursor.rowcount
