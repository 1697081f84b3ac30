"""The demo tenant's on-premises side: Contoso's AD as an ``ldifde`` export would give it.

Written from the demo tenant itself, so the two agree the way a real hybrid does: every
synced user's objectGUID is its cloud immutableId, every synced group's objectSid its
onPremisesSecurityIdentifier, and a value the cloud quarantined (a duplicate-attribute
error) is still on the on-premises object. Then what only AD shows: objects not synced
yet, IdFix violations, two on-premises objects sharing an address, and values a cloud
object already holds. The emulator writes LDIF on its own; it never borrows the reader.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

DOMAIN_DN = "DC=contoso,DC=com"
ORIGIN = "contoso-onprem.ldf"
_CLASSES = {
    "user": ("top", "person", "organizationalPerson", "user"),
    "group": ("top", "group"),
    "contact": ("top", "person", "organizationalPerson", "contact"),
}

#: What only AD shows, by the audit finding each demonstrates.
ONPREM_SCENARIOS = {
    "duplicate-in-ad": "priya.shah@contoso.com",  # and priya.sharma@contoso.com: both hold smtp:priya@contoso.com
    "will-conflict-in-cloud": "sam.rivera@contoso.com",  # smtp:sales@contoso.com, held by the cloud-only Sales Team
    "unverified-upn-domain": "labadmin@contoso.local",
    "invalid-characters": "ana lima@contoso.com",
    "value-too-long": "mail-nickname-too-long",
}


def _sid_bytes(sid: str) -> bytes:
    parts = sid.split("-")
    revision, authority, subs = int(parts[1]), int(parts[2]), [int(p) for p in parts[3:]]
    return bytes([revision, len(subs)]) + authority.to_bytes(6, "big") + b"".join(
        s.to_bytes(4, "little") for s in subs)


def _guid(seed: str) -> bytes:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"syncdash-demo:{seed}").bytes_le


def _line(name: str, value: str | bytes) -> str:
    """``name: value``, or ``name:: base64`` for bytes, non-ASCII or an unsafe start
    (RFC 2849), folded at 76 columns as ldifde folds."""
    if isinstance(value, bytes) or not value.isascii() or value[:1] in (" ", ":", "<") or value.endswith(" "):
        raw = value if isinstance(value, bytes) else value.encode("utf-8")
        text = f"{name}:: {base64.b64encode(raw).decode('ascii')}"
    else:
        text = f"{name}: {value}"
    pieces = [text[:76]] + [" " + text[i:i + 75] for i in range(76, len(text), 75)]
    return "\n".join(pieces)


def _record(dn: str, kind: str, attributes: dict[str, Any]) -> str:
    lines = [_line("dn", dn), "changetype: add", *(_line("objectClass", c) for c in _CLASSES[kind])]
    for name, value in attributes.items():
        for single in value if isinstance(value, (list, tuple)) else [value]:
            if single is not None and single != "":
                lines.append(_line(name, single))
    return "\n".join(lines)


def _quarantined(obj: dict[str, Any]) -> list[str]:
    """Values of the object's duplicate-attribute errors: still on it on-premises."""
    return [e["value"] for e in obj.get("onPremisesProvisioningErrors") or []
            if e.get("propertyCausingError") == "ProxyAddresses" and e.get("value")]


def _synced(tenant: dict[str, Any], when: str) -> Iterator[str]:
    for user in tenant["users"]:
        if user.get("onPremisesSyncEnabled") is not True or not user.get("onPremisesImmutableId"):
            continue
        guid = base64.b64decode(user["onPremisesImmutableId"])
        dn = user.get("onPremisesDistinguishedName") or f"CN={user['displayName']},OU=Users,{DOMAIN_DN}"
        yield _record(dn, "user", {
            "objectGUID": guid, "sAMAccountName": user.get("onPremisesSamAccountName"),
            "userPrincipalName": user.get("onPremisesUserPrincipalName") or user.get("userPrincipalName"),
            "mail": user.get("mail"), "mailNickname": user.get("mailNickname"),
            "proxyAddresses": [*(user.get("proxyAddresses") or []), *_quarantined(user)],
            "displayName": user.get("displayName"), "givenName": user.get("givenName"), "sn": user.get("surname"),
            "userAccountControl": "512" if user.get("accountEnabled", True) else "514", "whenChanged": when,
            "objectSid": _sid_bytes(user["onPremisesSecurityIdentifier"]) if user.get("onPremisesSecurityIdentifier") else None,
        })
    for group in tenant["groups"]:
        if group.get("onPremisesSyncEnabled") is not True:
            continue
        dn = f"CN={group['displayName']},OU=Groups,{DOMAIN_DN}"
        yield _record(dn, "group", {
            "objectGUID": _guid(group["id"]), "sAMAccountName": group.get("onPremisesSamAccountName"),
            "objectSid": _sid_bytes(group["onPremisesSecurityIdentifier"]) if group.get("onPremisesSecurityIdentifier") else None,
            "mail": group.get("mail"), "mailNickname": group.get("mailNickname"),
            "proxyAddresses": [*(group.get("proxyAddresses") or []), *_quarantined(group)],
            "displayName": group.get("displayName"), "whenChanged": when,
        })
    for contact in tenant["contacts"]:
        if contact.get("onPremisesSyncEnabled") is not True:
            continue
        dn = f"CN={contact['displayName']},OU=Contacts,{DOMAIN_DN}"
        yield _record(dn, "contact", {
            "objectGUID": _guid(contact["id"]), "mail": contact.get("mail"),
            "mailNickname": contact.get("mailNickname"), "targetAddress": f"SMTP:{contact['mail']}" if contact.get("mail") else None,
            "proxyAddresses": [*(contact.get("proxyAddresses") or []), *_quarantined(contact)],
            "displayName": contact.get("displayName"), "givenName": contact.get("givenName"),
            "sn": contact.get("surname"), "whenChanged": when,
        })


def _user(given: str, surname: str, sam: str, upn: str, **extra: Any) -> str:
    name = f"{given} {surname}"
    attributes = {"objectGUID": _guid(sam), "sAMAccountName": sam, "userPrincipalName": upn,
                  "displayName": name, "givenName": given, "sn": surname, "userAccountControl": "512", **extra}
    return _record(f"CN={name},OU=New Hires,{DOMAIN_DN}", "user", attributes)


def _only_on_premises(when: str) -> Iterator[str]:
    """Objects not in the cloud yet, each showing what the audit finds before a sync."""
    yield _user("Priya", "Shah", "pshah", "priya.shah@contoso.com", mail="priya.shah@contoso.com",
                proxyAddresses=["SMTP:priya.shah@contoso.com", "smtp:priya@contoso.com"], whenChanged=when)
    yield _user("Priya", "Sharma", "psharma", "priya.sharma@contoso.com", mail="priya.sharma@contoso.com",
                proxyAddresses=["SMTP:priya.sharma@contoso.com", "smtp:priya@contoso.com"], whenChanged=when)
    yield _user("Sam", "Rivera", "srivera", "sam.rivera@contoso.com", mail="sam.rivera@contoso.com",
                proxyAddresses=["SMTP:sam.rivera@contoso.com", "smtp:sales@contoso.com"], whenChanged=when)
    yield _user("Lab", "Admin", "labadmin", "labadmin@contoso.local", whenChanged=when)
    yield _user("Ana", "Lima", "alima", "ana lima@contoso.com", mail="ana.lima@contoso.com",
                proxyAddresses=["SMTP:ana.lima@contoso.com"], whenChanged=when)
    yield _user("Omar", "Haddad", "ohaddad", "omar.haddad@contoso.com", mail="omar.haddad@contoso.com",
                mailNickname="omar.haddad.facilities.north.building.seven.second.floor.east.wing", whenChanged=when)
    # what Entra Connect does not sync, in the export all the same
    yield "\n".join([_line("dn", f"CN=DC1,OU=Domain Controllers,{DOMAIN_DN}"), "changetype: add",
                     *(_line("objectClass", c) for c in ("top", "person", "organizationalPerson", "user", "computer")),
                     _line("sAMAccountName", "DC1$")])


def demo_ldif(tenant: dict[str, Any], now: datetime) -> str:
    """The demo's ldifde export for ``tenant`` (build_demo_tenant's) as of ``now``: every
    object last changed three days before (before the demo server's files were made)."""
    when = (now - timedelta(days=3)).strftime("%Y%m%d%H%M%S.0Z")
    records = [*_synced(tenant, when), *_only_on_premises(when)]
    return "version: 1\n\n" + "\n\n".join(records) + "\n"
