"""Gathering what the diagnosis needs about one object, with as few requests as Graph allows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from syncdash.graph.errors import GraphError
from syncdash.graph.index import DirectoryIndex
from syncdash.graph.lookup import holders_batched
from syncdash.graph.scan import scan_fast
from syncdash.graph.tenant import TenantSnapshot, read_tenant
from syncdash.model import DirectoryObject, ObjectFacts

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

T = TypeVar("T")


def _values_to_look_up(obj: DirectoryObject | None, query: str) -> set[str]:
    """Conflicting values (step 2) and the values it would match or be restored by (step 3)."""
    if obj is None:
        return {query} if "@" in query else set()
    values = set(obj.conflicting_values)
    values |= {v for v in (obj.on_premises_upn, obj.user_principal_name, obj.primary_smtp) if v}
    return {value for value in values if value.strip()}


async def gather_facts(
    client: GraphServiceClient,
    obj: DirectoryObject | None,
    *,
    query: str,
    tenant: TenantSnapshot | None,
    now: datetime,
    listed: DirectoryIndex | None = None,
) -> ObjectFacts:
    """Facts for one object (or for a query that found none), read from Graph; the
    recycle bin comes with ``tenant`` (read in the same batch as the status; read here
    when there is none yet).

    A lookup that fails or a kind Graph refuses (a 403 on contacts, say) does not fail
    the check: it is recorded in ``unavailable`` and the step that needed it is unknown,
    while what the readable kinds hold is still named.

    ``listed`` indexes the objects in error the caller already holds (the dashboard's
    list): asked instead of listing them again, which at 100,000 objects in error was a
    hundred pages for every object chosen.
    """
    if tenant is None:
        tenant = await read_tenant(client)
    unavailable: list[str] = list(tenant.unavailable)

    async def guarded(work: Callable[[], Awaitable[tuple[T, ...]]]) -> tuple[T, ...]:
        try:
            return await work()
        except GraphError as exc:
            unavailable.append(str(exc))
            return ()

    values = sorted(_values_to_look_up(obj, query))

    async def in_error() -> tuple[DirectoryObject, ...]:
        if listed is not None:
            return listed.mentioning(values)
        scan = await scan_fast(client)
        unavailable.extend(scan.unavailable)
        return scan.objects

    async def holders() -> tuple[DirectoryObject, ...]:
        if not values:
            return ()
        search = await holders_batched(client, values)
        unavailable.extend(search.unavailable)
        return tuple(holder for group in search.found.values() for holder in group)

    # Objects in error are read too: the other side of a UPN conflict lost its UPN to a
    # placeholder and is found by the conflict it carries, not by the value.
    results = await asyncio.gather(guarded(in_error), guarded(holders))
    known = [obj] if obj is not None else []
    objects = [*known, *tenant.recycle_bin, *(found for group in results for found in group)]
    index = await asyncio.to_thread(DirectoryIndex, objects)  # 100,000 objects in error: off the event loop
    return index.facts(
        obj, query=query, tenant=tenant.status, now=now, unavailable=tuple(dict.fromkeys(unavailable))
    )
