"""Why a metric moved (SPEC §12 "Drill-down") and how much of it is noise ("Uncertainty"),
against the hand-written rows of app_data.sql (D = 2026-11-20)."""

from __future__ import annotations

import pytest
from api_support import bearer, claims, sign

BASE = "/v1/leader-hub-metrics"


def test_market_changes_newest_first_with_the_summary(get):
    body = get(f"{BASE}/markets/1/changes?metric=on_scene_time").json()
    assert [item["care_request_id"] for item in body["items"]] == [5001, 5002, 5003, 4001, 4002]
    assert body["summary"] == {
        "entered_count": 3,
        "left_count": 2,
        "entered_value": 1800.0,  # median of 1500, 2500, 1800
        "left_value": 1050.0,  # median of 900, 1200
    }
    assert (body["market_id"], body["provider_id"], body["metric"]) == (1, None, "on_scene_time")
    assert (body["page"], body["per_page"], body["total"], body["total_pages"]) == (1, 30, 5, 1)
    assert body["items"][0] == {
        "care_request_id": 5001,
        "provider_ids": [101, 105],
        "service_date": "2026-11-20",
        "completed_at": "2026-11-20T10:00:00",
        "direction": "entered",
        "on_scene_seconds": 1500,
        "is_chart_closed_within_24h": True,
        "has_survey": True,
        "nps_answer": 9,
    }
    assert body["items"][2]["provider_ids"] == []
    assert not {"patient_first_name", "patient_athena_id"} & set(body["items"][0])


@pytest.mark.parametrize(
    ("metric", "entered", "left"),
    [
        ("chart_closure_rate", 0.6667, 0.5),
        ("survey_capture_rate", 0.6667, 0.5),
        ("net_promoter_score", 75.0, 100.0),
    ],
)
def test_the_summary_is_the_metric_over_each_group(get, metric, entered, left):
    summary = get(f"{BASE}/markets/1/changes?metric={metric}").json()["summary"]
    assert (summary["entered_value"], summary["left_value"]) == (entered, left)


def test_changes_pages_keep_the_summary_of_every_row(get):
    body = get(f"{BASE}/markets/1/changes?metric=on_scene_time&page=2&per_page=2").json()
    assert [item["care_request_id"] for item in body["items"]] == [5003, 4001]
    assert (body["total"], body["total_pages"], body["summary"]["entered_count"]) == (5, 3, 3)
    empty = get(f"{BASE}/markets/1/changes?metric=on_scene_time&page=9").json()
    assert empty["items"] == [] and empty["summary"]["left_count"] == 2


def test_a_market_without_changes_has_an_empty_summary(get):
    body = get(f"{BASE}/markets/3/changes?metric=chart_closure_rate").json()
    assert body["items"] == [] and body["total"] == 0
    assert body["summary"] == {
        "entered_count": 0,
        "left_count": 0,
        "entered_value": None,
        "left_value": None,
    }


def test_market_provider_changes_and_the_job_title_rule(get):
    body = get(f"{BASE}/markets/1/providers/101/changes?metric=chart_closure_rate").json()
    assert [(i["care_request_id"], i["direction"]) for i in body["items"]] == [
        (5001, "entered"),
        (4001, "left"),
    ]
    assert body["summary"] == {
        "entered_count": 1,
        "left_count": 1,
        "entered_value": 1.0,
        "left_value": 1.0,
    }
    # chart closure is an APP metric: the DHMT's visits are listed, the values are null
    dhmt = get(f"{BASE}/markets/1/providers/105/changes?metric=chart_closure_rate").json()
    assert [i["care_request_id"] for i in dhmt["items"]] == [5001]
    assert (dhmt["summary"]["entered_count"], dhmt["summary"]["entered_value"]) == (1, None)
    survey = get(f"{BASE}/markets/1/providers/105/changes?metric=survey_capture_rate").json()
    assert survey["summary"]["entered_value"] == 1.0


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/markets/4/changes?metric=on_scene_time", 403),  # market not in the token
        ("/markets/999/changes?metric=on_scene_time", 404),  # in the token, not in the data
        ("/markets/1/providers/106/changes?metric=on_scene_time", 404),  # not active there
        ("/markets/1/providers/424242/changes?metric=on_scene_time", 404),
        ("/markets/5/providers/106/changes?metric=on_scene_time", 403),
    ],
)
def test_changes_policy(get, path, status):
    assert get(f"{BASE}{path}").status_code == status


@pytest.mark.parametrize(
    "query",
    ["", "?metric=on_task_percent", "?metric=nope", "?metric=on_scene_time&per_page=0"],
)
def test_changes_bad_input_is_a_400_naming_the_field(get, query):
    response = get(f"{BASE}/markets/1/changes{query}")
    assert response.status_code == 400
    field = "per_page" if "per_page" in query else "metric"
    assert response.json()["field"] == field
    if field == "metric":  # the drill-down's own metrics, not the ranking's shift metric
        message = response.json()["message"]
        assert "on_scene_time" in message and "net_promoter_score" in message
        assert "on_task_percent" not in message


def test_a_non_leader_may_not_see_changes(client):
    token = sign(claims(market_role="APP"))
    response = client.get(f"{BASE}/markets/1/changes?metric=on_scene_time", headers=bearer(token))
    assert response.status_code == 403


# ---------------------------------------------------------------------------- uncertainty


def test_market_metrics_carry_intervals_counts_and_noise(get):
    body = get(f"{BASE}/markets/1").json()
    assert (body["visit_count"], body["survey_answer_count"]) == (80, 50)
    assert body["on_scene_time_median_seconds_ci_low"] == 1800
    assert body["on_scene_time_median_seconds_ci_high"] == 2050
    assert body["chart_closure_rate_ci_low"] == 0.755
    assert body["survey_capture_rate_week_change_within_noise"] is False
    assert body["net_promoter_score_week_change_within_noise"] is True
    empty = get(f"{BASE}/markets/3").json()
    assert (empty["visit_count"], empty["survey_answer_count"]) == (0, 0)
    assert empty["chart_closure_rate_ci_low"] is None
    assert empty["chart_closure_rate_week_change_within_noise"] is None


def test_ranking_rows_carry_n_interval_and_noise(get):
    page = get(f"{BASE}/markets/1/providers?job_title=APP&metric=net_promoter_score").json()
    row = next(item for item in page["items"] if item["provider"]["provider_id"] == 101)
    assert (row["value"], row["ci_low"], row["ci_high"]) == (85.5, 80.1, 90.9)
    assert (row["count"], row["week_change_within_noise"]) == (30, True)
    on_scene = get(f"{BASE}/markets/1/providers?job_title=APP&metric=on_scene_time").json()
    row = next(item for item in on_scene["items"] if item["provider"]["provider_id"] == 101)
    assert (row["count"], row["week_change_within_noise"]) == (60, False)
    on_task = get(f"{BASE}/markets/1/providers?job_title=APP&metric=on_task_percent").json()
    assert {(i["ci_low"], i["count"], i["week_change_within_noise"]) for i in on_task["items"]} == {
        (None, None, None)
    }


def test_provider_and_market_provider_metrics_carry_intervals(get):
    provider = get(f"{BASE}/providers/101").json()
    assert (provider["visit_count"], provider["survey_answer_count"]) == (80, 45)
    assert provider["abx_prescribing_rate_ci_high"] == 0.3
    assert provider["abx_prescribing_rate_week_change_within_noise"] is True
    assert "on_task_percent_ci_low" not in provider  # a shift metric: no interval
    pair = get(f"{BASE}/markets/1/providers/101").json()
    assert (pair["visit_count"], pair["survey_answer_count"]) == (60, 30)
    assert pair["on_scene_time_week_change_seconds_within_noise"] is False


def test_history_points_carry_the_interval_fields(get):
    body = get(f"{BASE}/markets/1/history?interval=day&points=2").json()
    newest, before = body["items"][-1], body["items"][0]
    assert newest["survey_answer_count"] == 50 and newest["chart_closure_rate_ci_high"] == 0.91
    assert before["as_of_date"] == "2026-11-19" and before["chart_closure_rate_ci_high"] is None
