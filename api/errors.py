"""One JSON error shape for every failure, and the exception handlers that produce it.

Every error body is ``{"status": 400, "error": "bad_request", "message": "...", "field":
"per_page"}``; ``field`` names the offending parameter on 400s and is null otherwise.
Messages never echo request values (a search string may be a patient's name).
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Mapping

import msgspec
import psycopg
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example

from api.params import describe_invalid

logger = logging.getLogger("kpi.api")

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    500: "internal_error",
    503: "service_unavailable",
}


class ErrorBody(msgspec.Struct):
    """The body of every error response."""

    status: int
    error: str
    message: str
    field: str | None = None


class ApiError(Exception):
    """An expected failure with its HTTP status; rendered as an :class:`ErrorBody`."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = dict(headers or {})


def bad_request(field: str, message: str) -> ApiError:
    return ApiError(400, message, field=field)


def unauthorized(message: str) -> ApiError:
    # RFC 6750: tell the client which scheme we expect and that the token was the problem.
    return ApiError(401, message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def forbidden(message: str) -> ApiError:
    return ApiError(403, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def unavailable(message: str) -> ApiError:
    return ApiError(503, message, headers={"Retry-After": "5"})


def error_response(
    status: int,
    message: str,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[ErrorBody]:
    body = ErrorBody(status, ERROR_CODES.get(status, "error"), message, field)
    return Response(body, status_code=status, headers=dict(headers or {}))


# ------------------------------------------------------------------- exception handlers

_MISSING_PARAMETER = re.compile(r"Missing required (?:query|path|header|cookie) parameter '(\w+)'")


def handle_api_error(_: Request, exc: ApiError) -> Response[ErrorBody]:
    return error_response(exc.status, exc.message, exc.field, exc.headers)


def handle_validation_error(request: Request, exc: ValidationException) -> Response[ErrorBody]:
    """Litestar's parameter validation (types, ranges, enums, missing) → a field-level 400,
    in the words of the route's own ``field_rules`` where it has them."""
    rules = _route_rules(request)
    extra = exc.extra if isinstance(exc.extra, list) else []
    first = extra[0] if extra and isinstance(extra[0], dict) else {}
    field = first.get("key")
    if field == "data" and first.get("source") == "body":  # the body as a whole
        field = "body"
    if field:
        missing = "required" in str(first.get("message", "")).lower()
        return error_response(400, describe_invalid(field, missing=missing, rules=rules), field)
    match = _MISSING_PARAMETER.search(str(exc.detail))
    if match:
        field = match.group(1)
        return error_response(400, describe_invalid(field, missing=True, rules=rules), field)
    return error_response(400, "the request's parameters are invalid")


def _route_rules(request: Request) -> dict[str, str]:
    handler = request.scope.get("route_handler")
    return handler.opt.get("field_rules", {}) if handler is not None else {}


def handle_http_exception(_: Request, exc: HTTPException) -> Response[ErrorBody]:
    """Litestar's own HTTP errors (unknown path, wrong method, ...)."""
    status = exc.status_code
    messages = {
        404: "no such resource",
        405: "method not allowed on this path",
    }
    message = messages.get(status) or (exc.detail if status < 500 else "internal error")
    headers = dict(exc.headers or {})
    # Litestar's "JSON is malformed" for a request body that does not parse
    field = "body" if status == 400 and "JSON" in str(exc.detail) else None
    return error_response(status, message, field, headers=headers)


def handle_database_error(request: Request, exc: psycopg.OperationalError) -> Response[ErrorBody]:
    """A database failure that escaped api.db (e.g. while opening the pool)."""
    logger.warning(
        "database error on %s %s: %s (sqlstate %s)",
        request.method,
        request.url.path,
        type(exc).__name__,
        getattr(exc, "sqlstate", None),
    )
    return error_response(503, "the app database is unavailable; try again shortly")


def handle_internal_error(request: Request, exc: Exception) -> Response[ErrorBody]:
    """A bug. Log where it happened, never the exception's text (it may quote data)."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error(
        "internal error on %s %s: %s\n%s",
        request.method,
        request.url.path,
        type(exc).__name__,
        frames,
    )
    return error_response(500, "internal error")


EXCEPTION_HANDLERS = {
    ApiError: handle_api_error,
    ValidationException: handle_validation_error,
    HTTPException: handle_http_exception,
    psycopg.OperationalError: handle_database_error,
    Exception: handle_internal_error,
}


# ---------------------------------------------------------------------- OpenAPI docs


def _spec(status: int, description: str, message: str, field: str | None = None) -> ResponseSpec:
    example = ErrorBody(status, ERROR_CODES[status], message, field)
    return ResponseSpec(
        ErrorBody,
        description=description,
        examples=[Example(summary=ERROR_CODES[status], value=msgspec.to_builtins(example))],
    )


BAD_REQUEST = _spec(
    400,
    "A parameter has the wrong type, is out of range or is not an allowed value; `field` names it.",
    "per_page must be a whole number from 1 to 100",
    "per_page",
)
UNAUTHORIZED = _spec(
    401,
    "Missing, malformed, expired or not yet valid bearer token, bad signature, "
    "disallowed algorithm, wrong issuer/audience, or malformed claims.",
    "token expired",
)
FORBIDDEN = _spec(
    403,
    "The token is valid but its market role, markets or roles do not allow this request.",
    "market 7 is not in the token's markets",
)
NOT_FOUND = _spec(
    404,
    "No such resource, or it is not visible with this token (a provider or shift outside "
    "the token's markets is reported as not found).",
    "provider not found",
)
CONFLICT = _spec(
    409,
    "The Idempotency-Key was already used by this subject with another request body.",
    "this Idempotency-Key was used with another request body",
)
UNAVAILABLE = _spec(
    503,
    "The app database is unreachable, or no sync has published data yet.",
    "the app database is unavailable; try again shortly",
)

PROTECTED_RESPONSES: dict[int, ResponseSpec] = {
    400: BAD_REQUEST,
    401: UNAUTHORIZED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    503: UNAVAILABLE,
}
