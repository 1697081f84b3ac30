"""Connect Health's Resource Manager API (``Microsoft.ADHybridHealthService``, 2014-01-01),
emulated for the demo, tests and benchmarks, as strictly as its REST spec and Resource
Manager's conventions say: ``api-version`` required, tenant-level paths only, ``errorBucket``
required on listV2, ``nextLink`` paging where the spec declares it (services, export status,
alerts; counts and listV2 are one page), and ARM's error body on every refusal — 401
without the expected token, 403 for a caller without a Connect Health role, 404 for a
service the tenant does not have, 429 with ``Retry-After`` when throttling."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from syncdash.emulator.answers import Answer
from syncdash.emulator.tenant import TenantStore

API_VERSION = "2014-01-01"
PROVIDER = "/providers/Microsoft.ADHybridHealthService"
#: Items per page of the lists the spec pages with nextLink.
PAGE = 50


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Answer:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return Answer(status, body, {"content-type": "application/json; charset=utf-8", **(headers or {})})


def _ok(data: Any) -> Answer:
    return Answer(200, json.dumps(data).encode(), {"content-type": "application/json; charset=utf-8"})


@dataclass
class HealthFaults:
    #: Seconds added before every answer (the loopback server's).
    latency: float = 0.0
    #: Answer the next N requests 429 with this Retry-After (seconds).
    throttle_next: int = 0
    retry_after: str = "1"
    #: The caller has no Connect Health role: every read is 403.
    forbidden: bool = False


@dataclass(frozen=True)
class HealthRequest:
    path: str
    query: dict[str, str]
    status: int
    #: When it arrived (monotonic clock): a test reads the client's waits from it.
    arrived: float
    authorization: str | None


@dataclass
class HealthEmulator:
    """Serves what ``store.health`` holds; ``token``: the bearer token required (None: any)."""

    store: TenantStore
    token: str | None = None
    faults: HealthFaults = field(default_factory=HealthFaults)
    requests: list[HealthRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def handle(self, method: str, url: str, headers: Mapping[str, str], arrived: float = 0.0,
               body: bytes = b"") -> Answer:
        parts = urlsplit(url)
        query = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
        lowered = {k.lower(): v for k, v in headers.items()}
        answer = self._answer(method, parts, query, lowered)
        with self._lock:
            self.requests.append(HealthRequest(unquote(parts.path), query, answer.status, arrived or time.monotonic(),
                                               lowered.get("authorization")))
        return answer

    def delivered(self, answer: Answer, notice: float = 0.0) -> None:
        """The loopback server's hook (nothing to time here)."""

    def count(self, fragment: str = "") -> int:
        with self._lock:
            return sum(fragment in request.path for request in self.requests)

    def _answer(self, method: str, parts: Any, query: dict[str, str], headers: dict[str, str]) -> Answer:
        if self.token is not None and headers.get("authorization") != f"Bearer {self.token}":
            return _error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is "
                          "missing or invalid.", {"www-authenticate": 'Bearer authorization_uri="https://login.'
                                                  'microsoftonline.com/common", error="invalid_token"'})
        if self.faults.throttle_next > 0:
            self.faults.throttle_next -= 1
            return _error(429, "TooManyRequests", "The request is being throttled.",
                          {"retry-after": self.faults.retry_after, "x-ms-ratelimit-remaining-tenant-reads": "0"})
        if "api-version" not in query:
            return _error(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is "
                          "required for all requests.")
        if query["api-version"] != API_VERSION:
            return _error(400, "InvalidApiVersionParameter", f"The api-version '{query['api-version']}' is invalid. "
                          f"The supported versions are '{API_VERSION}'.")
        if method != "GET":
            return _error(405, "MethodNotAllowed", "This emulator serves reads only.")
        path = unquote(parts.path)
        if not path.startswith(PROVIDER + "/services"):
            return _error(404, "InvalidResourceType", "The resource type could not be found.")
        if self.faults.forbidden:
            return _error(403, "AuthorizationFailed", "The client does not have authorization to perform action "
                          "'Microsoft.ADHybridHealthService/services/read'.")
        self.store.snapshot()  # a tenant file edited on disk is served anew
        health = self.store.health
        segments = path[len(PROVIDER) + 1:].split("/")
        if segments == ["services"]:
            services = [s for s in (health or {}).get("services", [])
                        if query.get("serviceType") in (None, s.get("type"))]
            return self._page(parts, query, services)
        service = next((s for s in (health or {}).get("services", []) if s.get("serviceName") == segments[1]), None)
        if health is None or service is None:
            return _error(404, "ResourceNotFound", f"The service '{segments[1]}' was not found.")
        rest = segments[2:]
        if rest == ["exporterrors", "counts"]:
            errors = health.get("exportErrors", {})
            counts = [{"errorBucket": b, "count": len(items), "truncated": False} for b, items in errors.items()]
            counts.append({"errorBucket": "All", "count": sum(len(items) for items in errors.values()),
                           "truncated": False})
            return _ok({"value": counts})
        if rest == ["exporterrors", "listV2"]:
            if "errorBucket" not in query:
                return _error(400, "BadRequest", "The errorBucket parameter is required.")
            return _ok({"value": health.get("exportErrors", {}).get(query["errorBucket"], [])})
        if rest == ["exportstatus"]:
            return self._page(parts, query, health.get("exportStatus", []))
        if rest == ["alerts"]:
            alerts = [a for a in health.get("alerts", []) if query.get("state") in (None, a.get("state"))]
            return self._page(parts, query, alerts)
        return _error(404, "ResourceNotFound", "No such Connect Health resource.")

    @staticmethod
    def _page(parts: Any, query: dict[str, str], items: list[dict[str, Any]]) -> Answer:
        """A page of ``items`` with a nextLink to the next (an absolute URL on this host)."""
        try:
            skip = max(int(query.get("skipToken", "0")), 0)
        except ValueError:
            return _error(400, "BadRequest", "The skipToken is invalid.")
        page = items[skip:skip + PAGE]
        link = None
        if skip + PAGE < len(items):
            following = urlencode({**query, "skipToken": str(skip + PAGE)})
            link = f"{parts.scheme}://{parts.netloc}{quote(parts.path)}?{following}"
        return _ok({"value": page, "nextLink": link, "totalCount": len(items), "continuationToken": None})
