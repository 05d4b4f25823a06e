"""What ``kpi demo`` prints once the demo build is published: tokens and requests to try.

The demo lead gets the first three markets of the published build, so every example
request returns data whatever scale and seed the demo was generated with.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row

from api.web.demo_users import DEMO_CLINICIANS_SQL, PARAMS, by_demo, clinician_label
from kpi.settings import Settings

DEMO_MARKET_COUNT = 3


def demo_markets(app_dsn: str) -> list[int]:
    """The demo lead's markets: the first markets that have ranked providers."""
    with psycopg.connect(app_dsn) as conn:
        rows = conn.execute(
            "select market_id from leader_hub.market_metrics order by market_id limit %s",
            [DEMO_MARKET_COUNT],
        ).fetchall()
    return [r[0] for r in rows]


def demo_clinician(app_dsn: str) -> dict[str, Any] | None:
    """The demo clinician (the dev login's "clinician", api.web.demo_users), or None."""
    with psycopg.connect(app_dsn, row_factory=dict_row) as conn:
        rows = conn.execute(DEMO_CLINICIANS_SQL, PARAMS).fetchall()
    return by_demo(rows).get("clinician")


def print_clinician_access(settings: Settings, app_dsn: str, base: str) -> None:
    """A clinician's token (their provider id as the user id) and a request of their own hub."""
    from api.tokens import mint_dev_token

    clinician = demo_clinician(app_dsn)
    if clinician is None:
        return
    token = mint_dev_token(settings, "", [], False, user_id=clinician["provider_id"])
    print(f"Clinician {clinician_label(clinician)}, provider {clinician['provider_id']}:")
    print(f"  export CLINICIAN_TOKEN={token}")
    print(f'  curl -s -H "Authorization: Bearer $CLINICIAN_TOKEN" {base}/v1/performance-hub/me')


def print_demo_access(settings: Settings, app_dsn: str, port: int) -> None:
    """Dev tokens for a market lead, a fraud analyst and a clinician, and curl lines."""
    from api.tokens import mint_dev_token

    markets = demo_markets(app_dsn)
    lead = mint_dev_token(settings, "Market Manager", markets, False)
    analyst = mint_dev_token(settings, "", [], True)
    base = f"http://127.0.0.1:{port}"
    market = markets[0] if markets else 1
    print()
    print(f"Market Manager of markets {markets}:")
    print(f"  export LEAD_TOKEN={lead}")
    print("Fraud analyst:")
    print(f"  export FRAUD_TOKEN={analyst}")
    print_clinician_access(settings, app_dsn, base)
    print()
    print("Try:")
    hub = f"{base}/v1/leader-hub-metrics"
    auth = '-H "Authorization: Bearer $LEAD_TOKEN"'
    print(f"  curl -s {auth} {hub}/markets")
    print(f"  curl -s {auth} {hub}/markets/{market}")
    print(f"  curl -s {auth} '{hub}/markets/{market}/providers?job_title=APP&per_page=5'")
    print(
        f'  curl -s -H "Authorization: Bearer $FRAUD_TOKEN"'
        f" '{base}/v1/fraud-reports/authorizations?type=DOCTOR&settlement_type=CITY'"
    )
    print(f"  open {base}/schema for the interactive API docs")
    print(
        f"  open {base}/ for the Leader Hub and My Performance Hub page"
        " (dev login: pick a demo role)"
    )
    print(f"  open {base}/#/fraud for the fraud workbench (dev login: Fraud analyst)")
