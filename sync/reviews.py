"""The fraud analysts' review table (SPEC §15), created by the app-database migration.

``kpi sync`` (through :func:`sync.audit.ensure_audit`, as the owner) creates schema
``kpi_reviews`` and table ``reviews`` when missing, and never alters it or touches its
rows: a review is the analyst's record, not published data, so re-syncs and re-builds
keep every one of them. One row per review (the history of a report row's verdicts):

* ``report`` (``authorizations``, ``phone-numbers``, ``doctors``) and ``row_id`` (the
  report row's id, SPEC §15) — what was reviewed;
* ``verdict``, ``note`` — what the analyst decided, and why;
* ``reviewed_by`` (the token's subject), ``reviewed_at`` — who, and when;
* ``idempotency_key`` and ``request_hash`` — a retried POST with the same
  ``Idempotency-Key`` finds its first row instead of adding a second
  (unique per subject and key).

Role ``kpi_api`` gets USAGE on the schema and SELECT and INSERT on the table — no UPDATE,
DELETE or TRUNCATE: the API can add a verdict, never rewrite one.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

REPORTS = ("authorizations", "phone-numbers", "doctors")
VERDICTS = ("under_review", "false_positive", "referred", "recovered")

REVIEWS_DDL = f"""
create schema if not exists kpi_reviews;
create table if not exists kpi_reviews.reviews (
    review_id bigint generated always as identity primary key,
    report text not null check (report in ({", ".join(f"'{r}'" for r in REPORTS)})),
    row_id text not null,
    verdict text not null check (verdict in ({", ".join(f"'{v}'" for v in VERDICTS)})),
    note text,
    reviewed_by text not null,
    reviewed_at timestamptz not null default clock_timestamp(),
    idempotency_key text,
    request_hash text
);
create index if not exists reviews_latest_idx
    on kpi_reviews.reviews (report, row_id, reviewed_at desc, review_id desc);
create unique index if not exists reviews_idempotency_idx
    on kpi_reviews.reviews (reviewed_by, idempotency_key)
    where idempotency_key is not null;
"""


def ensure_reviews(conn: psycopg.Connection) -> None:
    """Create the review table when missing (in the caller's transaction)."""
    conn.execute(REVIEWS_DDL)


def grant_reviews(conn: psycopg.Connection, role: str) -> None:
    """SELECT and INSERT on the review table for ``role``, and nothing else."""
    name = sql.Identifier(role)
    conn.execute(sql.SQL("grant usage on schema kpi_reviews to {}").format(name))
    conn.execute(sql.SQL("revoke all on kpi_reviews.reviews from {}").format(name))
    conn.execute(sql.SQL("grant select, insert on kpi_reviews.reviews to {}").format(name))
