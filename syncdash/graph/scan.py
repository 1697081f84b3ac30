"""Finding every object with sync errors: a fast filtered listing and a complete scan.

The server-side filter is quick but cannot see service provisioning errors and has been
reported to return partial results or ``Request_UnsupportedQuery``; only a scan of every
object proves the list complete, so both exist and the result says which one it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from syncdash.graph.collections import LIVE, Collection
from syncdash.graph.errors import PermissionDenied, UnsupportedQuery
from syncdash.graph.odata import PROVISIONING_ERROR_FILTER
from syncdash.graph.together import all_or_none
from syncdash.model import DirectoryObject, ScanProgress, ScanResult

if TYPE_CHECKING:
    from msgraph import GraphServiceClient


def newest_first(objects: list[DirectoryObject]) -> tuple[DirectoryObject, ...]:
    """The list's natural order: most recent error on top, then by name for stability."""
    ordered = sorted(objects, key=lambda o: (o.display_name.casefold(), o.id))
    ordered.sort(key=lambda o: o.newest_error.timestamp() if o.newest_error else 0.0, reverse=True)
    return tuple(ordered)


async def _with_errors(client: GraphServiceClient, collection: Collection, filter: str | None) -> list[DirectoryObject]:
    found: list[DirectoryObject] = []
    async for page in collection.list(client, filter=filter):
        found += (obj for obj in page if obj.has_errors)
    return found


async def _fast(client: GraphServiceClient, collection: Collection) -> tuple[list[DirectoryObject], bool, str | None]:
    """One kind through the filter; a tenant that refuses the filter gets a full scan.
    A kind the app may not read is left out, with the reason, instead of failing all."""
    try:
        return await _with_errors(client, collection, PROVISIONING_ERROR_FILTER), False, None
    except UnsupportedQuery:
        return await _with_errors(client, collection, None), True, None
    except PermissionDenied as exc:
        return [], False, str(exc)


def _all_denied(reasons: list[str]) -> None:
    """Nothing at all readable is no partial result: it is the failure to report."""
    if len(reasons) == len(LIVE):
        raise PermissionDenied("; ".join(reasons), status=403)


async def scan_fast(client: GraphServiceClient) -> ScanResult:
    """Objects with provisioning errors via the server-side filter, all kinds at once."""
    results = await all_or_none(*(_fast(client, collection) for collection in LIVE))
    denied = [reason for *_, reason in results if reason]
    _all_denied(denied)
    return ScanResult(
        # sorted in a thread: 100,000 objects in error held the event loop 0.6 s
        objects=await asyncio.to_thread(newest_first, [obj for found, *_ in results for obj in found]),
        complete=all(scanned for _, scanned, _ in results),
        unavailable=tuple(denied),
    )


async def full_scan(client: GraphServiceClient) -> AsyncIterator[ScanProgress]:
    """Every user, group and contact, listed concurrently, reported page by page.

    Each kind ends with a ``done`` progress; a failure of one kind cancels the others
    and is raised to the caller.
    """
    queue: asyncio.Queue[ScanProgress | BaseException] = asyncio.Queue()

    async def run(collection: Collection) -> None:
        scanned = 0
        try:
            async for page in collection.list(client):
                scanned += len(page)
                await queue.put(ScanProgress(collection.kind, scanned, tuple(page), done=False))
            await queue.put(ScanProgress(collection.kind, scanned, (), done=True))
        except PermissionDenied as exc:
            await queue.put(ScanProgress(collection.kind, scanned, (), done=True, denied=str(exc)))
        except Exception as exc:  # handed to the consumer, which raises it
            await queue.put(exc)

    tasks = [asyncio.create_task(run(collection)) for collection in LIVE]
    try:
        running = len(tasks)
        while running:
            item = await queue.get()
            if isinstance(item, BaseException):
                raise item
            running -= item.done
            yield item
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
