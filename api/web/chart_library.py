"""The page's chart library: plotly.js, served from the installed ``plotly`` package.

Like the docs page's Swagger UI (``swagger-ui-bundle``), the JavaScript comes from a Python
dependency and this app serves it: no CDN, and no library code copied into the repository.
The ``plotly`` package ships the official ``plotly.min.js`` bundle (``package_data``).

The file is large (~4.8 MB) and changes only with the package, so the page loads it lazily
(only when it draws a chart) and revalidates it: ``Cache-Control: no-cache`` with an ETag
of the package version and file size, answered with 304 when the browser has it already
(Litestar's file responses do not answer ``If-None-Match`` themselves).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import ETag
from litestar.response import File

CHART_LIBRARY_PATH = "/static/vendor/plotly.min.js"

# An empty <style> element: plotly.js adds its own rules to one through the CSSOM
# (`insertRule`), which the Content-Security-Policy does not govern; the element itself is
# inline style, allowed by its hash only when it is empty (sha256 of ""), so no inline CSS
# text is ever admitted. Without it the hover labels and cursors lose their styles.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"


@cache
def chart_library() -> tuple[Path, str]:
    """(the installed plotly.min.js, its ETag)."""
    import plotly

    path = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    return path, f"plotly-{plotly.__version__}-{path.stat().st_size}"


@get(CHART_LIBRARY_PATH, include_in_schema=False, sync_to_thread=False)
def serve_chart_library(request: Request[Any, Any, Any]) -> Response[Any]:
    """plotly.min.js, or 304 when the browser's copy (``If-None-Match``) is this one."""
    path, etag = chart_library()
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    if f'"{etag}"' in request.headers.get("if-none-match", ""):
        return Response(content=b"", status_code=304, headers={**headers, "ETag": f'"{etag}"'})
    return File(
        path=path,
        media_type="text/javascript",
        content_disposition_type="inline",
        headers=headers,
        etag=ETag(value=etag),
    )
