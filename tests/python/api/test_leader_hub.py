"""Leader Hub endpoints against the hand-written rows of app_data.sql (D = 2026-11-20)."""

from __future__ import annotations

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

BASE = "/v1/leader-hub-metrics"
SNAPSHOT = {"as_of_date": "2026-11-20", "synced_at": "2026-11-20T06:00:00Z"}


def ids(body: dict[str, Any], key: str = "provider_id") -> list[Any]:
    return [item["provider"][key] if "provider" in item else item[key] for item in body["items"]]


def paging(body: dict[str, Any]) -> tuple[int, int, int, int]:
    return body["page"], body["per_page"], body["total"], body["total_pages"]


# ------------------------------------------------------------------------------ markets


def test_markets_are_the_token_markets_that_exist_by_name(get):
    body = get(f"{BASE}/markets").json()
    assert body == {
        **SNAPSHOT,
        "items": [
            {
                "market_id": 2,
                "name": "Colorado Springs",
                "short_name": "COS",
                "market_group_id": 10,
            },
            {"market_id": 1, "name": "Denver", "short_name": "DEN", "market_group_id": 10},
            {"market_id": 3, "name": "Phoenix", "short_name": "PHX", "market_group_id": 30},
        ],
    }


def test_market_metrics_with_name_and_as_of(get):
    response = get(f"{BASE}/markets/1")
    assert response.status_code == 200
    body = response.json()
    assert body.pop("goals")  # its goals: test_goals.py
    assert body == {
        **SNAPSHOT,
        "market_id": 1,
        "name": "Denver",
        "short_name": "DEN",
        "market_group_id": 10,
        "on_scene_time_median_seconds": 1900,
        "on_scene_time_week_change_seconds": -60,
        "chart_closure_rate": 0.85,
        "chart_closure_rate_week_change": 0.0125,
        "survey_capture_rate": 0.6,
        "survey_capture_rate_week_change": -0.05,
        "net_promoter_score_average": 80.5,
        "net_promoter_score_week_change": 1.25,
        "visit_count": 80,
        **MARKET_1_NOISE,
    }
    assert "private" in response.headers["cache-control"]


def test_market_without_visits_has_null_metrics_not_zero(get):
    body = get(f"{BASE}/markets/3").json()
    assert body["name"] == "Phoenix"
    metrics = {k: v for k, v in body.items() if k.endswith(("_seconds", "_rate", "_change"))}
    assert metrics and all(value is None for value in metrics.values())
    assert body["net_promoter_score_average"] is None


@pytest.mark.parametrize(
    "path", ["/markets/999", "/markets/999/providers?job_title=APP", "/markets/999/providers/101"]
)
def test_token_market_missing_from_the_data_is_404(get, path):
    response = get(f"{BASE}{path}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


# ------------------------------------------------------------------------------ ranking


def test_ranking_default_metric_is_on_scene_time_by_rank_then_name(get):
    body = get(f"{BASE}/markets/1/providers", job_title="APP").json()
    assert body["metric"] == "on_scene_time" and body["job_title"] == "APP"
    # ties share rank 2 and sort by last name; no-data rows last, by last name
    assert ids(body) == [102, 103, 101, 107, 108, 110, 104, 111]
    assert [item["rank"] for item in body["items"]] == [1, 2, 2, 3, 4, 5, None, None]
    assert {item["ranked_providers"] for item in body["items"]} == {6}
    assert paging(body) == (1, 30, 8, 1)
    assert body["as_of_date"] == "2026-11-20"


def test_ranking_row_carries_provider_value_change_rank_and_count(get):
    body = get(f"{BASE}/markets/1/providers", job_title="APP", per_page=1).json()
    assert body["items"] == [
        {
            "provider": {
                "provider_id": 102,
                "first_name": "Bob",
                "last_name": "Jones",
                "avatar_url": None,
                "job_title": "APP",
            },
            "value": 1500,
            "week_change": -120,
            "rank": 1,
            "ranked_providers": 6,
            # market 1's APP on-scene goal (at most 2000 s), SPEC §13
            "goal": 2000,
            "meets_goal": True,
            "ci_low": None,
            "ci_high": None,
            "count": 70,
            "week_change_within_noise": None,
        }
    ]


def test_no_data_row_has_null_value_and_rank_but_the_ranked_count(get):
    body = get(f"{BASE}/markets/1/providers", job_title="APP", page=4, per_page=2).json()
    assert ids(body) == [104, 111]
    assert body["items"][0] | {"provider": None} == {
        "provider": None,
        "value": None,
        "week_change": None,
        "rank": None,
        "ranked_providers": 6,
        "goal": 2000,
        "meets_goal": None,
        "ci_low": None,
        "ci_high": None,
        "count": 0,
        "week_change_within_noise": None,
    }


@pytest.mark.parametrize(
    ("metric", "expected_ids", "expected_ranks", "ranked"),
    [
        ("chart_closure_rate", [101, 107, 102, 103, 108, 110, 104, 111], [1, 2, 3, 4, 5, 6], 6),
        ("net_promoter_score", [103, 101, 107, 102, 108, 104, 110, 111], [1, 2, 3, 4, 5], 5),
        ("on_task_percent", [101, 107, 102, 103, 110, 104, 108, 111], [1, 2, 3, 4, 5], 5),
        ("survey_capture_rate", [104, 103, 110, 102, 101, 107, 108, 111], [], 0),
    ],
)
def test_ranking_by_each_metric(get, metric, expected_ids, expected_ranks, ranked):
    body = get(f"{BASE}/markets/1/providers", job_title="APP", metric=metric).json()
    assert ids(body) == expected_ids
    ranks = [item["rank"] for item in body["items"]]
    assert ranks == expected_ranks + [None] * (len(expected_ids) - len(expected_ranks))
    assert {item["ranked_providers"] for item in body["items"]} == {ranked}


def test_ranking_values_are_the_chosen_metric(get):
    body = get(f"{BASE}/markets/1/providers", job_title="APP", metric="chart_closure_rate").json()
    first = body["items"][0]
    assert (first["value"], first["week_change"], first["rank"]) == (0.95, 0.01, 1)


def test_ranking_is_per_job_title(get):
    body = get(f"{BASE}/markets/1/providers", job_title="DHMT").json()
    assert ids(body) == [105]
    assert body["items"][0]["rank"] == 1 and body["items"][0]["ranked_providers"] == 1


def test_ranking_paging_and_true_total_past_the_last_page(get):
    body = get(f"{BASE}/markets/1/providers", job_title="APP", page=2, per_page=3).json()
    assert ids(body) == [107, 108, 110]
    assert paging(body) == (2, 3, 8, 3)
    past = get(f"{BASE}/markets/1/providers", job_title="APP", page=50, per_page=3).json()
    assert past["items"] == []
    assert paging(past) == (50, 3, 8, 3)


def test_search_filters_rows_but_never_changes_ranks(get):
    body = get(f"{BASE}/markets/1/providers", job_title="APP", search="smith").json()
    assert ids(body) == [101, 107]  # Smith and Smithers
    assert [(i["rank"], i["ranked_providers"]) for i in body["items"]] == [(2, 6), (3, 6)]
    assert body["total"] == 2


@pytest.mark.parametrize(
    "search", ["Ann Smith", "smith ann", "Smith, Ann", "SMITH,ANN", "an smi", "  ann   smith  "]
)
def test_name_search_matches_any_order_comma_and_partial_words(get, search):
    body = get(f"{BASE}/markets/1/providers", job_title="APP", search=search).json()
    assert ids(body) == [101]


def test_name_search_every_word_must_match(get):
    body = get(f"{BASE}/markets/1/providers", job_title="APP", search="ann jones").json()
    assert body["items"] == [] and body["total"] == 0


def test_search_percent_and_underscore_are_literal(get):
    underscore = get(f"{BASE}/markets/1/providers", job_title="APP", search="l_s").json()
    assert ids(underscore) == [108]  # Wil_son, not Ellis
    percent = get(f"{BASE}/markets/1/providers", job_title="APP", search="%").json()
    assert percent["total"] == 0
    backslash = get(f"{BASE}/markets/1/providers", job_title="APP", search="\\").json()
    assert backslash["total"] == 0


def test_blank_search_does_not_filter(get):
    body = get(f"{BASE}/markets/1/providers", job_title="APP", search=" , ").json()
    assert body["total"] == 8


# ------------------------------------------------------------------------ one provider


def test_market_provider_metrics_with_all_ranks(get):
    body = get(f"{BASE}/markets/1/providers/101").json()
    assert body.pop("goals")  # its goals: test_goals.py
    assert body == {
        **SNAPSHOT,
        "market_id": 1,
        "provider": {
            "provider_id": 101,
            "first_name": "Ann",
            "last_name": "Smith",
            "avatar_url": "https://img.example/101.png",
            "job_title": "APP",
        },
        "on_scene_time_median_seconds": 1800,
        "on_scene_time_week_change_seconds": 30,
        "on_scene_time_rank": 2,
        "ranked_providers_on_scene_time": 6,
        "chart_closure_rate": 0.95,
        "chart_closure_rate_week_change": 0.01,
        "chart_closure_rate_rank": 1,
        "ranked_providers_chart_closure_rate": 6,
        "survey_capture_rate": None,
        "survey_capture_rate_week_change": None,
        "survey_capture_rate_rank": None,
        "ranked_providers_survey_capture_rate": 0,
        "net_promoter_score_average": 85.5,
        "net_promoter_score_week_change": -1.5,
        "net_promoter_score_rank": 2,
        "ranked_providers_net_promoter_score": 5,
        "on_task_percent": 71.25,
        "on_task_percent_week_change": 3.5,
        "on_task_percent_rank": 1,
        "ranked_providers_on_task_percent": 5,
        "visit_count": 60,
        **MARKET_1_PROVIDER_101_NOISE,
    }


def test_provider_not_active_in_the_market_is_404(get):
    assert get(f"{BASE}/markets/2/providers/102").status_code == 404
    assert get(f"{BASE}/markets/1/providers/424242").status_code == 404


def test_provider_overall_metrics(get):
    body = get(f"{BASE}/providers/101").json()
    assert body.pop("goals")  # its goals: test_goals.py
    assert body == {
        **SNAPSHOT,
        "provider": {
            "provider_id": 101,
            "first_name": "Ann",
            "last_name": "Smith",
            "avatar_url": "https://img.example/101.png",
            "job_title": "APP",
        },
        "on_scene_time_median_seconds": 1750,
        "on_scene_time_week_change_seconds": 30,
        "chart_closure_rate": 0.93,
        "chart_closure_rate_week_change": 0.01,
        "survey_capture_rate": None,
        "survey_capture_rate_week_change": None,
        "net_promoter_score_average": 86.0,
        "net_promoter_score_week_change": -2.0,
        "on_task_percent": 71.25,
        "on_task_percent_week_change": 3.5,
        "escalation_rate": 0.05,
        "escalation_rate_week_change": 0.0,
        "abx_prescribing_rate": 0.2,
        "abx_prescribing_rate_week_change": -0.0125,
        "visit_count": 80,
        **PROVIDER_101_NOISE,
    }


def test_provider_without_a_metrics_row_has_null_metrics(get):
    body = get(f"{BASE}/providers/102").json()
    assert body["provider"]["last_name"] == "Jones"
    assert body["on_scene_time_median_seconds"] is None and body["escalation_rate"] is None
    assert body["as_of_date"] == "2026-11-20"  # falls back to the published snapshot


def test_provider_markets_are_all_of_them_also_outside_the_token(get, lead_headers):
    only_cos = bearer(sign(claims(markets=[2])))
    body = get(f"{BASE}/providers/101/markets", headers=only_cos).json()
    assert [m["market_id"] for m in body["items"]] == [2, 1]  # Colorado Springs, Denver
    assert body["as_of_date"] == "2026-11-20"


def test_provider_seen_through_another_token_market_shows_everything(get):
    only_cos = bearer(sign(claims(markets=[2])))
    assert get(f"{BASE}/providers/101", headers=only_cos).json()["on_task_percent"] == 71.25
    visits = get(f"{BASE}/providers/101/provider-visits", headers=only_cos).json()
    assert visits["total"] == 5  # visits in Denver too


# ------------------------------------------------------------------------------ visits

VISITS = f"{BASE}/providers/101/provider-visits"


def visit_ids(body: dict[str, Any]) -> list[int]:
    return [item["care_request_id"] for item in body["items"]]


def test_visits_newest_first_with_patient_details(get):
    body = get(VISITS).json()
    assert visit_ids(body) == [5001, 5003, 5002, 5005, 5004]
    assert paging(body) == (1, 30, 5, 1)
    assert body["items"][2] == {
        "care_request_id": 5002,
        "market_id": 2,
        "service_date": "2026-11-18",
        "completed_at": "2026-11-18T10:00:00",
        "patient_first_name": "John",
        "patient_last_name": "O'Brien",
        "patient_athena_id": "A200",
        "chief_complaint": "Chest pain",
        "diagnosis": "Angina",
        "is_abx_prescribed": False,
        "abx_details": None,
        "is_escalated": True,
        "escalated_reason": "ED transfer",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"is_abx_prescribed": "true"}, [5001, 5003]),
        ({"is_abx_prescribed": "false"}, [5002, 5005, 5004]),
        ({"is_escalated": "true"}, [5003, 5002]),
        ({"is_abx_prescribed": "true", "is_escalated": "true"}, [5003]),
        ({"search": "garcia"}, [5001, 5004]),
        ({"search": "Maria Garcia"}, [5001]),
        ({"search": "garcia, maria"}, [5001]),
        ({"search": "a100"}, [5001, 5004]),  # athena ids A100 and A1000
        ({"search": "A1000"}, [5004]),
        ({"search": "maria", "is_escalated": "true"}, [5003]),
        ({"search": "%"}, [5005]),  # literal: only 100%_Real
        ({"search": "_"}, [5005]),  # literal: 100%_Real and C_1 are the same visit
        ({"search": "nobody"}, []),
    ],
)
def test_visit_filters_and_search(get, params, expected):
    body = get(VISITS, **params).json()
    assert visit_ids(body) == expected
    assert body["total"] == len(expected)


def test_visits_are_only_the_providers(get):
    body = get(f"{BASE}/providers/102/provider-visits").json()
    assert visit_ids(body) == [5001]


def test_visits_paging_past_the_end_keeps_the_total(get):
    body = get(VISITS, page=2, per_page=2).json()
    assert visit_ids(body) == [5002, 5005]
    assert paging(body) == (2, 2, 5, 3)
    past = get(VISITS, page=9, per_page=2).json()
    assert past["items"] == [] and paging(past) == (9, 2, 5, 3)


# ------------------------------------------------------------------------------ shifts

SHIFTS = f"{BASE}/providers/101/provider-shifts"


def shift_ids(body: dict[str, Any]) -> list[int]:
    return [item["shift_team_id"] for item in body["items"]]


def test_shifts_newest_first_by_default_with_ten_per_page(get):
    body = get(SHIFTS).json()
    assert shift_ids(body) == [9001, 9002, 9003, 9004]
    assert paging(body) == (1, 10, 4, 1)
    assert (body["sort"], body["last_days"]) == ("desc", None)
    assert body["items"][1] == {
        "shift_team_id": 9002,
        "market_id": 2,
        "service_date": "2026-11-12",
        "start_time": "2026-11-12T07:00:00",
        "end_time": "2026-11-12T15:00:00",
        "patients_seen": 2,
        "out_the_door_duration_seconds": None,
        "en_route_duration_seconds": 0,
        "on_scene_duration_seconds": 7200,
        "on_break_duration_seconds": 0,
        "idle_duration_seconds": 21600,
        "is_break_skipped": True,
    }


def test_shifts_ascending(get):
    assert shift_ids(get(SHIFTS, sort="asc").json()) == [9004, 9003, 9002, 9001]


@pytest.mark.parametrize(
    ("last_days", "expected"),
    [
        (1, []),  # (11-19, 11-20]
        (2, [9001]),
        (8, [9001]),  # 11-12 is exactly 8 days before D: outside (D-8, D]
        (9, [9001, 9002]),
        (50, [9001, 9002]),  # 10-01 is 50 days before D
        (51, [9001, 9002, 9003]),
        (90, [9001, 9002, 9003, 9004]),
    ],
)
def test_shifts_last_days_window_ends_at_the_as_of_date(get, last_days, expected):
    body = get(SHIFTS, last_days=last_days).json()
    assert shift_ids(body) == expected
    assert body["total"] == len(expected) and body["last_days"] == last_days


def test_shifts_paging(get):
    body = get(SHIFTS, per_page=3, page=2, sort="asc").json()
    assert shift_ids(body) == [9001] and paging(body) == (2, 3, 4, 2)


# -------------------------------------------------------------------------- breakdowns


def test_breakdowns_are_every_phase_in_time_order(get):
    body = get(f"{BASE}/provider-shifts/9001/provider-shift-breakdowns").json()
    assert body == {
        **SNAPSHOT,
        "shift_team_id": 9001,
        "items": [
            {
                "start_time": "2026-11-19T08:00:00",
                "end_time": "2026-11-19T08:15:00",
                "phase": "idle",
                "latitude_e6": 39739236,
                "longitude_e6": -104990251,
            },
            {
                "start_time": "2026-11-19T08:15:00",
                "end_time": "2026-11-19T08:40:00",
                "phase": "en_route",
                "latitude_e6": None,
                "longitude_e6": None,
            },
            {
                "start_time": "2026-11-19T08:40:00",
                "end_time": "2026-11-19T09:30:00",
                "phase": "on_scene",
                "latitude_e6": 39750000,
                "longitude_e6": -105000000,
            },
            {
                "start_time": "2026-11-19T12:00:00",
                "end_time": "2026-11-19T12:30:00",
                "phase": "on_break",
                "latitude_e6": 39739236,
                "longitude_e6": -104990251,
            },
        ],
    }


def test_breakdown_visible_when_any_of_the_shifts_providers_is(get):
    # shift 9007: provider 106 (outside the token) and 105 (active in Denver)
    body = get(f"{BASE}/provider-shifts/9007/provider-shift-breakdowns").json()
    assert [item["phase"] for item in body["items"]] == ["idle"]


def test_unknown_shift_is_404(get):
    assert get(f"{BASE}/provider-shifts/123456/provider-shift-breakdowns").status_code == 404
