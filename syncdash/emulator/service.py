"""The emulated Microsoft Graph: one request in, Graph's answer out, independent of HTTP.

Both front ends (the in-process httpx transport and the loopback server) hand requests
here. It answers what syncdash asks the way Graph does, and refuses what Graph refuses
with Graph's error JSON, so a client test cannot pass on the emulator's leniency. It
answers per permission set too (:mod:`syncdash.emulator.permissions`): a kind the token
may not read is a 403, an organization read with User.Read alone comes back mostly null.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from syncdash.emulator import schema as schemas
from syncdash.emulator.answers import (Answer, RequestRecord, error_answer, fingerprint, json_answer, make_token,
                                       read_token, recorded_headers)
from syncdash.emulator.batching import answer_batch
from syncdash.emulator.delta import DELTA_SEGMENTS, answer_delta
from syncdash.emulator.faults import Faults
from syncdash.emulator.filters import Predicate, compile_filter, fold
from syncdash.emulator.odata_errors import GraphRefusal, bad_request, not_found, unsupported
from syncdash.emulator.permissions import Access, Grants, authorize, denied, limit_organization
from syncdash.emulator.tenant import TenantStore

__all__ = ["Answer", "GraphEmulator", "RequestRecord"]

VERSION_PREFIX = "/v1.0"  # the same in batching.py
MAX_TOP = 999
DEFAULT_TOP = 100
_QUERY_OPTIONS = {"$select", "$filter", "$top", "$skiptoken", "$count", "$orderby"}
#: Properties Graph sorts on by default (without advanced query parameters), per collection.
_SORTABLE = {"users": ("displayName", "userPrincipalName"), "groups": ("displayName",), "contacts": ("displayName",)}
_DELETED_CASTS = {
    "microsoft.graph.user": "#microsoft.graph.user",
    "graph.user": "#microsoft.graph.user",
    "microsoft.graph.group": "#microsoft.graph.group",
    "graph.group": "#microsoft.graph.group",
}
_COLLECTIONS = {"users": schemas.USER, "groups": schemas.GROUP, "contacts": schemas.CONTACT}


class GraphEmulator:
    """Answers Graph v1.0 requests from a :class:`TenantStore`."""

    def __init__(self, store: TenantStore, faults: Faults | None = None, *, token: str | None = None,
                 grants: Grants | None = None, contacts_delta_latest: bool = False):
        """``token``: when given, every request must carry ``Authorization: Bearer <token>``
        (a 401 otherwise), as Graph demands of a signed-in client. ``grants``: what that
        token may read; else the tenant file's ``grants``, else :meth:`Grants.full`.
        ``contacts_delta_latest``: accept ``$deltatoken=latest`` on contacts, which the
        docs promise for users and groups only (refused by default, with a 400)."""
        self.store = store
        self.faults = faults or Faults()
        self.token = token
        self.grants = grants
        self.contacts_delta_latest = contacts_delta_latest
        #: Wall clock of delta tokens (7-day lifetime); tests move it forward.
        self.clock = time.time
        #: Requests answered inside $batch calls.
        self.batch_items = 0
        self.requests: list[RequestRecord] = []
        #: Each item of each $batch, with the headers Graph sees for it (its own, and the
        #: batch's credentials); ``requests`` holds the $batch call itself.
        self.batch_requests: list[RequestRecord] = []
        #: Requests sent while a 429's Retry-After had not yet passed.
        self.early_requests = 0
        self._throttled_until = 0.0
        self._announced_at: float | None = None
        self._lock = threading.Lock()
        self._filter_cache: dict[tuple, Any] = {}

    # -- bookkeeping -----------------------------------------------------------------
    def current_grants(self) -> Grants:
        """The token's grants: given to the emulator, else the tenant file's, else full."""
        return self.grants or self.store.grants or Grants.full()

    def count(self, path_fragment: str = "") -> int:
        """How many requests had ``path_fragment`` in their path (all when empty)."""
        return sum(1 for record in self.requests if path_fragment in record.path)

    def record_batch_item(self, record: RequestRecord) -> None:
        with self._lock:
            self.batch_requests.append(record)

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
            answer = self.fault_for(arrived) or self.route(method, parts, path, query, lowered, body)
        except GraphRefusal as refusal:
            answer = error_answer(refusal, request_id)
        answer.headers.setdefault("request-id", request_id)
        with self._lock:
            self.requests.append(
                RequestRecord(method.upper(), path, query, answer.status, arrived, recorded_headers(lowered))
            )
        return answer

    def fault_for(self, arrived: float) -> Answer | None:
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
                answer = error_answer(refusal, str(uuid.uuid4()))
                if faults.retry_after:
                    answer.headers["retry-after"] = faults.retry_after
                return answer
            if faults.roll(faults.malformed_rate):
                return Answer(200, b'{"value": [{"id": "', {"content-type": "application/json"})
        return None

    def _throttle(self, remaining: float | None) -> Answer:
        refusal = GraphRefusal(429, "TooManyRequests", "Too many requests.")
        answer = error_answer(refusal, str(uuid.uuid4()))
        header = self.faults.retry_after if remaining is None else f"{remaining:.3f}"
        if header:
            answer.headers["retry-after"] = header
        return answer

    # -- routing ---------------------------------------------------------------------
    def route(
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
            return answer_batch(self, body, parts, headers)
        if method.upper() != "GET":
            raise denied()
        if "" in relative.split("/"):
            raise bad_request("Resource not found for the segment ''.")
        segments = relative.split("/")
        data = self.store.snapshot()
        base = f"{parts.scheme}://{parts.netloc}{VERSION_PREFIX}"
        head = segments[0].lower()
        grants = self.current_grants()
        if head in _COLLECTIONS and len(segments) <= 2:
            # "List users" / "List groups" / "List orgContacts" and their $count, delta and
            # single-item forms: the same permissions each.
            authorize(grants, head)
            schema, items = _COLLECTIONS[head], data[head]
            if len(segments) == 1:
                return self._list(schema, items, head, relative, base, query, headers)
            if segments[1].lower() == "$count":
                return self._count(schema, items, head, query, headers)
            if segments[1].lower() in DELTA_SEGMENTS:
                return answer_delta(self, schema, head, relative, base, query, headers)
            return self._item(schema, items, segments[1], base, query)
        if head == "organization" and len(segments) == 1:
            limited = authorize(grants, "organization") is Access.LIMITED
            return self._list(schemas.ORGANIZATION, data["organization"], head, relative, base, query, headers,
                              view=limit_organization if limited else None)
        if head == "domains" and len(segments) == 1:
            authorize(grants, "domains")
            return self._list(schemas.DOMAIN, data["domains"], head, relative, base, query, headers)
        if head == "directory" and len(segments) >= 2:
            return self._directory(segments[1:], data, relative, base, query, headers, grants)
        raise bad_request(f"Resource not found for the segment '{segments[0]}'.")

    def _directory(self, segments, data, relative, base, query, headers, grants: Grants) -> Answer:
        name = segments[0].lower()
        if name == "onpremisessynchronization" and len(segments) == 1:
            authorize(grants, "onPremisesSynchronization")
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
            authorize(grants, "deletedItems/user" if schema is schemas.USER else "deletedItems/group")
            items = [item for item in data["deletedItems"] if item.get("@odata.type") == cast]
            key = f"deletedItems/{cast}"
            return self._list(schema, items, key, relative, base, query, headers)
        raise bad_request(f"Resource not found for the segment '{segments[0]}'.")

    # -- query options ---------------------------------------------------------------
    def selection(self, schema: schemas.Schema, items: list[dict], query: dict[str, str]) -> list[str] | None:
        """The ``$select``-ed names (each one a property Graph knows), or None."""
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
    def project(schema: schemas.Schema, item: dict[str, Any], names: list[str] | None) -> dict:
        """An object as a listing sends it: the selection (nulls for what it lacks), or
        the collection's default properties, or all of it."""
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

    def _list(self, schema, items, key, relative, base, query, headers,
              view: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> Answer:
        """A collection, paged with opaque skiptokens; ``view`` applies what the token may
        see of each projected object (the organization's nulls with User.Read)."""
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
        names = self.selection(schema, items, query)
        matched = self._sorted(schema, self._filtered(schema, items, key, query, advanced), key, query, advanced)
        bound_to = fingerprint(relative, query)
        offset, empty_served = read_token(query.get("$skiptoken"), bound_to)
        body: dict[str, Any] = {"@odata.context": f"{base}/$metadata#{key}"}
        if advanced:
            body["@odata.count"] = len(matched)
        if self.faults.empty_pages and offset > 0 and not empty_served:
            body["value"] = []
            next_offset: int | None = offset
            empty_next = True
        else:
            page = matched[offset : offset + top]
            body["value"] = [self.project(schema, item, names) for item in page]
            if view is not None:
                body["value"] = [view(item) for item in body["value"]]
            next_offset = offset + top if offset + top < len(matched) else None
            empty_next = False
        if next_offset is not None:
            params = {name: value for name, value in query.items() if name != "$skiptoken"}
            params["$skiptoken"] = make_token(next_offset, bound_to, empty_next)
            body["@odata.nextLink"] = f"{base}/{relative}?{urlencode(params, safe='$,()/:')}"
        return json_answer(body)

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
        names = self.selection(schema, items, query)
        body = {"@odata.context": f"{base}/$metadata#{schema.name}/$entity"}
        body.update(self.project(schema, found, names))
        return json_answer(body)


