"""Shared fixtures: the embedded PostgreSQL that `make test` started and generated into.

`make test` sets KPI_DATA_DIR to its own folder and KPI_TEST_AS_OF to the report date it
built; run outside make, the same fixtures start the embedded server on demand.
"""

from __future__ import annotations

import os
from datetime import date

import psycopg
import pytest

from kpi import embedded
from kpi.settings import Settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def connections(settings: Settings) -> embedded.Connections:
    if not settings.embedded:
        return embedded.Connections(settings.warehouse_dsn or "", settings.app_dsn or "")
    return embedded.start(settings.pgdata)


@pytest.fixture(scope="session")
def as_of() -> date:
    return date.fromisoformat(os.environ.get("KPI_TEST_AS_OF", "2026-11-20"))


@pytest.fixture
def warehouse(connections: embedded.Connections):
    with psycopg.connect(connections.warehouse_dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def scratch_database(connections: embedded.Connections):
    """A fresh, empty database on the same server, dropped afterwards; yields its DSN."""
    created: list[str] = []

    def make(name: str) -> str:
        with psycopg.connect(connections.warehouse_dsn, autocommit=True) as conn:
            conn.execute(f"drop database if exists {name} with (force)")
            conn.execute(f"create database {name}")
        created.append(name)
        return embedded.conninfo_for_dbname(connections.warehouse_dsn, name)

    yield make
    with psycopg.connect(connections.warehouse_dsn, autocommit=True) as conn:
        for name in created:
            conn.execute(f"drop database if exists {name} with (force)")
