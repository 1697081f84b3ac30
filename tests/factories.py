"""Small hand-made tenants in Graph's JSON shapes, for tests that need exact data."""

from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count(1)

TENANT_ID = "11111111-2222-3333-4444-555555555555"
#: Objects in error in the demo through Graph alone (the dashboard's tests connect Graph only).
DEMO_GRAPH_IN_ERROR = 29
#: ... and with Connect Health read too (``syncdash --demo``): two synced users whose export
#: failed, and three objects Entra ID does not have at all.
DEMO_IN_ERROR = DEMO_GRAPH_IN_ERROR + 5
#: ... of which the Connect server's files add (``syncdash --demo`` reads them too): two
#: objects whose first export failed, and a contact with an import error.
DEMO_SERVER_IN_ERROR = 3


def new_id() -> str:
    return f"00000000-0000-4000-8000-{next(_ids):012d}"


def conflict(prop: str, value: str, when: str = "2026-11-20T08:01:31.6341616+00:00") -> dict[str, Any]:
    return {
        "category": "PropertyConflict",
        "propertyCausingError": prop,
        "value": value,
        "occurredDateTime": when,
    }


def service_error(xml: str, *, resolved: bool = False) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.serviceProvisioningXmlError",
        "createdDateTime": "2026-11-21T17:45:18.00",
        "isResolved": resolved,
        "serviceInstance": "exchange/NAMPRD09-001-01",
        "errorDetail": xml,
    }


def user(name: str, upn: str, *, synced: bool | None = True, **extra: Any) -> dict[str, Any]:
    local = upn.split("@")[0]
    obj = {
        "id": new_id(),
        "displayName": name,
        "userPrincipalName": upn,
        "mail": upn,
        "mailNickname": local,
        "proxyAddresses": [f"SMTP:{upn}"],
        "accountEnabled": True,
        "onPremisesSyncEnabled": synced,
        "onPremisesLastSyncDateTime": "2026-11-24T09:40:00Z" if synced else None,
        "onPremisesImmutableId": "q1w2e3r4t5y6u7i8o9p0Aa==" if synced is not None else None,
        "onPremisesSamAccountName": local[:20] if synced is not None else None,
        "onPremisesUserPrincipalName": upn if synced is not None else None,
        "onPremisesProvisioningErrors": [],
        "serviceProvisioningErrors": [],
    }
    obj.update(extra)
    return obj


def group(name: str, mail: str | None, **extra: Any) -> dict[str, Any]:
    obj = {
        "id": new_id(),
        "displayName": name,
        "mail": mail,
        "mailEnabled": mail is not None,
        "securityEnabled": mail is None,
        "mailNickname": (mail or name).split("@")[0],
        "proxyAddresses": [f"SMTP:{mail}"] if mail else [],
        "onPremisesSyncEnabled": True,
        "onPremisesProvisioningErrors": [],
        "serviceProvisioningErrors": [],
    }
    obj.update(extra)
    return obj


def contact(name: str, mail: str, **extra: Any) -> dict[str, Any]:
    obj = {
        "id": new_id(),
        "displayName": name,
        "mail": mail,
        "mailNickname": mail.split("@")[0],
        "proxyAddresses": [f"SMTP:{mail}"],
        "onPremisesSyncEnabled": True,
        "onPremisesProvisioningErrors": [],
        "serviceProvisioningErrors": [],
    }
    obj.update(extra)
    return obj


def deleted(obj: dict[str, Any], kind: str = "user") -> dict[str, Any]:
    """The recycle-bin form: typed, dated, and (users) with the id-prefixed UPN Entra gives."""
    gone = dict(obj, deletedDateTime="2026-11-18T12:00:00Z")
    gone["@odata.type"] = f"#microsoft.graph.{kind}"
    if kind == "user":
        gone["userPrincipalName"] = obj["id"].replace("-", "") + obj["userPrincipalName"]
    return gone


def tenant(**collections: list[dict[str, Any]]) -> dict[str, Any]:
    """A tenant with Contoso's organization and domains around the given objects."""
    base: dict[str, Any] = {
        "organization": [
            {
                "id": TENANT_ID,
                "displayName": "Contoso",
                "createdDateTime": "2016-03-01T08:00:00Z",
                "onPremisesSyncEnabled": True,
                "onPremisesLastSyncDateTime": "2026-11-24T09:40:00Z",
                "verifiedDomains": [
                    {"name": "contoso.com", "isDefault": True, "isInitial": False, "type": "Managed"},
                    {"name": "contoso.onmicrosoft.com", "isDefault": False, "isInitial": True, "type": "Managed"},
                ],
            }
        ],
        "domains": [
            {"id": "contoso.com", "isVerified": True, "isInitial": False, "isDefault": True, "authenticationType": "Managed"},
            {"id": "contoso.onmicrosoft.com", "isVerified": True, "isInitial": True, "isDefault": False, "authenticationType": "Managed"},
            {"id": "fabrikam.com", "isVerified": False, "isInitial": False, "isDefault": False, "authenticationType": "Managed"},
        ],
        "onPremisesSynchronization": [
            {
                "id": TENANT_ID,
                "configuration": {"accidentalDeletionPrevention": {"synchronizationPreventionType": "enabledForCount", "alertThreshold": 500}},
                "features": {"blockSoftMatchEnabled": True, "blockCloudObjectTakeoverThroughHardMatchEnabled": True, "passwordSyncEnabled": True},
            }
        ],
        "users": [],
        "groups": [],
        "contacts": [],
        "deletedItems": [],
    }
    base.update(collections)
    return base


def many_users(count: int, *, errors_every: int = 0) -> list[dict[str, Any]]:
    """``count`` synced users; every ``errors_every``-th carries a proxy conflict."""
    users = []
    for index in range(count):
        extra = {}
        if errors_every and index % errors_every == 0:
            extra["onPremisesProvisioningErrors"] = [conflict("ProxyAddress", f"smtp:dup{index}@contoso.com")]
        users.append(user(f"User {index:05d}", f"user{index:05d}@contoso.com", **extra))
    return users
