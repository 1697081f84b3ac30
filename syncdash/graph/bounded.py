"""Limits on what one answer and one listing may cost, whatever the other end sends.

A hostile or broken service can send a compressed body that expands to gigabytes, a page
that links to itself, or pages of objects without end. Graph's real answers are far
inside these limits (a page of 999 users with syncdash's $select is ~2 MB), so reaching
one ends the read with a one-line error instead of eating the jump host's memory.
"""

from __future__ import annotations

import zlib

import httpx
from kiota_http.middleware.middleware import BaseMiddleware

from syncdash.graph.errors import BadResponse

#: Bytes of one answer, compressed as sent and once decompressed.
MAX_BODY = 64 * 1024 * 1024
#: Pages one listing or delta round may follow (empty ones included) and objects it may
#: return: Entra ID's directory quota is 300,000 objects unless Microsoft raises it, so a
#: kind past a million objects is not a tenant's answer.
MAX_PAGES = 20_000
MAX_OBJECTS = 1_000_000

_DECODERS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


def _decode(raw: bytes, encoding: str, where: str) -> bytes:
    """Decompress at most MAX_BODY bytes; more is a bomb, not an answer."""
    if encoding in ("", "identity"):
        return raw
    if encoding not in _DECODERS:
        raise BadResponse(f"{where}: the answer uses an unsupported content-encoding")
    decoder = zlib.decompressobj(_DECODERS[encoding])
    try:
        data = decoder.decompress(raw, MAX_BODY + 1)
    except zlib.error:
        if encoding != "deflate":
            raise BadResponse(f"{where}: the answer's compressed body is broken") from None
        data = zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw, MAX_BODY + 1)  # raw deflate
    if len(data) > MAX_BODY or decoder.unconsumed_tail:
        raise BadResponse(f"{where}: the answer expands beyond {MAX_BODY // 2**20} MB; not read")
    return data


class BoundedBody(BaseMiddleware):
    """Reads each answer itself, compressed size and decompressed size both capped, and
    hands on a plain body: httpx would otherwise inflate whatever arrives, in full."""

    async def send(self, request: httpx.Request, transport: httpx.AsyncBaseTransport) -> httpx.Response:
        response = await super().send(request, transport)
        where = f"Graph {request.url.path.rsplit('/', 1)[-1] or 'request'}"
        if response.is_stream_consumed:  # built in memory (an in-process transport): nothing to inflate
            if len(response.content) > MAX_BODY:
                raise BadResponse(f"{where}: the answer is larger than {MAX_BODY // 2**20} MB; not read")
            return response
        raw = bytearray()
        try:
            async for chunk in response.aiter_raw():
                raw += chunk
                if len(raw) > MAX_BODY:
                    raise BadResponse(f"{where}: the answer is larger than {MAX_BODY // 2**20} MB; not read")
        finally:
            await response.aclose()
        encodings = [e.strip().lower() for e in response.headers.get("content-encoding", "").split(",") if e.strip()]
        body = bytes(raw)
        for encoding in reversed(encodings):
            body = _decode(body, encoding, where)
        # raw bytes: a header value that is not ASCII must pass through as it came
        headers = [(k, v) for k, v in response.headers.raw
                   if k.lower() not in (b"content-encoding", b"content-length", b"transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=body, request=request,
                              extensions=response.extensions)
