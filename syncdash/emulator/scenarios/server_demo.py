"""The demo tenant's Connect server: the files ``syncdash collect-script`` would bring
back from Contoso's Entra Connect server, written from the demo tenant and its AD.

They agree with the cloud and AD the way a real server does: each synced object is in
the AD connector space by its DN and objectGUID and in the Entra connector space as
``CN={hex of its sourceAnchor}``, joined through one metaverse object. Then what only
the server shows: the export that failed for an object Entra ID never received, the
export error behind a cloud conflict (with the conflicting object's id), exports still
pending, an import error, a disconnector, an object group filtering keeps out of the
connector space (and the single-object sync that says why), the scheduler. Written as
the tools write them — csexport XML, PowerShell 5.1's ConvertTo-Json, UTF-16 — on the
emulator's own; it never borrows the reader.
"""

from __future__ import annotations

import base64
import json
import os
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from syncdash.emulator.scenarios.onprem_demo import DOMAIN_DN

AD_CONNECTOR = "contoso.com"
ENTRA_CONNECTOR = "contoso.onmicrosoft.com - AAD"
#: How old the demo's files are: collected this morning.
AGE = timedelta(hours=2)
_NEW_HIRES = f"OU=New Hires,{DOMAIN_DN}"
FILTERING_GROUP = f"CN=Entra Sync Scope,OU=Groups,{DOMAIN_DN}"


def _guid(seed: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"syncdash-demo:{seed}")


def _anchor_of(guid: uuid.UUID) -> str:
    return base64.b64encode(guid.bytes_le).decode("ascii")


def _entra_dn(anchor: str) -> str:
    return "CN={" + anchor.encode("ascii").hex().upper() + "}"


def _attrs(values: dict[str, Any]) -> str:
    out = []
    for name, value in values.items():
        many = value if isinstance(value, (list, tuple)) else [value]
        many = [v for v in many if v not in (None, "")]
        if many:
            kind = "boolean" if isinstance(many[0], bool) else "string"
            shown = "".join(f"<value>{escape(str(v).lower() if isinstance(v, bool) else str(v))}</value>" for v in many)
            out.append(f'<attr name={quoteattr(name)} type="{kind}" multivalued="{str(len(many) > 1).lower()}">'
                       f"{shown}</attr>")
    return "".join(out)


def _entry(dn: str, anchor_b64: str, kind: str, values: dict[str, Any]) -> str:
    return (f"<entry dn={quoteattr(dn)}><anchor encoding=\"base64\">{anchor_b64}</anchor>"
            f"<primary-objectclass>{kind}</primary-objectclass><objectclass><oc-value>{kind}</oc-value></objectclass>"
            f"{_attrs(values)}</entry>")


def _cs_object(dn: str, kind: str, *, hologram: str | None, mv: uuid.UUID | None, extra: str = "") -> str:
    cs_id = _guid(f"cs:{dn}")
    body = f"<synchronized-hologram>{hologram}</synchronized-hologram>" if hologram else ""
    link = (f'<mv-link lineage-id="{{{_guid(f"lineage:{dn}")}}}" lineage-type="join-rules">{{{mv}}}</mv-link>'
            if mv else "")
    return (f"<cs-object cs-dn={quoteattr(dn)} id=\"{{{str(cs_id).upper()}}}\" object-type=\"{kind}\">{body}{extra}"
            f"<connector>{1 if mv else 0}</connector><connector-state>normal</connector-state>{link}</cs-object>")


def _export_error(error_name: str, detail: str, first: datetime, last: datetime, conflict: dict[str, str] | None) -> str:
    extra = ""
    if conflict:
        pairs = [{"Key": key, "Value": [value]} for key, value in conflict.items()]
        extra = f"<extra-error-details>{escape(json.dumps(pairs))}</extra-error-details>"
    return (f'<export-errordetail first-occurred="{first:%Y-%m-%d %H:%M:%S}.000" date-occurred="{last:%Y-%m-%d %H:%M:%S}'
            f'.000" retry-count="{max(1, int((last - first).total_seconds() // 1800))}" error-type="cd-error">'
            f"<export-status><cd-error><error-code>0x8023134a</error-code><error-literal>{escape(error_name)}"
            f"</error-literal><server-error-detail>{escape(detail)}</server-error-detail><error-name>{error_name}"
            f"</error-name>{extra}</cd-error></export-status></export-errordetail>")


def _pending_add(dn: str, values: dict[str, Any]) -> str:
    return (f"<unapplied-export><delta operation=\"add\" dn={quoteattr(dn)}>{_attrs(values)}</delta>"
            "</unapplied-export>")


def _holder_of(tenant: dict[str, Any], value: str, other_than: str | None = None) -> dict[str, Any] | None:
    wanted = value.casefold()
    for kind in ("users", "groups", "contacts"):
        for obj in tenant[kind]:
            held = [obj.get("userPrincipalName"), obj.get("mail"), *(obj.get("proxyAddresses") or [])]
            if obj.get("id") != other_than and any(wanted in (h or "").casefold() for h in held):
                return obj
    return None


class _Spaces:
    """Both connector spaces, written object by object."""

    def __init__(self) -> None:
        self.ad: list[str] = []
        self.entra: list[str] = []
        self.containers: set[str] = set()

    def contained(self, dn: str) -> None:
        """The OUs above ``dn``, up to the domain: a whole AD connector space holds them."""
        parts = re.split(r"(?<!\\),", dn)
        for at in range(1, len(parts)):
            parent = ",".join(parts[at:])
            if parent.upper().startswith("OU="):
                self.containers.add(parent)

    def container_objects(self) -> list[str]:
        made = [_cs_object(DOMAIN_DN, "domainDNS", hologram=None, mv=None)]
        return made + [_cs_object(dn, "organizationalUnit", hologram=None, mv=None) for dn in sorted(self.containers)]

    def synced(self, dn: str, kind: str, guid: uuid.UUID, values: dict[str, Any], cloud_id: str,
               entra_extra: str = "", ad_extra: str = "") -> None:
        anchor = _anchor_of(guid)
        mv = _guid(f"mv:{anchor}")
        self.contained(dn)
        self.ad.append(_cs_object(dn, kind, hologram=_entry(dn, anchor, kind, values), mv=mv, extra=ad_extra))
        cloud = {"sourceAnchor": anchor, "cloudAnchor": f"{kind.capitalize()}_{cloud_id}", **values}
        entra_dn = _entra_dn(anchor)
        self.entra.append(_cs_object(entra_dn, kind, hologram=_entry(entra_dn, anchor, kind, cloud), mv=mv,
                                     extra=entra_extra))

    def new(self, dn: str, guid: uuid.UUID, values: dict[str, Any], entra_extra: str = "") -> None:
        """An AD object joined and projected, its first export to Entra ID still to come."""
        anchor = _anchor_of(guid)
        mv = _guid(f"mv:{anchor}")
        self.contained(dn)
        self.ad.append(_cs_object(dn, "user", hologram=_entry(dn, anchor, "user", values), mv=mv))
        entra_dn = _entra_dn(anchor)
        pending = {"sourceAnchor": anchor, "onPremisesDistinguishedName": dn, **values}
        self.entra.append(_cs_object(entra_dn, "user", hologram=None, mv=mv,
                                     extra=_pending_add(entra_dn, pending) + entra_extra))


def _users(tenant: dict[str, Any], spaces: _Spaces, now: datetime) -> dict[str, Any]:
    conflict: dict[str, Any] = {}
    for user in tenant["users"]:
        if user.get("onPremisesSyncEnabled") is not True or not user.get("onPremisesImmutableId"):
            continue
        guid = uuid.UUID(bytes_le=base64.b64decode(user["onPremisesImmutableId"]))
        dn = user.get("onPremisesDistinguishedName") or f"CN={user['displayName']},OU=Users,{DOMAIN_DN}"
        values = {"userPrincipalName": user.get("onPremisesUserPrincipalName") or user.get("userPrincipalName"),
                  "displayName": user.get("displayName"), "mail": user.get("mail")}
        extra = ""
        errors = user.get("onPremisesProvisioningErrors") or []
        if not conflict and errors and errors[0].get("propertyCausingError") == "ProxyAddresses":
            value = errors[0]["value"]
            holder = _holder_of(tenant, value.partition(":")[2], other_than=user["id"])
            if holder is not None:
                conflict = {"user": user, "value": value, "holder": holder}
                detail = (f"Unable to update this object because the following attributes associated with this object "
                          f"have values that may already be associated with another object in your local directory "
                          f"services: [ProxyAddresses {value};]. Correct or remove the duplicate values in your local "
                          "directory.")
                extra = _export_error("AttributeValueMustBeUnique", detail, now - timedelta(days=2), now - AGE,
                                      {"ObjectId": user["id"], "ObjectIdInConflict": holder["id"],
                                       "AttributeConflictName": "ProxyAddresses", "AttributeConflictValues": value})
        spaces.synced(dn, "user", guid, values, user["id"], entra_extra=extra)
    return conflict


def _groups_and_contacts(tenant: dict[str, Any], spaces: _Spaces, now: datetime) -> None:
    for group in tenant["groups"]:
        if group.get("onPremisesSyncEnabled") is True:
            spaces.synced(f"CN={group['displayName']},OU=Groups,{DOMAIN_DN}", "group", _guid(group["id"]),
                          {"displayName": group.get("displayName"), "mail": group.get("mail")}, group["id"])
    first = True
    for contact in tenant["contacts"]:
        if contact.get("onPremisesSyncEnabled") is not True:
            continue
        import_error = ""
        if first:  # one import error: a sync rule's expression failed on this contact
            first = False
            import_error = (f'<import-errordetail first-occurred="{now - timedelta(days=1):%Y-%m-%d %H:%M:%S}.000" '
                            f'date-occurred="{now - AGE:%Y-%m-%d %H:%M:%S}.000" retry-count="0" '
                            'error-type="sync-rule-flow-provisioning-failed"><import-status><algorithm-step>'
                            "Flow: In from AD - Contact Common (targetAddress → mail)</algorithm-step>"
                            "</import-status></import-errordetail>")
        spaces.synced(f"CN={contact['displayName']},OU=Contacts,{DOMAIN_DN}", "contact", _guid(contact["id"]),
                      {"displayName": contact.get("displayName"), "mail": contact.get("mail")}, contact["id"],
                      ad_extra=import_error)


def _new_hires(tenant: dict[str, Any], spaces: _Spaces, now: datetime) -> dict[str, str]:
    """The AD-only demo objects as the server holds them; returns the DN of the one group
    filtering keeps out."""
    def dn(name: str) -> str:
        return f"CN={name},{_NEW_HIRES}"

    for name, sam, upn in (("Priya Shah", "pshah", "priya.shah@contoso.com"),
                           ("Priya Sharma", "psharma", "priya.sharma@contoso.com")):
        spaces.new(dn(name), _guid(sam), {"userPrincipalName": upn, "displayName": name, "mail": upn})
    sales = _holder_of(tenant, "sales@contoso.com")
    detail = ("Unable to update this object because the following attributes associated with this object have values "
              "that may already be associated with another object in your local directory services: [ProxyAddresses "
              "smtp:sales@contoso.com;].")
    spaces.new(dn("Sam Rivera"), _guid("srivera"),
               {"userPrincipalName": "sam.rivera@contoso.com", "displayName": "Sam Rivera",
                "mail": "sam.rivera@contoso.com", "proxyAddresses": ["SMTP:sam.rivera@contoso.com",
                                                                     "smtp:sales@contoso.com"]},
               _export_error("AttributeValueMustBeUnique", detail, now - timedelta(hours=20), now - AGE,
                             {"ObjectIdInConflict": sales["id"], "AttributeConflictName": "ProxyAddresses",
                              "AttributeConflictValues": "smtp:sales@contoso.com"} if sales else None))
    spaces.new(dn("Ana Lima"), _guid("alima"), {"userPrincipalName": "ana lima@contoso.com", "displayName": "Ana Lima"},
               _export_error("IdentityDataValidationFailed", "The value of userPrincipalName is not valid: "
                             "[UserPrincipalName ana lima@contoso.com;].", now - timedelta(hours=20), now - AGE, None))
    lab = dn("Lab Admin")  # in the connector space, but no inbound rule's scope: a disconnector
    spaces.ad.append(_cs_object(lab, "user", hologram=_entry(lab, _anchor_of(_guid("labadmin")), "user",
                                                             {"userPrincipalName": "labadmin@contoso.local"}), mv=None))
    return {"filtered": dn("Omar Haddad")}


def _health_only(tenant: dict[str, Any], spaces: _Spaces) -> None:
    """The objects Connect Health reports an export error for that Entra ID does not have:
    the server holds them too, joined and awaiting their first export."""
    anchors = {u.get("onPremisesImmutableId") for u in tenant["users"] if u.get("onPremisesImmutableId")}
    for errors in (tenant.get("connectHealth") or {}).get("exportErrors", {}).values():
        for error in errors:
            side = error.get("incomingObject") or {}
            dn, guid = side.get("distinguishedName"), side.get("objectGuid")
            if not dn or not guid or side.get("sourceAnchor") in anchors or any(dn in entry for entry in spaces.ad):
                continue
            values = {"userPrincipalName": side.get("userPrincipalName"), "displayName": side.get("displayName"),
                      "mail": side.get("mail")}
            spaces.new(dn, uuid.UUID(guid), values)


def _scheduler(now: datetime) -> dict[str, Any]:
    """Get-ADSyncScheduler | ConvertTo-Json as Windows PowerShell 5.1 writes it."""
    span = {"Ticks": 18000000000, "Days": 0, "Hours": 0, "Milliseconds": 0, "Minutes": 30, "Seconds": 0,
            "TotalDays": 0.020833333333333332, "TotalHours": 0.5, "TotalMilliseconds": 1800000.0,
            "TotalMinutes": 30.0, "TotalSeconds": 1800.0}
    next_run = int((now + timedelta(minutes=12)).timestamp() * 1000)
    return {"AllowedSyncCycleInterval": span, "CurrentlyEffectiveSyncCycleInterval": span,
            "CustomizedSyncCycleInterval": None, "NextSyncCyclePolicyType": 1,
            "NextSyncCycleStartTimeInUTC": f"/Date({next_run})/", "PurgeRunHistoryInterval": None,
            "SyncCycleEnabled": True, "MaintenanceEnabled": True, "StagingModeEnabled": False,
            "SchedulerSuspended": False, "SyncCycleInProgress": False}


def _cs_object_json(conflict: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Get-ADSyncCSObject for the conflicting user's Entra connector object, 5.1's JSON."""
    user, holder, value = conflict["user"], conflict["holder"], conflict["value"]
    anchor = user["onPremisesImmutableId"]
    extra = [{"Key": "ObjectId", "Value": [user["id"]]}, {"Key": "ObjectIdInConflict", "Value": [holder["id"]]},
             {"Key": "AttributeConflictName", "Value": ["ProxyAddresses"]},
             {"Key": "AttributeConflictValues", "Value": [value]}]
    return {
        "ObjectId": str(_guid(f"cs:{_entra_dn(anchor)}")), "ConnectorId": "b891884f-051e-4a83-95af-2544101c9083",
        "ConnectorName": ENTRA_CONNECTOR, "ConnectorType": "Extensible2", "DistinguishedName": _entra_dn(anchor),
        "ObjectType": "user", "IsTransient": False, "IsPlaceHolder": False, "IsConnector": True,
        "HasSyncError": False, "HasExportError": True,
        "ExportError": {"ErrorName": "AttributeValueMustBeUnique", "RetryCount": 96,
                        "DateOccurred": f"/Date({int((now - AGE).timestamp() * 1000)})/",
                        "FirstOccurred": f"/Date({int((now - timedelta(days=2)).timestamp() * 1000)})/",
                        "ErrorExtraDetails": json.dumps(extra)},
        "ConnectedMVObjectId": str(_guid(f"mv:{anchor}")),
        "Lineage": [{"SyncRuleName": "Out to AAD - User Join", "Operation": "Provision"},
                    {"SyncRuleName": "Out to AAD - User Identity", "Operation": "Join"}],
        "Attributes": [{"Name": "cloudAnchor", "Type": 0, "IsMultiValued": False, "Values": [f"User_{user['id']}"]},
                       {"Name": "userPrincipalName", "Type": 0, "IsMultiValued": False,
                        "Values": [user.get("userPrincipalName")]}],
    }


def _single_sync(dn: str, now: datetime) -> dict[str, Any]:
    """Invoke-ADSyncSingleObjectSync's JSON for an object group filtering keeps out."""
    stamp = (now - AGE).strftime("%m/%d/%Y %H:%M:%S")
    reason = (f'Object is not present in sync scope. Group filtering is enabled and the object is not a member of '
              f'filtering group "{FILTERING_GROUP}" in the Active Directory')
    step = {"Status": "Success", "Type": "Scoping", "Name": "ScopingDomain", "Timestamp": stamp,
            "Description": f"Determine if Object's Domain (Connector:{AD_CONNECTOR}) (Partition:{DOMAIN_DN}) in sync scope",
            "Details": {f'Connector "{AD_CONNECTOR}" Partition "{DOMAIN_DN}" selected': "True"}}
    failed = {"Status": "Failure", "Type": "Scoping", "Name": "ScopingGroup", "Timestamp": stamp,
              "Description": "Determine if Object is in sync scope if Group Filtering enabled",
              "Details": {"Group filtering enabled": "True", "Group distinguished name": FILTERING_GROUP}}
    return {"Action": "Other", "StartTime": stamp, "EndTime": stamp, "SourceSystem": {"Name": "Active Directory"},
            "TargetSystem": {"Name": "Azure Active Directory"},
            "SourceIdentity": {"Id": str(_guid("ohaddad")), "Type": "user", "Name": dn},
            "TargetIdentity": {"Id": "", "Type": "", "Name": ""},
            "StatusInfo": {"Status": "Failure", "ErrorCode": "", "Reason": reason, "AdditionalDetails": "",
                           "ErrorCategory": "", "RecommendedAction": "Add the object to the filtering group, or turn "
                           "group filtering off (a pilot feature) in the Entra Connect wizard."},
            "ModifiedProperties": [], "ProvisioningSteps": [step, failed]}


def _disconnectors(tenant: dict[str, Any]) -> str:
    """Export-ADSyncToolsAadDisconnectors' CSV: a cloud object left behind by an AD
    object that was deleted (it sits in the recycle bin, joined to nothing)."""
    rows = ['"UserPrincipalName","Mail","SourceAnchor","DistinguishedName","CsObjectId","ObjectType","ConnectorId",'
            '"CloudAnchor"']
    for item in tenant["deletedItems"]:
        anchor, upn = item.get("onPremisesImmutableId"), item.get("userPrincipalName") or ""
        if anchor and item.get("displayName") == "Patti Fernandez":  # gone from AD, her cloud user deleted
            upn = upn[len(item["id"].replace("-", "")):]  # as synced, without the recycle bin's prefix
            rows.append(f'"{upn}","{item.get("mail") or ""}","{anchor}","{_entra_dn(anchor)}",'
                        f'"{_guid("cs:" + anchor)}","user","b891884f-051e-4a83-95af-2544101c9083","User_{item["id"]}"')
    return "\r\n".join(rows) + "\r\n"


def write_demo_server_files(tenant: dict[str, Any], now: datetime, folder: Path) -> list[Path]:
    """The demo server's files for ``tenant`` (build_demo_tenant's), written into
    ``folder`` and dated two hours before ``now``; returns their paths."""
    spaces = _Spaces()
    conflict = _users(tenant, spaces, now)
    _groups_and_contacts(tenant, spaces, now)
    filtered = _new_hires(tenant, spaces, now)["filtered"]
    _health_only(tenant, spaces)
    files = {
        f"csexport-{AD_CONNECTOR}.xml": ('<?xml version="1.0" encoding="UTF-16"?>\n<cs-objects>'
                                         + "".join(spaces.container_objects() + spaces.ad)
                                         + "</cs-objects>\n").encode("utf-16"),
        "csexport-contoso.onmicrosoft.com_-_AAD.xml": ('<?xml version="1.0" encoding="UTF-8"?>\n<cs-objects>'
                                                       + "".join(spaces.entra) + "</cs-objects>\n").encode("utf-8"),
        "scheduler.json": json.dumps(_scheduler(now), indent=4).replace("/Date(", "\\/Date(").replace(")/", ")\\/")
        .encode("utf-8-sig"),
        "single-object-sync-1.json": (json.dumps(_single_sync(filtered, now), separators=(",", ":"))
                                      + "\r\n").encode("utf-16"),
        "AadDisconnectors.csv": _disconnectors(tenant).encode("utf-8"),
    }
    if conflict:
        files["cs-object-1.json"] = json.dumps(_cs_object_json(conflict, now), indent=4).replace(
            "/Date(", "\\/Date(").replace(")/", ")\\/").encode("utf-8-sig")
    stamp = (now - AGE).timestamp()
    written = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        os.utime(path, (stamp, stamp))
        written.append(path)
    return written
