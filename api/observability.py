"""One JSON log line per request, with a request id (SPEC §14 "Logs").

:class:`RequestObservability` wraps Litestar's ASGI handler (``app.asgi_handler``, inside
the app so the in-process tests and ``kpi serve`` see the same thing): after routing it
knows the *route template*, after the policy the *token subject*. It

* takes the request id from ``X-Request-ID`` when that is 1–128 characters of
  ``[A-Za-z0-9._:-]`` (what load balancers and tracing headers send), else makes one
  (32 hex digits: a random per-process prefix and a counter); puts it in
  ``scope["state"]["request_id"]`` for the handlers (the PHI audit) and returns it as
  ``X-Request-ID`` on every response;
* writes one line per request::

    {"time": "2026-11-20T06:00:00.123Z", "level": "info", "logger": "kpi.api.access",
     "request_id": "...", "method": "GET", "route": "/v1/.../{provider_id:int}/provider-visits",
     "status": 200, "duration_ms": 3.1, "sub": "auth0|abc"}

What is never logged: the raw path (it may hold a phone number or a provider's id), the
query string (a visits search is a patient's name), headers (the bearer token), bodies.
``route`` is the template Litestar matched, ``"unmatched"`` for a 404 outside every route.
``sub`` is the token's ``sub`` claim as sent (the staff member's identity-provider id, not
patient data; it is what the PHI audit table records, so a log line and an audit row can
be joined), null when the request had no valid token.

The line is built with the stdlib ``json`` (no structlog): a format string around memoized
``json.dumps`` of the free-text values, on the hot path; ``kpi serve`` writes it through a
batched stderr buffer (``api.server``).
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

access_logger = logging.getLogger("kpi.api.access")

REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")
MAX_SUBJECT_CHARS = 200
UNMATCHED_ROUTE = "unmatched"

# (route template, method, status, seconds, scope) after each request; /metrics uses it.
Recorder = Callable[[str, str, int, float, Any], None]


# Generated ids: 16 random hex digits per process, then a counter (unique, and no
# os.urandom call per request; request ids need not be unguessable).
_PROCESS_PREFIX = secrets.token_hex(8)
_counter = itertools.count(1)


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's ``X-Request-ID`` when well-formed, else a new one (32 hex digits)."""
    for name, value in headers:
        if name.lower() == REQUEST_ID_HEADER:
            if _VALID_REQUEST_ID.fullmatch(value):
                return value.decode("ascii")
            break
    return f"{_PROCESS_PREFIX}{next(_counter):016x}"


class _Clock:
    """ISO-8601 UTC timestamps; the date-time part is formatted once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def now(self) -> str:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
        return f"{self._prefix}.{int((now - second) * 1000):03d}Z"


def _log_to_logger(line: str) -> None:
    access_logger.info(line)


class RequestObservability:
    """ASGI wrapper: request id in and out, one JSON access line, and the ``record`` hook."""

    def __init__(
        self,
        app: Any,
        write: Callable[[str], None] | None = None,
        record: Recorder | None = None,
    ) -> None:
        self.app = app
        self.write = write or _log_to_logger
        self.record = record
        self._clock = _Clock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope["headers"])
        scope.setdefault("state", {})["request_id"] = request_id
        header = (REQUEST_ID_HEADER, request_id.encode("ascii"))
        status = 500

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("path_template") or UNMATCHED_ROUTE
            method = str(scope.get("method", ""))[:16]
            self.write(self._line(request_id, method, route, status, seconds, scope))
            if self.record is not None:
                self.record(route, method, status, seconds, scope)

    def _line(
        self, request_id: str, method: str, route: str, status: int, seconds: float, scope: Any
    ) -> str:
        """The JSON object, written by hand around ``json.dumps`` of the free-text values
        (memoized: routes, methods and subjects repeat), since a full ``json.dumps`` of the
        dict was most of this wrapper's cost. ``request_id`` is [A-Za-z0-9._:-] or hex."""
        user = scope.get("user")
        subject = getattr(user, "subject", None)
        sub = subject[:MAX_SUBJECT_CHARS] if isinstance(subject, str) else None
        return (
            f'{{"time": "{self._clock.now()}", "level": "info", "logger": "kpi.api.access",'
            f' "request_id": "{request_id}", "method": {_quoted(method)},'
            f' "route": {_quoted(route)}, "status": {status},'
            f' "duration_ms": {seconds * 1000:.1f}, "sub": {_quoted(sub)}}}'
        )


_QUOTED: dict[str | None, str] = {}


def _quoted(value: str | None) -> str:
    """``json.dumps(value)``, remembered (bounded) for the values that repeat."""
    quoted = _QUOTED.get(value)
    if quoted is None:
        quoted = json.dumps(value, ensure_ascii=True)
        if len(_QUOTED) >= 10_000:
            _QUOTED.clear()
        _QUOTED[value] = quoted
    return quoted


class JsonFormatter(logging.Formatter):
    """The API's other log records (warnings, errors) as JSON lines like the access log.

    Only the message is kept (never ``exc_info``: an exception's text can quote data)."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        return json.dumps(
            {
                "time": f"{stamp}.{int(record.msecs):03d}Z",
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": record.getMessage(),
            },
            ensure_ascii=True,
        )
