"""The emulated Microsoft Graph: one request in, Graph's answer out, independent of HTTP.

Both front ends (the in-process httpx transport and the loopback server) hand requests
here. It answers what syncdash asks the way Graph does, and refuses what Graph refuses
with Graph's error JSON, so a client test cannot pass on the emulator's leniency.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from syncdash.emulator import schema as schemas
from syncdash.emulator.faults import Faults
from syncdash.emulator.filters import Predicate, compile_filter, fold
from syncdash.emulator.odata_errors import GraphRefusal, bad_request, bad_request_code, not_found, unsupported
from syncdash.emulator.tenant import TenantStore

VERSION_PREFIX = "/v1.0"
MAX_BATCH = 20
MAX_TOP = 999
DEFAULT_TOP = 100
_QUERY_OPTIONS = {"$select", "$filter", "$top", "$skiptoken", "$count", "$orderby"}
#: Properties Graph sorts on by default (without advanced query parameters), per collection.
_SORTABLE = {"users": ("displayName", "userPrincipalName"), "groups": ("displayName",), "contacts": ("displayName",)}
_DELTA_SEGMENTS = {"delta", "delta()", "microsoft.graph.delta", "microsoft.graph.delta()"}
#: Delta pages are sized by the service, not the client (Graph ignores $top there).
DELTA_PAGE = 200
#: Directory delta links live seven days; older ones answer syncStateNotFound.
DELTA_LIFETIME = 7 * 24 * 3600
_DELTA_OPTIONS = {"$select", "$deltatoken", "$skiptoken"}
_DELETED_CASTS = {
    "microsoft.graph.user": "#microsoft.graph.user",
    "graph.user": "#microsoft.graph.user",
    "microsoft.graph.group": "#microsoft.graph.group",
    "graph.group": "#microsoft.graph.group",
}


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Close the connection without answering (a dropped connection).
    drop: bool = False


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: dict[str, str]
    status: int
    arrived: float


def _error(refusal: GraphRefusal, request_id: str) -> Answer:
    body = {
        "error": {
            "code": refusal.code,
            "message": refusal.message,
            "innerError": {
                "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": request_id,
            },
        }
    }
    return Answer(refusal.status, json.dumps(body).encode(), {"content-type": "application/json"})


class GraphEmulator:
    """Answers Graph v1.0 requests from a :class:`TenantStore`."""

    def __init__(self, store: TenantStore, faults: Faults | None = None, *, token: str | None = None):
        """``token``: when given, every request must carry ``Authorization: Bearer <token>``
        (a 401 otherwise), as Graph demands of a signed-in client."""
        self.store = store
        self.faults = faults or Faults()
        self.token = token
        #: Wall clock of delta tokens (7-day lifetime); tests move it forward.
        self.clock = time.time
        #: Requests answered inside $batch calls.
        self.batch_items = 0
        self.requests: list[RequestRecord] = []
        #: Requests sent while a 429's Retry-After had not yet passed.
        self.early_requests = 0
        self._throttled_until = 0.0
        self._announced_at: float | None = None
        self._lock = threading.Lock()
        self._filter_cache: dict[tuple, list[dict[str, Any]]] = {}

    # -- bookkeeping -----------------------------------------------------------------
    def count(self, path_fragment: str = "") -> int:
        """How many requests had ``path_fragment`` in their path (all when empty)."""
        return sum(1 for record in self.requests if path_fragment in record.path)

    def delivered(self, answer: Answer, notice: float = 0.0) -> None:
        """A front end calls this once an answer is on its way to the client.

        From ``notice`` seconds later (the time a client needs to read it: none in
        process, a little over a socket) the client knows of a throttling wait, and a
        request it sends before the wait ends counts as early.
        """
        if answer.status == 429:
            with self._lock:
                self._announced_at = time.monotonic() + notice

    # -- entry point -----------------------------------------------------------------
    def handle(
        self, method: str, url: str, headers: Mapping[str, str], arrived: float | None = None, body: bytes = b""
    ) -> Answer:
        arrived = time.monotonic() if arrived is None else arrived
        parts = urlsplit(url)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        request_id = str(uuid.uuid4())
        lowered = {name.lower(): value for name, value in headers.items()}
        try:
            answer = self._faults(arrived) or self._route(method, parts, path, query, lowered, body)
        except GraphRefusal as refusal:
            answer = _error(refusal, request_id)
        answer.headers.setdefault("request-id", request_id)
        with self._lock:
            self.requests.append(RequestRecord(method.upper(), path, query, answer.status, arrived))
        return answer

    def _faults(self, arrived: float) -> Answer | None:
        faults = self.faults
        with self._lock:
            if arrived < self._throttled_until:
                if self._announced_at is not None and arrived >= self._announced_at:
                    self.early_requests += 1
                return self._throttle(self._throttled_until - arrived)
            if faults.roll(faults.drop_rate):
                return Answer(0, drop=True)
            if faults.roll(faults.throttle_rate):
                wait = float(faults.retry_after) if faults.retry_after else 0.0
                self._throttled_until = arrived + wait
                self._announced_at = None
                return self._throttle(None)
            if faults.roll(faults.server_error_rate):
                refusal = GraphRefusal(
                    faults.server_error_status, "UnknownError", "Service unavailable."
                )
                answer = _error(refusal, str(uuid.uuid4()))
                if faults.retry_after:
                    answer.headers["retry-after"] = faults.retry_after
                return answer
            if faults.roll(faults.malformed_rate):
                return Answer(200, b'{"value": [{"id": "', {"content-type": "application/json"})
        return None

    def _throttle(self, remaining: float | None) -> Answer:
        refusal = GraphRefusal(429, "TooManyRequests", "Too many requests.")
        answer = _error(refusal, str(uuid.uuid4()))
        header = self.faults.retry_after if remaining is None else f"{remaining:.3f}"
        if header:
            answer.headers["retry-after"] = header
        return answer

    # -- routing ---------------------------------------------------------------------
    def _route(
        self, method: str, parts: Any, path: str, query: dict[str, str], headers: dict[str, str], body: bytes = b""
    ) -> Answer:
        if not path.startswith(VERSION_PREFIX + "/"):
            raise bad_request(f"Invalid version: {path.split('/')[1] if '/' in path else path}")
        relative = path[len(VERSION_PREFIX) + 1 :].rstrip("/")
        for prefix, status in self.faults.deny.items():
            if relative.lower().startswith(prefix.lower()):
                code = "InvalidAuthenticationToken" if status == 401 else "Authorization_RequestDenied"
                raise GraphRefusal(status, code, "Insufficient privileges to complete the operation.")
        if self.token is not None and headers.get("authorization") != f"Bearer {self.token}":
            raise GraphRefusal(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        if relative == "$batch" and method.upper() == "POST":
            return self._batch(body, parts, headers)
        if method.upper() != "GET":
            raise GraphRefusal(
                403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
            )
        if "" in relative.split("/"):
            raise bad_request("Resource not found for the segment ''.")
        segments = relative.split("/")
        data = self.store.snapshot()
        base = f"{parts.scheme}://{parts.netloc}{VERSION_PREFIX}"
        head = segments[0].lower()
        collection = {"users": schemas.USER, "groups": schemas.GROUP, "contacts": schemas.CONTACT}
        if head in collection and len(segments) == 1:
            return self._list(collection[head], data[head], head, relative, base, query, headers)
        if head in collection and len(segments) == 2 and segments[1].lower() == "$count":
            return self._count(collection[head], data[head], head, query, headers)
        if head in collection and len(segments) == 2 and segments[1].lower() in _DELTA_SEGMENTS:
            return self._delta(collection[head], head, relative, base, query)
        if head in collection and len(segments) == 2:
            return self._item(collection[head], data[head], segments[1], base, query)
        if head == "organization" and len(segments) == 1:
            return self._list(schemas.ORGANIZATION, data["organization"], head, relative, base, query, headers)
        if head == "domains" and len(segments) == 1:
            return self._list(schemas.DOMAIN, data["domains"], head, relative, base, query, headers)
        if head == "directory" and len(segments) >= 2:
            return self._directory(segments[1:], data, relative, base, query, headers)
        raise bad_request(f"Resource not found for the segment '{segments[0]}'.")

    def _directory(self, segments, data, relative, base, query, headers) -> Answer:
        name = segments[0].lower()
        if name == "onpremisessynchronization" and len(segments) == 1:
            return self._list(
                schemas.ON_PREMISES_SYNCHRONIZATION, data["onPremisesSynchronization"],
                "directory/onPremisesSynchronization", relative, base, query, headers,
            )
        if name == "deleteditems":
            if len(segments) == 1:
                raise bad_request(
                    "Request for deleted items requires a type cast: "
                    "use /directory/deletedItems/microsoft.graph.user or microsoft.graph.group."
                )
            cast = _DELETED_CASTS.get(segments[1].lower())
            if cast is None or len(segments) > 2:
                raise bad_request(f"Resource not found for the segment '{segments[1]}'.")
            schema = schemas.USER if cast.endswith("user") else schemas.GROUP
            items = [item for item in data["deletedItems"] if item.get("@odata.type") == cast]
            key = f"deletedItems/{cast}"
            return self._list(schema, items, key, relative, base, query, headers)
        raise bad_request(f"Resource not found for the segment '{segments[0]}'.")

    # -- query options ---------------------------------------------------------------
    def _selection(self, schema: schemas.Schema, items: list[dict], query: dict[str, str]) -> list[str] | None:
        raw = query.get("$select")
        if raw is None:
            return None
        names = [name.strip() for name in raw.split(",") if name.strip()]
        cache_key = ("known", schema.name, self.store.version, id(items))
        known = self._filter_cache.get(cache_key)
        if known is None:
            known = self._filter_cache[cache_key] = schema.properties.union(*items)
        for name in names:
            if name not in known:
                raise bad_request(
                    f"Could not find a property named '{name}' on type '{schema.odata_type}'."
                )
        return names

    @staticmethod
    def _project(schema: schemas.Schema, item: dict[str, Any], names: list[str] | None) -> dict:
        if names is None:
            if schema.defaults is None:
                return item
            extras = [key for key in item if key not in schema.properties]
            names = [*schema.defaults, *extras]
        projected = {key: value for key, value in item.items() if key.startswith("@")}
        for name in names:
            projected[name] = item.get(name, [] if name in schema.collections else None)
        return projected

    def _filtered(self, schema, items, key, query, advanced) -> list[dict[str, Any]]:
        text = query.get("$filter")
        if not text:
            return items
        for refused in self.faults.refuse_filters:
            if refused in text:
                raise unsupported("Unsupported Query.")
        cache_key = (key, text, advanced, self.store.version, id(items))
        cached = self._filter_cache.get(cache_key)
        if cached is None:
            predicate: Predicate = compile_filter(text, schema, advanced=advanced)
            cached = [item for item in items if predicate(item)]
            if len(self._filter_cache) > 256:
                self._filter_cache.clear()
            self._filter_cache[cache_key] = cached
        return cached

    def _count(self, schema, items, key, query, headers) -> Answer:
        """``/users/$count``: a plain-text number, only in advanced-query mode."""
        if headers.get("consistencylevel", "").lower() != "eventual":
            raise bad_request("Count is not currently supported.")
        matched = self._filtered(schema, items, key, query, True)
        return Answer(200, str(len(matched)).encode(), {"content-type": "text/plain"})

    def _sorted(self, schema, items, key, query, advanced) -> list[dict[str, Any]]:
        """``$orderby=prop [asc|desc]``: by default only on displayName (and a user's UPN),
        and never together with ``$filter``; anything else needs advanced query mode."""
        text = query.get("$orderby")
        if not text:
            return items
        prop, _, direction = text.strip().partition(" ")
        direction = direction.strip().lower() or "asc"
        if direction not in ("asc", "desc") or prop not in schema.properties:
            raise bad_request(f"Invalid $orderby expression '{text}'.")
        if not advanced and (prop not in _SORTABLE.get(key, ()) or query.get("$filter")):
            raise unsupported("Sorting not supported for current query.")
        return sorted(items, key=lambda item: fold(item.get(prop)) or "", reverse=direction == "desc")

    def _list(self, schema, items, key, relative, base, query, headers) -> Answer:
        unknown = sorted(set(query) - _QUERY_OPTIONS)
        if unknown:
            raise bad_request(f"Query option '{unknown[0]}' is not allowed here.")
        count = query.get("$count", "").lower()
        if count not in ("", "true", "false"):
            raise bad_request(f"Invalid value for $count: '{query['$count']}'.")
        eventual = headers.get("consistencylevel", "").lower() == "eventual"
        if count == "true" and not eventual:
            raise bad_request("$count is not currently supported without ConsistencyLevel: eventual.")
        advanced = eventual and count == "true"
        top = DEFAULT_TOP
        if "$top" in query:
            try:
                top = int(query["$top"])
            except ValueError:
                raise bad_request(f"Invalid page size specified: '{query['$top']}'.") from None
            if not 1 <= top <= MAX_TOP:
                raise bad_request(
                    f"Invalid page size specified: '{top}'. Must be between 1 and {MAX_TOP} inclusive."
                )
        names = self._selection(schema, items, query)
        matched = self._sorted(schema, self._filtered(schema, items, key, query, advanced), key, query, advanced)
        fingerprint = _fingerprint(relative, query)
        offset, empty_served = _read_token(query.get("$skiptoken"), fingerprint)
        body: dict[str, Any] = {"@odata.context": f"{base}/$metadata#{key}"}
        if advanced:
            body["@odata.count"] = len(matched)
        if self.faults.empty_pages and offset > 0 and not empty_served:
            body["value"] = []
            next_offset: int | None = offset
            empty_next = True
        else:
            page = matched[offset : offset + top]
            body["value"] = [self._project(schema, item, names) for item in page]
            next_offset = offset + top if offset + top < len(matched) else None
            empty_next = False
        if next_offset is not None:
            params = {name: value for name, value in query.items() if name != "$skiptoken"}
            params["$skiptoken"] = _make_token(next_offset, fingerprint, empty_next)
            body["@odata.nextLink"] = f"{base}/{relative}?{urlencode(params, safe='$,()/:')}"
        return Answer(200, json.dumps(body).encode(), {"content-type": _JSON})

    def _batch(self, body: bytes, parts: Any, headers: dict[str, str]) -> Answer:
        """JSON batching: up to 20 GETs, each answered (and throttled) on its own, in an
        order of the service's choosing; item URLs must be relative to the version."""
        try:
            requests = json.loads(body or b"{}").get("requests")
        except (ValueError, AttributeError):
            raise bad_request_code("BadRequest", "Invalid batch payload format.") from None
        if not isinstance(requests, list) or not requests:
            raise bad_request_code("BadRequest", "Invalid batch payload format.")
        if len(requests) > MAX_BATCH:
            raise bad_request_code("BadRequest", f"Number of batch request steps exceeds the maximum of {MAX_BATCH}.")
        ids = [item.get("id") if isinstance(item, dict) else None for item in requests]
        if None in ids or len(set(ids)) != len(ids):
            raise bad_request_code("BadRequest", "Batch request ids must be present and unique.")
        responses = []
        for item in requests:
            answer = self._batch_item(item, parts, headers)
            try:
                content = json.loads(answer.body) if answer.body else None
            except ValueError:
                content = answer.body.decode("utf-8", "replace")
            item_headers = {k: v for k, v in answer.headers.items() if k in ("retry-after", "content-type")}
            responses.append({"id": item["id"], "status": answer.status, "headers": item_headers, "body": content})
            self.batch_items += 1
        responses.reverse()  # clients must match answers by id, never by position
        return Answer(200, json.dumps({"responses": responses}).encode(), {"content-type": _JSON})

    def _batch_item(self, item: dict[str, Any], parts: Any, headers: dict[str, str]) -> Answer:
        url = str(item.get("url", ""))
        try:
            if urlsplit(url).scheme or not url:
                raise bad_request_code("BadRequest", "Invalid request URI: batch item URLs are relative.")
            if str(item.get("method", "GET")).upper() != "GET":
                raise GraphRefusal(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            inner = urlsplit(f"{parts.scheme}://{parts.netloc}{VERSION_PREFIX}/{url.lstrip('/')}")
            item_headers = {str(k).lower(): str(v) for k, v in (item.get("headers") or {}).items()}
            faults = self._faults(time.monotonic())
            if faults is not None and faults.drop:
                raise GraphRefusal(503, "UnknownError", "Service unavailable.")
            return faults or self._route("GET", inner, unquote(inner.path),
                                         dict(parse_qsl(inner.query, keep_blank_values=True)),
                                         {**headers, **item_headers})
        except GraphRefusal as refusal:
            return _error(refusal, str(uuid.uuid4()))

    def _delta(self, schema, key, relative, base, query) -> Answer:
        """``/users/delta``: a full round (paged), then changes since a delta token, with
        removed objects as ``{"id", "@removed"}``; ``$deltatoken=latest`` starts from now."""
        query = {name.lower() if name.startswith("$") else name: value for name, value in query.items()}
        unknown = sorted(set(query) - _DELTA_OPTIONS)
        if unknown:
            raise bad_request(f"Query option '{unknown[0]}' is not supported with delta.")
        changes = self.store.track_changes()[key]
        names = self._selection(schema, self.store.snapshot()[key], query)
        version = self.store.version
        token = query.get("$deltatoken")
        if token == "latest":
            return self._delta_page(key, relative, base, query, [], None, version)
        since: int | None = None
        if token is not None:
            since, issued = _read_delta_token(token)
            if self.faults.delta_gone:
                raise GraphRefusal(410, "resyncRequired", "Resync required: replay the delta query from scratch.")
            if self.clock() - issued > DELTA_LIFETIME:
                raise bad_request_code("syncStateNotFound", "The sync state generation is not found. The delta "
                                       "token is expired and data must be synchronized again.")
        data = {str(item.get("id")): item for item in self.store.snapshot()[key]}
        if since is None:
            entries = [self._project(schema, item, names) for item in data.values()]
        else:
            entries = []
            for object_id, (changed, removed) in sorted(changes.items(), key=lambda pair: pair[1][0]):
                if changed <= since:
                    continue
                if removed or object_id not in data:
                    entries.append({"id": object_id, "@removed": {"reason": "deleted"}})
                else:
                    entries.append(self._project(schema, data[object_id], names) | {"id": object_id})
        return self._delta_page(key, relative, base, query, entries, query.get("$skiptoken"), version)

    def _delta_page(self, key, relative, base, query, entries, skiptoken, version) -> Answer:
        fingerprint = _fingerprint(relative, {k: v for k, v in query.items() if k != "$deltatoken"})
        offset, empty_served = _read_token(skiptoken, fingerprint)
        body: dict[str, Any] = {"@odata.context": f"{base}/$metadata#{key}"}
        params = {name: value for name, value in query.items() if name not in ("$skiptoken", "$deltatoken")}
        if self.faults.empty_pages and offset > 0 and not empty_served:
            body["value"] = []
            params["$skiptoken"] = _make_token(offset, fingerprint, True)
            body["@odata.nextLink"] = f"{base}/{relative}?{urlencode({**params, **_keep_token(query)}, safe='$,()/:')}"
        elif offset + DELTA_PAGE < len(entries):
            body["value"] = entries[offset : offset + DELTA_PAGE]
            params["$skiptoken"] = _make_token(offset + DELTA_PAGE, fingerprint, False)
            body["@odata.nextLink"] = f"{base}/{relative}?{urlencode({**params, **_keep_token(query)}, safe='$,()/:')}"
        else:
            body["value"] = entries[offset:]
            params["$deltatoken"] = _make_delta_token(version, self.clock())
            body["@odata.deltaLink"] = f"{base}/{relative}?{urlencode(params, safe='$,()/:')}"
        return Answer(200, json.dumps(body).encode(), {"content-type": _JSON})

    def _item(self, schema, items, object_id, base, query) -> Answer:
        unknown = sorted(set(query) - {"$select"})
        if unknown:
            raise bad_request(f"Query option '{unknown[0]}' is not allowed here.")
        found = next((item for item in items if str(item.get("id", "")).lower() == object_id.lower()), None)
        if found is None:
            raise not_found(
                f"Resource '{object_id}' does not exist or one of its queried "
                "reference-property objects are not present."
            )
        names = self._selection(schema, items, query)
        body = {"@odata.context": f"{base}/$metadata#{schema.name}/$entity"}
        body.update(self._project(schema, found, names))
        return Answer(200, json.dumps(body).encode(), {"content-type": _JSON})


_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"


def _keep_token(query: dict[str, str]) -> dict[str, str]:
    """A next link of a delta round carries the delta token it started from."""
    return {"$deltatoken": query["$deltatoken"]} if "$deltatoken" in query else {}


def _make_delta_token(version: int, issued: float) -> str:
    raw = json.dumps([version, round(issued)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_delta_token(token: str) -> tuple[int, float]:
    try:
        version, issued = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(version, int) or not isinstance(issued, (int, float)):
            raise ValueError
    except (ValueError, TypeError, binascii.Error):
        raise bad_request_code("syncStateNotFound", "The delta token is not valid.") from None
    return version, float(issued)


def _fingerprint(relative: str, query: dict[str, str]) -> str:
    stable = sorted((k, v) for k, v in query.items() if k != "$skiptoken")
    return hashlib.sha256(repr((relative.lower(), stable)).encode()).hexdigest()[:16]


def _make_token(offset: int, fingerprint: str, empty_served: bool) -> str:
    raw = json.dumps([offset, fingerprint, empty_served]).encode()
    return "RFNwdAIAAQAAA" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_token(token: str | None, fingerprint: str) -> tuple[int, bool]:
    """Offset and empty-page flag from a skiptoken issued for this very query."""
    if token is None:
        return 0, False
    try:
        if not token.startswith("RFNwdAIAAQAAA"):
            raise ValueError
        payload = token[len("RFNwdAIAAQAAA") :]
        offset, issued_for, empty_served = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
        if issued_for != fingerprint or not isinstance(offset, int) or offset < 0:
            raise ValueError
    except (ValueError, TypeError, binascii.Error):
        raise bad_request("Invalid $skiptoken.") from None
    return offset, bool(empty_served)
