"""A local, read-only HTTP server for the generated dbt docs site (``kpi docs``).

``kpi docs`` serves the generated site at a local URL until Ctrl-C (``--no-serve`` only
writes it). One static page needs no more than the standard library's server, bound to
127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
from pathlib import Path

from kpi.errors import CliError

HOST = "127.0.0.1"


def serve_directory(directory: Path, port: int, page: str) -> None:
    """Serve ``directory`` on ``HOST:port`` until Ctrl-C; ``page`` is the URL printed."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    try:
        httpd = http.server.ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        raise CliError(f"cannot serve the docs on {HOST}:{port}: {exc.strerror or exc}") from None
    with httpd:
        print(f"serving http://{HOST}:{httpd.server_address[1]}/{page} (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            httpd.serve_forever()
