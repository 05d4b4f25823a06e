"""Response-cache keys of SPEC §14: the response type, and the user on personal routes.

No personal endpoint exists yet (the clinician's hub is a later issue), so a synthetic
personal route is registered on a real app here, behind the real policy and cache hooks:
its body names who asked, exactly what a personal response does.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import msgspec
import pytest
from api_support import bearer, claims, sign
from litestar import Litestar, Request, Router, get
from litestar.testing import TestClient

from api import cache
from api.app import create_app
from api.policy import authenticated, checked_first, principal_of
from kpi.settings import Settings


class Whoami(msgspec.Struct):
    subject: str | None
    accept: str
    synced_at: datetime  # the cache stores a body only when it names its snapshot


def _whoami(request: Request[Any, Any, Any]) -> Whoami:
    snapshot = request.app.state.response_cache.snapshot
    accept = request.headers.get("accept", "")
    return Whoami(principal_of(request).subject, accept, snapshot.synced_at)


@get("/personal", opt={"personal": True}, sync_to_thread=False)
def personal(request: Request[Any, Any, Any]) -> Whoami:
    return _whoami(request)


@get("/shared", sync_to_thread=False)
def shared(request: Request[Any, Any, Any]) -> Whoami:
    """The same body on a route *not* marked personal: what the keying protects against."""
    return _whoami(request)


@pytest.fixture(scope="module")
def keyed(api_settings: Settings, app_dsn: str) -> Iterator[TestClient[Litestar]]:
    app = create_app(api_settings, app_dsn)
    app.register(
        Router(
            path="/v1/test-cache-keys",
            route_handlers=[personal, shared],
            before_request=checked_first(authenticated, cache.before_request),
            after_request=cache.after_request,
        )
    )
    with TestClient(app) as client:
        yield client


def _as(subject: str, **headers: str) -> dict[str, str]:
    return bearer(sign(claims(sub=subject))) | headers  # same markets and roles for both


def test_personal_responses_are_keyed_on_the_user(keyed):
    url = "/v1/test-cache-keys/personal"
    first = keyed.get(url, headers=_as("clinician-a"))
    assert first.json()["subject"] == "clinician-a" and "etag" in first.headers
    again = keyed.get(url, headers=_as("clinician-a"))
    assert again.headers["etag"] == first.headers["etag"]  # a hit for the same user
    other = keyed.get(url, headers=_as("clinician-b"))
    assert other.json()["subject"] == "clinician-b"
    assert other.headers["etag"] != first.headers["etag"]
    # a user's ETag never turns another user's request into a 304
    stale = keyed.get(url, headers=_as("clinician-b", **{"If-None-Match": first.headers["etag"]}))
    assert stale.status_code == 200 and stale.json()["subject"] == "clinician-b"


def test_without_the_personal_mark_the_same_scope_shares_an_entry(keyed):
    url = "/v1/test-cache-keys/shared"
    assert keyed.get(url, headers=_as("clinician-c")).json()["subject"] == "clinician-c"
    # markets/roles equal: the entry is shared, which is right for non-personal routes only
    assert keyed.get(url, headers=_as("clinician-d")).json()["subject"] == "clinician-c"


def test_every_entry_is_keyed_on_the_response_type(keyed):
    url = "/v1/test-cache-keys/shared?type"
    as_json = keyed.get(url, headers=_as("e", Accept="application/json"))
    as_csv = keyed.get(url, headers=_as("e", Accept="text/csv"))
    assert as_json.json()["accept"] == "application/json"
    assert as_csv.json()["accept"] == "text/csv"  # computed, not the JSON entry replayed
    assert as_csv.headers["etag"] != as_json.headers["etag"]
    browser = keyed.get(url, headers=_as("e", Accept="application/json, */*"))
    assert browser.headers["etag"] == as_json.headers["etag"]  # JSON again: a hit
