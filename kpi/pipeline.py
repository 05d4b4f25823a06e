"""The multi-step commands: ``kpi daily`` (the scheduled job) and ``kpi demo``.

Both chain the single-step commands of ``kpi.commands`` with typed arguments. ``daily``
syncs only after a green build, so a red day leaves the app database serving yesterday's
sync; ``demo`` runs the whole path on the embedded server with small synthetic data,
eight weeks of metric history included.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from kpi import backfill, commands
from kpi.databases import connections
from kpi.demo_access import print_demo_access
from kpi.errors import CliError
from kpi.settings import Settings

DEMO_HOST = "127.0.0.1"
# Weekly history points the demo builds (D, D − 7, ...): enough for a trend, quick to build.
DEMO_HISTORY_WEEKS = 8


def daily(
    settings: Settings,
    *,
    vars_: Mapping[str, object] | None,
    as_of: date | None,
    target: str | None,
    allow_shrink: bool,
    min_fraction: float | None,
    allow_older: bool = False,
) -> int:
    """``dbt build``, then the sync only if every model and test passed."""
    try:
        commands.build_warehouse(settings, vars_=vars_, as_of=as_of, target=target)
    except CliError as exc:
        raise CliError(f"{exc}; the app database still serves the previous sync") from None
    return commands.sync_app(
        settings, allow_shrink=allow_shrink, min_fraction=min_fraction, allow_older=allow_older
    )


def demo(
    settings: Settings, *, scale: float, seed: int, as_of: date | None, port: int, serve: bool
) -> int:
    """Generate, build and publish a small demo, print tokens to try it, then serve it."""
    conns = connections(settings)
    print(f"1/5 embedded PostgreSQL: {conns.warehouse_dsn}")
    as_of = as_of or date.today()
    print("2/5 generating synthetic sources")
    commands.generate_sources(settings, scale=scale, seed=seed, as_of=as_of, replace=True)
    print("3/5 dbt build")
    commands.build_warehouse(settings, as_of=as_of)
    print(f"4/5 metric history: {DEMO_HISTORY_WEEKS} weekly dates, so the trend charts have points")
    backfill.backfill(settings, backfill.weekly_dates(as_of, DEMO_HISTORY_WEEKS), force=False)
    print("5/5 sync into the app database")
    # The demo regenerates at the scale asked for: a smaller demo must still publish.
    commands.sync_app(settings, allow_shrink=True, min_fraction=None)
    print("demo build is green and published: app database schemas leader_hub and fraud")
    print_demo_access(settings, conns.app_dsn, port)
    if not serve:
        return 0
    print()
    return commands.serve_api(
        settings, host=DEMO_HOST, port=port, dev=True, workers=commands.DEFAULT_WORKERS
    )
