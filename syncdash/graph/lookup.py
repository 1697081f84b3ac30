"""Finding objects by what an administrator knows: a conflicting value, a name, an id.

Graph never says which object holds the other half of a duplicate-attribute conflict;
it has to be searched for across users, groups, contacts and the recycle bin.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from syncdash.graph.batch import BatchGet, batch_get
from syncdash.graph.collections import LIVE, Collection
from syncdash.graph.parse import directory_object
from syncdash.graph.errors import GraphError, PermissionDenied
from syncdash.graph.holding import holds_value, split_address
from syncdash.graph.odata import any_of, equals, has_proxy_address, starts_with
from syncdash.model import DirectoryObject, ObjectKind

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def _live_filter(collection: Collection, value: str) -> str:
    """The one search of ``collection`` for holders of ``value``: every property that can
    hold it (UPN for users, mail and proxy addresses for all), or-ed together."""
    prefix, address = split_address(value)
    if prefix not in (None, "smtp"):
        return has_proxy_address(value.strip())
    clauses = [equals("mail", address), has_proxy_address(f"smtp:{address}")]
    if collection.kind is ObjectKind.USER:
        clauses.insert(0, equals("userPrincipalName", address))
    return any_of(clauses)


def _unique(objects: list[DirectoryObject]) -> tuple[DirectoryObject, ...]:
    return tuple({(obj.id, obj.is_deleted): obj for obj in objects}.values())


@dataclass(frozen=True, slots=True)
class HolderSearch:
    """Holders found per value, and the kinds that could not be searched (why): a kind
    refused by Graph may hold a value, so its absence is never "nobody holds it"."""

    found: dict[str, tuple[DirectoryObject, ...]]
    unavailable: tuple[str, ...] = ()


async def holders_batched(client: GraphServiceClient, values: Sequence[str]) -> HolderSearch:
    """Live holders of many values at once, every search an item of a ``$batch``; an item
    refused (a 403 on contacts, say) leaves only its kind unsearched."""
    items: list[BatchGet] = []
    meta: dict[str, tuple[str, Collection]] = {}
    for v_index, value in enumerate(values):
        for c_index, collection in enumerate(LIVE):
            item_id = f"{v_index}.{c_index}"
            query = {"$filter": _live_filter(collection, value), "$select": ",".join(collection.fields)}
            params = urlencode(query, quote_via=quote)
            items.append(BatchGet(item_id, f"/{collection.resource}?{params}", collection.resource))
            meta[item_id] = (value, collection)
    found: dict[str, list[DirectoryObject]] = {value: [] for value in values}
    refused: dict[str, str] = {}
    for item_id, body in (await batch_get(client, items)).items():
        value, collection = meta[item_id]
        if isinstance(body, GraphError):
            refused.setdefault(collection.resource, str(body))
            continue
        raw = await collection.rest_of(client, body)  # more holders than a page is rare
        found[value] += (obj for obj in (directory_object(r, collection.kind) for r in raw) if holds_value(obj, value))
    return HolderSearch({value: _unique(objects) for value, objects in found.items()}, tuple(refused.values()))


def _readable(results: list) -> list[DirectoryObject]:  # type: ignore[type-arg]
    """Results of searches over several kinds: a kind the app may not read is skipped
    (resolving a user must not need OrgContact.Read.All), unless none could be read."""
    denied = [r for r in results if isinstance(r, PermissionDenied)]
    failed = [r for r in results if isinstance(r, BaseException) and not isinstance(r, PermissionDenied)]
    if failed:
        raise failed[0]
    if denied and len(denied) == len(results):
        raise denied[0]
    return [obj for found in results if isinstance(found, list) for obj in found]


async def _find_everywhere(client: GraphServiceClient, filter: str) -> list[DirectoryObject]:
    results = await asyncio.gather(*(c.find(client, filter) for c in LIVE), return_exceptions=True)
    return _readable(results)


async def _holders_readable(client: GraphServiceClient, value: str) -> tuple[DirectoryObject, ...]:
    searches = [c.find(client, _live_filter(c, value)) for c in LIVE]
    found = _readable(await asyncio.gather(*searches, return_exceptions=True))
    return _unique([obj for obj in found if holds_value(obj, value)])


async def resolve_object(client: GraphServiceClient, text: str) -> tuple[DirectoryObject, ...]:
    """The live objects an admin means by ``text``: an object id, a UPN, a mail or proxy
    address, or a display name (exact first, then as a prefix). Empty when none match."""
    text = text.strip()
    if not text:
        return ()
    if _GUID.match(text):
        return _unique(await _find_everywhere(client, equals("id", text.lower())))
    if "@" in text:
        found = await _holders_readable(client, text)
        if found:
            return found
    exact = await _find_everywhere(client, equals("displayName", text))
    if exact:
        return _unique(exact)
    return _unique(await _find_everywhere(client, starts_with("displayName", text)))


#: How many close names ``check`` offers for a name that matched nothing.
SUGGESTED = 5


async def close_names(client: GraphServiceClient, text: str) -> tuple[DirectoryObject, ...]:
    """For a display name (or the name part of an address) that matched nothing: the
    objects whose name starts with its first word, the closest first — a typo such as
    "Megan Bowne" still finds Megan Bowen. Graph has no fuzzy search; one prefix query
    per kind, ranked here."""
    import difflib

    name = text.strip().split("@")[0].replace(".", " ")
    first = name.split()[0] if name.split() else ""
    if len(first) < 2:
        return ()
    found = _unique(await _find_everywhere(client, starts_with("displayName", first)))
    ranked = sorted(found, key=lambda o: -difflib.SequenceMatcher(None, o.display_name.casefold(),
                                                                  name.casefold()).ratio())
    return tuple(ranked[:SUGGESTED])
