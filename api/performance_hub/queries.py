"""My Performance Hub SQL: one parameterized statement per endpoint, over mart columns.

Every statement binds ``%(provider_id)s`` = the token's user id and answers, beside its
data, whether that id is a clinician of ``providers`` (``_is_provider``, the 403 of SPEC
§11). The visits, shifts, breakdowns and markets lists are the Leader Hub's statements
for the user's own rows (:func:`own_rows`): no token markets, no other provider.
"""

from __future__ import annotations

from api.db import SNAPSHOT
from api.goals import ALL_JOB_TITLES, ALL_MARKETS, with_goals
from api.leader_hub.queries import (
    BREAKDOWNS_SQL,
    METRIC_COLUMNS,
    PROVIDER_COLUMNS,
    PROVIDER_MARKETS_SQL,
    SHIFTS_SQL,
    VISITS_SQL,
)
from api.policy import PROVIDER_VISIBLE, SHIFT_VISIBLE

# The user id is a clinician: every personal endpoint but /me needs it (else 403).
IS_PROVIDER = """exists (
    select 1 from leader_hub.providers as me where me.provider_id = %(provider_id)s
)"""

# A shift the user was a member of (else the breakdowns are a 404): a published shift of
# theirs, of the shift history or of their latest day (the look back).
OWN_SHIFT = """exists (
    select 1 from leader_hub.provider_shifts as own
    where own.shift_team_id = %(shift_team_id)s and own.provider_id = %(provider_id)s
    union all
    select 1 from leader_hub.provider_latest_shifts as own
    where own.shift_team_id = %(shift_team_id)s and own.provider_id = %(provider_id)s
)"""

SETTINGS = """settings as (
    select personal_min_visits, look_back_days from leader_hub.personal_settings limit 1
)"""

# The seven overall metrics of provider_metrics: (value column, week-change column)
OVERALL_METRICS: tuple[tuple[str, str], ...] = (
    *((value, change) for value, change, _, _ in METRIC_COLUMNS.values()),
    ("escalation_rate", "escalation_rate_week_change"),
    ("abx_prescribing_rate", "abx_prescribing_rate_week_change"),
)
# A shift metric: never withheld for too few visits (SPEC §11)
NEVER_WITHHELD = frozenset({"on_task_percent"})


def own_rows(sql: str, leader_predicate: str, own_predicate: str) -> str:
    """The Leader Hub :func:`api.db.paged_query` statement ``sql`` for the user's own rows:
    its visibility predicate ``leader_predicate`` (token markets) becomes ``own_predicate``
    in the filter, and ``_visible`` is NULL when the user is no clinician (403), else
    ``own_predicate`` (false: 404)."""
    visible = f"{leader_predicate} as _visible"
    if sql.count(visible) != 1:  # paged_query's shape changed: fail at import, not later
        raise ValueError("unexpected statement shape: no single visibility column")
    sql = sql.replace(visible, f"(case when {IS_PROVIDER} then {own_predicate} end) as _visible")
    return sql.replace(leader_predicate, own_predicate)


MY_MARKETS_SQL = own_rows(PROVIDER_MARKETS_SQL, PROVIDER_VISIBLE, "true")
MY_VISITS_SQL = own_rows(VISITS_SQL, PROVIDER_VISIBLE, "true")
MY_SHIFTS_SQL = {sort: own_rows(sql, PROVIDER_VISIBLE, "true") for sort, sql in SHIFTS_SQL.items()}
MY_BREAKDOWNS_SQL = own_rows(BREAKDOWNS_SQL, SHIFT_VISIBLE, OWN_SHIFT)

_OVERALL_COLUMNS = ", ".join(
    f"metrics.{value}, metrics.{change}" for value, change in OVERALL_METRICS
)

# One row always (for /me of a non-clinician too): the snapshot, the settings, and the
# user's provider row and overall metrics when the user id is one.
ME_SQL = with_goals(
    f"""
with {SNAPSHOT}, {SETTINGS}
select
    snapshot.as_of_date, snapshot.synced_at, settings.personal_min_visits,
    {PROVIDER_COLUMNS}, metrics.visit_count, {_OVERALL_COLUMNS}
from (select 1) as one
left join snapshot on true
left join settings on true
left join leader_hub.providers as providers on providers.provider_id = %(provider_id)s
left join leader_hub.provider_metrics as metrics on metrics.provider_id = providers.provider_id
""",
    job_title=f"'{ALL_JOB_TITLES}'",
    market_id=str(ALL_MARKETS),
)

_MARKET_COLUMNS = ", ".join(
    f"metrics.{column}" for columns in METRIC_COLUMNS.values() for column in columns
)

MY_MARKET_SQL = with_goals(
    f"""
with {SNAPSHOT}, {SETTINGS}
select
    {IS_PROVIDER} as _is_provider,
    snapshot.as_of_date, snapshot.synced_at, settings.personal_min_visits,
    markets.market_id, markets.name, markets.short_name, markets.market_group_id,
    {PROVIDER_COLUMNS}, metrics.visit_count, {_MARKET_COLUMNS}
from (select 1) as one
left join snapshot on true
left join settings on true
left join leader_hub.market_provider_metrics as metrics
    on metrics.market_id = %(market_id)s and metrics.provider_id = %(provider_id)s
left join leader_hub.providers as providers on providers.provider_id = metrics.provider_id
left join leader_hub.markets as markets on markets.market_id = metrics.market_id
""",
    job_title=f"coalesce(base.job_title, '{ALL_JOB_TITLES}')",
    market_id="%(market_id)s",
)

# The marquee's and the distribution's size rules (SPEC §11)
MARQUEE_SIZE = 3
MIN_RANKED_FOR_DISTRIBUTION = 5


def _peer_sql(value: str, change: str, rank: str, ranked: str) -> str:
    """A metric's peer rankings: the user's own row in the market, the marquee (JSON, no
    ids) and the ranked values (JSON, ascending, only with enough of them)."""
    return with_goals(
        f"""
with {SNAPSHOT}, {SETTINGS},
mine as (
    select metrics.market_id, metrics.job_title, metrics.visit_count,
        metrics.{value} as metric_value, metrics.{change} as metric_week_change,
        metrics.{rank} as metric_rank, metrics.{ranked} as metric_ranked_providers
    from leader_hub.market_provider_metrics as metrics
    where metrics.market_id = %(market_id)s and metrics.provider_id = %(provider_id)s
),
ranked as (
    select metrics.provider_id, metrics.visit_count,
        metrics.{value} as value, metrics.{rank} as rank
    from leader_hub.market_provider_metrics as metrics
    inner join mine on mine.market_id = metrics.market_id and mine.job_title = metrics.job_title
    where metrics.{rank} is not null
),
marquee as (
    select providers.first_name, providers.last_name, providers.avatar_url,
        ranked.value, ranked.rank, ranked.provider_id = %(provider_id)s as is_me,
        row_number() over (
            order by ranked.rank, providers.last_name, providers.first_name, providers.provider_id
        ) as position
    from ranked
    inner join leader_hub.providers as providers on providers.provider_id = ranked.provider_id
    cross join settings
    where ranked.visit_count >= settings.personal_min_visits
    order by position
    limit {MARQUEE_SIZE}
)
select
    {IS_PROVIDER} as _is_provider,
    snapshot.as_of_date, snapshot.synced_at, settings.personal_min_visits, mine.*,
    (select coalesce(json_agg(marquee order by marquee.position), '[]') from marquee)
        as marquee,
    (select json_agg(ranked.value order by ranked.value) from ranked
        having count(*) >= {MIN_RANKED_FOR_DISTRIBUTION}) as distribution
from (select 1) as one
left join snapshot on true
left join settings on true
left join mine on true
""",
        job_title=f"coalesce(base.job_title, '{ALL_JOB_TITLES}')",
        market_id="%(market_id)s",
    )


PEER_SQL = {metric: _peer_sql(*columns) for metric, columns in METRIC_COLUMNS.items()}

LOOK_BACK_SQL = f"""
with {SNAPSHOT}, {SETTINGS},
latest as (
    select shifts.*
    from leader_hub.provider_latest_shifts as shifts
    where shifts.provider_id = %(provider_id)s
)
select
    {IS_PROVIDER} as _is_provider,
    snapshot.as_of_date, snapshot.synced_at, settings.look_back_days,
    (select coalesce(json_agg(days order by days.service_date), '[]')
        from leader_hub.provider_look_back_days as days
        where days.provider_id = %(provider_id)s) as days,
    (select max(latest.service_date) from latest) as latest_shift_date,
    (select coalesce(json_agg(shift order by shift.start_time, shift.shift_team_id), '[]')
        from (
            select latest.*, (
                select coalesce(
                    json_agg(phases order by phases.start_time, phases.end_time), '[]'
                )
                from leader_hub.provider_shift_breakdowns as phases
                where phases.shift_team_id = latest.shift_team_id
            ) as breakdowns
            from latest
        ) as shift) as latest_shifts
from (select 1) as one
left join snapshot on true
left join settings on true
"""
