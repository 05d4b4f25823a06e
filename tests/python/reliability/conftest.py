"""Reliability and security suite: fixtures over the app database the real pipeline filled.

`make test` generated and built the warehouse for KPI_TEST_AS_OF before pytest runs; the
`published` fixture makes sure that build is what the app database serves (it runs the
real `kpi sync` when the latest successful sync is of another build), and `dataset` reads
the facts the authorization sweep needs straight from the app tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from performance_hub_support import Clinicians, clinicians
from reliability_support import Dataset, served_build

from api.app import create_app
from api.tokens import mint_dev_token
from kpi.cli import main
from kpi.embedded import Connections
from kpi.settings import Settings
from sync.manifest import check_build


@pytest.fixture(scope="session")
def published(settings: Settings, connections: Connections, as_of: date) -> date:
    """The current build is published in the app database; returns its as-of date."""
    build = check_build(settings.dbt_target_path)
    invocation, served_as_of = served_build(connections.app_dsn)
    if invocation != build.invocation_id:
        assert main(["sync"]) == 0, "kpi sync of the test build failed"
        invocation, served_as_of = served_build(connections.app_dsn)
    assert invocation == build.invocation_id
    assert served_as_of == as_of, "the published build is not of KPI_TEST_AS_OF"
    return served_as_of


@pytest.fixture(scope="session")
def dataset(connections: Connections, published: date) -> Dataset:
    with psycopg.connect(connections.app_dsn) as conn:
        markets = tuple(
            r[0] for r in conn.execute("select market_id from leader_hub.markets order by 1")
        )
        providers = tuple(
            r[0] for r in conn.execute("select provider_id from leader_hub.providers order by 1")
        )
        provider_markets: dict[int, set[int]] = {}
        for provider, market in conn.execute(
            "select provider_id, market_id from leader_hub.markets_active_providers"
        ):
            provider_markets.setdefault(provider, set()).add(market)
        shift_providers: dict[int, set[int]] = {}
        for shift, provider in conn.execute(
            "select shift_team_id, provider_id from leader_hub.provider_shifts"
        ):
            shift_providers.setdefault(shift, set()).add(provider)
        titles: dict[int, str | None] = {}
        names: dict[int, tuple[str | None, str | None]] = {}
        for provider, title, first, last in conn.execute(
            "select provider_id, job_title, first_name, last_name from leader_hub.providers"
        ):
            titles[provider] = title
            names[provider] = (first, last)
    assert len(markets) >= 2, "the sweep needs at least two markets"
    return Dataset(
        markets=markets,
        providers=providers,
        provider_markets={p: frozenset(ms) for p, ms in provider_markets.items()},
        shift_providers={s: frozenset(ps) for s, ps in shift_providers.items()},
        job_titles=titles,
        names=names,
    )


@pytest.fixture(scope="session")
def app(settings: Settings, connections: Connections, published: date) -> Litestar:
    return create_app(settings, connections.app_dsn)


@pytest.fixture(scope="session")
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def lead_markets(dataset: Dataset) -> list[int]:
    """A Market Manager of every market but the last (so one market is always foreign)."""
    return list(dataset.markets[:-1])


@pytest.fixture(scope="session")
def lead_token(settings: Settings, lead_markets: list[int]) -> str:
    return mint_dev_token(settings, "Market Manager", lead_markets, False)


@pytest.fixture(scope="session")
def analyst_token(settings: Settings) -> str:
    return mint_dev_token(settings, "", [], True)


@pytest.fixture(scope="session")
def who(connections: Connections, published: date) -> Clinicians:
    """The clinicians the My Performance Hub tests act as (performance_hub_support)."""
    return clinicians(connections.app_dsn)
