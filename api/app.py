"""The app factory: OpenAPI and its offline docs page, errors, the pool, the controllers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from api import fraud, leader_hub, performance_hub, web
from api.audit import AuditLog
from api.cache import ResponseCache
from api.db import SNAPSHOT, Database
from api.errors import EXCEPTION_HANDLERS, UNAVAILABLE, ApiError
from api.metrics import RequestRecorder, mark_worker_stopped, metrics_route
from api.observability import AccessSink, RequestObservability
from api.tokens import TokenVerifier
from kpi.alerts import hours_since
from kpi.settings import Settings

API_VERSION = "1.0.0"
POOL_TIMEOUT_SECONDS = 5.0
SWAGGER_STATIC_PATH = "/static/swagger-ui"

DESCRIPTION = """\
Read API over the Clinical KPI marts: Leader Hub metrics, the clinicians' own
Performance Hub and fraud reports.

The API only authorizes, filters, sorts by precomputed columns and pages; every metric,
rank and report flag is computed by dbt. Send `Authorization: Bearer <JWT>`; `kpi token`
mints a dev token. Errors have one shape: `{status, error, message, field}`.
"""


class Health(msgspec.Struct):
    status: str


class Ready(msgspec.Struct):
    status: str
    as_of_date: date
    synced_at: datetime
    run_id: int
    stale: bool  # as_of_date older than KPI_STALE_AFTER_HOURS (from 00:00 UTC of that day)
    # SPEC §14: the API's own role may add audit rows but not change them (False when it
    # connects as the owner, or before the audit table exists).
    audit_protected: bool


@get("/health", operation_id="getHealth", summary="The process is up", tags=["Operations"])
async def health() -> Health:
    return Health(status="ok")


# audit_protected is read from the database, not from settings: whatever DSN the API was
# given, it reports whether this connection's role could rewrite the PHI audit.
READY_SQL = f"""
with {SNAPSHOT}
select
    snapshot.as_of_date,
    snapshot.synced_at,
    snapshot.run_id,
    -- true when the role holds any of the three (PostgreSQL's privilege list)
    coalesce(
        not has_table_privilege(to_regclass('kpi_audit.phi_access'), 'UPDATE, DELETE, TRUNCATE'),
        false
    ) as audit_protected
from snapshot
"""


@get(
    "/ready",
    operation_id="getReady",
    summary="The app database is reachable and holds a published sync",
    responses={503: UNAVAILABLE},
    tags=["Operations"],
)
async def ready(db: NamedDependency[Database], state: State) -> Ready:
    rows = await db.fetch(READY_SQL, {})
    if not rows:
        raise ApiError(503, "no successful sync yet: run `kpi sync`", headers={"Retry-After": "5"})
    stale = hours_since(rows[0]["as_of_date"]) > state.stale_after_hours
    return Ready(status="ready", stale=stale, **rows[0])


def _provide_db(state: State) -> Database:
    return state.db


def _swagger_assets() -> tuple[SwaggerRenderPlugin, Any]:
    """Swagger UI from the swagger-ui-bundle package, served by this app (works offline)."""
    import swagger_ui_bundle

    static = create_static_files_router(
        path=SWAGGER_STATIC_PATH,
        directories=[swagger_ui_bundle.swagger_ui_path],
        include_in_schema=False,
        name="swagger-ui-assets",
    )
    plugin = SwaggerRenderPlugin(
        js_url=f"{SWAGGER_STATIC_PATH}/swagger-ui-bundle.js",
        css_url=f"{SWAGGER_STATIC_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{SWAGGER_STATIC_PATH}/swagger-ui-standalone-preset.js",
        path=["/", "/swagger"],
        favicon="",
    )
    return plugin, static


def create_app(
    settings: Settings,
    app_dsn: str,
    *,
    pool_timeout: float = POOL_TIMEOUT_SECONDS,
    dev_login: bool = False,
    access_log: AccessSink | None = None,
) -> Litestar:
    """The Litestar app serving the app database at ``app_dsn``.

    Raises ``kpi.settings.SettingsError`` when the JWT key settings are unusable.
    ``pool_timeout``: seconds a request waits for a database connection before its 503.
    ``dev_login``: also serve the web page's dev login, which mints dev tokens (dev only).
    ``access_log``: where the access-log entries go (default: a JSON line at once on the
    ``kpi.api.access`` logger); ``kpi serve`` passes its batched stderr writer.
    """
    verifier = TokenVerifier(settings)
    audit_log = AuditLog(app_dsn)
    db = Database(app_dsn, max_size=settings.db_pool_size, timeout=pool_timeout)
    recorder = RequestRecorder(db.pool)
    swagger, swagger_static = _swagger_assets()
    openapi = OpenAPIConfig(
        title="Clinical KPI API",
        version=API_VERSION,
        description=DESCRIPTION,
        path="/schema",
        render_plugins=[swagger],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
        create_examples=False,
    )
    app = Litestar(
        route_handlers=[
            health,
            ready,
            leader_hub.router,
            performance_hub.router,
            fraud.router,
            swagger_static,
            *web.route_handlers(settings, dev_login=dev_login),
            *([metrics_route(settings.metrics_token)] if settings.metrics_token else []),
        ],
        dependencies={
            "db": Provide(_provide_db, sync_to_thread=False),
        },
        state=State(
            {
                "db": db,
                "response_cache": ResponseCache(db),
                "audit_log": audit_log,
                "request_recorder": recorder,
                "token_verifier": verifier,
                "leader_roles": frozenset(settings.leader_roles),
                "stale_after_hours": settings.stale_after_hours,
                "fraud_suppress_days": settings.fraud_suppress_days,
            }
        ),
        on_startup=[db.open, audit_log.start, recorder.start],
        on_shutdown=[audit_log.stop, recorder.stop, db.close, mark_worker_stopped],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=openapi,
        # Litestar logs nothing per request; never log exceptions (their text can quote data)
        logging_config=LoggingConfig(configure_root_logger=False, log_exceptions="never"),
        debug=False,
    )
    # Outermost, around routing and the exception handlers: sees every response (404s of
    # no route included) and the route template the router matched.
    app.asgi_handler = RequestObservability(app.asgi_handler, access_log, record=recorder)
    return app
