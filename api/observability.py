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

    {"time":"2026-11-20T06:00:00.123Z","level":"info","logger":"kpi.api.access",
     "request_id":"...","method":"GET","route":"/v1/.../{provider_id}/provider-visits",
     "status":200,"duration_ms":3.1,"sub":"auth0|abc"}

What is never logged: the raw path (it may hold a phone number or a provider's id), the
query string (a visits search is a patient's name), headers (the bearer token), bodies.
``route`` is the template Litestar matched, ``"unmatched"`` for a 404 outside every route.
``sub`` is the token's ``sub`` claim as sent (the staff member's identity-provider id, not
patient data; it is what the PHI audit table records, so a log line and an audit row can
be joined), null when the request had no valid token.

What a request costs (BENCHMARKS.md, issue 18): the wrapper only collects the line's
values into a tuple (one ``perf_counter`` at each end, one ``time.time``) and hands it to
its *sink*. ``kpi serve``'s sink (``api.server.BatchedAccessLog``) queues the tuple and a
thread turns the queue into JSON lines with msgspec once a second (and at shutdown); the
default sink (tests, embedders) formats the line at once and logs it on
``kpi.api.access``. Either way the text is :func:`access_lines`'.
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import msgspec

access_logger = logging.getLogger("kpi.api.access")

REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")
MAX_SUBJECT_CHARS = 200
UNMATCHED_ROUTE = "unmatched"

# (route template, method, status, seconds, scope) after each request; /metrics uses it.
Recorder = Callable[[str, str, int, float, Any], None]
# What a request leaves for its access line: (time.time(), request id, method, route
# template, status, seconds, token subject).
AccessEntry = tuple[float, str, str, str, int, float, str | None]


class AccessSink(Protocol):
    def add(self, entry: AccessEntry) -> None: ...


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


class _Line(msgspec.Struct):
    """One access line; the fields in this order."""

    time: str
    level: str
    logger: str
    request_id: str
    method: str
    route: str
    status: int
    duration_ms: float
    sub: str | None


_ENCODER = msgspec.json.Encoder()


def _stamp(now: float, seconds: dict[int, str]) -> str:
    """ISO-8601 UTC with milliseconds; ``seconds`` memoizes the date-time part."""
    second = int(now)
    prefix = seconds.get(second)
    if prefix is None:
        if len(seconds) > 64:
            seconds.clear()
        prefix = seconds[second] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
    return f"{prefix}.{int((now - second) * 1000):03d}Z"


def access_lines(entries: Iterable[AccessEntry]) -> bytes:
    """The JSON lines of ``entries``, each ending with a newline."""
    seconds: dict[int, str] = {}
    return _ENCODER.encode_lines(
        [
            _Line(
                _stamp(now, seconds),
                "info",
                "kpi.api.access",
                request_id,
                method,
                route,
                status,
                round(duration * 1000, 1),
                sub[:MAX_SUBJECT_CHARS] if isinstance(sub, str) else None,
            )
            for now, request_id, method, route, status, duration, sub in entries
        ]
    )


class LoggedAccess:
    """The default sink: each line at once through the ``kpi.api.access`` logger."""

    def add(self, entry: AccessEntry) -> None:
        if access_logger.isEnabledFor(logging.INFO):
            access_logger.info(access_lines([entry]).decode().rstrip("\n"))


class RequestObservability:
    """ASGI wrapper: request id in and out, one JSON access line, and the ``record`` hook."""

    def __init__(
        self, app: Any, sink: AccessSink | None = None, record: Recorder | None = None
    ) -> None:
        self.app = app
        self.sink = sink or LoggedAccess()
        self.record = record

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
            method = scope["method"][:16]
            subject = getattr(scope.get("user"), "subject", None)
            self.sink.add((time.time(), request_id, method, route, status, seconds, subject))
            if self.record is not None:
                self.record(route, method, status, seconds, scope)


class JsonFormatter(logging.Formatter):
    """The API's other log records (warnings, errors) as JSON lines like the access log.

    Only the message is kept (never ``exc_info``: an exception's text can quote data)."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        return msgspec.json.encode(
            {
                "time": f"{stamp}.{int(record.msecs):03d}Z",
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": record.getMessage(),
            }
        ).decode()
