"""JSON ``$batch``: up to 20 GETs in one request, for lookups before the mirror is whole.

msgraph-core's batch support is broken for this (absolute item URLs that Graph rejects,
item bodies lost by kiota's parser, an undeclared dependency), so the request is built
here and sent through the SDK's adapter, which still authenticates, throttles and retries
the batch as a whole. Items are throttled one by one and the SDK retries none of them:
a throttled item is sent again after its own Retry-After, alone with the others that were.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from syncdash.graph.errors import BadResponse, GraphError, part_unavailable, raise_for_response
from syncdash.graph.fetch import priority_headers, with_resends
from syncdash.graph.retry import BASE_DELAY, MAX_RETRIES, THROTTLE_STATUSES
from syncdash.graph.retry_after import MAX_HOLD, parse_retry_after
from syncdash.graph.together import all_or_none

if TYPE_CHECKING:
    import httpx
    from msgraph import GraphServiceClient

MAX_BATCH = 20
#: Batches in flight at once: enough to hide latency, few enough not to provoke throttling.
CONCURRENT_BATCHES = 4


@dataclass(frozen=True, slots=True)
class BatchGet:
    """One GET: ``url`` relative to the version (``/users?$filter=…``), as Graph demands."""

    id: str
    url: str
    resource: str


class _ItemResponse:
    """An item's answer dressed as enough of an httpx.Response for raise_for_response."""

    def __init__(self, answer: dict[str, Any]):
        self.status_code = int(answer.get("status", 500))
        self.headers = {str(k).lower(): str(v) for k, v in (answer.get("headers") or {}).items()}
        self._body = answer.get("body")

    def json(self) -> Any:
        return self._body


async def _send(client: GraphServiceClient, items: Sequence[BatchGet]) -> dict[str, dict[str, Any]]:
    from kiota_abstractions.method import Method
    from kiota_abstractions.native_response_handler import NativeResponseHandler
    from kiota_abstractions.request_information import RequestInformation
    from kiota_http.middleware.options import ResponseHandlerOption
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    adapter = client.request_adapter
    info = RequestInformation()
    info.http_method = Method.POST
    info.url = f"{adapter.base_url.rstrip('/')}/$batch"
    info.headers.try_add("Accept", "application/json")
    info.headers.try_add("Content-Type", "application/json")
    background = priority_headers()
    for name, value in background.items():
        info.headers.try_add(name, value)
    requests = [{"id": i.id, "method": "GET", "url": i.url, **({"headers": background} if background else {})}
                for i in items]
    info.content = json.dumps({"requests": requests}).encode()
    info.add_request_options([ResponseHandlerOption(NativeResponseHandler())])

    async def send() -> dict[str, Any]:  # a batch of GETs is safe to send again
        # kiota types the answer as the parsed model; NativeResponseHandler makes it httpx's
        response = cast("httpx.Response", await adapter.send_async(info, ODataError, {}))
        raise_for_response(response, "$batch")
        try:
            body = json.loads(response.content)
        except ValueError as exc:
            raise BadResponse(f"Graph $batch: the answer is not valid JSON ({exc})") from None
        try:
            return {str(answer["id"]): answer for answer in body["responses"]}
        except (KeyError, TypeError):
            raise BadResponse("Graph $batch: the answer is not a batch response") from None

    return await with_resends(send, "$batch")


async def _run_chunk(client: GraphServiceClient, chunk: Sequence[BatchGet]) -> dict[str, Any]:
    """Send, then resend the throttled items after the longest wait they were given.
    Gives up only after MAX_RETRIES rounds in a row in which no item got through.

    An item refused on its own (403 for a kind the identity may not read, 400, 404) is
    that item's answer, as the GraphError: Graph answers each item independently, and a
    refused contacts search says nothing about the users one."""
    results: dict[str, Any] = {}
    todo = list(chunk)
    stalled = 0
    while todo:
        answers = await _send(client, todo)
        again: list[BatchGet] = []
        wait = 0.0
        for item in todo:
            answer = answers.get(item.id)
            if answer is None:
                raise BadResponse(f"Graph $batch: no answer for {item.resource}")
            response = _ItemResponse(answer)
            delay = parse_retry_after(response.headers.get("retry-after"))
            if response.status_code in THROTTLE_STATUSES and stalled < MAX_RETRIES and (delay or 0) <= MAX_HOLD:
                again.append(item)  # a longer wait is an outage: raised below, never slept through
                wait = max(wait, delay if delay is not None else BASE_DELAY * 2**stalled)
                continue
            try:
                raise_for_response(response, item.resource)
            except GraphError as exc:
                if not part_unavailable(exc):
                    raise
                results[item.id] = exc
                continue
            body = response.json()
            if not isinstance(body, dict):
                raise BadResponse(f"Graph {item.resource}: a $batch item without a JSON object body")
            results[item.id] = body
        stalled = stalled + 1 if len(again) == len(todo) else 0
        if again:
            await asyncio.sleep(wait)
        todo = again
    return results


async def batch_get(client: GraphServiceClient, items: Sequence[BatchGet]) -> dict[str, Any]:
    """Every item's JSON body (or the GraphError that refused it alone) by id, in batches
    of 20 (a few in flight at once)."""
    gate = asyncio.Semaphore(CONCURRENT_BATCHES)

    async def guarded(chunk: Sequence[BatchGet]) -> dict[str, Any]:
        async with gate:
            return await _run_chunk(client, chunk)

    chunks = [items[i : i + MAX_BATCH] for i in range(0, len(items), MAX_BATCH)]
    results: dict[str, Any] = {}
    for found in await all_or_none(*(guarded(chunk) for chunk in chunks)):
        results.update(found)
    return results

