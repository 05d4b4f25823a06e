"""The clinician's own metrics as the personal hub shows them (SPEC §11, §13).

While the row's ``visit_count`` is below the published ``personal_min_visits`` every
visit metric is withheld: value, week change, rank and ``meets_goal`` are null (the goal
still shown), ``status`` is ``not_enough_visits`` and ``visits_needed`` says how many
visits are missing. On-task % is a shift metric and is never withheld. Nothing is
computed but that comparison and the goal's (``api.goals``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from api.goals import GOALS_COLUMN, goal_of
from api.performance_hub.queries import NEVER_WITHHELD
from api.performance_hub.schemas import PersonalMetric

# (value column, week-change column, rank column or None, ranked-count column or None)
MetricColumns = tuple[str, str, str | None, str | None]


def visits_needed(visit_count: int | None, min_visits: int | None) -> int:
    """How many more visits the row needs (0: its visit metrics are shown)."""
    if min_visits is None:
        return 0
    return max(min_visits - (visit_count or 0), 0)


def personal_metrics(
    names: tuple[str, ...],
    row: tuple[Any, ...],
    metrics: Iterable[MetricColumns],
    *,
    goal_metric: str | None = None,
) -> list[PersonalMetric]:
    """The row's metrics, each with its goal and withheld when the row has too few
    visits. The row has ``visit_count``, ``personal_min_visits`` and the goals column;
    ``goal_metric``: the metric's name when the value column is an alias (peer rankings)."""

    def column(name: str | None) -> Any:
        return None if name is None else row[names.index(name)]

    needed = visits_needed(column("visit_count"), column("personal_min_visits"))
    goals = column(GOALS_COLUMN)
    shown = []
    for value_column, change_column, rank_column, ranked_column in metrics:
        metric = goal_metric or value_column
        withheld = needed > 0 and metric not in NEVER_WITHHELD
        value = None if withheld else column(value_column)
        goal = goal_of(goals, metric, value)
        shown.append(
            PersonalMetric(
                metric=metric,
                value=value,
                week_change=None if withheld else column(change_column),
                rank=None if withheld else column(rank_column),
                ranked_providers=column(ranked_column),
                goal=goal.goal,
                goal_direction=goal.direction,
                meets_goal=goal.meets_goal,
                status="not_enough_visits" if withheld else "ok",
                visits_needed=needed if withheld else 0,
            )
        )
    return shown
