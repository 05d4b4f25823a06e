"""``kpi audit``: who saw which patients (SPEC §14), read from ``kpi_audit.phi_access``.

``--provider P``: every access to provider P's visits. ``--subject S``: every access that
returned the patient with Athena id S or the care request with id S. ``--since DATE``
(default: everything kept) limits to accesses on or after that day (UTC). Runs as the
owner (``KPI_APP_DSN`` / the embedded app database), which the API's role is not.
"""

from __future__ import annotations

from datetime import date

import psycopg

from kpi.databases import connections
from kpi.errors import CliError
from kpi.settings import Settings

ACCESSES_SQL = """
select accessed_at, subject, market_role, route, provider_id, request_id, care_request_ids
from kpi_audit.phi_access
where accessed_at >= %(since)s::date
    and (%(provider)s::bigint is null or provider_id = %(provider)s::bigint)
    and (%(subject)s::text is null
        or %(subject)s::text = any(patient_athena_ids)
        or (%(subject)s::text ~ '^[0-9]{1,18}$'
            and %(subject)s::text::bigint = any(care_request_ids)))
order by accessed_at, request_id
"""


def print_accesses(
    settings: Settings, *, provider: int | None, subject: str | None, since: date | None
) -> int:
    """One line per audited response; exit 0 (also when there is none: says so)."""
    conns = connections(settings)
    params = {
        "provider": provider,
        "subject": subject,
        "since": (since or date(1970, 1, 1)).isoformat(),
    }
    with psycopg.connect(conns.app_dsn, autocommit=True) as conn:
        try:
            rows = conn.execute(ACCESSES_SQL, params).fetchall()
        except psycopg.errors.UndefinedTable:
            raise CliError("no audit table in the app database yet: run `kpi sync`") from None
    for accessed_at, who, role, route, provider_id, request_id, care_requests in rows:
        print(
            f"{accessed_at.isoformat()}  sub={who}  role={role}  provider={provider_id}"
            f"  route={route}  request={request_id}"
            f"  care_requests={','.join(map(str, care_requests)) or '-'}"
        )
    print(f"{len(rows)} access(es)")
    return 0
