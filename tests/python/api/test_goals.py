"""Goals beside every Leader Hub metric (SPEC §13), from the goals mart of app_data.sql.

Scopes: a market tile and a provider's overall metrics use the job-title-free goals
(market 1 / all markets); a market-provider row and a ranking the provider's job title in
the market (market 1's APP on-scene goal is 2000 s, the others' 1800 s).
"""

from __future__ import annotations

import pytest
from api_support import bearer, claims, sign

from api.goals import Goal, goal_of, meets

BASE = "/v1/leader-hub-metrics"


def test_market_tile_goals_meet_or_miss_by_their_direction(get):
    market_4 = bearer(sign(claims(markets=[4])))
    goals = get(f"{BASE}/markets/4", headers=market_4).json()["goals"]
    assert goals["on_scene_time_median_seconds"] == {
        "goal": 1800,
        "direction": "at_most",
        "meets_goal": True,  # 1000 s <= 1800 s
    }
    assert goals["chart_closure_rate"] == {
        "goal": 0.99,
        "direction": "at_least",
        "meets_goal": True,  # 1.0 >= 0.99
    }
    assert goals["net_promoter_score_average"]["meets_goal"] is True  # 100 >= 95


def test_a_metric_without_a_goal_or_a_value_has_null_meets_goal(get):
    goals = get(f"{BASE}/markets/1").json()["goals"]
    assert goals["survey_capture_rate"] == {"goal": None, "direction": None, "meets_goal": None}
    assert goals["chart_closure_rate"]["meets_goal"] is False  # 0.85 < 0.99
    no_visits = get(f"{BASE}/markets/3").json()["goals"]
    assert no_visits["on_scene_time_median_seconds"] == {
        "goal": 1800,
        "direction": "at_most",
        "meets_goal": None,
    }


def test_market_provider_row_uses_its_job_titles_market_goal(get):
    goals = get(f"{BASE}/markets/1/providers/101").json()["goals"]
    # 1800 s: misses nothing under market 1's APP goal of 2000 s (all-markets: 1800 s)
    assert goals["on_scene_time_median_seconds"] == {
        "goal": 2000,
        "direction": "at_most",
        "meets_goal": True,
    }
    assert set(goals) == {
        "on_scene_time_median_seconds",
        "chart_closure_rate",
        "survey_capture_rate",
        "net_promoter_score_average",
        "on_task_percent",
    }


def test_provider_overall_metrics_use_the_all_markets_goals(get):
    goals = get(f"{BASE}/providers/101").json()["goals"]
    assert goals["on_scene_time_median_seconds"]["goal"] == 1800
    assert goals["on_scene_time_median_seconds"]["meets_goal"] is True  # 1750 s
    assert goals["net_promoter_score_average"]["meets_goal"] is False  # 86 < 95
    assert goals["escalation_rate"]["goal"] is None


def test_every_ranking_row_carries_the_goal_of_the_market_and_job_title(get):
    items = get(f"{BASE}/markets/1/providers", job_title="APP").json()["items"]
    assert {item["goal"] for item in items} == {2000}
    for item in items:
        expected = None if item["value"] is None else item["value"] <= 2000
        assert item["meets_goal"] is expected


@pytest.mark.parametrize(
    ("value", "goal", "direction", "expected"),
    [
        (1800, 1800, "at_most", True),
        (1801, 1800, "at_most", False),
        (0.99, 0.99, "at_least", True),
        (0.98, 0.99, "at_least", False),
        (None, 0.99, "at_least", None),
        (0.5, None, None, None),
    ],
)
def test_meets_goal_includes_the_bound_and_is_null_when_a_side_is(value, goal, direction, expected):
    assert meets(value, goal, direction) is expected


def test_goal_of_a_metric_absent_from_the_scope_is_all_null():
    assert goal_of({"chart_closure_rate": [0.99, "at_least"]}, "escalation_rate", 0.1) == Goal(
        None, None, None
    )
