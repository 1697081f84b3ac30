"""An on-premises AD object as syncdash reads it, whatever it was read from (a live
LDAP search, an ldifde LDIF export, a csvde CSV export): one shape for the audit rules,
the duplicate index and the join to the cloud.

Every reader hands over the attributes as raw values (bytes, as LDAP sends them);
``ad_object`` is the one place they are decoded, so a GUID read live and the same
GUID read from an export are the same string.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from syncdash.anchors import immutable_id_of_guid
from syncdash.model import DirectoryObject, ObjectKind

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
        return immutable_id_of_guid(self.consistency_guid or self.object_guid)

    @property
    def anchors(self) -> tuple[str, ...]:
        """Every onPremisesImmutableId the object may have synced with: its source anchor
        and, when mS-DS-ConsistencyGuid is set, objectGUID's (older installations)."""
        return tuple(dict.fromkeys(anchor for guid in (self.consistency_guid, self.object_guid)
                                   if (anchor := immutable_id_of_guid(guid))))

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


#: Values that share Entra ID's address namespace (one object's UPN against another's
#: proxy address conflicts too), and mailNickname, unique only as an Exchange alias.
ADDRESS, NICKNAME = "address", "mailNickname"


def unique_key(attribute: str, value: str) -> str:
    """Where a value must be unique: an SMTP address by its address (``smtp:`` in a proxy
    or target address, or a UPN or mail), any other proxy (sip:, x500:) whole."""
    if attribute == "mailNickname":
        return f"{NICKNAME}:{value.strip().casefold()}"
    prefix, colon, rest = value.partition(":")
    smtp = attribute in ("proxyAddresses", "targetAddress") and colon and prefix.lower() == "smtp"
    return f"{ADDRESS}:{(rest if smtp else value).strip().casefold()}"


def unique_values(obj: ADObject) -> dict[str, tuple[str, str]]:
    """The object's values Entra ID keeps unique, by key, each with the attribute and
    value as written; its own repeats (a UPN that is also its mail and primary address)
    count once."""
    found: dict[str, tuple[str, str]] = {}
    written = [("userPrincipalName", obj.upn)] if obj.kind is ObjectKind.USER else []
    written += [("mail", obj.mail), ("targetAddress", obj.target_address)]
    written += [("proxyAddresses", proxy) for proxy in obj.proxy_addresses]
    written += [("mailNickname", obj.mail_nickname)]
    for attribute, value in written:
        if value and value.strip():
            found.setdefault(unique_key(attribute, value), (attribute, value))
    return found


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


def dn_key(dn: str) -> str:
    """A DN compared as AD does: components split at unescaped commas, spaces around them
    and case ignored (``CN=Smith\\, John`` stays one component)."""
    return ",".join(part.strip() for part in re.split(r"(?<!\\),", dn)).casefold()


class OnPremisesDirectory:
    """What AD holds, indexed the ways the cloud side asks: by source anchor (an object's
    own copy), DN and UPN (an object Entra ID lacks), and every unique value (who else
    holds a conflicting value on-premises)."""

    def __init__(self, objects: Iterable[ADObject], origins: tuple[str, ...]) -> None:
        self.origins = origins
        self.count = 0
        self._by_anchor: dict[str, ADObject] = {}
        self._by_name: dict[str, ADObject] = {}
        self._by_value: dict[str, list[ADObject]] = {}
        self._by_sid: dict[str, ADObject] = {}
        self._contacts: dict[str, ADObject] = {}
        self._objects: list[ADObject] = []
        seen: set[str] = set()
        for obj in objects:
            if obj.object_guid is not None:  # read twice (overlapping bases, one export given twice): once
                if obj.object_guid in seen:
                    continue
                seen.add(obj.object_guid)
            self.count += 1
            self._objects.append(obj)
            if obj.object_sid:
                self._by_sid.setdefault(obj.object_sid, obj)
            if obj.kind is ObjectKind.CONTACT and obj.mail:
                self._contacts.setdefault(obj.mail.casefold(), obj)
            for anchor in obj.anchors:
                self._by_anchor.setdefault(anchor, obj)
            for name in (obj.distinguished_name, obj.upn, obj.object_guid):
                if name:
                    self._by_name.setdefault(dn_key(name) if name is obj.distinguished_name else name.casefold(), obj)
            for key in unique_values(obj):
                self._by_value.setdefault(key, []).append(obj)

    def objects(self) -> Iterator[ADObject]:
        """Every object read, in the order read (the dashboard's audit runs over them)."""
        return iter(self._objects)

    def holders(self, value: str) -> tuple[ADObject, ...]:
        """Every AD object holding ``value`` (a UPN, an address, ``smtp:…``)."""
        return tuple(self._by_value.get(unique_key("proxyAddresses" if ":" in value else "mail", value), ()))

    def anchored(self, anchor: str | None) -> ADObject | None:
        return self._by_anchor.get(anchor) if anchor else None

    def named(self, name: str | None) -> ADObject | None:
        """The object a DN, UPN or objectGUID names."""
        if not name:
            return None
        return self._by_name.get(dn_key(name)) or self._by_name.get(name.strip().casefold())

    def facts(self, anchor: str | None, names: Iterable[str | None], values: Iterable[str], *,
              sid: str | None = None, contact_mail: str | None = None) -> OnPremisesFacts:
        """What AD says of one cloud object (or of what the admin asked for): its own AD
        object — by anchor (users), SID (groups), mail (contacts: Graph gives them no
        anchor), else by DN, UPN or objectGUID — and each conflicting value's holders
        on-premises."""
        own, found_by = self.anchored(anchor), "anchor"
        if own is None and sid:
            own, found_by = self._by_sid.get(sid), "SID"
        if own is None and contact_mail:
            own, found_by = self._contacts.get(contact_mail.casefold()), "mail"
        if own is None:
            own = next((obj for name in names if (obj := self.named(name)) is not None), None)
            found_by = "name"
        return OnPremisesFacts(self.origins, own, found_by if own else None,
                               {value: self.holders(value) for value in values})


@dataclass(frozen=True, slots=True)
class OnPremisesFacts:
    """AD's answers for one object, for the diagnosis."""

    origins: tuple[str, ...]
    own: ADObject | None
    #: How ``own`` was found: "anchor" or "SID" (certain), "mail" (a contact: likely) or
    #: "name" (its DN, UPN or objectGUID).
    found_by: str | None
    holders: dict[str, tuple[ADObject, ...]]


def on_premises_facts(directory: OnPremisesDirectory | None, obj: DirectoryObject | None,
                      query: str) -> OnPremisesFacts | None:
    """AD's answers for ``obj`` (or, for an object Entra ID lacks, for ``query``); None
    when AD was not read."""
    if directory is None:
        return None
    if obj is None:
        return directory.facts(None, [query], ())
    return directory.facts(obj.immutable_id, [obj.distinguished_name, obj.on_premises_upn, obj.object_guid],
                           obj.conflicting_values, sid=obj.security_identifier,
                           contact_mail=obj.mail if obj.kind is ObjectKind.CONTACT else None)
