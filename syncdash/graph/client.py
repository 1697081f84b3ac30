"""One factory for every GraphServiceClient syncdash uses: real tenants, national clouds,
the loopback emulator and the in-process emulator all go through the same middleware."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from syncdash.graph.errors import ClientConfigError
from syncdash.graph.retry_after import ThrottleListener

if TYPE_CHECKING:
    import httpx
    from azure.core.credentials import TokenCredential
    from azure.core.credentials_async import AsyncTokenCredential
    from msgraph import GraphServiceClient

PUBLIC_GRAPH_URL = "https://graph.microsoft.com/v1.0"

#: Seconds to wait for a connection and for a whole response; Graph pages of 999 users
#: with $select come back in well under a second, so a minute means trouble.
CONNECT_TIMEOUT = 10.0
REQUEST_TIMEOUT = 60.0


def is_loopback(url: str) -> bool:
    """Whether a URL points at this machine, the only place syncdash talks to unauthenticated."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_base_url(url: str) -> str:
    """Validate a Graph base URL and drop its trailing slash (httpx would double it)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ClientConfigError(f"not a Graph URL: {url!r} (expected e.g. {PUBLIC_GRAPH_URL})")
    if parts.scheme == "http" and not is_loopback(url):
        raise ClientConfigError(f"plain http is allowed only for loopback addresses: {url}")
    return url.strip().rstrip("/")


def build_client(
    base_url: str = PUBLIC_GRAPH_URL,
    credential: TokenCredential | AsyncTokenCredential | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    on_throttle: ThrottleListener | None = None,
) -> GraphServiceClient:
    """Build a GraphServiceClient with the SDK's default middleware.

    The only middleware swapped is the retry handler, for one that honours decimal
    Retry-After values (the SDK's own falls back to an unrelated backoff for them).
    Without a credential the client sends no token, which is allowed only for loopback
    URLs and in-process transports: never for a real tenant.
    """
    from kiota_abstractions.authentication import (
        AnonymousAuthenticationProvider,
        AuthenticationProvider,
    )
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from kiota_http.kiota_client_factory import KiotaClientFactory
    from kiota_http.middleware import RetryHandler
    from msgraph import GraphRequestAdapter, GraphServiceClient
    from msgraph_core import GraphClientFactory
    from msgraph_core.middleware import GraphTelemetryHandler

    from syncdash.graph.bounded import BoundedBody
    from syncdash.graph.links import StayOnBase
    from syncdash.graph.request_log import RequestLog
    from syncdash.graph.retry import RetryAfterHandler, ThrottleGate

    base_url = normalise_base_url(base_url)
    if credential is None:
        if transport is None and not is_loopback(base_url):
            raise ClientConfigError(f"a sign-in is needed for {base_url}")
        auth_provider: AuthenticationProvider = AnonymousAuthenticationProvider()
    else:
        parts = urlsplit(base_url)
        # kiota compares host names only: StayOnBase below keeps the token on this very
        # scheme, host, port and version path
        auth_provider = AzureIdentityAuthenticationProvider(
            credential,
            scopes=[f"{parts.scheme}://{parts.netloc}/.default"],
            allowed_hosts=[parts.hostname or ""],
        )

    import httpx

    http = httpx.AsyncClient(
        base_url=base_url,
        transport=transport,
        timeout=httpx.Timeout(REQUEST_TIMEOUT, connect=CONNECT_TIMEOUT),
    )
    middleware = [
        RetryAfterHandler() if isinstance(handler, RetryHandler) else handler
        for handler in KiotaClientFactory.get_default_middleware(None)
    ]
    # last, nearest the network: every request (redirects too) checked against the base,
    # every answer read with its size capped
    middleware += [GraphTelemetryHandler(), ThrottleGate(on_throttle), RequestLog(), StayOnBase(base_url),
                   BoundedBody()]
    http = GraphClientFactory.create_with_custom_middleware(middleware, client=http)
    adapter = GraphRequestAdapter(auth_provider, client=http)
    adapter.base_url = base_url
    return GraphServiceClient(request_adapter=adapter)
