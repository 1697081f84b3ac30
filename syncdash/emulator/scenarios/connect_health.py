"""What Connect Health reports for the demo tenant, in Resource Manager's shapes: the
export errors Graph never shows — each error type of Microsoft's troubleshooting article
once — on objects Entra ID has and on objects it does not (their first export failed),
the last export run, and an active alert.

Joined to the demo's objects by their on-premises identity, as the real report is: the
incoming side carries the object's sourceAnchor (its onPremisesImmutableId) and DN."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timedelta
from typing import Any

from syncdash.emulator.scenarios.objects import graph_time

SERVICE = "contoso-sync.contoso.com"
OU = "OU=Users,OU=Contoso,DC=contoso,DC=com"

#: Scenario name -> the incoming object's UPN (objects not in Entra ID are found by it too);
#: the two on everyday objects are named by :func:`add_connect_health`.
HEALTH_SCENARIOS: dict[str, str] = {
    "health-duplicate-both-sides": "isaiah.langer@contoso.com",
    "health-invalid-soft-match": "kenji.tanaka@contoso.com",
    "health-object-type-mismatch": "tax.desk@contoso.com",
    "health-data-validation": "maría josé@contoso.com",
}


def _anchor(seed: str) -> str:
    return base64.b64encode(uuid.uuid5(uuid.NAMESPACE_DNS, seed).bytes).decode()


def _side(name: str, upn: str, *, kind: str = "User", dn: str | None = None, anchor: str | None = None,
          authority: str = "Active Directory", mail: str | None = None, proxies: str | None = None) -> dict[str, Any]:
    return {"displayName": name, "distinguishedName": dn or f"CN={name},{OU}",
            "objectGuid": str(uuid.uuid5(uuid.NAMESPACE_URL, upn)), "objectType": kind, "userPrincipalName": upn,
            "onpremisesUserPrincipalName": upn, "mail": mail, "proxyAddresses": proxies,
            "sourceAnchor": anchor or _anchor(upn), "sourceOfAuthority": authority,
            "lastDirSyncTime": None, "timeOccurred": "0001-01-01T00:00:00Z"}


def _error(error_type: str, attribute: str, value: str, incoming: dict[str, Any], existing: dict[str, Any] | None,
           first: datetime, last: datetime, detail: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid5(uuid.NAMESPACE_OID, f"{error_type}{value}")), "type": error_type,
            "incomingObjectDisplayName": incoming["displayName"], "incomingObjectType": incoming["objectType"],
            "userPrincipalName": incoming["userPrincipalName"], "attributeName": attribute, "attributeValue": value,
            "timeOccurred": graph_time(last), "timeFirstOccurred": graph_time(first), "csObjectId": str(uuid.uuid5(uuid.NAMESPACE_OID, f"cs:{value}")),
            "dn": incoming["distinguishedName"], "incomingObject": incoming, "existingObject": existing,
            "samAccountName": incoming["userPrincipalName"].split("@")[0][:20], "serverErrorDetail": detail,
            "exportErrorStatus": 1}


def _user(tenant: dict[str, Any], upn: str) -> dict[str, Any]:
    return next(u for u in tenant["users"] if u.get("userPrincipalName") == upn)


def _ordinary(tenant: dict[str, Any], taken: set[str], count: int) -> list[dict[str, Any]]:
    """Synced users without errors and not a scenario of their own: the everyday objects
    an export error also hits (the first ``count`` of the seeded tenant, so always the same)."""
    found = [u for u in tenant["users"] if u.get("onPremisesSyncEnabled") is True and u.get("mail")
             and not u.get("onPremisesProvisioningErrors") and not u.get("serviceProvisioningErrors")
             and u.get("userPrincipalName") not in taken]
    return found[:count]


def _incoming_of(user: dict[str, Any]) -> dict[str, Any]:
    """A demo user as Connect Health sees it coming from on-premises AD."""
    return _side(user["displayName"], user["onPremisesUserPrincipalName"] or user["userPrincipalName"],
                 dn=user["onPremisesDistinguishedName"], anchor=user["onPremisesImmutableId"], mail=user.get("mail"))


def add_connect_health(tenant: dict[str, Any], now: datetime, taken: set[str]) -> dict[str, str]:
    """Adds the ``connectHealth`` section to the demo tenant (built by build_demo_tenant),
    its everyday objects chosen outside ``taken`` (the other scenarios' objects); returns
    every Connect Health scenario with its object's UPN."""
    last = now - timedelta(minutes=24)
    isaiah, brooks = _user(tenant, "isaiah.langer@contoso.com"), _user(tenant, "isaiah.brooks@contoso.com")
    moved, photographed = _ordinary(tenant, {*taken, brooks["userPrincipalName"]}, 2)
    kenji = _side("Kenji Tanaka", "kenji.tanaka@contoso.com", mail="kenji.tanaka@contoso.com")
    kenji_before = _side("Kenji Tanaka", "ktanaka@contoso.com", dn="CN=Kenji Tanaka,OU=Users,OU=Tokyo,DC=apac,"
                         "DC=contoso,DC=com", mail="kenji.tanaka@contoso.com")
    tax = _side("Tax Desk", "tax.desk@contoso.com", mail="tax@contoso.com", proxies="SMTP:tax@contoso.com")
    tax_group = _side("Tax Team", "", kind="Group", dn="", authority="Cloud", mail="tax@contoso.com",
                      proxies="SMTP:tax@contoso.com")
    maria = _side("María José García", "maría josé@contoso.com")
    errors = {
        "DuplicateAttributeError": [_error(
            "AttributeValueMustBeUnique", "ProxyAddresses", "smtp:isaiah@contoso.com", _incoming_of(isaiah),
            _incoming_of(brooks), now - timedelta(days=2, minutes=37), last,
            "The value smtp:isaiah@contoso.com of attribute ProxyAddresses is already associated with another "
            "object.")],
        "DataMismatch": [
            _error("InvalidSoftMatch", "ProxyAddresses", "SMTP:kenji.tanaka@contoso.com", kenji, kenji_before,
                   now - timedelta(hours=30), last,
                   "Unable to update this object because the following attributes associated with this object "
                   "have values that may already be associated with another object in your local directory "
                   "services: [ProxyAddresses SMTP:kenji.tanaka@contoso.com;]."),
            _error("ObjectTypeMismatch", "ProxyAddresses", "SMTP:tax@contoso.com", tax, tax_group,
                   now - timedelta(days=3), last,
                   "An object of a different type holds the proxy address SMTP:tax@contoso.com."),
        ],
        "DataValidationError": [_error(
            "IdentityDataValidationFailed", "UserPrincipalName", "maría josé@contoso.com", maria, None,
            now - timedelta(hours=6), last, "The value of userPrincipalName has characters that are not allowed.")],
        "FederatedDomainChange": [_error(
            "FederatedDomainChangeError", "UserPrincipalName",
            moved["userPrincipalName"].replace("@contoso.com", "@fabrikam.com"), _incoming_of(moved),
            None, now - timedelta(days=1, hours=2), last,
            "Changing the UPN suffix from one federated domain to another federated domain is not supported.")],
        "LargeAttribute": [_error(
            "LargeObject", "userCertificate", "System.Byte[]", _incoming_of(photographed), None,
            now - timedelta(days=5), last, "The userCertificate attribute has more than 15 values.")],
    }
    tenant["connectHealth"] = {
        "services": [{"serviceName": SERVICE, "type": "AadSyncService", "displayName": SERVICE, "health": "Error",
                      "disabled": False, "activeAlerts": 1, "tenantId": tenant["organization"][0]["id"]}],
        "exportErrors": errors,
        "exportStatus": [{"serviceId": SERVICE, "serviceMemberId": str(uuid.uuid5(uuid.NAMESPACE_DNS, SERVICE)),
                          "endTime": graph_time(last), "runStepResultId": str(uuid.uuid5(uuid.NAMESPACE_OID, graph_time(last)))}],
        "alerts": [{"alertId": str(uuid.uuid5(uuid.NAMESPACE_DNS, "phs")), "level": "Warning", "state": "Active",
                    "shortName": "PasswordHashSyncHeartbeatSkipped",
                    "displayName": "Password Hash Synchronization heartbeat was skipped in last 120 minutes",
                    "createdDate": graph_time(now - timedelta(hours=3)), "scope": "Service"}],
    }
    return {**HEALTH_SCENARIOS, "health-federated-domain-change": moved["userPrincipalName"],
            "health-large-object": photographed["userPrincipalName"]}
