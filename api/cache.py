"""A per-snapshot response cache with ETag / 304, checked after authorization.

The published data changes only when a sync commits, so a 200 response is a pure function
of (snapshot, authorized request). This module caches those responses per process:

* **Key** = (snapshot ``run_id``, method, path, normalized query, the response type, the
  principal's scope: sorted token markets, market role, sorted roles; and for a personal
  route, the user). Everything a response or its authorization depends on is in it, so a
  cached body is only ever replayed to a request that would have produced the very same
  body: another market's token has another key, and still meets the 403 checks (they run
  first) and the 404 visibility predicates (its own requests run the query).
* **Response type** (SPEC §14): ``text/csv`` when the request's ``Accept`` names it, else
  ``application/json``, so a CSV and a JSON rendering of one path never share an entry.
* **Personal routes** (``opt={"personal": True}`` on the handler: the clinician's own
  hub, whose body depends on who asks, not on the token's markets) add the token's user
  id claim and ``sub`` to the key: two clinicians with the same markets and roles never
  share an entry.
* **Snapshot** = the latest successful ``kpi_sync.sync_runs`` row, the one every response
  reports. It is re-read with one tiny query at most every ``ttl`` seconds (default 1 s),
  and the whole cache is dropped when it changes; so a sync invalidates the cache within
  ``ttl``. Until then a request may be answered from the previous snapshot, labelled as
  such (its own ``as_of_date``/``synced_at`` and ETag), never as the new one.
* **Stored only when verified**: a response is stored (and gets an ETag) only when its own
  ``synced_at`` equals the snapshot of its key. A sync that commits between the snapshot
  check and the request's query would otherwise put a new body under an old key.
* **ETag** = a hash of the key (so of the snapshot too). ``If-None-Match`` with it answers
  ``304 Not Modified`` only when this key's 200 is known (cached, or just computed):
  an ETag never turns a 403/404 into a 304.
* **Never stored**: routes with ``opt={"uncached": True}`` — the fraud reports, whose rows
  show their latest review, which a POST changes without a sync (SPEC §14, §15).
* Responses carry ``Cache-Control: private, no-cache``: a browser may keep them but must
  revalidate (cheap, thanks to the 304), and shared caches must not store them.

Wiring: the /v1 routers run ``before_request`` right after their access policy
(``api.policy.checked_first``; a hit returns the cached response) and set
``after_request=after_request`` (store + ETag). The cache lives in
``app.state.response_cache``.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from litestar import Request, Response
from litestar.serialization import encode_json

from api.audit import AuditIds, is_phi_route
from api.db import SNAPSHOT, Database
from api.errors import ApiError
from api.tokens import Principal

CACHE_CONTROL = "private, no-cache"
JSON = "application/json"
CSV = "text/csv"
DEFAULT_TTL_SECONDS = 1.0
DEFAULT_MAX_ENTRIES = 20_000
DEFAULT_MAX_BYTES = 128 * 1024 * 1024
MAX_BODY_BYTES = 1024 * 1024  # bigger bodies (a 10,000-phase shift) are not cached

SNAPSHOT_SQL = f"with {SNAPSHOT} select run_id, synced_at from snapshot"


class _Pending(NamedTuple):
    """A miss on its way through the handler (before_request -> after_request)."""

    request: Request[Any, Any, Any]
    cache: ResponseCache
    key: tuple[Any, ...]
    snapshot: SnapshotId


# before_request and after_request run in the same task, one request after the other.
_pending: ContextVar[_Pending | None] = ContextVar("kpi_response_cache_pending", default=None)


@dataclass(frozen=True)
class SnapshotId:
    run_id: int
    synced_at: datetime


@dataclass(frozen=True)
class Entry:
    body: bytes
    etag: str
    media_type: str
    audit: AuditIds | None = None  # a PHI response's ids, audited again on every hit


# The request whose hooks are running (before_request and after_request share the task).
_current: ContextVar[Request[Any, Any, Any] | None] = ContextVar("kpi_cache_request", default=None)


class ResponseCache:
    """Per-process LRU of encoded 200 bodies for the current snapshot."""

    def __init__(
        self,
        db: Database,
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        enabled: bool = True,
    ) -> None:
        self.db = db
        self.ttl = ttl
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.enabled = enabled
        self.snapshot: SnapshotId | None = None
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()
        self._entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    # ------------------------------------------------------------------ the snapshot

    async def current_snapshot(self) -> SnapshotId | None:
        """The published snapshot, re-read at most every ``ttl`` seconds."""
        if time.monotonic() - self._checked_at < self.ttl:
            return self.snapshot
        async with self._lock:  # one refresh at a time; the others reuse its answer
            if time.monotonic() - self._checked_at < self.ttl:
                return self.snapshot
            try:
                rows = await self.db.fetch(SNAPSHOT_SQL, {})
            except ApiError:  # database trouble: no caching; the handler reports it
                self._set_snapshot(None)
                return None
            self._set_snapshot(
                SnapshotId(rows[0]["run_id"], rows[0]["synced_at"]) if rows else None
            )
            self._checked_at = time.monotonic()
            return self.snapshot

    def _set_snapshot(self, snapshot: SnapshotId | None) -> None:
        if snapshot != self.snapshot:
            self.clear()
            self.snapshot = snapshot

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    # ----------------------------------------------------------------------- entries

    def get(self, key: tuple[Any, ...]) -> Entry | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple[Any, ...], entry: Entry) -> None:
        if len(entry.body) > MAX_BODY_BYTES:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._entries[key] = entry
        self._bytes += len(entry.body)
        while self._entries and (
            len(self._entries) > self.max_entries or self._bytes > self.max_bytes
        ):
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted.body)

    def __len__(self) -> int:
        return len(self._entries)


def request_key(request: Request[Any, Any, Any], snapshot: SnapshotId) -> tuple[Any, ...]:
    """Everything a response and its authorization depend on, and the snapshot."""
    principal = request.scope.get("user")
    if not isinstance(principal, Principal):  # not behind `authenticated`: never cached
        raise RuntimeError("response cache used on a route without a verified principal")
    raw_query = request.scope.get("query_string", b"").decode("latin-1")
    # Keep every value and the order of repeated keys; only the key order is normalized.
    query = tuple(sorted(parse_qsl(raw_query, keep_blank_values=True), key=lambda pair: pair[0]))
    key: tuple[Any, ...] = (
        snapshot.run_id,
        request.method,
        request.scope["path"],
        query,
        response_type(request),
        tuple(sorted(principal.markets)),
        principal.market_role,
        tuple(sorted(principal.roles)),
    )
    if request.route_handler.opt.get("personal"):
        key += ("user", getattr(principal, "user_id", None), principal.subject)
    return key


def response_type(request: Request[Any, Any, Any]) -> str:
    """The representation asked for: CSV only when ``Accept`` names it (SPEC §14)."""
    for name, value in request.scope["headers"]:
        if name.lower() == b"accept":
            return CSV if b"text/csv" in value.lower() else JSON
    return JSON


def etag_of(key: tuple[Any, ...]) -> str:
    digest = hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()
    return f'"{key[0]}-{digest}"'


def _matches(request: Request[Any, Any, Any], etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in candidates or "*" in candidates


def _not_modified(etag: str) -> Response[bytes]:
    return Response(
        content=b"", status_code=304, headers={"ETag": etag, "Cache-Control": CACHE_CONTROL}
    )


def _audit_computed(response: Response[Any]) -> AuditIds | None:
    """A computed 200 of a PHI route: audit the ids of the items it returns; the ids, for
    a cache entry."""
    request = _current.get()
    _current.set(None)
    if request is None or response.status_code != 200 or not is_phi_route(request):
        return None
    return request.app.state.audit_log.add_items(request, getattr(response.content, "items", ()))


def _cache_of(request: Request[Any, Any, Any]) -> ResponseCache | None:
    cache = request.app.state.get("response_cache")
    return cache if isinstance(cache, ResponseCache) and cache.enabled else None


async def before_request(request: Request[Any, Any, Any]) -> Response[bytes] | None:
    """Runs after the policy (401/403): answer a known request from the cache."""
    _pending.set(None)
    _current.set(request)
    cache = _cache_of(request)
    if cache is None or request.method != "GET" or request.route_handler.opt.get("uncached"):
        return None  # a write, or a response that changes within a snapshot (SPEC §14)
    snapshot = await cache.current_snapshot()
    if snapshot is None:
        return None
    key = request_key(request, snapshot)
    entry = cache.get(key)
    if entry is None:
        cache.misses += 1
        _pending.set(_Pending(request, cache, key, snapshot))
        return None
    cache.hits += 1
    if entry.audit is not None:
        request.app.state.audit_log.add(request, entry.audit)
    if _matches(request, entry.etag):
        return _not_modified(entry.etag)
    return Response(
        content=entry.body,
        media_type=entry.media_type,
        headers={"ETag": entry.etag, "Cache-Control": CACHE_CONTROL},
    )


async def after_request(response: Response[Any]) -> Response[Any]:
    """Store a verified 200 under its key and give it the ETag (or answer 304)."""
    pending = _pending.get()
    _pending.set(None)
    audit = _audit_computed(response)
    if pending is None or response.status_code != 200:
        return response
    request, cache, key, snapshot = pending
    content = response.content
    if getattr(content, "synced_at", None) != snapshot.synced_at or cache.snapshot != snapshot:
        # The query saw another snapshot than the key's (a sync committed in between), or
        # the snapshot moved on meanwhile: serve it as computed, no ETag, not stored.
        return response
    body = content if isinstance(content, bytes) else encode_json(content)
    etag = etag_of(key)
    media_type = str(response.media_type)
    cache.put(key, Entry(body, etag, media_type, audit))
    if _matches(request, etag):
        return _not_modified(etag)
    return Response(
        content=body,
        status_code=200,
        media_type=media_type,
        headers={**response.headers, "ETag": etag, "Cache-Control": CACHE_CONTROL},
    )
