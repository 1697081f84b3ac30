"""A local mirror of every user, group and contact, kept fresh with delta queries.

Cheapest known way to start (Microsoft's delta-query overview, "sync from now"): ask
``/{kind}/delta?$deltatoken=latest`` for a delta link *before* a plain ``$top=999``
listing, instead of paging the whole directory through delta, whose page size the client
does not control. Later refreshes follow the link and apply only the changes. Graph
sends changed objects with "at least their updated properties", so a change is merged
into the stored JSON, never taken as the whole object.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from syncdash.graph.collections import LIVE, Collection
from syncdash.graph.errors import GraphError, PermissionDenied
from syncdash.graph.fetch import Walk, get_json, page_items
from syncdash.graph.links import checked
from syncdash.graph.parse import directory_object
from syncdash.graph.together import all_or_none
from syncdash.model import DirectoryObject, ObjectKind

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

#: Told the size of each listed page while a kind is (re)built, for progress.
PageListener = Callable[[int], None]

#: Directory delta links expire after seven days; an older one is not even tried.
DELTA_LIFETIME = 7 * 24 * 3600


class DeltaExpired(GraphError):
    """The service lost (410) or expired (syncStateNotFound) the sync state: resync."""


@dataclass
class KindMirror:
    """One kind's objects as raw Graph JSON (merged change by change) and parsed."""

    kind: ObjectKind
    raw: dict[str, dict[str, Any]]
    link: str
    linked_at: float
    parsed: dict[str, DirectoryObject] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.parsed:
            self.parsed = {key: directory_object(value, self.kind) for key, value in self.raw.items()}


@dataclass(frozen=True)
class MirrorUpdate:
    """What a refresh did: ids that changed or left, and kinds that were resynced."""

    changed: frozenset[str]
    removed: frozenset[str]
    resynced: tuple[ObjectKind, ...]
    #: Kinds Graph refused (403), with the reason; their objects are not in the mirror.
    denied: tuple[str, ...] = ()


@dataclass
class Mirror:
    kinds: dict[ObjectKind, KindMirror] = field(default_factory=dict)

    def objects(self) -> Iterator[DirectoryObject]:
        for kind in self.kinds.values():
            yield from kind.parsed.values()


def _delta_builder(client: GraphServiceClient, collection: Collection) -> Any:
    return collection.builder(client).delta


#: On rounds that follow a delta link: only the properties that changed come back (Graph
#: delta-query overview), which the merge into the stored JSON already expects.
_MINIMAL = {"Prefer": "return=minimal"}


async def _get(client: GraphServiceClient, collection: Collection, url: str, minimal: bool) -> dict[str, Any]:
    try:
        return await get_json(_delta_builder(client, collection).with_url(url), collection.resource,
                              headers=_MINIMAL if minimal else None)
    except GraphError as exc:
        if exc.status == 410 or exc.code == "syncStateNotFound":
            raise DeltaExpired(f"Graph {collection.resource}: delta link expired; resyncing", status=exc.status,
                               code=exc.code) from None
        raise


def _select(collection: Collection) -> str:
    return ",".join(collection.fields)


async def _round(client: GraphServiceClient, collection: Collection, url: str,
                 minimal: bool = False) -> tuple[list[dict[str, Any]], str]:
    """Follow next links (through empty pages) until the delta link; every item kept."""
    walk = Walk(client.request_adapter.base_url, collection.resource)
    checked(walk.base, url, collection.resource)  # a saved link too: the cache is a file
    items: list[dict[str, Any]] = []
    while True:
        body = await _get(client, collection, url, minimal)
        items += walk.page(page_items(body, collection.resource))
        next_link = walk.next_link(body.get("@odata.nextLink"))
        delta_link = body.get("@odata.deltaLink")
        if next_link is not None:
            url = next_link
        elif isinstance(delta_link, str) and delta_link:
            return items, checked(walk.base, delta_link, collection.resource)  # never cached unless on base
        else:
            raise GraphError(f"Graph {collection.resource}: a delta page with neither next nor delta link")


async def build(client: GraphServiceClient, collection: Collection, base_url: str,
                on_page: PageListener | None = None) -> KindMirror:
    """A fresh mirror of one kind: the "latest" link first, then a plain listing; where
    "latest" is refused (not documented for contacts), one full delta round instead."""
    start = f"{base_url}/{collection.resource}/delta()?$select={_select(collection)}"
    try:
        _, link = await _round(client, collection, f"{start}&$deltatoken=latest")
    except (DeltaExpired, PermissionDenied):
        raise
    except GraphError as exc:
        if exc.status != 400:
            raise
        items, link = await _round(client, collection, start)
        return await _parsed(collection.kind, {str(i.get("id")): i for i in items}, link)
    raw: dict[str, dict[str, Any]] = {}
    async for page in collection.list_raw(client):
        raw.update((str(item.get("id")), item) for item in page)
        if on_page is not None:
            on_page(len(page))
    return await _parsed(collection.kind, raw, link)


async def _parsed(kind: ObjectKind, raw: dict[str, dict[str, Any]], link: str) -> KindMirror:
    """A kind's mirror, its objects parsed in a thread: 100,000 of them take a second or
    two, which on the event loop would freeze a dashboard's keys."""
    return await asyncio.to_thread(KindMirror, kind, raw, link, time.time())


def _apply(mirror: KindMirror, items: list[dict[str, Any]]) -> tuple[set[str], set[str]]:
    changed, removed = set(), set()
    for item in items:
        object_id = str(item.get("id"))
        if "@removed" in item:
            if mirror.raw.pop(object_id, None) is not None:
                mirror.parsed.pop(object_id, None)
                removed.add(object_id)
            continue
        merged = {**mirror.raw.get(object_id, {}), **{k: v for k, v in item.items() if not k.startswith("@")}}
        mirror.raw[object_id] = merged
        mirror.parsed[object_id] = directory_object(merged, mirror.kind)
        changed.add(object_id)
    return changed, removed


async def _update_kind(client: GraphServiceClient, collection: Collection, mirror: Mirror, base_url: str,
                       on_page: PageListener | None) -> tuple[set[str], set[str], bool, str | None]:
    try:
        return (*await _follow_or_build(client, collection, mirror, base_url, on_page), None)
    except PermissionDenied as exc:
        gone = mirror.kinds.pop(collection.kind, None)
        return set(), set(gone.raw) if gone else set(), False, str(exc)


async def _follow_or_build(client: GraphServiceClient, collection: Collection, mirror: Mirror, base_url: str,
                           on_page: PageListener | None) -> tuple[set[str], set[str], bool]:
    current = mirror.kinds.get(collection.kind)
    if current is not None and time.time() - current.linked_at < DELTA_LIFETIME:
        try:
            items, link = await _round(client, collection, current.link, minimal=True)
        except DeltaExpired:
            pass
        else:
            changed, removed = _apply(current, items)
            current.link, current.linked_at = link, time.time()
            return changed, removed, False
    fresh = await build(client, collection, base_url, on_page)
    before = set(current.raw) if current else set()
    mirror.kinds[collection.kind] = fresh
    return set(fresh.raw), before - set(fresh.raw), True


async def refresh(client: GraphServiceClient, mirror: Mirror, on_page: PageListener | None = None) -> MirrorUpdate:
    """Bring every kind up to date: by its delta link, or by a clean resync when the link
    is missing, older than seven days, or refused (410 / syncStateNotFound). A kind the
    app may not read is left out with the reason; none readable at all is an error."""
    base_url = client.request_adapter.base_url.rstrip("/")
    results = await all_or_none(*(_update_kind(client, c, mirror, base_url, on_page) for c in LIVE))
    denied = tuple(reason for *_, reason in results if reason)
    if len(denied) == len(LIVE):
        raise PermissionDenied("; ".join(denied), status=403)
    return MirrorUpdate(
        changed=frozenset(i for changed, *_ in results for i in changed),
        removed=frozenset(i for _, removed, *_ in results for i in removed),
        resynced=tuple(c.kind for c, (_, _, resynced, _) in zip(LIVE, results, strict=True) if resynced),
        denied=denied,
    )
