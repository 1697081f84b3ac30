"""An on-premises AD object as syncdash reads it, whatever it was read from (a live
LDAP search, an ldifde LDIF export, a csvde CSV export): one shape for the audit rules,
the duplicate index and the join to the cloud.

Every reader hands over the attributes as raw values (bytes, as LDAP sends them);
``ad_object`` is the one place they are decoded, so a GUID read live and the same
GUID read from an export are the same string.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from syncdash.model import ObjectKind

#: The attributes syncdash asks AD for (ldifde's ``-l``, csvde's ``-l``, the live search).
AD_ATTRIBUTES = (
    "objectGUID", "mS-DS-ConsistencyGuid", "objectSid", "distinguishedName", "objectClass", "userPrincipalName",
    "mail", "mailNickname", "proxyAddresses", "targetAddress", "sAMAccountName", "displayName", "givenName", "sn",
    "userAccountControl", "whenChanged",
)
#: The LDAP filter for what Entra Connect synchronizes (computers are users too in AD).
AD_FILTER = "(|(&(objectClass=user)(!(objectClass=computer)))(objectClass=group)(objectClass=contact))"
#: userAccountControl's ACCOUNTDISABLE flag.
ACCOUNT_DISABLED = 0x2

#: One raw entry: its DN and its attributes (names in any case) with their raw values.
RawEntry = tuple[str, Mapping[str, Sequence[bytes]]]


@dataclass(frozen=True, slots=True)
class ADObject:
    """A user, group or contact in on-premises AD."""

    distinguished_name: str
    kind: ObjectKind
    #: Where it was read: ``ldaps://dc1.contoso.com`` or an export file's name.
    origin: str
    object_guid: str | None = None
    #: mS-DS-ConsistencyGuid as a GUID string (Entra Connect's sourceAnchor when set).
    consistency_guid: str | None = None
    object_sid: str | None = None
    upn: str | None = None
    mail: str | None = None
    mail_nickname: str | None = None
    target_address: str | None = None
    sam_account_name: str | None = None
    display_name: str | None = None
    given_name: str | None = None
    surname: str | None = None
    proxy_addresses: tuple[str, ...] = field(default_factory=tuple)
    user_account_control: int | None = None
    when_changed: datetime | None = None

    @property
    def source_anchor(self) -> str | None:
        """What Entra Connect writes to the cloud's onPremisesImmutableId: base64 of
        mS-DS-ConsistencyGuid when it is set, else of objectGUID (its bytes as AD holds
        them, little-endian in the first three fields)."""
        anchor = self.consistency_guid or self.object_guid
        if anchor is None:
            return None
        return base64.b64encode(uuid.UUID(anchor).bytes_le).decode("ascii")

    @property
    def disabled(self) -> bool:
        return bool((self.user_account_control or 0) & ACCOUNT_DISABLED)

    @property
    def identity(self) -> str:
        """What an admin knows it by: UPN, else mail, else the DN."""
        return self.upn or self.mail or self.distinguished_name

    @property
    def name(self) -> str:
        return self.display_name or self.distinguished_name.split(",", 1)[0].partition("=")[2] or self.distinguished_name


class BadEntry(ValueError):
    """An entry syncdash cannot read as a user, group or contact (its reason says why)."""


class DirectoryUnreadable(Exception):
    """A live directory that could not be read (unreachable, TLS, credentials): one line
    for the admin, never the password."""


class BadExport(ValueError):
    """A file that is not an export syncdash reads, or a record in it that cannot be
    read: its one-line message names the file and the line."""


def _kind(classes: Sequence[str]) -> ObjectKind | None:
    lowered = {name.lower() for name in classes}
    if "computer" in lowered:
        return None
    if "contact" in lowered:
        return ObjectKind.CONTACT
    if "group" in lowered:
        return ObjectKind.GROUP
    if "user" in lowered:
        return ObjectKind.USER
    return None


def _guid(raw: bytes) -> str:
    """A GUID attribute: 16 bytes as AD stores them, or the GUID's text (some exports)."""
    if len(raw) == 16:
        return str(uuid.UUID(bytes_le=raw))
    try:
        return str(uuid.UUID(raw.decode("ascii").strip("{}")))
    except (UnicodeDecodeError, ValueError) as error:
        raise BadEntry(f"not a GUID: {raw[:40]!r}") from error


def sid_text(raw: bytes) -> str:
    """objectSid's binary form (revision, count, 48-bit authority, sub-authorities) as
    ``S-1-5-21-…``."""
    if len(raw) < 8 or len(raw) != 8 + 4 * raw[1]:
        if raw.startswith(b"S-"):
            return raw.decode("ascii")
        raise BadEntry("not a security identifier")
    authority = int.from_bytes(raw[2:8], "big")
    subs = [int.from_bytes(raw[8 + 4 * i:12 + 4 * i], "little") for i in range(raw[1])]
    return "-".join(["S", str(raw[0]), str(authority), *map(str, subs)])


def _generalized_time(raw: str) -> datetime | None:
    """whenChanged: ``20261130171500.0Z``."""
    try:
        return datetime.strptime(raw[:14], "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def ad_object(entry: RawEntry, origin: str) -> ADObject | None:
    """The object an entry describes, or None when it is not one Entra Connect syncs
    (a computer, an OU, the domain). Raises BadEntry for a value that cannot be read."""
    dn, raw_attributes = entry
    values = {name.lower(): list(raw) for name, raw in raw_attributes.items()}

    def texts(name: str) -> list[str]:
        try:
            return [value.decode("utf-8") for value in values.get(name.lower(), [])]
        except UnicodeDecodeError as error:
            raise BadEntry(f"{name} is not UTF-8 text") from error

    def text(name: str) -> str | None:
        found = texts(name)
        return found[0] if found else None

    kind = _kind(texts("objectClass"))
    if kind is None:
        return None
    guid = values.get("objectguid")
    consistency = values.get("ms-ds-consistencyguid")
    sid = values.get("objectsid")
    control = text("userAccountControl")
    changed = text("whenChanged")
    return ADObject(
        distinguished_name=dn, kind=kind, origin=origin,
        object_guid=_guid(guid[0]) if guid else None,
        consistency_guid=_guid(consistency[0]) if consistency and consistency[0] else None,
        object_sid=sid_text(sid[0]) if sid else None,
        upn=text("userPrincipalName"), mail=text("mail"), mail_nickname=text("mailNickname"),
        target_address=text("targetAddress"), sam_account_name=text("sAMAccountName"),
        display_name=text("displayName"), given_name=text("givenName"), surname=text("sn"),
        proxy_addresses=tuple(texts("proxyAddresses")),
        user_account_control=int(control) if control and control.lstrip("-").isdigit() else None,
        when_changed=_generalized_time(changed) if changed else None,
    )
