"""Why it moved and how much is noise (SPEC §12) on the Leader Hub page, in a real headless
Chromium over the real published build: each market tile and ranking row shows "n = …"
from the app database, a change within noise is greyed out with its interval as a
tooltip, and a click on a week change lists the visits that entered and left the window
(their counts and ids read back against market_visit_changes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
from web_support import requires_chromium, sign_in

pytestmark = requires_chromium

# tile key -> (value column, week-change column), SPEC §6 names
TILES = {
    "on_scene_time": ("on_scene_time_median_seconds", "on_scene_time_week_change_seconds"),
    "survey_capture_rate": ("survey_capture_rate", "survey_capture_rate_week_change"),
    "chart_closure_rate": ("chart_closure_rate", "chart_closure_rate_week_change"),
    "net_promoter_score": ("net_promoter_score_average", "net_promoter_score_week_change"),
}


def market_row(app_db: Any, market: int) -> dict[str, Any]:
    cursor = app_db.execute(
        "select * from leader_hub.market_metrics where market_id = %s", [market]
    )
    names = [column.name for column in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def test_tiles_show_n_and_grey_out_a_change_within_noise(page: Page, app_db: Any) -> None:
    market = sign_in(page)
    row = market_row(app_db, market)
    tiles = page.get_by_test_id("market-tiles")
    for key, (value, change) in TILES.items():
        count = row["survey_answer_count" if key == "net_promoter_score" else "visit_count"]
        expect(tiles.get_by_test_id(f"tile-{key}-n")).to_have_text(f"n = {count}")
        cell = tiles.get_by_test_id(f"tile-{key}-change")
        within = row[f"{change}_within_noise"]
        if row[f"{value}_ci_low"] is None:
            continue
        expect(cell).to_have_attribute("data-noise", "true" if within else "false")
        assert float(cell.get_attribute("data-ci-low")) == float(row[f"{value}_ci_low"])
        assert float(cell.get_attribute("data-ci-high")) == float(row[f"{value}_ci_high"])
        title = cell.get_attribute("title") or ""
        assert "95 % interval" in title and (("Within noise" in title) == bool(within))
        assert ("within-noise" in (cell.get_attribute("class") or "")) == bool(within)


def test_a_week_change_opens_the_visits_that_entered_and_left(
    page: Page, app_db: Any, artifacts: Path
) -> None:
    market = sign_in(page)
    counts = dict(
        app_db.execute(
            "select direction, count(*) from leader_hub.market_visit_changes"
            " where market_id = %s group by direction",
            [market],
        ).fetchall()
    )
    newest = app_db.execute(
        "select care_request_id from leader_hub.market_visit_changes where market_id = %s"
        " order by completed_at desc nulls last, care_request_id desc limit 100",
        [market],
    ).fetchall()
    assert counts, "the test build should have window changes in the hub's market"
    page.get_by_test_id("market-tiles").get_by_test_id("tile-chart_closure_rate-change").click()
    body = page.get_by_test_id("why-body")
    expect(body.get_by_test_id("why-table")).to_be_visible()
    expect(page.get_by_test_id("modal-title")).to_have_text("Why it moved \u00b7 Chart closure")
    summary = body.get_by_test_id("why-summary").inner_text()
    assert f"{counts.get('entered', 0)} visit" in summary.split("\u00b7")[0]
    assert f"{counts.get('left', 0)} visit" in summary.split("\u00b7")[1]
    rows = body.get_by_test_id("why-row")
    expect(rows).to_have_count(len(newest))
    shown = [int(rows.nth(i).get_attribute("data-care-request-id")) for i in range(len(newest))]
    assert shown == [r[0] for r in newest]
    # the column of the metric that moved is highlighted
    moved = rows.first.locator("td.moved")
    expect(moved).to_have_attribute("data-metric", "chart_closure_rate")
    page.screenshot(path=str(artifacts / "why-it-moved.png"), full_page=True)
    page.get_by_test_id("modal-close").click()
    expect(page.get_by_test_id("why-body")).to_have_count(0)


def test_ranking_rows_show_n_and_the_drill_down_of_the_provider(page: Page, app_db: Any) -> None:
    market = sign_in(page)
    expect(page.get_by_test_id("ranking-row").first).to_be_visible()
    # a row with a week change (on-scene time, the default tab) opens its drill-down
    row = page.locator("[data-testid=ranking-row]:has(.why-link)").first
    expect(row).to_be_visible()
    provider = int(row.get_attribute("data-provider-id"))
    visits = app_db.execute(
        "select visit_count from leader_hub.market_provider_metrics"
        " where market_id = %s and provider_id = %s",
        [market, provider],
    ).fetchone()[0]
    expect(row.get_by_test_id("ranking-n")).to_have_text(f"n = {visits}")
    expected = app_db.execute(
        "select count(*) from leader_hub.market_provider_visit_changes"
        " where market_id = %s and provider_id = %s",
        [market, provider],
    ).fetchone()[0]
    row.get_by_test_id("ranking-change").click()
    expect(page.get_by_test_id("why-table")).to_be_visible()
    expect(page.get_by_test_id("why-row")).to_have_count(min(expected, 100))
    assert "/providers/" not in page.url  # the click opened the dialog, not the provider
