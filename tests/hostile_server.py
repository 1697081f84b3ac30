"""A hostile Graph on loopback for the hardening tests: an HTTP server answering every
request through a function, and recording what it was sent (Authorization included, to
prove where the token went)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Listener:
    """``reply(path, body, listener)`` answers each request; ``seen`` holds each
    request's path and Authorization header; ``url`` is the server's origin."""

    reply: Callable[[str, bytes, "Listener"], Reply]
    seen: list[tuple[str, str | None]] = field(default_factory=list)
    url: str = ""


@contextmanager
def listening(reply: Callable[[str, bytes, Listener], Reply]) -> Iterator[Listener]:
    listener = Listener(reply)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            listener.seen.append((self.path, self.headers.get("Authorization")))
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, headers, content = listener.reply(self.path, body, listener)
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client that stops reading after the status (a 401, a refusal) is no news

    server = Server(("127.0.0.1", 0), Handler)
    listener.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        server.shutdown()
        server.server_close()
