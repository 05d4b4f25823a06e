"""The clinicians the dev login and ``kpi demo`` sign in as: real providers of the build.

One query picks them from the published tables, so the dev login (async, the API's pool)
and ``kpi demo`` (sync psycopg) show the same people:

- ``clinician``: the APP with the most visits among those with at least the build's
  ``personal_min_visits`` (``personal_settings``; their metrics are shown);
- ``lead``: an APP active in the first market (the Lead APP role's market), with enough
  visits, who is not the clinician: a Lead APP who is also a clinician;
- ``few_visits``: the provider with the most visits below the threshold (their visit
  metrics are withheld, "not enough visits: N more needed").

A role is missing when the build has nobody who fits it.
"""

from __future__ import annotations

from typing import Any

DEMO_CLINICIANS_SQL = """
with first_market as (
    select min(markets.market_id) as market_id from leader_hub.markets as markets
),

threshold as (
    select settings.personal_min_visits as min_visits
    from leader_hub.personal_settings as settings
    limit 1
),

candidates as (
    select
        providers.provider_id,
        providers.first_name,
        providers.last_name,
        providers.job_title,
        metrics.visit_count,
        threshold.min_visits,
        first_market.market_id as first_market_id,
        exists (
            select 1 from leader_hub.markets_active_providers as active
            where active.provider_id = providers.provider_id
                and active.market_id = first_market.market_id
        ) as in_first_market
    from leader_hub.providers as providers
    inner join leader_hub.provider_metrics as metrics
        on providers.provider_id = metrics.provider_id
    cross join first_market
    cross join threshold
),

clinician as (
    select 'clinician' as demo, candidates.*
    from candidates
    where candidates.job_title = 'APP' and candidates.visit_count >= candidates.min_visits
    order by candidates.visit_count desc, candidates.provider_id
    limit 1
),

lead as (
    select 'lead' as demo, candidates.*
    from candidates
    where candidates.job_title = 'APP' and candidates.visit_count >= candidates.min_visits
        and candidates.in_first_market
        and candidates.provider_id not in (select clinician.provider_id from clinician)
    order by candidates.visit_count desc, candidates.provider_id
    limit 1
),

few_visits as (
    select 'few_visits' as demo, candidates.*
    from candidates
    where candidates.visit_count > 0 and candidates.visit_count < candidates.min_visits
    order by candidates.visit_count desc, candidates.provider_id
    limit 1
)

select * from clinician
union all
select * from lead
union all
select * from few_visits
"""

PARAMS: dict[str, Any] = {}


def by_demo(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The query's rows keyed by their ``demo`` (clinician, lead, few_visits)."""
    return {row["demo"]: row for row in rows}


def clinician_label(row: dict[str, Any]) -> str:
    """A demo clinician as the dev login names them: "Tamika Reyes (APP, 112 visits)"."""
    name = " ".join(part for part in (row["first_name"], row["last_name"]) if part)
    name = name or f"Provider {row['provider_id']}"
    return f"{name} ({row['job_title']}, {row['visit_count']} visits)"
