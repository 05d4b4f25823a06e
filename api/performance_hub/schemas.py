"""My Performance Hub response types (SPEC §11): the OpenAPI schemas are generated from
these structs. Values, week changes, ranks, counts and averages are mart columns; the API
only withholds visit metrics below ``personal_min_visits`` and pairs goals with values.

The lists of visits, shifts and breakdowns reuse the Leader Hub's row types.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import msgspec

from api.goals import GoalDirection
from api.leader_hub.schemas import ProviderShift, ProviderSummary, ShiftBreakdown
from api.params import JobTitle, Metric
from api.responses import Snapshot

MetricStatus = Literal["ok", "not_enough_visits"]
DefaultView = Literal["leader_hub", "personal"]


class PersonalMetric(msgspec.Struct, kw_only=True):
    """One of the clinician's own metrics, withheld while its row has too few visits."""

    metric: str
    """The value column's name, e.g. `on_scene_time_median_seconds`."""
    value: float | None
    week_change: float | None
    rank: int | None = None
    """In-market rank among the same job title (per-market metrics only)."""
    ranked_providers: int | None = None
    goal: float | None
    goal_direction: GoalDirection | None
    meets_goal: bool | None
    status: MetricStatus
    """`not_enough_visits`: value, week change, rank and meets_goal are withheld (null)."""
    visits_needed: int
    """How many more visits the row needs before the metric is shown (0 when `ok`)."""


class Me(Snapshot, kw_only=True):
    """Who the bearer is, where the page should open, and their overall metrics."""

    user_id: int | None
    """The token's user id claim (KPI_JWT_USER_ID_CLAIM), if any."""
    market_role: str | None
    is_lead: bool
    """The market role is a Leader Hub role: the page offers the switch between views."""
    default_view: DefaultView
    provider: ProviderSummary | None
    """Null when the user id is absent or not a clinician of `providers`."""
    visit_count: int | None
    """Visits the overall metrics rest on (the last `visit_window`, all markets)."""
    personal_min_visits: int | None
    """The published build's threshold below which visit metrics are withheld."""
    metrics: list[PersonalMetric]
    """The seven overall metrics (empty when `provider` is null)."""


class MyMarketMetrics(Snapshot, kw_only=True):
    """The clinician's metrics, week changes, ranks and goals in one of their markets."""

    market_id: int
    name: str | None
    short_name: str | None
    market_group_id: int | None
    provider: ProviderSummary
    visit_count: int
    personal_min_visits: int | None
    metrics: list[PersonalMetric]


class Peer(msgspec.Struct, kw_only=True):
    """A marquee entry: one of the best-ranked peers (no id leaves the server)."""

    first_name: str | None
    last_name: str | None
    avatar_url: str | None
    value: float | None
    rank: int | None
    is_me: bool
    """The entry is the clinician themselves."""


class PeerRankings(Snapshot, kw_only=True):
    """Where the clinician stands among their job title in one of their markets."""

    market_id: int
    metric: Metric
    job_title: JobTitle
    me: PersonalMetric
    """Their own value, rank and ranked count (withheld below `personal_min_visits`)."""
    ranked_providers: int
    """How many of the market's providers of this job title have a rank."""
    personal_min_visits: int | None
    marquee: list[Peer]
    """At most 3, best rank first (then last name, first name, id), among the peers with
    at least `personal_min_visits` visits in the market."""
    distribution: list[float] | None
    """Every ranked value, ascending, without names; null when fewer than 5 are ranked."""


class LookBackDay(msgspec.Struct, kw_only=True):
    """One day of the last week with a shift of the clinician's (by shift start date)."""

    service_date: date
    market_group_id: int
    """The market group where they saw the most patients that day (ties: lowest id)."""
    market_group_name: str | None
    patients_seen: int
    on_shift_seconds: int | None
    """Σ (end − start) of their shifts that day in the group, breaks included."""
    group_clinicians: int
    """Clinicians (both job titles) with a shift in the group that day."""
    group_average_patients_seen: float | None
    group_average_on_shift_seconds: float | None


class LookBackShift(ProviderShift, kw_only=True):
    """A shift of the clinician's latest day with a shift, with its phases."""

    breakdowns: list[ShiftBreakdown]


class LookBack(Snapshot, kw_only=True):
    look_back_days: int
    """The window: days in (D − look_back_days, D]."""
    days: list[LookBackDay]
    """Oldest first; only days with a shift of theirs."""
    latest_shift_date: date | None
    """Their latest day with a shift on or before D, however old (null: never)."""
    latest_shifts: list[LookBackShift]
