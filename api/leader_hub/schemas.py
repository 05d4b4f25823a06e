"""Leader Hub response types: the OpenAPI schemas are generated from these structs.

Every field is a mart column as it is (SPEC §6): values, week changes, ranks and ranked
counts are computed by dbt, never here.
"""

from __future__ import annotations

from datetime import date

import msgspec

from api.goals import Goal
from api.leader_hub.uncertainty import LEADER_METRICS, PROVIDER_METRICS, with_uncertainty
from api.params import HistoryInterval, JobTitle, Metric, SortOrder
from api.responses import LocalDateTime, OptionalLocalDateTime, Paged, Snapshot


class Market(msgspec.Struct):
    market_id: int
    name: str | None
    short_name: str | None
    market_group_id: int | None


class MarketList(Snapshot, kw_only=True):
    items: list[Market]


class MarketMetrics(Snapshot, kw_only=True):
    """A market's metrics over its last `market_window` visits, with week changes."""

    market_id: int
    name: str | None
    short_name: str | None
    market_group_id: int | None
    on_scene_time_median_seconds: int | None
    on_scene_time_week_change_seconds: int | None
    chart_closure_rate: float | None
    chart_closure_rate_week_change: float | None
    survey_capture_rate: float | None
    survey_capture_rate_week_change: float | None
    net_promoter_score_average: float | None
    net_promoter_score_week_change: float | None
    goals: dict[str, Goal] = msgspec.field(default_factory=dict)
    """Each metric's goal and whether it meets it, by value column (SPEC §13)."""


MarketMetrics = with_uncertainty(MarketMetrics, LEADER_METRICS)  # type: ignore[misc]


class ProviderSummary(msgspec.Struct):
    provider_id: int
    first_name: str | None
    last_name: str | None
    avatar_url: str | None
    job_title: str | None


class ProviderRanking(msgspec.Struct):
    """One row of a market's ranking for the chosen metric ("rank 3 of 25")."""

    provider: ProviderSummary
    value: float | None
    """The metric (seconds for on_scene_time); null is "No data"."""
    week_change: float | None
    rank: int | None
    """Dense rank within (market, job title); null when the value is null."""
    ranked_providers: int | None
    """How many providers of this market and job title have a rank."""
    ci_low: float | None = None
    """The value's 95 % interval as of D (SPEC §12); null without one (on-task %)."""
    ci_high: float | None = None
    count: int | None = None
    """n: the visits (answered surveys for NPS) the value rests on; null for on-task %."""
    week_change_within_noise: bool | None = None
    """The value a week earlier lies inside the interval: the change may be noise."""
    goal: float | None = None
    """The metric's goal for this market and job title (SPEC §13); null when none."""
    meets_goal: bool | None = None
    """Null when the value or the goal is null."""


class ProviderRankingPage(Paged, kw_only=True):
    metric: Metric
    job_title: JobTitle
    items: list[ProviderRanking]


class MarketProviderMetrics(Snapshot, kw_only=True):
    """A provider's metrics, week changes and ranks within one market."""

    market_id: int
    provider: ProviderSummary
    on_scene_time_median_seconds: int | None
    on_scene_time_week_change_seconds: int | None
    on_scene_time_rank: int | None
    ranked_providers_on_scene_time: int | None
    chart_closure_rate: float | None
    chart_closure_rate_week_change: float | None
    chart_closure_rate_rank: int | None
    ranked_providers_chart_closure_rate: int | None
    survey_capture_rate: float | None
    survey_capture_rate_week_change: float | None
    survey_capture_rate_rank: int | None
    ranked_providers_survey_capture_rate: int | None
    net_promoter_score_average: float | None
    net_promoter_score_week_change: float | None
    net_promoter_score_rank: int | None
    ranked_providers_net_promoter_score: int | None
    on_task_percent: float | None
    on_task_percent_week_change: float | None
    on_task_percent_rank: int | None
    ranked_providers_on_task_percent: int | None
    goals: dict[str, Goal] = msgspec.field(default_factory=dict)
    """Each metric's goal and whether it meets it, by value column (SPEC §13)."""


MarketProviderMetrics = with_uncertainty(MarketProviderMetrics, LEADER_METRICS)  # type: ignore[misc]


class ProviderMetrics(Snapshot, kw_only=True):
    """A provider's overall metrics (last `visit_window` visits, all markets)."""

    provider: ProviderSummary
    on_scene_time_median_seconds: int | None
    on_scene_time_week_change_seconds: int | None
    chart_closure_rate: float | None
    chart_closure_rate_week_change: float | None
    survey_capture_rate: float | None
    survey_capture_rate_week_change: float | None
    net_promoter_score_average: float | None
    net_promoter_score_week_change: float | None
    on_task_percent: float | None
    on_task_percent_week_change: float | None
    escalation_rate: float | None
    escalation_rate_week_change: float | None
    abx_prescribing_rate: float | None
    abx_prescribing_rate_week_change: float | None
    goals: dict[str, Goal] = msgspec.field(default_factory=dict)
    """Each metric's goal and whether it meets it, by value column (SPEC §13)."""


ProviderMetrics = with_uncertainty(ProviderMetrics, PROVIDER_METRICS)  # type: ignore[misc]


class ProviderVisit(msgspec.Struct):
    care_request_id: int
    market_id: int | None
    service_date: date | None
    completed_at: OptionalLocalDateTime
    patient_first_name: str | None
    patient_last_name: str | None
    patient_athena_id: str | None
    chief_complaint: str | None
    diagnosis: str | None
    is_abx_prescribed: bool | None
    abx_details: str | None
    is_escalated: bool | None
    escalated_reason: str | None


class ProviderVisitPage(Paged, kw_only=True):
    items: list[ProviderVisit]


class ProviderShift(msgspec.Struct):
    shift_team_id: int
    market_id: int | None
    service_date: date | None
    start_time: OptionalLocalDateTime
    end_time: OptionalLocalDateTime
    patients_seen: int | None
    out_the_door_duration_seconds: int | None
    en_route_duration_seconds: int | None
    on_scene_duration_seconds: int | None
    on_break_duration_seconds: int | None
    idle_duration_seconds: int | None
    is_break_skipped: bool | None


class ProviderShiftPage(Paged, kw_only=True):
    last_days: int | None
    sort: SortOrder
    items: list[ProviderShift]


class ShiftBreakdown(msgspec.Struct):
    start_time: LocalDateTime
    end_time: OptionalLocalDateTime
    phase: str | None
    latitude_e6: int | None
    longitude_e6: int | None


class ShiftBreakdownList(Snapshot, kw_only=True):
    shift_team_id: int
    items: list[ShiftBreakdown]


# ------------------------------------------------------------------------------ history
# A history point carries exactly the metric fields of its base endpoint's response (the
# same names and types, SPEC §12: a date's row is that date's mart row), derived from the
# base struct so the two cannot drift apart; `visit_count` is the count the metrics rest on.


def _point(name: str, base: type[msgspec.Struct], not_metrics: set[str], doc: str) -> type:
    metrics = [
        (field.name, field.type)
        for field in msgspec.structs.fields(base)
        if field.name not in not_metrics | {"visit_count"}
        and field.name not in Snapshot.__struct_fields__
    ]
    fields = [("as_of_date", date), ("visit_count", int | None), *metrics]
    return msgspec.defstruct(name, fields, module=__name__, namespace={"__doc__": doc})


_POINT_DOC = (
    "The metrics of one report date (`as_of_date`), as published for that date; every value "
    "is null when the history has no row for the date."
)
MarketMetricPoint = _point(
    "MarketMetricPoint", MarketMetrics,
    {"market_id", "name", "short_name", "market_group_id", "goals"},
    _POINT_DOC,
)  # fmt: skip
ProviderMetricPoint = _point(
    "ProviderMetricPoint", ProviderMetrics, {"provider", "goals"}, _POINT_DOC
)
MarketProviderMetricPoint = _point(
    "MarketProviderMetricPoint",
    MarketProviderMetrics,
    {"market_id", "provider", "goals"},
    _POINT_DOC,
)


class History(Snapshot, kw_only=True):
    """A metric history: ``points`` dates, oldest first, the newest the published as_of_date."""

    interval: HistoryInterval
    points: int


class MarketMetricHistory(History, kw_only=True):
    market_id: int
    items: list[MarketMetricPoint]  # type: ignore[valid-type]


class ProviderMetricHistory(History, kw_only=True):
    provider_id: int
    items: list[ProviderMetricPoint]  # type: ignore[valid-type]


class MarketProviderMetricHistory(History, kw_only=True):
    market_id: int
    provider_id: int
    items: list[MarketProviderMetricPoint]  # type: ignore[valid-type]
