"""Azure Resource Manager through azure-core's pipeline: a bearer-token policy for the
cloud's Resource Manager scope, azure-core's retry policy (it waits out ``Retry-After``,
``retry-after-ms`` and ``x-ms-retry-after-ms`` before the next try, so no request is
sent inside the window), no redirect policy, and ``nextLink`` followed only on the base.

azure-mgmt-core's ARM pipeline client is not used: its automatic resource-provider
registration policy only understands subscription paths, and Connect Health's are
tenant-level. The transport is azure-core's asyncio ``requests`` transport: requests is
already installed (MSAL's), and a session's adapter is how the demo serves the emulator
in-process.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from syncdash import __version__
from syncdash.sanitize import safe_text

if TYPE_CHECKING:
    import requests
    from azure.core.credentials_async import AsyncTokenCredential

API_VERSION = "2014-01-01"
PROVIDER = "providers/Microsoft.ADHybridHealthService"
#: A page of export errors is a few MB at most; this bounds what a hostile answer costs.
MAX_BODY = 64 * 1024 * 1024
MAX_PAGES = 10_000
#: Retries of one request (throttling, 5xx) and the time all of them may take.
RETRIES, RETRY_TIMEOUT = 4, 180
#: Seconds to connect and to wait for each answer.
TIMEOUT = 60


class HealthUnavailable(Exception):
    """Connect Health could not be read: one line saying why (shown as the source's state)."""


def _reason(status: int, body: bytes) -> str:
    """What a refusal means for the admin, with ARM's own error code when it sent one."""
    code = ""
    try:
        error = json.loads(body).get("error")
        if isinstance(error, dict) and isinstance(error.get("code"), str):
            code = f" ({safe_text(error['code'])[:80]})"
    except (ValueError, AttributeError):
        pass
    if status == 401:
        return f"Resource Manager refused the sign-in{code}"
    if status == 403:
        return (f"no access to Connect Health{code}: it needs Global Administrator, Hybrid Identity Administrator, "
                "or the Reader role on Connect Health")
    if status == 404:
        return f"no Connect Health service for this tenant{code}"
    return f"Resource Manager answered {status}{code}"


class ResourceManager:
    """GETs on one Resource Manager base; a token only for it, and only over https."""

    def __init__(self, base_url: str, *, credential: AsyncTokenCredential | None = None, scope: str | None = None,
                 session: requests.Session | None = None) -> None:
        from azure.core.pipeline import AsyncPipeline
        from azure.core.pipeline.policies import (AsyncBearerTokenCredentialPolicy, AsyncRetryPolicy,
                                                  HeadersPolicy, UserAgentPolicy)
        from azure.core.pipeline.transport import AsyncioRequestsTransport

        self.base = base_url.rstrip("/")
        parts = urlsplit(self.base)
        self._origin = (parts.scheme, parts.netloc.lower())
        policies: list[Any] = [
            HeadersPolicy({"Accept": "application/json"}),
            UserAgentPolicy(base_user_agent=f"syncdash/{__version__}"),
            AsyncRetryPolicy(retry_total=RETRIES, retry_backoff_max=30, timeout=RETRY_TIMEOUT),
        ]
        if credential is not None and scope is not None:
            policies.append(AsyncBearerTokenCredentialPolicy(credential, scope))
        transport = AsyncioRequestsTransport(session=session, session_owner=session is None, use_env_settings=False)
        self._pipeline = AsyncPipeline(transport, policies)

    def on_base(self, url: str) -> bool:
        parts = urlsplit(url)
        return (parts.scheme, parts.netloc.lower()) == self._origin and url.startswith(self.base + "/")

    async def get(self, path: str, **params: str) -> Any:
        query = urlencode({**params, "api-version": API_VERSION})
        return await self._get(f"{self.base}/{PROVIDER}/{path}?{query}")

    async def _get(self, url: str) -> Any:
        from azure.core.exceptions import AzureError, ClientAuthenticationError
        from azure.core.rest import HttpRequest

        try:
            answer = await self._pipeline.run(HttpRequest("GET", url), connection_timeout=TIMEOUT)
        except ClientAuthenticationError as exc:
            raise HealthUnavailable(safe_text(f"no token for Resource Manager: {exc.message}")[:300]) from None
        except AzureError as exc:
            raise HealthUnavailable(safe_text(f"Resource Manager not reachable: {exc.message}")[:300]) from None
        response = answer.http_response
        body = response.body()
        if len(body) > MAX_BODY:
            raise HealthUnavailable(f"Resource Manager sent more than {MAX_BODY // 2**20} MB in one answer")
        if response.status_code != 200:
            raise HealthUnavailable(_reason(response.status_code, body))
        try:
            return json.loads(body)
        except ValueError:
            raise HealthUnavailable("Resource Manager's answer is not JSON") from None

    async def items(self, path: str, **params: str) -> AsyncIterator[dict[str, Any]]:
        """Every item of a list, its ``nextLink`` pages followed while they stay on the base."""
        page = await self.get(path, **params)
        for _ in range(MAX_PAGES):
            if not isinstance(page, dict):
                raise HealthUnavailable("Resource Manager's answer is not a list")
            for item in page.get("value") or ():
                if isinstance(item, dict):
                    yield item
            link = page.get("nextLink")
            if not link:
                return
            if not isinstance(link, str) or not self.on_base(link):
                raise HealthUnavailable("a nextLink led off Resource Manager's base: not followed")
            if "api-version=" not in link:
                link += ("&" if "?" in link else "?") + urlencode({"api-version": API_VERSION})
            page = await self._get(link)
        raise HealthUnavailable(f"more than {MAX_PAGES} pages: stopped")
