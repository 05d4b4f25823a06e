"""Who is who for the My Performance Hub tests, read from the published app tables."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from reliability_support import bearer

from api.tokens import mint_dev_token
from kpi.settings import Settings

ME = "/v1/performance-hub/me"


@dataclass(frozen=True)
class Clinicians:
    """Clinicians of the published build picked for the personal hub tests."""

    personal_min_visits: int
    experienced: int  # overall visit_count >= personal_min_visits, with a market row >= it too
    experienced_market: int
    novice: int  # overall visit_count < personal_min_visits (a clinician with few visits)
    novice_visit_count: int
    foreign_market: int  # a market the experienced clinician is not active in
    foreign_shift: int  # a shift of provider_shifts the experienced clinician was not on
    own_shift: int


def clinicians(app_dsn: str) -> Clinicians:
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        (minimum,) = conn.execute(
            "select personal_min_visits from leader_hub.personal_settings"
        ).fetchone()
        experienced, market = conn.execute(
            "select metrics.provider_id, metrics.market_id"
            " from leader_hub.market_provider_metrics as metrics"
            " inner join leader_hub.provider_metrics as overall using (provider_id)"
            " where metrics.visit_count >= %s and overall.visit_count >= %s"
            " order by metrics.provider_id, metrics.market_id limit 1",
            [minimum, minimum],
        ).fetchone()
        novice, novice_count = conn.execute(
            "select provider_id, visit_count from leader_hub.provider_metrics"
            " where visit_count < %s and visit_count > 0 order by provider_id limit 1",
            [minimum],
        ).fetchone()
        (foreign_market,) = conn.execute(
            "select market_id from leader_hub.markets where market_id not in ("
            " select market_id from leader_hub.markets_active_providers where provider_id = %s)"
            " order by market_id limit 1",
            [experienced],
        ).fetchone()
        (foreign_shift,) = conn.execute(
            "select shift_team_id from leader_hub.provider_shifts where shift_team_id not in ("
            " select shift_team_id from leader_hub.provider_shifts where provider_id = %s)"
            " order by shift_team_id limit 1",
            [experienced],
        ).fetchone()
        (own_shift,) = conn.execute(
            "select shift_team_id from leader_hub.provider_shifts where provider_id = %s"
            " order by start_time desc limit 1",
            [experienced],
        ).fetchone()
    return Clinicians(
        minimum, experienced, market, novice, novice_count, foreign_market, foreign_shift, own_shift
    )


def as_clinician(settings: Settings, user_id: int) -> dict[str, str]:
    """The headers of a clinician's token: their user id, no role, no markets."""
    return bearer(mint_dev_token(settings, "", [], False, user_id=user_id))
