"""The clinicians the dev login and ``kpi demo`` sign in as: real providers of the build.

One query picks them from the published tables, so the dev login (async, the API's pool)
and ``kpi demo`` (sync psycopg) show the same people:

- ``clinician``: the APP with the most visits among those with at least
  ``PERSONAL_MIN_VISITS`` (their metrics are shown);
- ``lead``: an APP active in the first market (the Lead APP role's market), with enough
  visits, who is not the clinician: a Lead APP who is also a clinician;
- ``few_visits``: the provider with the most visits below the threshold (their visit
  metrics are withheld, "not enough visits: N more needed").

A role is missing when the build has nobody who fits it.
"""

from __future__ import annotations

from typing import Any

# SPEC §11: the dbt var personal_min_visits' default, as the original service
PERSONAL_MIN_VISITS = 80

DEMO_CLINICIANS_SQL = """
with first_market as (
    select min(markets.market_id) as market_id from leader_hub.markets as markets
),

candidates as (
    select
        providers.provider_id,
        providers.first_name,
        providers.last_name,
        providers.job_title,
        metrics.visit_count,
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
),

clinician as (
    select 'clinician' as demo, candidates.*
    from candidates
    where candidates.job_title = 'APP' and candidates.visit_count >= %(min_visits)s
    order by candidates.visit_count desc, candidates.provider_id
    limit 1
),

lead as (
    select 'lead' as demo, candidates.*
    from candidates
    where candidates.job_title = 'APP' and candidates.visit_count >= %(min_visits)s
        and candidates.in_first_market
        and candidates.provider_id not in (select clinician.provider_id from clinician)
    order by candidates.visit_count desc, candidates.provider_id
    limit 1
),

few_visits as (
    select 'few_visits' as demo, candidates.*
    from candidates
    where candidates.visit_count > 0 and candidates.visit_count < %(min_visits)s
    order by candidates.visit_count desc, candidates.provider_id
    limit 1
)

select * from clinician
union all
select * from lead
union all
select * from few_visits
"""

PARAMS = {"min_visits": PERSONAL_MIN_VISITS}


def by_demo(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The query's rows keyed by their ``demo`` (clinician, lead, few_visits)."""
    return {row["demo"]: row for row in rows}


def clinician_label(row: dict[str, Any]) -> str:
    """"Tamika Reyes (APP, 112 visits)"."""
    name = " ".join(part for part in (row["first_name"], row["last_name"]) if part)
    return f"{name or 'Provider ' + str(row['provider_id'])} ({row['job_title']}, {row['visit_count']} visits)"
