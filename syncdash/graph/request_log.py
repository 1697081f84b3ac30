"""Every request sent to Graph, for ``--log FILE``: method, path, status and time.

Each attempt is a line (the middleware sits next to the transport, so a throttled request
and its retry are two lines). Query strings carry directory data — filter values, names,
addresses — so they are written only at DEBUG level; paths hold nothing but resource
names and object ids. Headers are never written: the Authorization header is a token.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import unquote

import httpx
from kiota_http.middleware.middleware import BaseMiddleware

from syncdash.sanitize import safe_text

LOG = logging.getLogger("syncdash.graph.requests")


def _target(request: httpx.Request) -> str:
    path = request.url.path
    query = request.url.query.decode("ascii", "replace")
    if query and LOG.isEnabledFor(logging.DEBUG):
        return f"{path}?{safe_text(unquote(query))}"  # a value's line break must not forge a line
    return f"{path}?…" if query else path


class RequestLog(BaseMiddleware):
    async def send(self, request: httpx.Request, transport: httpx.AsyncBaseTransport) -> httpx.Response:
        if not LOG.isEnabledFor(logging.INFO):
            return await super().send(request, transport)
        started = time.perf_counter()
        try:
            response = await super().send(request, transport)
        except httpx.HTTPError as exc:
            LOG.warning("%s %s failed after %.3f s: %s", request.method, _target(request),
                        time.perf_counter() - started, type(exc).__name__)
            raise
        wait = response.headers.get("retry-after")
        LOG.info("%s %s %d %.3f s%s", request.method, _target(request), response.status_code,
                 time.perf_counter() - started, f" (retry-after {wait})" if wait else "")
        return response
