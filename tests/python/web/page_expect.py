"""What the browser tests expect on the page, computed from the app database by the
page's own formatting rules (app.js), and small query and screenshot helpers."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

Page = Any  # playwright's Page (imported lazily by the test modules)

# An APP's header tiles (app.js HEADER_METRICS): tile key -> (value column, kind)
APP_HEADER = {
    "on_scene_time": ("on_scene_time_median_seconds", "duration"),
    "chart_closure_rate": ("chart_closure_rate", "rate"),
    "net_promoter_score": ("net_promoter_score_average", "score"),
    "on_task_percent": ("on_task_percent", "percent"),
    "escalation_rate": ("escalation_rate", "rate"),
    "abx_prescribing_rate": ("abx_prescribing_rate", "rate"),
}

MINUS = "\u2212"

# ------------------------------------------------------------ expected formatting
# The page's rules (app.js), computed here from the database values: JavaScript's
# toFixed and Math.round round the exact binary value half up, like Decimal(x) below.


def _fixed(x: float, places: int) -> str:
    return str(Decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def minutes(seconds: float) -> str:
    m = abs(seconds) / 60
    return _fixed(m, 0) if m >= 10 else _fixed(m, 1).removesuffix(".0")


def duration(seconds: int | None) -> str:
    return "No data" if seconds is None else f"{MINUS if seconds < 0 else ''}{minutes(seconds)} min"


def rate(value: float | None) -> str:
    return "No data" if value is None else f"{_fixed(value * 100, 1)}%"


def score(value: float | None) -> str:
    return "No data" if value is None else _fixed(value, 1)


def us_date(day: date) -> str:
    return day.strftime("%m/%d/%Y")


# ------------------------------------------------------------------------ fixtures


def shot(page: Page, artifacts: Path, name: str, *, full_page: bool = True) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=full_page)


def one(conn, sql: str, params: dict | None = None) -> dict:
    cursor = conn.execute(sql, params or {})
    names = [d.name for d in cursor.description]
    row = cursor.fetchone()
    assert row is not None, sql
    return dict(zip(names, row, strict=True))


def rows(conn, sql: str, params: dict | None = None) -> list[dict]:
    cursor = conn.execute(sql, params or {})
    names = [d.name for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def percent(value: float | None) -> str:
    return "No data" if value is None else f"{_fixed(value, 1)}%"


FORMAT = {"duration": duration, "rate": rate, "score": score, "percent": percent}


def formatted(kind: str, value: Any) -> str:
    """A value as a tile shows it (kind: duration, rate, score, percent)."""
    return FORMAT[kind](None if value is None else float(value))
