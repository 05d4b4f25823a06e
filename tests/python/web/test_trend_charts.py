"""The trend charts in a real headless Chromium, over the real published build and its
history (the test build keeps weekly and daily dates, so both intervals have gaps).

What each chart plots is read back from the page: the trace plotly.js drew (dates,
values), its line segments and its markers, and compared with the history tables of the
app database, points computed here independently of the API's SQL: D, D - 7, … or D,
D - 1, … from the published as_of_date, a date without a row as a gap.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from page_expect import APP_HEADER
from playwright.sync_api import Locator, Page, expect
from web_support import requires_chromium, sign_in

pytestmark = requires_chromium

STEP_DAYS = {"week": 7, "day": 1}
POINTS = {"week": 26, "day": 30}
# tile key -> (value column, unit the chart plots it in)
MARKET_TILES = {
    "on_scene_time": ("on_scene_time_median_seconds", "duration"),
    "survey_capture_rate": ("survey_capture_rate", "rate"),
    "chart_closure_rate": ("chart_closure_rate", "rate"),
    "net_promoter_score": ("net_promoter_score_average", "score"),
}
APP_MARKET = {
    key: APP_HEADER[key]
    for key in ("on_scene_time", "chart_closure_rate", "on_task_percent", "net_promoter_score")
}


def published_as_of(app_db: Any) -> date:
    row = app_db.execute(
        "select as_of_date from kpi_sync.sync_runs where outcome = 'success'"
        " order by finished_at desc, run_id desc limit 1"
    ).fetchone()
    assert row is not None
    return row[0]


def expected_series(
    app_db: Any, table: str, key: dict[str, int], column: str, kind: str, interval: str
) -> tuple[list[str], list[float | None]]:
    """The chart's dates and values from the history table (None where no row or null)."""
    as_of = published_as_of(app_db)
    dates = [
        as_of - timedelta(days=STEP_DAYS[interval] * i) for i in reversed(range(POINTS[interval]))
    ]
    where = " and ".join(f"{name} = %({name})s" for name in key)
    rows = dict(
        app_db.execute(
            f"select as_of_date, {column} from leader_hub.{table} where {where}", key
        ).fetchall()
    )
    values = [rows.get(day) for day in dates]
    return [d.isoformat() for d in dates], [plotted(kind, v) for v in values]


def plotted(kind: str, value: Any) -> float | None:
    """A value in the unit its chart plots: minutes, percent, as it is."""
    if value is None:
        return None
    value = float(value)
    return value / 60 if kind == "duration" else value * 100 if kind == "rate" else value


def runs(values: list[float | None]) -> int:
    """How many unbroken stretches of non-null values (line segments) there are."""
    return sum(
        1 for i, v in enumerate(values) if v is not None and (i == 0 or values[i - 1] is None)
    )


def drawn(chart: Locator, interval: str) -> dict[str, Any]:
    """What the chart drew: its trace's dates and values, line segments and markers."""
    expect(chart).to_have_attribute("data-interval", interval)
    return chart.evaluate(
        """el => ({
            x: el.data[0].x, y: el.data[0].y, connectgaps: el.data[0].connectgaps,
            shapes: (el.layout.shapes || []).map(s => s.y0),
            segments: el.querySelectorAll('.scatterlayer path.js-line').length,
            markers: el.querySelectorAll('.scatterlayer .point').length,
        })"""
    )


def assert_chart(
    chart: Locator,
    interval: str,
    expected: tuple[list[str], list[float | None]],
    goal: float | None,
) -> None:
    """The chart plots ``expected`` with a goal line at ``goal`` (in the plotted unit)."""
    dates, values = expected
    got = drawn(chart, interval)
    assert got["x"] == dates
    assert got["y"] == [None if v is None else pytest.approx(v, rel=1e-9) for v in values]
    assert got["connectgaps"] is False  # a null is a gap, never joined over
    assert got["segments"] == runs(values)
    assert got["markers"] == sum(v is not None for v in values)
    assert got["shapes"] == ([] if goal is None else [pytest.approx(goal, rel=1e-9)])


def goal_lines(app_db: Any, job_title: str, market_id: int) -> dict[str, float]:
    """The goals mart's goals of a scope (SPEC §13), by value column."""
    return dict(
        app_db.execute(
            "select metric, goal from leader_hub.goals where job_title = %s and market_id = %s",
            [job_title, market_id],
        ).fetchall()
    )


def expect_charts(
    page: Page,
    scope: str,
    tiles: dict,
    app_db: Any,
    table: str,
    key: dict,
    interval: str,
    goal_scope: tuple[str, int],
) -> list[list[float | None]]:
    """Every chart of ``tiles`` in the section ``scope`` against ``table``'s rows of ``key``,
    with the goal line of the goals mart's ``goal_scope`` (job title, market or 0)."""
    plotted_values = []
    goals = goal_lines(app_db, *goal_scope)
    for tile, (column, kind) in tiles.items():
        expected = expected_series(app_db, table, key, column, kind, interval)
        chart = page.get_by_test_id(scope).get_by_test_id(f"trend-{tile}")
        assert_chart(chart, interval, expected, plotted(kind, goals.get(column)))
        plotted_values.append(expected[1])
    return plotted_values


def test_market_tiles_plot_the_market_history_weekly_and_daily(
    page: Page, app_db: Any, artifacts: Path
) -> None:
    market = sign_in(page)
    key = {"market_id": market}
    scope = ("ALL", market)
    weekly = expect_charts(
        page, "market-tiles", MARKET_TILES, app_db, "market_metric_history", key, "week", scope
    )
    assert any(v is not None for series in weekly for v in series), "no history to plot"
    assert any(None in series for series in weekly), "the weekly points should have nulls"
    page.screenshot(path=str(artifacts / "trend-01-hub-weekly.png"), full_page=True)

    page.get_by_test_id("trend-interval-day").click()
    expect(page.get_by_test_id("trend-interval-day")).to_have_attribute("aria-pressed", "true")
    daily = expect_charts(
        page, "market-tiles", MARKET_TILES, app_db, "market_metric_history", key, "day", scope
    )
    # the daily points have a gap between two dates with data (a line in pieces)
    assert any(runs(series) > 1 for series in daily)
    page.screenshot(path=str(artifacts / "trend-02-hub-daily.png"), full_page=True)


def test_a_tooltip_shows_the_date_and_the_value_as_the_tile(page: Page, app_db: Any) -> None:
    market = sign_in(page)
    chart = page.get_by_test_id("market-tiles").get_by_test_id("trend-on_scene_time")
    expect(chart).to_have_attribute("data-interval", "week")
    newest = chart.locator(".scatterlayer .point").last
    newest.hover(force=True)
    tooltip = chart.locator(".hoverlayer .hovertext")
    as_of = published_as_of(app_db)
    expect(tooltip).to_contain_text(as_of.strftime("%m/%d/%Y"))
    tile = page.get_by_test_id("tile-on_scene_time-value").inner_text()
    expect(tooltip).to_contain_text(tile)
    row = app_db.execute(
        "select on_scene_time_median_seconds from leader_hub.market_metric_history"
        " where market_id = %s and as_of_date = %s",
        [market, as_of],
    ).fetchone()
    assert row is not None and row[0] is not None  # the newest point is D's mart value


def provider_with_history(app_db: Any, markets: list[int]) -> tuple[int, int]:
    """An APP active in one of ``markets`` with the most history (and that market)."""
    row = app_db.execute(
        """select active.provider_id, min(active.market_id)
        from leader_hub.markets_active_providers as active
        join leader_hub.providers as providers using (provider_id)
        join leader_hub.provider_metric_history as history using (provider_id)
        where active.market_id = any(%s) and providers.job_title = 'APP'
        group by active.provider_id
        order by count(distinct history.as_of_date) desc, active.provider_id
        limit 1""",
        [markets],
    ).fetchone()
    assert row is not None, "no APP with history in the demo markets"
    return row[0], row[1]


def test_provider_page_plots_its_history_and_its_market_history(
    page: Page, app_db: Any, artifacts: Path
) -> None:
    sign_in(page)
    markets = (
        page.get_by_test_id("market-select")
        .locator("option")
        .evaluate_all("options => options.map(o => Number(o.value))")
    )
    provider, _ = provider_with_history(app_db, markets)
    page.goto(f"/#/providers/{provider}")
    expect(page.get_by_test_id("provider-page")).to_be_visible()
    for interval in ("week", "day"):
        if interval == "day":
            page.get_by_test_id("trend-interval-day").click()
        expect_charts(
            page,
            "provider-metrics",
            APP_HEADER,
            app_db,
            "provider_metric_history",
            {"provider_id": provider},
            interval,
            ("ALL", 0),
        )
        # the per-market tiles: the market selected there (the first by name)
        market = int(page.get_by_test_id("provider-market-select").input_value())
        expect_charts(
            page,
            "provider-market-metrics",
            APP_MARKET,
            app_db,
            "market_provider_metric_history",
            {"market_id": market, "provider_id": provider},
            interval,
            ("APP", market),
        )
    page.screenshot(path=str(artifacts / "trend-03-provider-daily.png"), full_page=True)


def test_goal_line_is_drawn_only_when_the_history_carries_a_goal(page: Page) -> None:
    sign_in(page)  # the page's script, with its test hooks
    figures = page.evaluate(
        """() => {
            const history = {items: [
                {as_of_date: "2026-11-13", on_scene_time_median_seconds: 2000},
                {as_of_date: "2026-11-20", on_scene_time_median_seconds: null},
            ]};
            const make = window.leaderHubFormat.trendFigure;
            const withGoal = {...history, goals: {on_scene_time_median_seconds: 1800}};
            return [make(history, "on_scene_time"), make(withGoal, "on_scene_time")];
        }"""
    )
    without, with_goal = figures
    assert without["layout"]["shapes"] == []
    assert [s["y0"] for s in with_goal["layout"]["shapes"]] == [30]  # 1800 s in minutes
    assert without["data"][0]["y"] == [pytest.approx(2000 / 60), None]
    assert without["data"][0]["text"] == ["33 min", "No data"]
