"""The emulator inside the client's process: an httpx transport under the SDK's middleware."""

from __future__ import annotations

import asyncio
import time

import httpx

from syncdash.emulator.service import GraphEmulator


#: What httpx raises for each network fault, with the text the OS and ssl module give.
NETWORK_FAULTS: dict[str, tuple[type[httpx.TransportError], str]] = {
    "dns": (httpx.ConnectError, "[Errno -2] Name or service not known"),
    "tls": (httpx.ConnectError, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
                                "self-signed certificate in certificate chain (_ssl.c:1006)"),
    "refused": (httpx.ConnectError, "All connection attempts failed"),
    "timeout": (httpx.ConnectTimeout, ""),
}


class EmulatorTransport(httpx.AsyncBaseTransport):
    """Hands each request to a :class:`GraphEmulator`, with its latency and dropped
    connections made to look like the network's."""

    def __init__(self, emulator: GraphEmulator):
        self.emulator = emulator

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        arrived = time.monotonic()
        if self.emulator.faults.network:
            error, text = NETWORK_FAULTS[self.emulator.faults.network]
            raise error(text, request=request)
        await request.aread()
        if self.emulator.faults.latency:
            await asyncio.sleep(self.emulator.faults.latency)
        answer = self.emulator.handle(request.method, str(request.url), request.headers, arrived, request.content)
        if answer.drop:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        self.emulator.delivered(answer)
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body, request=request)
