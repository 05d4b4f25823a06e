"""Token helpers for the API tests (importable from the test modules and the conftest)."""

from __future__ import annotations

import time
from typing import Any

import jwt

from api.leader_hub import uncertainty

SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
LEAD_MARKETS = [1, 2, 3, 999]
ISSUER = "https://idp.example"
AUDIENCE = "kpi-api"
NAMESPACE = "https://kpi.example/claims"


def sign(
    claims: dict[str, Any], key: Any = SECRET, algorithm: str = "HS256", **headers: Any
) -> str:
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers or None)


def claims(
    market_role: str | None = "Lead APP",
    markets: Any = None,
    roles: Any = None,
    lifetime: int = 600,
    **extra: Any,
) -> dict[str, Any]:
    now = int(time.time())
    body: dict[str, Any] = {"sub": "user-1", "iat": now, "nbf": now, "exp": now + lifetime}
    if market_role is not None:
        body["market_role"] = market_role
    body["markets"] = LEAD_MARKETS if markets is None else markets
    if roles is not None:
        body["roles"] = roles
    body.update(extra)
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def noise(metrics: tuple[str, ...], values: dict[str, Any]) -> dict[str, Any]:
    """The uncertainty fields of ``metrics`` after visit_count: ``values``, else null."""
    return {name: values.get(name) for name in uncertainty.columns(metrics)[1:]}


# The uncertainty fields (SPEC §12) app_data.sql sets on D's rows, every other one null
MARKET_1_NOISE = noise(
    uncertainty.LEADER_METRICS,
    {
        "survey_answer_count": 50,
        "on_scene_time_median_seconds_ci_low": 1800,
        "on_scene_time_median_seconds_ci_high": 2050,
        "on_scene_time_week_change_seconds_within_noise": True,
        "chart_closure_rate_ci_low": 0.755,
        "chart_closure_rate_ci_high": 0.91,
        "chart_closure_rate_week_change_within_noise": True,
        "survey_capture_rate_ci_low": 0.49,
        "survey_capture_rate_ci_high": 0.64,
        "survey_capture_rate_week_change_within_noise": False,
        "net_promoter_score_average_ci_low": 77.0,
        "net_promoter_score_average_ci_high": 84.0,
        "net_promoter_score_week_change_within_noise": True,
    },
)
PROVIDER_101_NOISE = noise(
    uncertainty.PROVIDER_METRICS,
    {
        "survey_answer_count": 45,
        "on_scene_time_median_seconds_ci_low": 1650,
        "on_scene_time_median_seconds_ci_high": 1850,
        "on_scene_time_week_change_seconds_within_noise": True,
        "abx_prescribing_rate_ci_low": 0.13,
        "abx_prescribing_rate_ci_high": 0.3,
        "abx_prescribing_rate_week_change_within_noise": True,
    },
)
MARKET_1_PROVIDER_101_NOISE = noise(
    uncertainty.LEADER_METRICS,
    {
        "survey_answer_count": 30,
        "on_scene_time_median_seconds_ci_low": 1790,
        "on_scene_time_median_seconds_ci_high": 1900,
        "on_scene_time_week_change_seconds_within_noise": False,
        "chart_closure_rate_ci_low": 0.88,
        "chart_closure_rate_ci_high": 0.98,
        "chart_closure_rate_week_change_within_noise": True,
        "net_promoter_score_average_ci_low": 80.1,
        "net_promoter_score_average_ci_high": 90.9,
        "net_promoter_score_week_change_within_noise": True,
    },
)
