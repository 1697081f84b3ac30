"""The tenant's synchronization status, read part by part so one 403 blanks only its part."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from syncdash.graph.errors import GraphError
from syncdash.graph.fetch import get_json, page_items, query
from syncdash.graph.fields import DOMAIN_FIELDS, ORGANIZATION_FIELDS
from syncdash.graph.parse import domain, flag, records, sync_settings, text, timestamp, verified_domain
from syncdash.graph.together import all_or_none
from syncdash.model import TenantStatus, Unknown

if TYPE_CHECKING:
    from msgraph import GraphServiceClient


async def _first(builder: Any, resource: str, fields: tuple[str, ...] | None) -> list[dict]:
    params = query(builder, select=list(fields)) if fields else None
    return page_items(await get_json(builder, resource, params), resource)


#: Answers that say a part is not available to this identity or in this tenant: that part
#: becomes Unknown. Anything else (network, 5xx, broken JSON, 401) fails the whole read,
#: so that a dashboard keeps its last good status instead of blanking it.
_PART_UNAVAILABLE = (400, 403, 404)


async def _read(builder: Any, resource: str, fields: tuple[str, ...] | None) -> list[dict] | Unknown:
    try:
        return await _first(builder, resource, fields)
    except GraphError as exc:
        if exc.status not in _PART_UNAVAILABLE:
            raise
        return Unknown(str(exc))


async def tenant_status(client: GraphServiceClient) -> TenantStatus:
    """Organization, domains and sync settings, fetched concurrently.

    ``/directory/onPremisesSynchronization`` is readable only by a Global Administrator
    with a delegated permission, so a 403 there is ordinary and ends up as Unknown.
    When ``/domains`` is not readable, the organization's verified domains stand in.
    """
    organizations, domains, settings = await all_or_none(
        _read(client.organization, "organization", ORGANIZATION_FIELDS),
        _read(client.domains, "domains", DOMAIN_FIELDS),
        _read(client.directory.on_premises_synchronization, "onPremisesSynchronization", None),
    )
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

    return TenantStatus(
        tenant_id=from_org("id", lambda v: text(v) or ""),
        name=from_org("displayName", lambda v: text(v) or ""),
        sync_enabled=from_org("onPremisesSyncEnabled", flag),
        last_sync=from_org("onPremisesLastSyncDateTime", timestamp),
        domains=domain_list,
        sync_settings=sync,
    )
