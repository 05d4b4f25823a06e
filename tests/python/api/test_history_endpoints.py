"""Metric histories (SPEC §12) against the hand-written rows of app_data.sql.

The published D is 2026-11-20; the history tables hold 11-20 (copies of the marts),
11-19, 11-13 and 10-30 for market 1 / provider 101, and nothing for 11-06: a weekly point
of nulls. A row of 11-21 (after D) must never be a point.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from api_support import (
    MARKET_1_NOISE,
    MARKET_1_PROVIDER_101_NOISE,
    PROVIDER_101_NOISE,
    bearer,
    claims,
    sign,
)

from api.leader_hub import uncertainty

BASE = "/v1/leader-hub-metrics"
SNAPSHOT = {"as_of_date": "2026-11-20", "synced_at": "2026-11-20T06:00:00Z"}
D = date(2026, 11, 20)

MARKET_METRICS = (
    "visit_count",
    "on_scene_time_median_seconds",
    "on_scene_time_week_change_seconds",
    "chart_closure_rate",
    "chart_closure_rate_week_change",
    "survey_capture_rate",
    "survey_capture_rate_week_change",
    "net_promoter_score_average",
    "net_promoter_score_week_change",
)
PROVIDER_METRICS = (
    *MARKET_METRICS,
    "on_task_percent",
    "on_task_percent_week_change",
    "escalation_rate",
    "escalation_rate_week_change",
    "abx_prescribing_rate",
    "abx_prescribing_rate_week_change",
    *uncertainty.columns(uncertainty.PROVIDER_METRICS)[1:],
)
MARKET_METRICS = (*MARKET_METRICS, *uncertainty.columns(uncertainty.LEADER_METRICS)[1:])
_RANKED_COLUMNS = tuple(
    column
    for metric, value, change in (
        ("on_scene_time", "on_scene_time_median_seconds", "on_scene_time_week_change_seconds"),
        ("chart_closure_rate", "chart_closure_rate", "chart_closure_rate_week_change"),
        ("survey_capture_rate", "survey_capture_rate", "survey_capture_rate_week_change"),
        ("net_promoter_score", "net_promoter_score_average", "net_promoter_score_week_change"),
        ("on_task_percent", "on_task_percent", "on_task_percent_week_change"),
    )
    for column in (value, change, f"{metric}_rank", f"ranked_providers_{metric}")
)
MARKET_PROVIDER_METRICS = (
    "visit_count",
    *_RANKED_COLUMNS,
    *uncertainty.columns(uncertainty.LEADER_METRICS)[1:],
)


def point(day: str, names: tuple[str, ...], *values: Any) -> dict[str, Any]:
    """A point as the API sends it: the date, then the metrics in ``names`` order (null
    from the first one not given: a row without an interval, or no row at all)."""
    values = values + (None,) * (len(names) - len(values))
    return {"as_of_date": day, **dict(zip(names, values, strict=True))}


def dates(body: dict[str, Any]) -> list[str]:
    return [item["as_of_date"] for item in body["items"]]


# ------------------------------------------------------------------------------ market


def test_market_weekly_history_oldest_first_with_a_null_point(get):
    response = get(f"{BASE}/markets/1/history", points=4)
    assert response.status_code == 200
    assert response.json() == {
        **SNAPSHOT,
        "interval": "week",
        "points": 4,
        "market_id": 1,
        "items": [
            point("2026-10-30", MARKET_METRICS, 70, 2000, None, 0.8, None, None, None, None, None),
            point("2026-11-06", MARKET_METRICS),  # no row that date: present, all null
            point(
                "2026-11-13", MARKET_METRICS, 75, 1960, 20, 0.8375, None, 0.65, 0.02, 79.25, -0.75
            ),
            point("2026-11-20", MARKET_METRICS, 80, 1900, -60, 0.85, 0.0125, 0.6, -0.05, 80.5, 1.25)
            | MARKET_1_NOISE,
        ],
    }
    assert "private" in response.headers["cache-control"]


def test_market_daily_history_ends_at_the_published_date_not_later_rows(get):
    body = get(f"{BASE}/markets/1/history", interval="day", points=3).json()
    assert (body["interval"], body["points"]) == ("day", 3)
    assert body["items"] == [
        point("2026-11-18", MARKET_METRICS),
        point("2026-11-19", MARKET_METRICS, 79, 1920, -30, 0.84, 0.01, 0.61, -0.04, 80.0, 1.0),
        point("2026-11-20", MARKET_METRICS, 80, 1900, -60, 0.85, 0.0125, 0.6, -0.05, 80.5, 1.25)
        | MARKET_1_NOISE,
    ]  # the row of 2026-11-21 (after D) is not a point


@pytest.mark.parametrize(
    ("params", "count", "step"),
    [({}, 26, 7), ({"interval": "week"}, 26, 7), ({"interval": "day"}, 30, 1)],
)
def test_default_points_are_26_weeks_or_30_days_ending_at_d(get, params, count, step):
    body = get(f"{BASE}/markets/1/history", **params).json()
    assert body["points"] == count
    expected = [(D - timedelta(days=step * i)).isoformat() for i in reversed(range(count))]
    assert dates(body) == expected


def test_the_newest_point_is_the_market_endpoint_s_metrics(get):
    market = get(f"{BASE}/markets/1").json()
    newest = get(f"{BASE}/markets/1/history", points=1).json()["items"]
    assert len(newest) == 1
    assert {k: v for k, v in newest[0].items() if k not in ("as_of_date", "visit_count")} == {
        k: market[k] for k in MARKET_METRICS[1:]
    }


def test_a_market_without_history_rows_has_only_null_points_but_d(get):
    body = get(f"{BASE}/markets/3/history", points=3).json()
    assert body["items"] == [
        point("2026-11-06", MARKET_METRICS),
        point("2026-11-13", MARKET_METRICS),
        point("2026-11-20", MARKET_METRICS, 0, None, None, None, None, None, None, None, None)
        | {"survey_answer_count": 0},
    ]


def test_a_year_of_daily_points_is_allowed(get):
    body = get(f"{BASE}/markets/1/history", interval="day", points=366).json()
    assert len(body["items"]) == 366
    assert dates(body)[0] == (D - timedelta(days=365)).isoformat()


# ------------------------------------------------------------- provider, market-provider


def test_provider_history_is_the_overall_metrics_per_date(get):
    body = get(f"{BASE}/providers/101/history", points=3).json()
    assert body == {
        **SNAPSHOT,
        "interval": "week",
        "points": 3,
        "provider_id": 101,
        "items": [
            point("2026-11-06", PROVIDER_METRICS),
            point(
                "2026-11-13", PROVIDER_METRICS,
                78, 1720, None, 0.92, None, None, None, 88.0, None,
                67.75, None, 0.05, None, 0.2125, None,
            ),
            point(
                "2026-11-20", PROVIDER_METRICS,
                80, 1750, 30, 0.93, 0.01, None, None, 86.0, -2.0,
                71.25, 3.5, 0.05, 0.0, 0.2, -0.0125,
            ) | PROVIDER_101_NOISE,
        ],
    }  # fmt: skip


def test_market_provider_history_carries_ranks_and_ranked_counts(get):
    body = get(f"{BASE}/markets/1/providers/101/history", points=4).json()
    assert (body["market_id"], body["provider_id"], body["as_of_date"]) == (1, 101, "2026-11-20")
    assert body["items"] == [
        point(
            "2026-10-30", MARKET_PROVIDER_METRICS,
            50, None, None, None, 6, None, None, None, 6,
            None, None, None, 0, None, None, None, 4, 60.0, None, 3, 4,
        ),
        point("2026-11-06", MARKET_PROVIDER_METRICS),
        point(
            "2026-11-13", MARKET_PROVIDER_METRICS,
            58, 1770, None, 3, 7, 0.94, None, 2, 7,
            None, None, None, 0, 87.0, None, 1, 5, 67.75, None, 2, 5,
        ),
        point(
            "2026-11-20", MARKET_PROVIDER_METRICS,
            60, 1800, 30, 2, 6, 0.95, 0.01, 1, 6,
            None, None, None, 0, 85.5, -1.5, 2, 5, 71.25, 3.5, 1, 5,
        ) | MARKET_1_PROVIDER_101_NOISE,
    ]  # fmt: skip


def test_market_provider_daily_history(get):
    body = get(f"{BASE}/markets/1/providers/101/history", interval="day", points=2).json()
    assert dates(body) == ["2026-11-19", "2026-11-20"]
    assert body["items"][0]["on_scene_time_rank"] == 2
    assert body["items"][0]["net_promoter_score_average"] == 85.0


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"interval": "month"}, "interval", "interval must be week or day"),
        ({"interval": "WEEK"}, "interval", "interval must be week or day"),
        ({"points": 0}, "points", "points must be a whole number from 1 to 366"),
        ({"points": 367}, "points", "points must be a whole number from 1 to 366"),
        ({"points": "ten"}, "points", "points must be a whole number from 1 to 366"),
        ({"points": "1.5"}, "points", "points must be a whole number from 1 to 366"),
    ],
)
@pytest.mark.parametrize(
    "path", ["/markets/1/history", "/providers/101/history", "/markets/1/providers/101/history"]
)
def test_bad_interval_or_points_is_400_naming_the_field(get, path, params, field, message):
    response = get(f"{BASE}{path}", **params)
    assert response.status_code == 400
    body = response.json()
    assert (body["field"], body["message"]) == (field, message)


def test_points_given_twice_is_400(client, lead_headers):
    response = client.get(f"{BASE}/markets/1/history?points=2&points=400", headers=lead_headers)
    assert response.status_code == 400
    assert response.json()["field"] == "points"


# ------------------------------------------------------------------------------ policy


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/markets/4/history", 403),  # a market outside the token
        ("/markets/4/providers/113/history", 403),
        ("/markets/999/history", 404),  # in the token, not in the data
        ("/markets/999/providers/101/history", 404),
        ("/markets/1/providers/112/history", 404),  # not active in market 1
        ("/markets/1/providers/106/history", 404),  # active only outside the token
        ("/providers/106/history", 404),  # has history rows, but is not visible
        ("/providers/113/history", 404),  # active only in market 4, outside the token
        ("/providers/9999/history", 404),
    ],
)
def test_history_follows_its_base_endpoint_s_policy(get, path, status):
    response = get(f"{BASE}{path}")
    assert response.status_code == status, response.text
    base = get(f"{BASE}{path.removesuffix('/history')}")
    assert base.status_code == status
    assert response.json()["message"] == base.json()["message"]


def test_a_hidden_provider_is_indistinguishable_from_a_missing_one(get):
    hidden = get(f"{BASE}/providers/106/history").json()
    missing = get(f"{BASE}/providers/9999/history").json()
    assert hidden == missing


def test_provider_seen_through_another_token_market_has_its_history(get):
    only_market_2 = bearer(sign(claims(markets=[2])))
    body = get(f"{BASE}/providers/101/history", headers=only_market_2, points=2).json()
    assert dates(body) == ["2026-11-13", "2026-11-20"]
    assert body["items"][0]["on_scene_time_median_seconds"] == 1720


@pytest.mark.parametrize(
    "path", ["/markets/1/history", "/providers/101/history", "/markets/1/providers/101/history"]
)
def test_history_needs_a_leader_role_and_a_token(client, analyst_headers, path):
    assert client.get(f"{BASE}{path}", headers=analyst_headers).status_code == 403
    assert client.get(f"{BASE}{path}").status_code == 401
