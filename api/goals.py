"""Goals next to every metric the API returns (SPEC §13).

The ``goals`` mart holds the goal in force as of D for each (metric, job-title scope,
market scope); a statement reads its scope's goals as one JSON column with
:func:`with_goals` (the statement's own text untouched: it becomes a subquery), and
:func:`goals_of` pairs them with the row's values: ``goal`` and ``direction`` as
published, ``meets_goal`` the comparison the goal's direction names, NULL when the value
or the goal is NULL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import msgspec

GoalDirection = Literal["at_most", "at_least"]
GOALS_COLUMN = "_goals"
ALL_MARKETS = 0  # the goals mart's market scope of overall (all-markets) metrics
ALL_JOB_TITLES = "ALL"  # ... and of market tiles and overall metrics (no job title)


class Goal(msgspec.Struct):
    """A metric's goal as of the report date, and whether the value meets it."""

    goal: float | None
    """In the metric's unit; null when no goal applies."""
    direction: GoalDirection | None
    """`at_most`: meets when value <= goal; `at_least`: when value >= goal."""
    meets_goal: bool | None
    """Null when the value or the goal is null (or the value is withheld)."""


def with_goals(sql: str, job_title: str, market_id: str) -> str:
    """``sql`` (any statement) with one more column, ``_goals``: ``{metric: [goal,
    direction]}`` of the goals mart for the scope ``job_title``/``market_id`` (SQL
    expressions over the statement's columns, aliased ``base``, or parameters)."""
    return f"""
select base.*, (
    select json_object_agg(goals.metric, json_build_array(goals.goal, goals.direction))
    from leader_hub.goals as goals
    where goals.job_title = {job_title} and goals.market_id = {market_id}
) as {GOALS_COLUMN}
from (
{sql}
) as base
"""


def meets(value: float | None, goal: float | None, direction: str | None) -> bool | None:
    if value is None or goal is None or direction is None:
        return None
    return value <= goal if direction == "at_most" else value >= goal


def goal_of(goals: Mapping[str, Any] | None, metric: str, value: float | None) -> Goal:
    """The goal of ``metric`` (a value column name) from a ``_goals`` column, with
    ``meets_goal`` for ``value``."""
    goal, direction = (goals or {}).get(metric) or (None, None)
    return Goal(goal, direction, meets(value, goal, direction))


def goals_of(goals: Mapping[str, Any] | None, values: Iterable[tuple[str, Any]]) -> dict[str, Goal]:
    """``{metric: Goal}`` for each (value column, value) of a row."""
    return {metric: goal_of(goals, metric, value) for metric, value in values}


def row_goals(
    names: tuple[str, ...], row: tuple[Any, ...], metrics: Iterable[str]
) -> dict[str, Goal]:
    """The goals of a statement row from :func:`with_goals`, for its value columns
    ``metrics`` (each a column of the row)."""
    goals = row[names.index(GOALS_COLUMN)]
    return goals_of(goals, ((metric, row[names.index(metric)]) for metric in metrics))
