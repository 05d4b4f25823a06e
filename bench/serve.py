"""The apps the API benchmark serves, as factories for uvicorn and granian.

* :func:`real_app`: the app exactly as ``kpi serve`` runs it (``api.served_app``: auth,
  validation, typed responses, access log), with the response cache on or off
  (``BENCH_CACHE=1|0``).
* :func:`minimal_app`: a bare Litestar app with the same pool settings that runs the very
  same SQL for ``/min/{endpoint}/{i}`` with the ``i``-th parameter set of the benchmark
  (``BENCH_PARAMS``, a JSON file) and returns the rows: no auth, no validation, no types.

Environment: ``BENCH_APP_DSN``, ``KPI_JWT_SECRET``, ``KPI_DB_POOL_SIZE``, ``BENCH_PARAMS``.

    python -m bench.serve uvicorn|granian real|minimal PORT WORKERS
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from litestar import Litestar, get


def real_app() -> Any:
    from api.server import served_app
    from kpi.settings import Settings

    served = served_app(Settings.from_env(), os.environ["BENCH_APP_DSN"], dev_login=False)
    served.app.state.response_cache.enabled = os.environ.get("BENCH_CACHE", "0") == "1"
    return served


def minimal_app() -> Litestar:
    from api.db import Database
    from bench.endpoints import sql_of

    params: dict[str, list[dict[str, Any]]] = json.loads(
        Path(os.environ["BENCH_PARAMS"]).read_text()
    )
    db = Database(
        os.environ["BENCH_APP_DSN"],
        max_size=int(os.environ.get("KPI_DB_POOL_SIZE", "10")),
        timeout=5.0,
    )

    @get("/min/{endpoint:str}/{i:int}")
    async def run(endpoint: str, i: int) -> list[dict[str, Any]]:
        values = params[endpoint][i]
        return await db.fetch(sql_of(endpoint, values), values)

    return Litestar([run], on_startup=[db.open], on_shutdown=[db.close])


def main(argv: list[str]) -> None:
    server, which, port, workers = argv[0], argv[1], int(argv[2]), int(argv[3])
    factory = f"bench.serve:{which}_app"
    if server == "granian":
        from granian import Granian
        from granian.constants import Interfaces

        Granian(
            factory,
            address="127.0.0.1",
            port=port,
            interface=Interfaces.ASGI,
            workers=workers,
            factory=True,
            log_access=False,
            log_level="warning",  # type: ignore[arg-type]
        ).serve()
    else:
        import uvicorn

        from api.server import uvicorn_options

        options = uvicorn_options("127.0.0.1", port)  # as `kpi serve` runs it
        if server != "uvicorn-uvloop":
            options.update(loop="asyncio", http="h11")
        uvicorn.run(factory, factory=True, workers=workers, **(options | {"log_level": "warning"}))


if __name__ == "__main__":
    main(sys.argv[1:])
