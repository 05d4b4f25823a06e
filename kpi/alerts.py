"""Alerts of ``kpi daily`` (SPEC §14): a Slack-compatible webhook (``{"text": ...}``).

``KPI_ALERT_WEBHOOK_URL`` receives one message for each of: a red build (the failed
nodes named, from dbt's ``run_results.json``), a refused or failed sync, and stale data
(the published ``as_of_date`` more than ``KPI_STALE_AFTER_HOURS`` old, counted from 00:00
UTC of that day). Messages carry node names, table names, dates and counts only: never a
dbt test's failure message or a database error's text, which can quote data. Posting is
the stdlib's ``urllib`` (one small POST a day needs no client library); a failed post
is reported on stderr and never hides the job's own outcome.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from datetime import UTC, date, datetime, time
from pathlib import Path

import psycopg

from kpi.settings import Settings

POST_TIMEOUT_SECONDS = 10
MAX_NODES_NAMED = 20
FAILED_STATUSES = ("error", "fail", "runtime error")

PUBLISHED_AS_OF_SQL = """
select as_of_date from kpi_sync.sync_runs
where outcome = 'success' and finished_at is not null
order by finished_at desc, run_id desc limit 1
"""


def post(settings: Settings, text: str) -> bool:
    """POST ``{"text": text}`` to the webhook when one is configured; True when sent."""
    if not settings.alert_webhook_url:
        return False
    request = urllib.request.Request(
        settings.alert_webhook_url,
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT_SECONDS) as response:
            response.read()
    except OSError as exc:  # URLError, HTTPError, timeouts
        print(f"warning: the alert was not delivered: {type(exc).__name__}", file=sys.stderr)
        return False
    return True


def failed_nodes(run_results: Path) -> list[str]:
    """The unique ids of the nodes that errored or failed in dbt's last run."""
    try:
        results = json.loads(run_results.read_text()).get("results", [])
    except (OSError, ValueError, AttributeError):
        return []
    return sorted(
        str(result.get("unique_id"))
        for result in results
        if isinstance(result, dict) and result.get("status") in FAILED_STATUSES
    )


def red_build_text(settings: Settings, as_of: date | None) -> str:
    nodes = failed_nodes(settings.dbt_target_path / "run_results.json")
    named = ", ".join(nodes[:MAX_NODES_NAMED]) or "(none recorded: see the job's output)"
    more = f" and {len(nodes) - MAX_NODES_NAMED} more" if len(nodes) > MAX_NODES_NAMED else ""
    day = f" for {as_of.isoformat()}" if as_of else ""
    return (
        f":red_circle: kpi daily: the dbt build{day} is red; nothing was synced, the API "
        f"still serves the previous sync. Failed nodes ({len(nodes)}): {named}{more}"
    )


def stale_text(settings: Settings, app_dsn: str, now: datetime | None = None) -> str | None:
    """The stale-data message, or None when the published data is fresh enough."""
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        try:
            row = conn.execute(PUBLISHED_AS_OF_SQL).fetchone()
        except psycopg.errors.UndefinedTable:
            row = None
    if row is None:
        return ":warning: kpi daily: no data is published yet (no successful sync)"
    hours = hours_since(row[0], now)
    if hours <= settings.stale_after_hours:
        return None
    return (
        f":warning: kpi daily: the published data is stale: as of {row[0].isoformat()}, "
        f"{hours:.0f} h old (KPI_STALE_AFTER_HOURS = {settings.stale_after_hours})"
    )


def hours_since(as_of: date, now: datetime | None = None) -> float:
    """Hours from 00:00 UTC of ``as_of`` to ``now``."""
    start = datetime.combine(as_of, time(0), tzinfo=UTC)
    return ((now or datetime.now(UTC)) - start).total_seconds() / 3600
