"""My Performance Hub in the API benchmark: the bench token's user id is one clinician of
the lead's markets (the one active in the most markets), who asks for their own view."""

from __future__ import annotations

import random
from typing import Any

import psycopg

from api.performance_hub import queries

PH = "/v1/performance-hub/me"

# (name, the API path of a parameter set, its SQL): bench.endpoints.Endpoint's fields
ENDPOINTS = (
    ("me", lambda v: PH, lambda v: queries.ME_SQL),
    (
        "peer_rankings",
        lambda v: f"{PH}/peer-rankings?market_id={v['market_id']}",
        lambda v: queries.PEER_SQL["on_scene_time"],
    ),
    ("look_back", lambda v: f"{PH}/look-back", lambda v: queries.LOOK_BACK_SQL),
)


def clinician(conn: psycopg.Connection, markets: list[int]) -> tuple[int, list[int]]:
    """The bench user: the clinician of the lead's markets active in the most markets
    (then the most visits), and those markets."""
    provider, their_markets = conn.execute(
        "select metrics.provider_id, array_agg(metrics.market_id order by metrics.market_id)"
        " from leader_hub.market_provider_metrics as metrics"
        " where metrics.provider_id in (select provider_id"
        "   from leader_hub.markets_active_providers where market_id = any(%s))"
        " group by 1 order by count(*) desc, max(metrics.visit_count) desc, 1 limit 1",
        [markets],
    ).fetchone()
    return provider, list(their_markets)


def parameters(user: tuple[int, list[int]], rng: random.Random) -> dict[str, dict[str, Any]]:
    """The personal endpoints' parameters (drawn last: the other samples of a seed stay)."""
    provider, markets = user
    return {
        "me": {"provider_id": provider},
        "peer_rankings": {"provider_id": provider, "market_id": rng.choice(markets)},
        "look_back": {"provider_id": provider},
    }
