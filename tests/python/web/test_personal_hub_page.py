"""My Performance Hub (#/me) in a real headless Chromium, over the real published build.

The journeys of a clinician, a clinician with too few visits, a Lead APP who is also a
clinician (switching between "My performance" and "Leader's view") and a manager (who
lands on the Leader Hub). Every figure on screen is compared with the app database,
formatted by the page's rules (page_expect); screenshots go to tests/artifacts/web/.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from page_expect import APP_HEADER, formatted, one, rows, shot, us_date
from playwright.sync_api import Page, expect
from web_support import requires_chromium

pytestmark = requires_chromium

DHMT_TILES = {
    **{k: v for k, v in APP_HEADER.items() if k != "chart_closure_rate"},
    "survey_capture_rate": ("survey_capture_rate", "rate"),
}
RANK = {
    "on_scene_time": ("on_scene_time_median_seconds", "on_scene_time_rank"),
    "chart_closure_rate": ("chart_closure_rate", "chart_closure_rate_rank"),
}


# ------------------------------------------------------------------- expected


def settings_row(app_db: Any) -> dict:
    return one(app_db, "select * from leader_hub.personal_settings")


def provider_row(app_db: Any, provider_id: int) -> dict:
    return one(
        app_db,
        """select p.*, m.* from leader_hub.providers p
        join leader_hub.provider_metrics m using (provider_id) where provider_id = %(p)s""",
        {"p": provider_id},
    )


def goals(app_db: Any, job_title: str, market_id: int) -> dict[str, dict]:
    """The goals mart's scope: {metric: {goal, direction}}."""
    found = rows(
        app_db,
        """select metric, goal, direction from leader_hub.goals
        where job_title = %(t)s and market_id = %(m)s""",
        {"t": job_title, "m": market_id},
    )
    return {g["metric"]: g for g in found}


def goal_text(goal: dict, kind: str) -> str:
    sign = "\u2264" if goal["direction"] == "at_most" else "\u2265"
    return f"Goal {sign} {formatted(kind, goal['goal'])}"


def meets(value: Any, goal: dict) -> str:
    if value is None:
        return "none"
    ok = value <= goal["goal"] if goal["direction"] == "at_most" else value >= goal["goal"]
    return "met" if ok else "missed"


def sign_in(page: Page, role: str) -> None:
    page.goto("/")
    page.get_by_test_id(f"dev-role-{role}").click()


def dev_user(page: Page, role: str) -> int:
    """The provider id the dev login signs ``role`` in as (its label names them)."""
    roles = page.request.get("/dev/login").json()["items"]
    (found,) = [r for r in roles if r["id"] == role]
    assert found["user_id"] is not None
    return found["user_id"]


# ---------------------------------------------------------------------- checks


def expect_tiles(page: Page, app_db: Any, me: dict, withheld_by: int) -> None:
    """The overall tiles: values, week changes, goals (all-markets scope), or withheld."""
    tiles = page.get_by_test_id("me-tiles")
    scope = goals(app_db, "ALL", 0)
    expected = DHMT_TILES if me["job_title"] == "DHMT" else APP_HEADER
    expect(tiles.locator(".tile")).to_have_count(len(expected))
    for key, (column, kind) in expected.items():
        held = withheld_by > 0 and key != "on_task_percent"
        value = None if held else me[column]
        if held:
            expect(tiles.get_by_test_id(f"tile-{key}-value")).to_have_text("Withheld")
            expect(tiles.get_by_test_id(f"tile-{key}-withheld")).to_have_text(
                f"Not enough visits: {withheld_by} more needed"
            )
        else:
            expect(tiles.get_by_test_id(f"tile-{key}-value")).to_have_text(formatted(kind, value))
            expect(tiles.get_by_test_id(f"tile-{key}-withheld")).to_have_count(0)
        if key != "on_task_percent" and not held:
            expect(tiles.get_by_test_id(f"tile-{key}-basis")).to_have_text(
                f"based on {me['visit_count']} visits"
            )
        goal = tiles.get_by_test_id(f"tile-{key}-goal")
        if column in scope:
            expect(goal).to_contain_text(goal_text(scope[column], kind))
            expect(goal).to_have_attribute("data-meets", meets(value, scope[column]))
        else:
            expect(goal).to_have_count(0)


def first_market(app_db: Any, provider_id: int) -> dict:
    return one(
        app_db,
        """select m.market_id, m.name from leader_hub.markets_active_providers a
        join leader_hub.markets m using (market_id) where a.provider_id = %(p)s
        order by m.name, m.market_id limit 1""",
        {"p": provider_id},
    )


def expect_peer_ranking(page: Page, app_db: Any, me: dict, min_visits: int) -> None:
    """At most 3 names (the marquee) and the clinician's own position; no other name."""
    market = first_market(app_db, me["provider_id"])
    value, rank = RANK["on_scene_time"]
    peers = rows(
        app_db,
        f"""select p.provider_id, p.first_name, p.last_name, m.visit_count,
            m.{value} as value, m.{rank} as rank, m.ranked_providers_on_scene_time as ranked
        from leader_hub.market_provider_metrics m join leader_hub.providers p using (provider_id)
        where m.market_id = %(m)s and m.job_title = %(t)s
        order by m.{rank} nulls last, p.last_name, p.first_name, p.provider_id""",
        {"m": market["market_id"], "t": me["job_title"]},
    )
    marquee = [p for p in peers if p["rank"] is not None and p["visit_count"] >= min_visits][:3]
    section = page.get_by_test_id("peer-ranking")
    expect(page.get_by_test_id("peer-market-select")).to_have_value(str(market["market_id"]))
    names = section.get_by_test_id("marquee-name")
    expect(names).to_have_count(len(marquee))
    expect(names).to_have_text(
        [
            f"{p['first_name']} {p['last_name']}"
            + (" (you)" if p["provider_id"] == me["provider_id"] else "")
            for p in marquee
        ]
    )
    (own,) = [p for p in peers if p["provider_id"] == me["provider_id"]]
    position = section.get_by_test_id("own-position")
    if own["visit_count"] < min_visits:
        expect(position).to_have_text(
            f"Not enough visits: {min_visits - own['visit_count']} more needed"
        )
    else:
        value_text = formatted("duration", own["value"])
        expect(position).to_have_text(
            f"You: rank {own['rank']} of {own['ranked']} \u00b7 {value_text}"
        )
    shown = section.inner_text()
    for other in peers:
        if other in marquee or other["provider_id"] == me["provider_id"]:
            continue
        assert f"{other['first_name']} {other['last_name']}" not in shown
    ranked = [p for p in peers if p["rank"] is not None]
    expect(section.get_by_test_id("peer-spread")).to_have_count(1 if len(ranked) >= 5 else 0)


def expect_look_back(page: Page, app_db: Any, provider_id: int) -> None:
    """The 7-day chart: the clinician's bars and the group's average line per day."""
    settings = settings_row(app_db)
    as_of, days = settings["as_of_date"], settings["look_back_days"]
    dates = [as_of - timedelta(days=days - 1 - i) for i in range(days)]
    by_day = {
        r["service_date"]: r
        for r in rows(
            app_db,
            "select * from leader_hub.provider_look_back_days where provider_id = %(p)s",
            {"p": provider_id},
        )
    }
    chart = page.get_by_test_id("look-back-patients")
    expect(chart.locator(".main-svg").first).to_be_attached()
    drawn = chart.evaluate("el => ({x: el.data[0].x, you: el.data[0].y, group: el.data[1].y})")
    assert drawn["x"] == [d.isoformat() for d in dates]
    assert drawn["you"] == [by_day[d]["patients_seen"] if d in by_day else None for d in dates]
    assert drawn["group"] == [
        None if d not in by_day else pytest.approx(float(by_day[d]["group_average_patients_seen"]))
        for d in dates
    ]
    latest = rows(
        app_db,
        """select * from leader_hub.provider_latest_shifts where provider_id = %(p)s
        order by start_time, shift_team_id""",
        {"p": provider_id},
    )
    expect(page.get_by_test_id("latest-shift-row")).to_have_count(len(latest))
    if latest:
        expect(page.get_by_test_id("latest-shift-date")).to_have_text(
            f"Your latest shift day: {us_date(max(r['service_date'] for r in latest))}"
        )


def expect_visits_and_shifts(page: Page, app_db: Any, provider_id: int) -> None:
    visits = rows(
        app_db,
        """select * from leader_hub.provider_visits where provider_id = %(p)s
        order by completed_at desc nulls last, care_request_id desc""",
        {"p": provider_id},
    )
    expect(page.get_by_test_id("visit-row")).to_have_count(min(10, len(visits)))
    expect(page.get_by_test_id("visits-pager")).to_contain_text(f"{len(visits)} visit")
    if visits:
        expect(page.get_by_test_id("visit-row").first).to_contain_text(
            visits[0]["patient_athena_id"]
        )
    shifts = rows(
        app_db,
        """select * from leader_hub.provider_shifts where provider_id = %(p)s
        order by start_time desc, shift_team_id desc""",
        {"p": provider_id},
    )
    expect(page.get_by_test_id("shift-row")).to_have_count(min(10, len(shifts)))
    if shifts:
        expect(page.get_by_test_id("shift-row").first).to_contain_text(
            us_date(shifts[0]["service_date"])
        )


# ------------------------------------------------------------------------ tests


def test_clinician_lands_on_their_own_hub(page: Page, app_db, artifacts: Path) -> None:
    provider_id = dev_user(page, "clinician")
    me = provider_row(app_db, provider_id)
    min_visits = settings_row(app_db)["personal_min_visits"]
    assert me["visit_count"] >= min_visits
    sign_in(page, "clinician")
    expect(page.get_by_test_id("personal-hub")).to_be_visible()
    assert page.url.endswith("#/me")
    expect(page.get_by_test_id("me-name")).to_have_text(f"{me['first_name']} {me['last_name']}")
    expect(page.get_by_test_id("who")).to_contain_text(me["last_name"])
    expect(page.get_by_test_id("view-switch")).to_be_hidden()  # no leader role
    expect(page.get_by_test_id("me-basis")).to_contain_text(f"based on {me['visit_count']} visits")
    expect_tiles(page, app_db, me, 0)
    expect_peer_ranking(page, app_db, me, min_visits)
    expect_look_back(page, app_db, provider_id)
    expect_visits_and_shifts(page, app_db, provider_id)
    shot(page, artifacts, "personal-01-clinician")

    # another metric of the peer ranking, in the same market
    page.get_by_test_id("peer-tab-chart_closure_rate").click()
    value, rank = RANK["chart_closure_rate"]
    market = first_market(app_db, provider_id)
    own = one(
        app_db,
        f"""select {value} as value, {rank} as rank, ranked_providers_chart_closure_rate as n
        from leader_hub.market_provider_metrics where market_id = %(m)s and provider_id = %(p)s""",
        {"m": market["market_id"], "p": provider_id},
    )
    if own["rank"] is not None:
        expect(page.get_by_test_id("own-position")).to_have_text(
            f"You: rank {own['rank']} of {own['n']} \u00b7 {formatted('rate', own['value'])}"
        )

    # a clinician cannot open the Leader Hub: it says so
    page.goto("/#/hub")
    expect(page.get_by_test_id("hub-error")).to_contain_text("Not allowed")


def test_clinician_with_too_few_visits_sees_what_is_missing(
    page: Page, app_db, artifacts: Path
) -> None:
    provider_id = dev_user(page, "clinician-few-visits")
    me = provider_row(app_db, provider_id)
    min_visits = settings_row(app_db)["personal_min_visits"]
    needed = min_visits - me["visit_count"]
    assert needed > 0
    sign_in(page, "clinician-few-visits")
    expect(page.get_by_test_id("personal-hub")).to_be_visible()
    expect(page.get_by_test_id("me-basis")).to_contain_text(
        f"Not enough visits: {needed} more needed"
    )
    expect_tiles(page, app_db, me, needed)
    shot(page, artifacts, "personal-02-withheld")


def test_lead_app_switches_between_their_hub_and_the_leader_hub(
    page: Page, app_db, artifacts: Path
) -> None:
    provider_id = dev_user(page, "lead-app-clinician")
    me = provider_row(app_db, provider_id)
    sign_in(page, "lead-app-clinician")
    expect(page.get_by_test_id("personal-hub")).to_be_visible()
    switch = page.get_by_test_id("view-switch")
    expect(switch).to_be_visible()
    expect(page.get_by_test_id("view-me")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("me-name")).to_have_text(f"{me['first_name']} {me['last_name']}")
    expect_tiles(page, app_db, me, 0)
    shot(page, artifacts, "personal-03-lead-own")

    page.get_by_test_id("view-hub").click()
    expect(page.get_by_test_id("hub")).to_be_visible()
    assert re.search(r"#/hub$", page.url)
    expect(page.get_by_test_id("view-hub")).to_have_attribute("aria-current", "page")
    market = one(
        app_db,
        "select market_id from leader_hub.markets order by market_id limit 1",
    )["market_id"]
    expect(page.get_by_test_id("market-select")).to_have_value(str(market))
    metrics = one(
        app_db,
        "select * from leader_hub.market_metrics where market_id = %(m)s",
        {"m": market},
    )
    scope = goals(app_db, "ALL", market)["on_scene_time_median_seconds"]
    goal = page.get_by_test_id("tile-on_scene_time-goal")
    expect(goal).to_contain_text(goal_text(scope, "duration"))
    expect(goal).to_have_attribute(
        "data-meets", meets(metrics["on_scene_time_median_seconds"], scope)
    )
    expect(page.get_by_test_id("ranking-row").first.get_by_test_id("ranking-goal")).to_contain_text(
        formatted("duration", goals(app_db, "APP", market)["on_scene_time_median_seconds"]["goal"])
    )
    shot(page, artifacts, "personal-04-lead-leader-view")

    page.get_by_test_id("view-me").click()
    expect(page.get_by_test_id("personal-hub")).to_be_visible()
    expect(page.get_by_test_id("view-me")).to_have_attribute("aria-current", "page")


def test_manager_lands_on_the_leader_hub(page: Page) -> None:
    sign_in(page, "market-manager")
    expect(page.get_by_test_id("hub")).to_be_visible()
    assert page.url.endswith("#/hub")
    expect(page.get_by_test_id("view-switch")).to_be_hidden()
    page.goto("/#/me")
    expect(page.get_by_test_id("personal-hub")).to_contain_text("not a clinician")
