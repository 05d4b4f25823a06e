"""The Leader Hub web page: static assets served by the API app, and the dev-only login.

``/`` serves ``static/index.html``; ``/static/web/...`` its script, styles and icon;
``/static/vendor/plotly.min.js`` the chart library from the installed ``plotly`` package
(``chart_library``). The page is plain HTML/CSS/JS (no build step, no CDN) and reads the
`/v1` API with a bearer token it keeps in ``sessionStorage``.

``/dev/login`` (GET: the demo roles — leaders, clinicians, a Lead APP who is also a
clinician, a fraud analyst; POST: a token for one of them) exists only when the
app is created with ``dev_login=True`` (``kpi demo``, ``kpi serve --dev``): it signs tokens
with the dev HS256 secret for anyone who can reach the port. Production apps never have
it; there the page asks for a token to paste.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
from litestar import MediaType, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.static_files import create_static_files_router

from api.db import Database
from api.errors import ApiError, bad_request
from api.web.chart_library import EMPTY_STYLE_HASH, serve_chart_library
from api.web.demo_users import DEMO_CLINICIANS_SQL, PARAMS, by_demo, clinician_label
from kpi.settings import Settings

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PATH = "/static/web"
DEV_LOGIN_PATH = "/dev/login"
DEMO_MARKETS = 3  # the Market Manager role gets the first three markets, like `kpi demo`

# Only the app's own origin: no inline script or style (but the chart library's empty
# <style> element, see chart_library), no third-party anything.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; "
        f"style-src 'self' {EMPTY_STYLE_HASH}; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class DemoRole(msgspec.Struct):
    id: str
    label: str
    market_role: str
    markets: list[int]
    fraud: bool
    user_id: int | None = None  # a clinician's provider id (the token's user id claim)


class DemoRoleList(msgspec.Struct):
    items: list[DemoRole]


class DevLoginRequest(msgspec.Struct):
    role: str


class DevLoginResponse(msgspec.Struct):
    token: str
    role: DemoRole


DEMO_MARKETS_SQL = """
select markets.market_id from leader_hub.markets as markets
order by markets.market_id limit %(limit)s
"""


def _markets_text(markets: list[int]) -> str:
    return ",".join(str(m) for m in markets)


async def demo_roles(db: Database) -> list[DemoRole]:
    """The roles the dev login offers, over the markets and providers of the published data."""
    rows = await db.fetch(DEMO_MARKETS_SQL, {"limit": DEMO_MARKETS})
    markets = [row["market_id"] for row in rows]
    people = by_demo(await db.fetch(DEMO_CLINICIANS_SQL, PARAMS))
    roles: list[DemoRole] = []
    if markets:
        roles.append(
            DemoRole(
                "market-manager",
                f"Market Manager of markets {_markets_text(markets)}",
                "Market Manager",
                markets,
                False,
            )
        )
        first = markets[0]
        roles.append(
            DemoRole("lead-app", f"Lead APP of market {first}", "Lead APP", [first], False)
        )
        second = markets[1] if len(markets) > 1 else first
        roles.append(
            DemoRole("lead-dhmt", f"Lead DHMT of market {second}", "Lead DHMT", [second], False)
        )
    roles.extend(clinician_roles(people))
    roles.append(DemoRole("fraud-analyst", "Fraud analyst (no Leader Hub access)", "", [], True))
    return roles


def clinician_roles(people: dict[str, dict[str, Any]]) -> list[DemoRole]:
    """Clinicians (a token with their user id and no leader role) and a Lead APP who is
    also a clinician, when the build has them (demo_users)."""
    roles: list[DemoRole] = []
    if "clinician" in people:
        row = people["clinician"]
        label = f"Clinician {clinician_label(row)}"
        roles.append(DemoRole("clinician", label, "", [], False, row["provider_id"]))
    if "lead" in people:
        row = people["lead"]
        market = row["first_market_id"]
        label = f"Lead APP of market {market}, also a clinician: {clinician_label(row)}"
        roles.append(
            DemoRole("lead-app-clinician", label, "Lead APP", [market], False, row["provider_id"])
        )
    if "few_visits" in people:
        row = people["few_visits"]
        label = f"Clinician with too few visits: {clinician_label(row)}"
        roles.append(DemoRole("clinician-few-visits", label, "", [], False, row["provider_id"]))
    return roles


def route_handlers(settings: Settings, *, dev_login: bool = False) -> list[Any]:
    """The page, its assets and, only when ``dev_login``, the dev login endpoints."""
    index_html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")

    @get("/", include_in_schema=False, sync_to_thread=False)
    def index() -> Response[str]:
        return Response(index_html, media_type=MediaType.HTML, headers=PAGE_HEADERS)

    static = create_static_files_router(
        path=STATIC_PATH,
        directories=[STATIC_DIR],
        include_in_schema=False,
        name="web-assets",
        cache_control=CacheControlHeader(no_cache=True),
    )
    handlers: list[Any] = [index, static, serve_chart_library]
    if not dev_login:
        return handlers

    @get(DEV_LOGIN_PATH, include_in_schema=False)
    async def list_demo_roles(db: NamedDependency[Database]) -> DemoRoleList:
        return DemoRoleList(items=await demo_roles(db))

    @post(DEV_LOGIN_PATH, include_in_schema=False, status_code=200)
    async def dev_login_token(
        db: NamedDependency[Database], data: JSONBody[DevLoginRequest]
    ) -> DevLoginResponse:
        from api.tokens import TokenError, mint_dev_token

        roles = {role.id: role for role in await demo_roles(db)}
        role = roles.get(data.role)
        if role is None:
            raise bad_request("role", f"role must be one of: {', '.join(roles)}")
        try:
            token = mint_dev_token(
                settings, role.market_role, role.markets, role.fraud, user_id=role.user_id
            )
        except TokenError as exc:
            raise ApiError(409, f"the dev login cannot sign tokens here: {exc}") from None
        return DevLoginResponse(token=token, role=role)

    return [*handlers, list_demo_roles, dev_login_token]
