"""The tenant's synchronization status and its recycle bin, read in one ``$batch``.

Each part is its own batch item, so a 403 on one (sync settings are readable only by a
Global Administrator; deleted groups need Group.Read.All) blanks only that part. One
request instead of five is what lets a live refresh re-read them cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from syncdash.graph.batch import BatchGet, batch_get
from syncdash.graph.collections import MAX_PAGE, RECYCLE_BIN, Collection
from syncdash.graph.errors import GraphError
from syncdash.graph.fetch import page_items
from syncdash.graph.fields import DOMAIN_FIELDS, ORGANIZATION_FIELDS
from syncdash.graph.parse import (
    directory_object,
    domain,
    flag,
    records,
    sync_settings,
    text,
    timestamp,
    verified_domain,
)
from syncdash.model import DirectoryObject, TenantStatus, Unknown

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

#: Why the organization's sync fields are unknown when Graph sends them as null with the
#: rest of the organization: delegated User.Read reads only id, displayName and
#: verifiedDomains, every other property comes back null (Graph docs, organization-list).
SYNC_FIELDS_HIDDEN = "Graph organization: sync fields returned as null; reading them needs Organization.Read.All"


@dataclass(frozen=True, slots=True)
class _Part:
    id: str
    resource: str
    path: str
    params: dict[str, str]

    def request(self) -> BatchGet:
        query = f"?{urlencode(self.params, quote_via=quote, safe='$,')}" if self.params else ""
        return BatchGet(self.id, f"/{self.path}{query}", self.resource)


_STATUS_PARTS = (
    _Part("organization", "organization", "organization", {"$select": ",".join(ORGANIZATION_FIELDS)}),
    _Part("domains", "domains", "domains", {"$select": ",".join(DOMAIN_FIELDS)}),
    _Part("settings", "onPremisesSynchronization", "directory/onPremisesSynchronization", {}),
)


def _bin_part(collection: Collection) -> _Part:
    params = {"$select": ",".join(collection.fields), "$top": str(MAX_PAGE)}
    return _Part(collection.resource, collection.resource, f"directory/{collection.resource}", params)


_BIN_PARTS = tuple((_bin_part(c), c) for c in RECYCLE_BIN)


def _items(answer: Any, resource: str) -> list[dict[str, Any]] | Unknown:
    return Unknown(str(answer)) if isinstance(answer, GraphError) else page_items(answer, resource)


def _sync_hidden(org: dict[str, Any]) -> bool:
    """Null sync fields *and* a null createdDateTime (which every organization has): the
    reader may see only the basic properties, so null here says nothing about sync."""
    return all(org.get(key) is None for key in ("onPremisesSyncEnabled", "onPremisesLastSyncDateTime",
                                                 "createdDateTime"))


def status_from(organizations: list[dict[str, Any]] | Unknown, domains: list[dict[str, Any]] | Unknown,
                settings: list[dict[str, Any]] | Unknown) -> TenantStatus:
    """The status from the three answers; when ``/domains`` is not readable, the
    organization's verified domains stand in."""
    org: dict[str, Any] | Unknown
    if isinstance(organizations, Unknown):
        org = organizations
    elif organizations:
        org = organizations[0]
    else:
        org = Unknown("Graph organization: no organization returned")

    def from_org(key: str, convert: Any) -> Any:
        return org if isinstance(org, Unknown) else convert(org.get(key))

    if not isinstance(domains, Unknown):
        domain_list: Any = tuple(domain(raw) for raw in domains)
    elif not isinstance(org, Unknown):
        domain_list = tuple(verified_domain(raw) for raw in records(org.get("verifiedDomains")))
    else:
        domain_list = domains

    if isinstance(settings, Unknown):
        sync: Any = settings
    elif settings:
        sync = sync_settings(settings[0])
    else:
        sync = Unknown("Graph onPremisesSynchronization: no configuration returned")

    hidden = not isinstance(org, Unknown) and _sync_hidden(org)
    return TenantStatus(
        tenant_id=from_org("id", lambda v: text(v) or ""),
        name=from_org("displayName", lambda v: text(v) or ""),
        sync_enabled=Unknown(SYNC_FIELDS_HIDDEN) if hidden else from_org("onPremisesSyncEnabled", flag),
        last_sync=Unknown(SYNC_FIELDS_HIDDEN) if hidden else from_org("onPremisesLastSyncDateTime", timestamp),
        domains=domain_list,
        sync_settings=sync,
    )


@dataclass(frozen=True, slots=True)
class TenantSnapshot:
    """The status, the recycle bin, and the bin's kinds that could not be read (why)."""

    status: TenantStatus
    recycle_bin: tuple[DirectoryObject, ...]
    unavailable: tuple[str, ...]


async def read_tenant(client: GraphServiceClient, *, with_bin: bool = True) -> TenantSnapshot:
    """Organization, domains, sync settings and (``with_bin``) the deleted users and
    groups, as items of one ``$batch``; each refused item blanks only its own part."""
    parts = [*_STATUS_PARTS, *((part for part, _ in _BIN_PARTS) if with_bin else ())]
    answers = await batch_get(client, [part.request() for part in parts])
    status = status_from(*(_items(answers[part.id], part.resource) for part in _STATUS_PARTS))
    deleted: list[DirectoryObject] = []
    unavailable: list[str] = []
    for part, collection in _BIN_PARTS if with_bin else ():
        answer = answers[part.id]
        if isinstance(answer, GraphError):
            unavailable.append(f"recycle bin ({collection.kind.value}s) not read: {answer}")
            continue
        raw = await collection.rest_of(client, answer)
        deleted += (directory_object(item, collection.kind) for item in raw)
    return TenantSnapshot(status, tuple(deleted), tuple(unavailable))


async def tenant_status(client: GraphServiceClient) -> TenantStatus:
    """Organization, domains and sync settings (one request)."""
    return (await read_tenant(client, with_bin=False)).status
