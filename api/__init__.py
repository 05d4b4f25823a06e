"""The read API (SPEC §10): a Litestar app that authorizes, filters, sorts and pages.

``kpi serve`` calls :func:`serve`; tests and embedders call :func:`api.app.create_app`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from kpi.settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

access_logger = logging.getLogger("kpi.api.access")


class AccessLog:
    """ASGI wrapper: one line per request with method, path, status and duration.

    Only the path is logged, never the query string (a visits search is a patient's
    name), nor headers (the bearer token).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            access_logger.info(
                "%s %s %d %.1fms",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )


def serve(
    settings: Settings,
    app_dsn: str,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    dev_login: bool = False,
) -> None:
    """Run the API with uvicorn until interrupted (Ctrl-C); ``dev_login``: see create_app."""
    import uvicorn

    from api.app import create_app

    app = create_app(settings, app_dsn, dev_login=dev_login)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    api_logger = logging.getLogger("kpi.api")
    api_logger.addHandler(handler)
    api_logger.setLevel(logging.INFO)
    api_logger.propagate = False
    uvicorn.run(
        AccessLog(app),
        host=host,
        port=port,
        access_log=False,  # uvicorn's access log prints query strings
        log_level="info",
        server_header=False,
        proxy_headers=False,
        lifespan="on",
    )
