"""Graph's refusals, raised inside the emulator and answered with Graph's error JSON."""

from __future__ import annotations


class GraphRefusal(Exception):
    """An error answer: HTTP status, Graph error code and message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def unsupported(message: str) -> GraphRefusal:
    return GraphRefusal(400, "Request_UnsupportedQuery", message)


def bad_request(message: str) -> GraphRefusal:
    return GraphRefusal(400, "Request_BadRequest", message)


def not_found(message: str) -> GraphRefusal:
    return GraphRefusal(404, "Request_ResourceNotFound", message)


def bad_request_code(code: str, message: str) -> GraphRefusal:
    return GraphRefusal(400, code, message)
