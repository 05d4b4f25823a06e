"""My Performance Hub on the hand-written rows of app_data.sql (published minimum 15
visits): exact answers for the marquee, the distribution's 5-ranked rule, withholding per
market row, the look back and the latest day's shifts with their phases."""

from __future__ import annotations

from api_support import bearer, claims, sign

ME = "/v1/performance-hub/me"


def as_user(user_id: object, **extra: object) -> dict[str, str]:
    # a lead's token of market 999 only: personal routes never read the markets claim
    return bearer(sign(claims(markets=[999], user_id=user_id, **extra)))


def test_marquee_is_the_best_three_with_enough_visits_and_names_no_id(get):
    body = get(f"{ME}/peer-rankings", headers=as_user(101), market_id=1).json()
    assert body["marquee"] == [
        {"first_name": "Bob", "last_name": "Jones", "avatar_url": None, "value": 1500,
         "rank": 1, "is_me": False},
        {"first_name": "Cara", "last_name": "Brown", "avatar_url": None, "value": 1800,
         "rank": 2, "is_me": False},
        {"first_name": "Ann", "last_name": "Smith", "avatar_url": "https://img.example/101.png",
         "value": 1800, "rank": 2, "is_me": True},
    ]  # fmt: skip
    assert body["distribution"] == [1500, 1800, 1800, 2000, 2100, 2400]
    assert (body["ranked_providers"], body["job_title"], body["personal_min_visits"]) == (
        6, "APP", 15
    )  # fmt: skip
    assert body["me"] == {
        "metric": "on_scene_time_median_seconds",
        "value": 1800,
        "week_change": 30,
        "rank": 2,
        "ranked_providers": 6,
        "goal": 2000,
        "goal_direction": "at_most",
        "meets_goal": True,  # market 1's APP goal: at most 2000 s
        "status": "ok",
        "visits_needed": 0,
    }


def test_fewer_than_five_ranked_send_no_distribution(get):
    body = get(f"{ME}/peer-rankings", headers=as_user(101), market_id=2).json()
    assert body["ranked_providers"] == 2 and body["distribution"] is None
    assert [peer["last_name"] for peer in body["marquee"]] == ["Smith"]  # Payne: 12 visits


def test_a_market_row_below_the_minimum_is_withheld_but_on_task(get):
    body = get(f"{ME}/markets/2", headers=as_user(112)).json()
    assert (body["visit_count"], body["personal_min_visits"]) == (12, 15)
    by_metric = {m["metric"]: m for m in body["metrics"]}
    assert by_metric["on_task_percent"] == {
        "metric": "on_task_percent", "value": 68.0, "week_change": None, "rank": 2,
        "ranked_providers": 2, "goal": None, "goal_direction": None, "meets_goal": None,
        "status": "ok", "visits_needed": 0,
    }  # fmt: skip
    assert by_metric["on_scene_time_median_seconds"] == {
        "metric": "on_scene_time_median_seconds", "value": None, "week_change": None,
        "rank": None, "ranked_providers": 2, "goal": 1800, "goal_direction": "at_most",
        "meets_goal": None, "status": "not_enough_visits", "visits_needed": 3,
    }  # fmt: skip


def test_look_back_days_oldest_first_and_the_latest_days_shifts(get):
    body = get(f"{ME}/look-back", headers=as_user("101")).json()
    assert [d["service_date"] for d in body["days"]] == ["2026-11-17", "2026-11-19"]
    assert body["days"][1] == {
        "service_date": "2026-11-19", "market_group_id": 10, "market_group_name": "Colorado",
        "patients_seen": 5, "on_shift_seconds": 36000, "group_clinicians": 3,
        "group_average_patients_seen": 4.33, "group_average_on_shift_seconds": 30000.5,
    }  # fmt: skip
    assert body["latest_shift_date"] == "2026-11-19"
    (shift,) = body["latest_shifts"]
    assert shift["shift_team_id"] == 9001 and shift["patients_seen"] == 5
    assert [p["phase"] for p in shift["breakdowns"]] == ["idle", "en_route", "on_scene", "on_break"]


def test_a_clinician_without_shifts_has_an_empty_look_back(get):
    body = get(f"{ME}/look-back", headers=as_user(110)).json()
    assert (body["days"], body["latest_shift_date"], body["latest_shifts"]) == ([], None, [])


def test_me_of_a_clinician_and_of_a_manager(get):
    me = get(ME, headers=as_user(105)).json()
    assert me["provider"]["last_name"] == "Stone" and me["visit_count"] == 40
    assert me["is_lead"] is True and me["default_view"] == "personal"  # a Lead APP token
    manager = get(ME, headers=bearer(sign(claims(market_role="RDO")))).json()
    assert (manager["provider"], manager["user_id"], manager["default_view"]) == (
        None, None, "leader_hub"
    )  # fmt: skip
    assert get(f"{ME}/visits", headers=bearer(sign(claims(market_role="RDO")))).status_code == 403
