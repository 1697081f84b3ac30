"""JSON batching ("Combine multiple HTTP requests using JSON batching"): up to 20 GETs,
each answered, throttled, refused and recorded on its own, answered in an order of the
service's choosing. Every step needs an ``id``, a ``method`` and a ``url`` relative to the
version; a step that lacks one fails alone, as a 403 on one kind says nothing of another."""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from syncdash.emulator.answers import (
    Answer,
    RequestRecord,
    error_answer,
    json_answer,
    recorded_headers,
)
from syncdash.emulator.odata_errors import GraphRefusal, bad_request_code
from syncdash.emulator.permissions import denied

if TYPE_CHECKING:
    from syncdash.emulator.service import GraphEmulator

MAX_BATCH = 20
VERSION_PREFIX = "/v1.0"
#: Headers of a step's answer that the $batch response carries for it.
_STEP_HEADERS = ("retry-after", "content-type", "preference-applied")


def answer_batch(emulator: GraphEmulator, body: bytes, parts: Any, headers: dict[str, str]) -> Answer:
    """The $batch call: a 400 for a payload Graph cannot read, else 200 with each step's answer."""
    try:
        requests = json.loads(body or b"{}").get("requests")
    except (ValueError, AttributeError):
        raise bad_request_code("BadRequest", "Invalid batch payload format.") from None
    if not isinstance(requests, list) or not requests:
        raise bad_request_code("BadRequest", "Invalid batch payload format.")
    if len(requests) > MAX_BATCH:
        raise bad_request_code("BadRequest", f"Number of batch request steps exceeds the maximum of {MAX_BATCH}.")
    ids = [item.get("id") if isinstance(item, dict) else None for item in requests]
    if None in ids or len(set(ids)) != len(ids):
        raise bad_request_code("BadRequest", "Batch request ids must be present and unique.")
    responses = []
    for item in requests:
        answer = _step(emulator, item, parts, headers)
        try:
            content = json.loads(answer.body) if answer.body else None
        except ValueError:
            content = answer.body.decode("utf-8", "replace")
        step_headers = {k: v for k, v in answer.headers.items() if k in _STEP_HEADERS}
        responses.append({"id": item["id"], "status": answer.status, "headers": step_headers, "body": content})
        emulator.batch_items += 1
    responses.reverse()  # clients must match answers by id, never by position
    return json_answer({"responses": responses})


def _step(emulator: GraphEmulator, item: dict[str, Any], parts: Any, headers: dict[str, str]) -> Answer:
    """One step, answered as if sent alone with its own headers: only the batch's
    credentials carry over (JSON batching doc: each step states its own headers, such
    as ConsistencyLevel), so a client must put per-request headers on every step."""
    url = str(item.get("url", ""))
    raw_headers = item.get("headers")
    own = {str(k).lower(): str(v) for k, v in raw_headers.items()} if isinstance(raw_headers, dict) else {}
    seen = {**{k: v for k, v in headers.items() if k == "authorization"}, **own}
    method = item.get("method")
    inner = urlsplit(f"{parts.scheme}://{parts.netloc}{VERSION_PREFIX}/{url.lstrip('/')}")
    query = dict(parse_qsl(inner.query, keep_blank_values=True))
    arrived = time.monotonic()
    try:
        if urlsplit(url).scheme or not url:
            raise bad_request_code("BadRequest", "Invalid request URI: batch item URLs are relative.")
        # "JSON batching": method is Required for each request (no default to GET).
        if not isinstance(method, str) or not method.strip():
            raise bad_request_code("BadRequest", "Invalid batch payload format: a request has no 'method'.")
        if method.upper() != "GET":
            raise denied()
        fault = emulator.fault_for(arrived)
        if fault is not None and fault.drop:
            raise GraphRefusal(503, "UnknownError", "Service unavailable.")
        answer = fault or emulator.route("GET", inner, unquote(inner.path), query, seen)
    except GraphRefusal as refusal:
        answer = error_answer(refusal, str(uuid.uuid4()))
    shown_method = method.upper() if isinstance(method, str) else ""
    emulator.record_batch_item(
        RequestRecord(shown_method, unquote(inner.path), query, answer.status, arrived, recorded_headers(seen)))
    return answer
