"""The emulator over loopback HTTP, for a syncdash (or anything else) in another process."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from syncdash.emulator.answers import Answer

LOOPBACK = "127.0.0.1"
#: Time a client over loopback may take to read a 429 before its wait binds it.
NOTICE = 0.05


class _Faults(Protocol):
    latency: float


class Emulated(Protocol):
    """A service the server can put on loopback: the emulated Graph or Resource Manager."""

    @property
    def faults(self) -> _Faults: ...

    def handle(self, method: str, url: str, headers: Mapping[str, str], arrived: float, body: bytes) -> Answer: ...

    def delivered(self, answer: Answer, notice: float = 0.0) -> None: ...


class _Handler(BaseHTTPRequestHandler):
    server: _EmulatorServer
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        arrived = time.monotonic()
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        emulator = self.server.emulator
        if emulator.faults.latency:
            time.sleep(emulator.faults.latency)
        host = self.headers.get("host") or f"{LOOPBACK}:{self.server.server_port}"
        answer = emulator.handle(self.command, f"http://{host}{self.path}", dict(self.headers), arrived, body)
        if answer.drop:
            self.close_connection = True
            return
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)
        self.wfile.flush()
        emulator.delivered(answer, NOTICE)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the emulator keeps its own request log."""


class _EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, emulator: Emulated, port: int, path: str):
        super().__init__((LOOPBACK, port), _Handler)
        self.emulator = emulator
        self.base_path = path

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: object) -> None:
        """A client hanging up (a closed keep-alive connection) is not a server error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.server_port}{self.base_path}"


def make_server(emulator: Emulated, port: int = 0, path: str = "/v1.0") -> _EmulatorServer:
    """A server bound to loopback only (port 0: any free port); ``base_url`` says where
    (``path``: Graph's version segment, none for Resource Manager)."""
    return _EmulatorServer(emulator, port, path)


@contextmanager
def serving(emulator: Emulated, port: int = 0, path: str = "/v1.0") -> Iterator[str]:
    """Serve in a background thread for the duration of a ``with`` block; yields the base URL."""
    server = make_server(emulator, port, path)
    thread = threading.Thread(target=server.serve_forever, name="graph-emulator", daemon=True)
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
