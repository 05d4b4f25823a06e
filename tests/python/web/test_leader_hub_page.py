"""The Leader Hub page in a real headless Chromium, over the real published build.

Debian's ``chromium`` driven by Playwright's Python package (never a browser download).
Each step asserts what the page shows against the app database and saves a screenshot
under tests/artifacts/web/. Skipped, with the reason, where /usr/bin/chromium is missing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from page_expect import MINUS, _fixed, duration, one, rate, rows, score, shot, us_date
from playwright.sync_api import Page, Route, expect
from web_support import requires_chromium

from api.tokens import mint_dev_token

pytestmark = requires_chromium


def market_metrics(conn, market_id: int) -> dict:
    return one(
        conn,
        """select m.name, mm.* from leader_hub.markets m
        left join leader_hub.market_metrics mm using (market_id) where m.market_id = %(m)s""",
        {"m": market_id},
    )


def ranking(conn, market_id: int, job_title: str, value: str, rank: str) -> list[dict]:
    """The API's ranking order: rank (nulls last), last name, first name, id."""
    return rows(
        conn,
        f"""select p.provider_id, p.first_name, p.last_name, m.{value} as value,
            m.{rank} as rank
        from leader_hub.market_provider_metrics m
        join leader_hub.providers p using (provider_id)
        where m.market_id = %(m)s and p.job_title = %(t)s
        order by m.{rank} nulls last, p.last_name, p.first_name, p.provider_id""",
        {"m": market_id, "t": job_title},
    )


def expect_tiles(page: Page, metrics: dict) -> None:
    expect(page.get_by_test_id("tile-on_scene_time-value")).to_have_text(
        duration(metrics["on_scene_time_median_seconds"])
    )
    expect(page.get_by_test_id("tile-survey_capture_rate-value")).to_have_text(
        rate(metrics["survey_capture_rate"])
    )
    expect(page.get_by_test_id("tile-chart_closure_rate-value")).to_have_text(
        rate(metrics["chart_closure_rate"])
    )
    expect(page.get_by_test_id("tile-net_promoter_score-value")).to_have_text(
        score(metrics["net_promoter_score_average"])
    )
    # direction colour: a longer on-scene time is bad, a higher rate or NPS is good
    on_scene = metrics["on_scene_time_week_change_seconds"]
    if on_scene:
        tone = "bad" if on_scene > 0 else "good"
        expect(page.get_by_test_id("tile-on_scene_time-change")).to_have_attribute(
            "data-tone", tone
        )
    nps = metrics["net_promoter_score_week_change"]
    if nps:
        tone = "good" if nps > 0 else "bad"
        expect(page.get_by_test_id("tile-net_promoter_score-change")).to_have_attribute(
            "data-tone", tone
        )


def sign_in_as_market_manager(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_test_id("login")).to_be_visible()
    page.get_by_test_id("dev-role-market-manager").click()
    expect(page.get_by_test_id("hub")).to_be_visible()


# --------------------------------------------------------------------------- tests


def test_market_manager_journey(page: Page, app_db, artifacts: Path) -> None:
    markets = rows(
        app_db, "select market_id, name from leader_hub.markets order by market_id limit 3"
    )
    by_name = sorted(markets, key=lambda m: (m["name"], m["market_id"]))

    # 1. open the hub as a Market Manager (dev login)
    page.goto("/")
    expect(page.get_by_test_id("dev-role-market-manager")).to_have_text(
        "Market Manager of markets " + ",".join(str(m["market_id"]) for m in markets)
    )
    shot(page, artifacts, "01-login")
    page.get_by_test_id("dev-role-market-manager").click()
    switcher = page.get_by_test_id("market-select")
    expect(switcher.locator("option")).to_have_text([m["name"] for m in by_name])
    first = by_name[0]["market_id"]
    expect(switcher).to_have_value(str(first))
    expect(page.get_by_test_id("who")).to_contain_text("Market Manager")
    as_of = one(app_db, "select as_of_date from leader_hub.market_metrics limit 1")["as_of_date"]
    expect(page.get_by_test_id("as-of")).to_have_text(f"Data as of {us_date(as_of)}")
    expect_tiles(page, market_metrics(app_db, first))
    expected = ranking(app_db, first, "APP", "on_scene_time_median_seconds", "on_scene_time_rank")
    table_rows = page.get_by_test_id("ranking-row")
    expect(table_rows).to_have_count(min(10, len(expected)))
    ranked = sum(1 for r in expected if r["rank"] is not None)
    expect(table_rows.first.get_by_test_id("ranking-rank")).to_have_text(
        f"rank {expected[0]['rank']} of {ranked}"
    )
    expect(table_rows.first.get_by_test_id("ranking-value")).to_have_text(
        duration(expected[0]["value"])
    )
    pages = -(-len(expected) // 10)
    expect(page.get_by_test_id("ranking-pager-page")).to_have_text(f"Page 1 of {pages}")
    shot(page, artifacts, "02-hub")

    # 2. switch market
    second = by_name[1]["market_id"]
    switcher.select_option(str(second))
    metrics = market_metrics(app_db, second)
    expect(page.get_by_test_id("market-name")).to_contain_text(metrics["name"])
    expect_tiles(page, metrics)
    expected = ranking(app_db, second, "APP", "on_scene_time_median_seconds", "on_scene_time_rank")
    expect(page.get_by_test_id("ranking-pager")).to_contain_text(
        f"{len(expected)} care team members"
    )
    expect(table_rows.first).to_contain_text(expected[0]["last_name"])
    shot(page, artifacts, "03-switch-market")

    # 3. search by name: rows filter, ranks stay the market's
    target = expected[min(2, len(expected) - 1)]
    page.get_by_test_id("ranking-search").fill(target["last_name"])
    term = target["last_name"].lower()
    matches = [r for r in expected if term in f"{r['first_name']} {r['last_name']}".lower()]
    expect(table_rows).to_have_count(min(10, len(matches)))
    target_row = table_rows.and_(page.locator(f"[data-provider-id='{target['provider_id']}']"))
    expect(target_row.get_by_test_id("ranking-rank")).to_have_text(
        f"rank {target['rank']} of {sum(1 for r in expected if r['rank'] is not None)}"
    )
    shot(page, artifacts, "04-search")

    # 4. change position and tab: DHMT by survey capture
    page.get_by_test_id("ranking-search").fill("")
    page.get_by_test_id("position-filter").select_option("DHMT")
    expect(page.get_by_test_id("ranking-tabs").get_by_role("tab")).to_have_text(
        ["On-scene time", "Survey capture", "Patient NPS"]
    )
    page.get_by_test_id("tab-survey_capture_rate").click()
    expect(page.get_by_test_id("tab-survey_capture_rate")).to_have_attribute(
        "aria-selected", "true"
    )
    expect(page.get_by_test_id("ranking-table").locator("th").nth(3)).to_have_text("Survey capture")
    expected = ranking(app_db, second, "DHMT", "survey_capture_rate", "survey_capture_rate_rank")
    ranked = sum(1 for r in expected if r["rank"] is not None)
    expect(table_rows.first.get_by_test_id("ranking-rank")).to_have_text(
        f"rank {expected[0]['rank']} of {ranked}"
    )
    expect(table_rows.get_by_test_id("ranking-value")).to_have_text(
        [rate(r["value"]) for r in expected[:10]]
    )
    expect(table_rows.first).to_contain_text("DHMT")
    shot(page, artifacts, "05-tab")

    # 5. open a provider
    provider = expected[0]
    table_rows.first.click()
    expect(page.get_by_test_id("provider-page")).to_be_visible()
    assert re.search(rf"#/providers/{provider['provider_id']}$", page.url)
    overall = one(
        app_db,
        "select * from leader_hub.provider_metrics where provider_id = %(p)s",
        {"p": provider["provider_id"]},
    )
    name = f"{provider['first_name']} {provider['last_name']}"
    expect(page.get_by_test_id("provider-name")).to_have_text(name)
    expect(page.get_by_test_id("provider-title")).to_have_text("DHMT")
    header = page.get_by_test_id("provider-metrics")
    expect(header.get_by_test_id("tile-survey_capture_rate-value")).to_have_text(
        rate(overall["survey_capture_rate"])
    )
    expect(header.get_by_test_id("tile-chart_closure_rate")).to_have_count(0)
    expect(header.get_by_test_id("tile-on_scene_time-value")).to_have_text(
        duration(overall["on_scene_time_median_seconds"])
    )
    # abx is an APP metric: NULL for a DHMT, shown as "No data", never 0
    assert overall["abx_prescribing_rate"] is None
    expect(header.get_by_test_id("tile-abx_prescribing_rate-value")).to_have_text("No data")

    visits = rows(
        app_db,
        """select * from leader_hub.provider_visits where provider_id = %(p)s
        order by completed_at desc nulls last, care_request_id desc""",
        {"p": provider["provider_id"]},
    )
    visit_rows = page.get_by_test_id("visit-row")
    expect(visit_rows).to_have_count(min(10, len(visits)))
    expect(visit_rows.first).to_contain_text(visits[0]["patient_athena_id"])
    expect(visit_rows.first).to_contain_text(us_date(visits[0]["service_date"]))
    escalated = [v for v in visits if v["is_escalated"]]
    page.get_by_test_id("visit-escalated").select_option("true")
    expect(page.get_by_test_id("visits-pager")).to_contain_text(f"{len(escalated)} visit")
    if escalated:
        expect(visit_rows.first).to_contain_text(escalated[0]["patient_athena_id"])
    page.get_by_test_id("visit-escalated").select_option("")
    page.get_by_test_id("visit-search").fill(visits[0]["patient_athena_id"])
    expect(visit_rows.first).to_contain_text(visits[0]["patient_athena_id"])

    their_markets = rows(
        app_db,
        """select m.market_id, m.name from leader_hub.markets_active_providers a
        join leader_hub.markets m using (market_id) where a.provider_id = %(p)s
        order by m.name, m.market_id""",
        {"p": provider["provider_id"]},
    )
    market_select = page.get_by_test_id("provider-market-select")
    expect(market_select).to_have_value(str(their_markets[0]["market_id"]))
    in_market = one(
        app_db,
        """select * from leader_hub.market_provider_metrics
        where market_id = %(m)s and provider_id = %(p)s""",
        {"m": their_markets[0]["market_id"], "p": provider["provider_id"]},
    )
    performance = page.get_by_test_id("provider-market-metrics")
    expect(performance.get_by_test_id("tile-on_task_percent-value")).to_have_text(
        "No data"
        if in_market["on_task_percent"] is None
        else f"{_fixed(in_market['on_task_percent'], 1)}%"
    )
    if in_market["survey_capture_rate_rank"] is not None:
        expect(performance.get_by_test_id("tile-survey_capture_rate-rank")).to_have_text(
            f"rank {in_market['survey_capture_rate_rank']}"
            f" of {in_market['ranked_providers_survey_capture_rate']}"
        )

    shifts = rows(
        app_db,
        """select * from leader_hub.provider_shifts where provider_id = %(p)s
        order by start_time desc, shift_team_id desc""",
        {"p": provider["provider_id"]},
    )
    assert shifts, "the provider has shifts in the shift history window"
    shift_rows = page.get_by_test_id("shift-row")
    expect(shift_rows).to_have_count(min(10, len(shifts)))
    skipped = sum(1 for s in shifts[:10] if s["is_break_skipped"])
    expect(page.get_by_test_id("shifts-table").get_by_test_id("break-skipped")).to_have_count(
        skipped
    )
    first_shift = shifts[0]
    expect(shift_rows.first).to_contain_text(us_date(first_shift["service_date"]))
    expect(shift_rows.first.locator("td").nth(3)).to_have_text(
        duration(first_shift["en_route_duration_seconds"])
    )
    shot(page, artifacts, "06-provider")

    # 6. open a shift timeline
    shift_rows.first.get_by_test_id("shift-details").click()
    modal = page.get_by_test_id("shift-modal")
    expect(modal).to_be_visible()
    day = first_shift["service_date"]
    expect(page.get_by_test_id("modal-title")).to_have_text(
        f"Shift breakdown \u00b7 {day.strftime('%B')} {day.day}"
    )
    phases = rows(
        app_db,
        """select phase, count(*) as n from leader_hub.provider_shift_breakdowns
        where shift_team_id = %(s)s and end_time > start_time group by phase""",
        {"s": first_shift["shift_team_id"]},
    )
    assert phases
    timeline = page.get_by_test_id("timeline")
    for phase in phases:
        expect(timeline.get_by_test_id(f"segment-{phase['phase']}")).to_have_count(phase["n"])
    expect(page.get_by_test_id("timeline-legend")).to_contain_text("En route")
    widths = timeline.locator(".segment").evaluate_all(
        "els => els.reduce((sum, el) => sum + el.getBoundingClientRect().width, 0)"
    )
    bar = timeline.evaluate("el => el.clientWidth")
    assert widths <= bar + 1 and widths > 0.5 * bar  # the phases fill the shift
    shot(page, artifacts, "07-shift-timeline", full_page=False)  # the modal is fixed
    page.keyboard.press("Escape")
    expect(modal).to_have_count(0)

    # back to the hub keeps the chosen market, position and tab
    page.get_by_test_id("back").click()
    expect(page.get_by_test_id("market-select")).to_have_value(str(second))
    expect(page.get_by_test_id("tab-survey_capture_rate")).to_have_attribute(
        "aria-selected", "true"
    )


def test_pasted_token_and_a_role_without_leader_hub_access(
    page: Page, settings, app_db, artifacts: Path
) -> None:
    market = one(app_db, "select market_id, name from leader_hub.markets order by market_id")
    token = mint_dev_token(settings, "Lead APP", [market["market_id"]], False)
    page.goto("/")
    page.get_by_test_id("token-input").fill("not a token")
    page.get_by_test_id("token-submit").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("does not look like a JWT")
    page.get_by_test_id("token-input").fill(token)
    page.get_by_test_id("token-submit").click()
    switcher = page.get_by_test_id("market-select")
    expect(switcher.locator("option")).to_have_text([market["name"]])
    expect(switcher).to_be_disabled()
    assert page.evaluate("sessionStorage.getItem('kpi.leaderHub.token')") == token

    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("login")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('kpi.leaderHub.token')") is None
    page.get_by_test_id("dev-role-fraud-analyst").click()
    expect(page.get_by_test_id("fraud")).to_be_visible()  # an analyst lands on #/fraud
    page.goto("/#/hub")
    expect(page.get_by_test_id("hub-error")).to_contain_text("Not allowed")
    shot(page, artifacts, "08-no-leader-role")

    # a rejected token sends the user back to sign in
    # (reloaded where it is, #/hub: a fresh page asks the server with that token)
    page.evaluate("sessionStorage.setItem('kpi.leaderHub.token', 'a.b.c')")
    assert page.url.endswith("#/hub")
    page.reload()
    expect(page.get_by_test_id("login")).to_contain_text("no longer valid")


def test_null_metrics_show_no_data_never_zero(page: Page, app_db, artifacts: Path) -> None:
    """Rows the real build has no NULLs for: the responses are nulled in flight."""

    def null_market(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        for key in list(body):
            if key.endswith(("_seconds", "_rate", "_change", "_average")):
                body[key] = None
        for goal in body["goals"].values():
            goal["meets_goal"] = None  # as the API answers for a NULL value
        route.fulfill(response=response, body=json.dumps(body))

    def null_ranking(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        for item in body["items"][-2:]:
            item.update(value=None, week_change=None, rank=None)
        route.fulfill(response=response, body=json.dumps(body))

    page.route(re.compile(r"/v1/leader-hub-metrics/markets/\d+$"), null_market)
    page.route(re.compile(r"/v1/leader-hub-metrics/markets/\d+/providers\?"), null_ranking)
    sign_in_as_market_manager(page)
    for key in ("on_scene_time", "survey_capture_rate", "chart_closure_rate", "net_promoter_score"):
        expect(page.get_by_test_id(f"tile-{key}-value")).to_have_text("No data")
        expect(page.get_by_test_id(f"tile-{key}-change")).to_have_text("Week change: No data")
    last = page.get_by_test_id("ranking-row").last
    expect(last.get_by_test_id("ranking-value")).to_have_text("No data")
    expect(last.get_by_test_id("ranking-rank")).to_have_text("No data")
    expect(last.locator("td").first).to_have_text("\u2013")
    values = page.get_by_test_id("market-tiles").locator(".tile-value").all_inner_texts()
    assert values == ["No data"] * 4
    # the goal is still shown, neither met nor missed
    goal = page.get_by_test_id("tile-on_scene_time-goal")
    shown = int(page.get_by_test_id("market-select").input_value())
    on_scene = one(
        app_db,
        """select goal from leader_hub.goals where job_title = 'ALL' and market_id = %(m)s
        and metric = 'on_scene_time_median_seconds'""",
        {"m": shown},
    )["goal"]
    expect(goal).to_have_text(f"Goal \u2264 {duration(on_scene)}")
    expect(goal).to_have_attribute("data-meets", "none")
    shot(page, artifacts, "09-no-data")


def test_formatting_rules(page: Page) -> None:
    """The page's formatter (window.leaderHubFormat) on the edge cases."""
    page.goto("/")
    expect(page.get_by_test_id("login")).to_be_visible()
    result = page.evaluate(
        """() => {
        const f = window.leaderHubFormat;
        return [
            f.formatValue("duration", 2700), f.formatValue("duration", 450),
            f.formatValue("duration", 0), f.formatValue("duration", null),
            f.formatValue("rate", 0.6), f.formatValue("rate", 0), f.formatValue("rate", null),
            f.formatValue("percent", 61.94), f.formatValue("score", 88.81),
            f.formatChange("duration", 434), f.formatChange("duration", -286),
            f.formatChange("rate", -0.0375), f.formatChange("score", 0),
            f.formatChange("rate", null),
            f.changeTone("on_scene_time", 434), f.changeTone("on_scene_time", -286),
            f.changeTone("chart_closure_rate", 0.2), f.changeTone("net_promoter_score", -2.62),
            f.changeTone("survey_capture_rate", 0), f.changeTone("survey_capture_rate", null),
            f.formatDate("2026-08-03"), f.formatDate("2026-08-03T23:59:00"),
            f.formatTime("2026-08-03T00:05:00"), f.formatTime("2026-08-03T12:30:00"),
            f.formatTime("2026-08-03T19:26:03"),
        ];
    }"""
    )
    assert result == [
        "45 min", "7.5 min", "0 min", "No data",
        "60.0%", "0.0%", "No data",
        "61.9%", "88.8",
        "+7.2 min", f"{MINUS}4.8 min",
        f"{MINUS}3.8 pts", "no change",
        "No data",
        "bad", "good",
        "good", "bad",
        "flat", "none",
        "08/03/2026", "08/03/2026",
        "12:05 AM", "12:30 PM",
        "7:26 PM",
    ]  # fmt: skip
