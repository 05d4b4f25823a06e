"""Helpers for the reliability tests (importable from the test modules and the conftest)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import psycopg
from hypothesis import HealthCheck, seed, settings

HUB = "/v1/leader-hub-metrics"
FRAUD = "/v1/fraud-reports"


# Unset: every hypothesis test of this suite runs derandomized examples (the same ones every
# run, so a red run is a regression, not a roll of the dice). Set: explore with this seed,
# the same examples again for the same seed.
FUZZ_SEED = os.environ.get("KPI_TEST_FUZZ_SEED")


def fuzzed(
    max_examples: int, suppress: list[HealthCheck] | None = None
) -> Callable[[Callable], Callable]:
    """Settings for one hypothesis test: bounded, no example database, reproducible.

    Apply it above ``@given``.
    """

    def apply(test: Callable) -> Callable:
        configured = settings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            derandomize=FUZZ_SEED is None,
            suppress_health_check=list(HealthCheck) if suppress is None else suppress,
        )(test)
        return configured if FUZZ_SEED is None else seed(int(FUZZ_SEED))(configured)

    return apply


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def served_build(app_dsn: str) -> tuple[str | None, date | None]:
    """(dbt invocation id, as_of_date) of the latest successful sync, or (None, None)."""
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        try:
            row = conn.execute(
                "select dbt_invocation_id, as_of_date from kpi_sync.sync_runs"
                " where outcome = 'success' order by finished_at desc, run_id desc limit 1"
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            return None, None
        except psycopg.errors.InvalidSchemaName:
            return None, None
    return (row[0], row[1]) if row else (None, None)


@dataclass(frozen=True)
class Dataset:
    """Who is where in the published data (read from the app tables, not the API)."""

    markets: tuple[int, ...]
    providers: tuple[int, ...]
    # provider -> markets it is active in (markets_active_providers)
    provider_markets: dict[int, frozenset[int]]
    # shift -> providers on it (provider_shifts)
    shift_providers: dict[int, frozenset[int]]
    # provider -> job title
    job_titles: dict[int, str | None]
    # provider -> (first, last)
    names: dict[int, tuple[str | None, str | None]]

    def visible_providers(self, token_markets: set[int]) -> set[int]:
        return {p for p, ms in self.provider_markets.items() if ms & token_markets}

    def visible_shifts(self, token_markets: set[int]) -> set[int]:
        visible = self.visible_providers(token_markets)
        return {s for s, ps in self.shift_providers.items() if ps & visible}
