"""Bad input is a 400 that names the field, never a 500, and never echoes the value."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from api.params import SHIFT_HISTORY_DAYS

LEADER = "/v1/leader-hub-metrics"
RANKING = f"{LEADER}/markets/1/providers?job_title=APP"
VISITS = f"{LEADER}/providers/101/provider-visits"
SHIFTS = f"{LEADER}/providers/101/provider-shifts"
FRAUD = "/v1/fraud-reports"
AUTHORIZATIONS = f"{FRAUD}/authorizations?type=DOCTOR&settlement_type=CITY"

TOO_BIG = "9223372036854775808"  # 2^63: does not fit bigint

CASES = [
    # ids: wrong type, below 1, beyond bigint
    (f"{LEADER}/markets/abc", "market_id"),
    (f"{LEADER}/markets/0", "market_id"),
    (f"{LEADER}/markets/-1", "market_id"),
    (f"{LEADER}/markets/1.5", "market_id"),
    (f"{LEADER}/markets/{TOO_BIG}", "market_id"),
    (f"{LEADER}/markets/1/providers/abc", "provider_id"),
    (f"{LEADER}/markets/1/providers/{TOO_BIG}", "provider_id"),
    (f"{LEADER}/providers/0", "provider_id"),
    (f"{LEADER}/providers/{TOO_BIG}", "provider_id"),
    (f"{LEADER}/providers/x/markets", "provider_id"),
    (f"{LEADER}/providers/1e3/provider-visits", "provider_id"),
    (f"{LEADER}/providers/+101", "provider_id"),
    (f"{LEADER}/markets/1e0", "market_id"),
    (f"{LEADER}/markets/%2B1/providers?job_title=APP", "market_id"),
    (f"{LEADER}/providers/%20/provider-shifts", "provider_id"),
    (f"{LEADER}/provider-shifts/0/provider-shift-breakdowns", "shift_team_id"),
    (f"{LEADER}/provider-shifts/{TOO_BIG}/provider-shift-breakdowns", "shift_team_id"),
    # paging
    (f"{RANKING}&per_page=0", "per_page"),
    (f"{RANKING}&per_page=101", "per_page"),
    (f"{RANKING}&per_page=ten", "per_page"),
    (f"{RANKING}&page=0", "page"),
    (f"{RANKING}&page=-3", "page"),
    (f"{RANKING}&page=1000001", "page"),
    (f"{RANKING}&page={TOO_BIG}", "page"),
    (f"{VISITS}?per_page=1000", "per_page"),
    (f"{SHIFTS}?page=x", "page"),
    (f"{FRAUD}/phone-numbers?per_page=0", "per_page"),
    (f"{AUTHORIZATIONS}&page=0", "page"),
    # enums and required parameters
    (f"{LEADER}/markets/1/providers", "job_title"),
    (f"{LEADER}/markets/1/providers?job_title=app", "job_title"),
    (f"{LEADER}/markets/1/providers?job_title=NURSE", "job_title"),
    (f"{RANKING}&metric=speed", "metric"),
    (f"{RANKING}&metric=", "metric"),
    (f"{SHIFTS}?sort=sideways", "sort"),
    (f"{SHIFTS}?last_days=0", "last_days"),
    (f"{SHIFTS}?last_days={SHIFT_HISTORY_DAYS + 1}", "last_days"),
    (f"{SHIFTS}?last_days=week", "last_days"),
    (f"{VISITS}?is_abx_prescribed=maybe", "is_abx_prescribed"),
    (f"{VISITS}?is_escalated=2", "is_escalated"),
    (f"{FRAUD}/authorizations?settlement_type=CITY", "type"),
    (f"{FRAUD}/authorizations?type=DOCTOR", "settlement_type"),
    (f"{FRAUD}/authorizations?type=PERSON&settlement_type=CITY", "type"),
    (f"{FRAUD}/authorizations?type=DOCTOR&settlement_type=VILLAGE", "settlement_type"),
    (f"{FRAUD}/doctors?min_patients_qty=-1", "min_patients_qty"),
    (f"{FRAUD}/doctors?min_patients_qty=many", "min_patients_qty"),
    (f"{FRAUD}/doctors?min_patient_increase_30d=abc", "min_patient_increase_30d"),
    (f"{FRAUD}/doctors?min_patient_increase_30d=nan", "min_patient_increase_30d"),
    (f"{FRAUD}/doctors?min_patient_increase_30d=inf", "min_patient_increase_30d"),
    (f"{FRAUD}/doctors?min_patient_increase_30d_0=1.5", "min_patient_increase_30d_0"),
    # a parameter given twice (Litestar alone keeps the last one, hiding a bad first one)
    (
        f"{FRAUD}/doctors?min_patient_increase_30d_0=2625101847704514&min_patient_increase_30d_0=1",
        "min_patient_increase_30d_0",
    ),
    (f"{RANKING}&page=1&page=2", "page"),
    (f"{VISITS}?search=a&search=b", "search"),
    # search: NUL bytes and over-long strings
    (f"{RANKING}&search=ab%00cd", "search"),
    (f"{RANKING}&search={'x' * 201}", "search"),
    (f"{VISITS}?search=Garcia%00", "search"),
    (f"{VISITS}?search={'Garcia' * 40}", "search"),
]


@pytest.mark.parametrize(("path", "field"), CASES)
def test_bad_parameter_is_400_naming_the_field(client, lead_headers, analyst_headers, path, field):
    headers = analyst_headers if path.startswith(FRAUD) else lead_headers
    response = client.get(path, headers=headers)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "bad_request" and body["status"] == 400
    assert body["field"] == field
    assert body["message"].startswith(field)
    assert "Garcia" not in response.text  # a search value is never echoed


def test_messages_state_the_rule(get):
    assert get(f"{RANKING}&per_page=500").json()["message"] == (
        "per_page must be a whole number from 1 to 100"
    )
    assert (
        get(f"{LEADER}/markets/1/providers")
        .json()["message"]
        .startswith("job_title is required and must be APP or DHMT")
    )
    metric = get(f"{RANKING}&metric=speed").json()["message"]
    assert "on_scene_time" in metric and "speed" not in metric


def test_search_of_200_characters_is_fine(get):
    assert get(f"{RANKING}&search={'x' * 200}").status_code == 200


@pytest.mark.parametrize("value", ["1", "true", "True", "0", "false"])
def test_boolean_filters_accept_the_usual_spellings(get, value):
    assert get(f"{VISITS}?is_abx_prescribed={value}").status_code == 200


def test_unknown_path_and_method_use_the_error_shape(client, lead_headers):
    missing = client.get("/v1/nothing-here", headers=lead_headers)
    assert missing.status_code == 404
    assert missing.json() == {
        "status": 404,
        "error": "not_found",
        "message": "no such resource",
        "field": None,
    }
    post = client.post(f"{LEADER}/markets", headers=lead_headers)
    assert post.status_code == 405 and post.json()["error"] == "method_not_allowed"


def test_shift_window_limit_matches_the_dbt_var():
    project = yaml.safe_load((Path(__file__).parents[3] / "dbt_project.yml").read_text())
    assert project["vars"]["shift_history_days"] == SHIFT_HISTORY_DAYS
