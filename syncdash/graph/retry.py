"""Throttling done the way Graph asks: wait exactly as long as Retry-After says.

The SDK's RetryHandler reads only whole seconds (Graph's own docs show ``Retry-After:
2.128``) and waits per request, so concurrent listings keep knocking on a throttled
tenant. Here the retry handler parses decimals, and a gate in front of the transport
holds *every* request of the client until the announced wait has passed.
"""

from __future__ import annotations

import asyncio
import time

import httpx
from kiota_http.middleware import RetryHandler
from kiota_http.middleware.middleware import BaseMiddleware
from kiota_http.middleware.options import RetryHandlerOption

from syncdash.graph.retry_after import MAX_HOLD, ThrottleListener, parse_retry_after

#: Retries per request; Graph storms of 429s are common in large tenants.
MAX_RETRIES = 8
#: Base added to the exponential backoff when Graph sends no Retry-After.
BASE_DELAY = 1.0
THROTTLE_STATUSES = frozenset({429, 503, 504})


class RetryAfterHandler(RetryHandler):
    """The SDK's retry handler, but reading decimal Retry-After values too."""

    def __init__(self) -> None:
        super().__init__(RetryHandlerOption(delay=BASE_DELAY, max_retries=MAX_RETRIES))

    def _parse_retry_after(self, retry_after: str) -> float | None:
        seconds = parse_retry_after(retry_after)
        if seconds is not None:
            return seconds
        return super()._parse_retry_after(retry_after)


class ThrottleGate(BaseMiddleware):
    """Holds every request of one client until the tenant's announced wait has passed."""

    def __init__(self, on_throttle: ThrottleListener | None = None) -> None:
        super().__init__()
        self._resume_at = 0.0
        self._on_throttle = on_throttle

    async def send(
        self, request: httpx.Request, transport: httpx.AsyncBaseTransport
    ) -> httpx.Response:
        while (wait := self._resume_at - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        response = await super().send(request, transport)
        if response.status_code in THROTTLE_STATUSES:
            seconds = parse_retry_after(response.headers.get("retry-after"))
            if seconds is not None and seconds > MAX_HOLD:
                return response  # an outage, reported as such; holding would freeze even `r`
            if seconds is not None:
                self._resume_at = max(self._resume_at, time.monotonic() + seconds)
            if self._on_throttle is not None:
                self._on_throttle(seconds if seconds is not None else BASE_DELAY)
        return response
