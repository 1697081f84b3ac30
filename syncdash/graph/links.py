"""Links in Graph's answers are data from the network: followed only on Graph's own base.

A ``@odata.nextLink``, ``@odata.deltaLink``, a ``$batch`` step's next link or a redirect
could point anywhere. kiota's ``allowed_hosts`` compares host names only, so a link to
another port of the Graph host received the bearer token, and a link to another host was
followed without it and its answer counted as the tenant's. Here a link is accepted only
when its scheme, host and port equal the base's and its path stays under the base's
version; the last middleware of the client checks every request the same way, so nothing
(a redirect included) leaves for another address, with or without the token.
"""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

import httpx
from kiota_http.middleware.middleware import BaseMiddleware

from syncdash.graph.errors import GraphError
from syncdash.sanitize import safe_text

#: How much of a refused address an error shows (it is attacker-chosen text).
SHOWN = 120
_DEFAULT_PORTS = {"http": 80, "https": 443}


class ForeignLink(GraphError):
    """Graph's answer pointed outside Graph's base address: the read stops there."""


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:  # a port that is not a number
        port = -1
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def on_base(base: str, url: str) -> bool:
    """Whether ``url`` is Graph's own: same scheme, host and port as ``base``, no user
    info, and a path that stays under the base's path once ``..`` and escapes resolve."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None or _origin(url) != _origin(base):
        return False
    root = urlsplit(base).path.rstrip("/")
    path = unquote(parts.path)
    if "\\" in path or "\x00" in path:
        return False
    normal = posixpath.normpath(path) if path else "/"
    return normal == root or normal.startswith(root + "/")


def foreign(resource: str, url: str) -> ForeignLink:
    shown = safe_text(url)
    shown = shown if len(shown) <= SHOWN else shown[: SHOWN - 1] + "…"
    return ForeignLink(f"Graph {resource}: the answer links outside Graph ({shown}); not followed")


def checked(base: str, url: str, resource: str) -> str:
    """``url`` if it is on ``base``, else the ForeignLink error that ends the read."""
    if not on_base(base, url):
        raise foreign(resource, url)
    return url


class StayOnBase(BaseMiddleware):
    """The last middleware before the network: a request for any other address than the
    client's Graph base is refused before it is sent (redirects included)."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self._base = base_url

    async def send(self, request: httpx.Request, transport: httpx.AsyncBaseTransport) -> httpx.Response:
        url = str(request.url)
        if not on_base(self._base, url):
            raise foreign(request.url.path.rsplit("/", 1)[-1] or "request", url)
        return await super().send(request, transport)
