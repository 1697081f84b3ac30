"""Sending one request through the SDK and taking its raw JSON; paging our own way.

msgraph-sdk builds each request (URL template, auth, retry, telemetry) but its model
parsing is far too slow for directory listings, so every call here asks for the native
httpx response. Paging is a plain loop: the SDK's PageIterator stops at the first empty
page, which Graph does send in the middle of listings.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar

import httpx

from syncdash.graph.bounded import MAX_OBJECTS, MAX_PAGES
from syncdash.graph.errors import BadResponse, parse_json, raise_for_response, unreachable
from syncdash.graph.links import checked

#: Attempts per page when the connection drops or the body arrives broken; the SDK's
#: retry handler only covers HTTP statuses.
TRANSPORT_ATTEMPTS = 4
TRANSPORT_BACKOFF = 0.25

T = TypeVar("T")

#: Set for work nobody is waiting on (the dashboard's scheduled refreshes): Graph then
#: throttles these requests before an admin's own (throttling-limits, "x-ms-throttle-priority").
BACKGROUND: ContextVar[bool] = ContextVar("syncdash_background", default=False)


def priority_headers() -> dict[str, str]:
    """The throttle-priority header for the current task's requests, if low."""
    return {"x-ms-throttle-priority": "low"} if BACKGROUND.get() else {}


def query(builder: Any, **params: Any) -> Any:
    """The builder's own generated query-parameter dataclass, filled with ``params``."""
    cls = getattr(type(builder), f"{type(builder).__name__}GetQueryParameters")
    return cls(**{name: value for name, value in params.items() if value is not None})


async def _send(builder: Any, params: Any, headers: Mapping[str, str]) -> httpx.Response:
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from kiota_abstractions.native_response_handler import NativeResponseHandler
    from kiota_http.middleware.options import ResponseHandlerOption

    config = RequestConfiguration(
        query_parameters=params, options=[ResponseHandlerOption(NativeResponseHandler())]
    )
    for name, value in {**priority_headers(), **headers}.items():
        config.headers.add(name, value)
    # NativeResponseHandler: the builder (untyped here) returns the httpx answer itself
    response: httpx.Response = await builder.get(request_configuration=config)
    return response


async def with_resends(send: Callable[[], Awaitable[T]], resource: str) -> T:
    """``send()`` again, backing off, after a transport fault or a broken body (the SDK's
    retry handler covers only HTTP statuses); the last fault is raised as one line."""
    for attempt in itertools.count():
        try:
            return await send()
        except BadResponse:
            if attempt + 1 >= TRANSPORT_ATTEMPTS:
                raise
        except httpx.TransportError as exc:
            if attempt + 1 >= TRANSPORT_ATTEMPTS:
                raise unreachable(exc, resource) from None
        await asyncio.sleep(TRANSPORT_BACKOFF * 2**attempt)
    raise AssertionError("itertools.count() does not end")


async def get_json(
    builder: Any,
    resource: str,
    params: Any = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """GET through ``builder`` and return the JSON object, resending on transport faults."""

    async def send() -> dict[str, Any]:
        response = await _send(builder, params, headers or {})
        raise_for_response(response, resource)
        return parse_json(response, resource)

    return await with_resends(send, resource)


def page_items(body: dict[str, Any], resource: str) -> list[dict[str, Any]]:
    items = body.get("value")
    if not isinstance(items, list):
        raise BadResponse(f"Graph {resource}: a listing without a 'value' array")
    return [item for item in items if isinstance(item, dict)]


async def pages(
    builder: Any,
    resource: str,
    params: Any = None,
    headers: Mapping[str, str] | None = None,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Every page of a listing, following ``@odata.nextLink`` through empty pages.

    A page that fails is fetched again from its own link, so a fault in the middle of a
    listing resumes where it stopped instead of starting over. Links are followed only on
    Graph's base, never twice, and within the page and object limits; an object sent
    again on a later page is passed on once.
    """
    walk = Walk(builder.request_adapter.base_url, resource)
    body = await get_json(builder, resource, params, headers)
    while True:
        yield walk.page(page_items(body, resource))
        link = walk.next_link(body.get("@odata.nextLink"))
        if link is None:
            return
        body = await get_json(builder.with_url(link), resource, None, headers)


class Walk:
    """One listing's progress through its pages: where it has been, what it has seen."""

    def __init__(self, base: str, resource: str) -> None:
        self.base = base.rstrip("/")
        self.resource = resource
        self.followed: set[str] = set()
        self.ids: set[str] = set()
        self.pages = 0

    def page(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The page without objects already seen; past MAX_OBJECTS the listing stops."""
        self.pages += 1
        fresh = []
        for item in items:
            key = str(item.get("id"))
            if key not in self.ids:
                self.ids.add(key)
                fresh.append(item)
        if len(self.ids) > MAX_OBJECTS:
            raise BadResponse(f"Graph {self.resource}: more than {MAX_OBJECTS:,} objects in one listing; stopped")
        return fresh

    def next_link(self, link: Any) -> str | None:
        """The next page's link, checked: on Graph's base, not seen before, within MAX_PAGES."""
        if not isinstance(link, str) or not link:
            return None
        checked(self.base, link, self.resource)
        if link in self.followed:
            raise BadResponse(f"Graph {self.resource}: the listing links back to a page it already read; stopped")
        if self.pages >= MAX_PAGES:
            raise BadResponse(f"Graph {self.resource}: more than {MAX_PAGES:,} pages in one listing; stopped")
        self.followed.add(link)
        return link
