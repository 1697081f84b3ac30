"""Gathering what the diagnosis needs about one object, with as few requests as Graph allows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from syncdash.graph.errors import GraphError
from syncdash.graph.index import DirectoryIndex
from syncdash.graph.lookup import holders_batched, recycle_bin
from syncdash.graph.scan import scan_fast
from syncdash.model import DirectoryObject, ObjectFacts, TenantStatus

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

T = TypeVar("T")


def _values_to_look_up(obj: DirectoryObject | None, query: str) -> set[str]:
    """Conflicting values (step 2) and the values it would match or be restored by (step 3)."""
    if obj is None:
        return {query} if "@" in query else set()
    values = {error.value for error in obj.provisioning_errors}
    values |= {v for v in (obj.on_premises_upn, obj.user_principal_name, obj.primary_smtp) if v}
    return {value for value in values if value.strip()}


async def gather_facts(
    client: GraphServiceClient,
    obj: DirectoryObject | None,
    *,
    query: str,
    tenant: TenantStatus,
    now: datetime,
) -> ObjectFacts:
    """Facts for one object (or for a query that found none), read from Graph.

    A lookup that fails (a 403 on contacts, say) does not fail the check: it is recorded
    in ``unavailable`` and the step that needed it is reported unknown.
    """
    unavailable: list[str] = []

    async def guarded(work: Callable[[], Awaitable[tuple[T, ...]]]) -> tuple[T, ...]:
        try:
            return await work()
        except GraphError as exc:
            unavailable.append(str(exc))
            return ()

    async def in_error() -> tuple[DirectoryObject, ...]:
        return (await scan_fast(client)).objects

    values = sorted(_values_to_look_up(obj, query))

    async def holders() -> tuple[DirectoryObject, ...]:
        found = await holders_batched(client, values) if values else {}
        return tuple(holder for group in found.values() for holder in group)

    # Objects in error are read too: the other side of a UPN conflict lost its UPN to a
    # placeholder and is found by the conflict it carries, not by the value.
    results = await asyncio.gather(guarded(lambda: recycle_bin(client)), guarded(in_error), guarded(holders))
    known = [obj] if obj is not None else []
    index = DirectoryIndex([*known, *(found for group in results for found in group)])
    return index.facts(
        obj, query=query, tenant=tenant, now=now, unavailable=tuple(dict.fromkeys(unavailable))
    )
