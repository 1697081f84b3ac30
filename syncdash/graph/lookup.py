"""Finding objects by what an administrator knows: a conflicting value, a name, an id.

Graph never says which object holds the other half of a duplicate-attribute conflict;
it has to be searched for across users, groups, contacts and the recycle bin.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

from syncdash.graph.collections import LIVE, RECYCLE_BIN, Collection
from syncdash.graph.odata import equals, has_proxy_address, starts_with
from syncdash.model import DirectoryObject, ObjectKind

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_PREFIX = re.compile(r"^([a-z0-9]+):(.+)$", re.I)


def split_address(value: str) -> tuple[str | None, str]:
    """``SMTP:ann@x`` → ("smtp", "ann@x"); a bare address has no prefix."""
    match = _PREFIX.match(value.strip())
    if match and "@" not in match.group(1):
        return match.group(1).lower(), match.group(2)
    return None, value.strip()


def holds_value(obj: DirectoryObject, value: str) -> bool:
    """Whether an object holds ``value`` as UPN, mail or proxy address (case-insensitive).

    Entra ID renames a soft-deleted user's UPN to its id's hex digits followed by the
    original UPN, so a recycle-bin user still counts as holding its old UPN.
    """
    prefix, address = split_address(value)
    address = address.casefold()
    if prefix in (None, "smtp"):
        if (obj.upn or "").casefold() == address:
            return True
        if (obj.mail or "").casefold() == address:
            return True
        wanted = {f"smtp:{address}"}
    else:
        wanted = {value.strip().casefold()}
    return any(proxy.casefold() in wanted for proxy in obj.proxy_addresses)


def _live_filters(collection: Collection, value: str) -> list[str]:
    prefix, address = split_address(value)
    if prefix not in (None, "smtp"):
        return [has_proxy_address(value.strip())]
    filters = [equals("mail", address), has_proxy_address(f"smtp:{address}")]
    if collection.kind is ObjectKind.USER:
        filters.insert(0, equals("userPrincipalName", address))
    return filters


def _unique(objects: list[DirectoryObject]) -> tuple[DirectoryObject, ...]:
    return tuple({(obj.id, obj.is_deleted): obj for obj in objects}.values())


async def recycle_bin(client: GraphServiceClient) -> tuple[DirectoryObject, ...]:
    """Every deleted user and group. The bin is read whole (it keeps 30 days of deletions)
    and matched locally: deleted users' UPNs are renamed, so a server-side equality filter
    cannot find them."""
    found: list[DirectoryObject] = []
    for bin in RECYCLE_BIN:
        async for page in bin.list(client):
            found += page
    return tuple(found)


async def live_holders(client: GraphServiceClient, value: str) -> tuple[DirectoryObject, ...]:
    """Every live user, group and contact holding ``value``."""
    searches = [
        collection.find(client, filter)
        for collection in LIVE
        for filter in _live_filters(collection, value)
    ]
    results = await asyncio.gather(*searches)
    return _unique([obj for found in results for obj in found if holds_value(obj, value)])


async def holders_of_value(client: GraphServiceClient, value: str) -> tuple[DirectoryObject, ...]:
    """Every user, group and contact, live or in the recycle bin, holding ``value``."""
    live, deleted = await asyncio.gather(live_holders(client, value), recycle_bin(client))
    return live + tuple(obj for obj in deleted if holds_value(obj, value))


async def _find_everywhere(client: GraphServiceClient, filter: str) -> list[DirectoryObject]:
    results = await asyncio.gather(*(collection.find(client, filter) for collection in LIVE))
    return [obj for found in results for obj in found]


async def resolve_object(client: GraphServiceClient, text: str) -> tuple[DirectoryObject, ...]:
    """The live objects an admin means by ``text``: an object id, a UPN, a mail or proxy
    address, or a display name (exact first, then as a prefix). Empty when none match."""
    text = text.strip()
    if not text:
        return ()
    if _GUID.match(text):
        return _unique(await _find_everywhere(client, equals("id", text.lower())))
    if "@" in text:
        found = await live_holders(client, text)
        if found:
            return found
    exact = await _find_everywhere(client, equals("displayName", text))
    if exact:
        return _unique(exact)
    return _unique(await _find_everywhere(client, starts_with("displayName", text)))
