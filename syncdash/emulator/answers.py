"""What every part of the emulated Graph answers with: answers, request records, error
JSON and the opaque paging tokens, shared by the listing and the delta handlers."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from syncdash.emulator.odata_errors import GraphRefusal, bad_request

JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
#: Credentials are never kept in the request log, whatever a test wants to assert.
_UNRECORDED = frozenset({"authorization", "proxy-authorization"})
_SKIPTOKEN_PREFIX = "RFNwdAIAAQAAA"


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Close the connection without answering (a dropped connection).
    drop: bool = False


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: dict[str, str]
    status: int
    arrived: float
    #: Request headers with lower-case names, without credentials (Authorization).
    headers: dict[str, str] = field(default_factory=dict)


def recorded_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-cased names, credentials dropped: what tests may read of a request's headers."""
    return {str(name).lower(): str(value) for name, value in headers.items() if str(name).lower() not in _UNRECORDED}


def error_answer(refusal: GraphRefusal, request_id: str) -> Answer:
    """Graph's error JSON for a refusal."""
    body = {
        "error": {
            "code": refusal.code,
            "message": refusal.message,
            "innerError": {
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": request_id,
            },
        }
    }
    return Answer(refusal.status, json.dumps(body).encode(), {"content-type": "application/json"})


def json_answer(body: object, headers: dict[str, str] | None = None) -> Answer:
    return Answer(200, json.dumps(body).encode(), {"content-type": JSON_TYPE, **(headers or {})})


def fingerprint(relative: str, query: dict[str, str]) -> str:
    """What a skiptoken is bound to: the path and every option but the token itself."""
    stable = sorted((k, v) for k, v in query.items() if k != "$skiptoken")
    return hashlib.sha256(repr((relative.lower(), stable)).encode()).hexdigest()[:16]


def make_token(offset: int, fingerprint_: str, empty_served: bool) -> str:
    raw = json.dumps([offset, fingerprint_, empty_served]).encode()
    return _SKIPTOKEN_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_token(token: str | None, fingerprint_: str) -> tuple[int, bool]:
    """Offset and empty-page flag from a skiptoken issued for this very query."""
    if token is None:
        return 0, False
    try:
        if not token.startswith(_SKIPTOKEN_PREFIX):
            raise ValueError
        payload = token[len(_SKIPTOKEN_PREFIX) :]
        offset, issued_for, empty_served = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
        if issued_for != fingerprint_ or not isinstance(offset, int) or offset < 0:
            raise ValueError
    except (ValueError, TypeError, binascii.Error):
        raise bad_request("Invalid $skiptoken.") from None
    return offset, bool(empty_served)
