"""The audit, IdFix's successor: every on-premises object checked against the rules
Entra ID enforces, values two on-premises objects share (every holder named, not one
side), and values a *different* cloud object already holds — the duplicate-attribute
errors of the next sync, found before it runs.

One pass over a stream of objects (a live directory is read once): what an object
breaks by itself is found as it passes; a duplicate is known only once its last holder
has passed, so the audit keeps, per object, one packed line of identity (not the
object) and, per unique value, the first holder's number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from syncdash.diagnose import powershell
from syncdash.diagnose.audit_cloud import SOURCE, CloudSide, cloud_findings
from syncdash.diagnose.catalog import finding
from syncdash.diagnose.findings import Finding, Severity
from syncdash.diagnose.on_premises import related
from syncdash.diagnose.values import value_violations
from syncdash.model import ObjectKind
from syncdash.onprem import NICKNAME, ADObject, unique_key, unique_values

__all__ = ["Audit", "AuditedObject", "CloudSide", "Holder"]


@dataclass(frozen=True, slots=True)
class Holder:
    """An audited object's identity: what the output and a related entry name."""

    distinguished_name: str
    kind: ObjectKind
    object_guid: str | None
    name: str
    upn: str | None
    mail: str | None
    sam_account_name: str | None
    origin: str

    def as_object(self) -> ADObject:
        """Enough of the holder's AD object to name it and to fix it (its DN names it)."""
        return ADObject(self.distinguished_name, self.kind, self.origin, object_guid=self.object_guid,
                        upn=self.upn, mail=self.mail, sam_account_name=self.sam_account_name, display_name=self.name)


_SEPARATOR, _VALUES, _PAIR = "\x00", "\x01", "\x02"
#: Each separator (and the escape itself) as it is written inside a packed field: a
#: value read from AD may hold any character, these included.
_ESCAPES = {"%": "%25", _SEPARATOR: "%00", _VALUES: "%01", _PAIR: "%02"}
_ESCAPED = re.compile("|".join(map(re.escape, _ESCAPES)))
_UNESCAPED = re.compile("%(25|00|01|02)")
_UNESCAPES = {escape[1:]: char for char, escape in _ESCAPES.items()}


def _escaped(text: str | None) -> str:
    return _ESCAPED.sub(lambda match: _ESCAPES[match.group()], text) if text else ""


def _unescaped(text: str) -> str:
    return _UNESCAPED.sub(lambda match: _UNESCAPES[match.group(1)], text) if "%" in text else text


def _pack(obj: ADObject, unique: dict[str, tuple[str, str]]) -> str:
    """The object's identity and its unique values as written, in one string: all the
    audit keeps of an object once it has passed (a million of them fit in memory)."""
    fields = (obj.distinguished_name, obj.kind.value, obj.object_guid, obj.name, obj.upn, obj.mail,
              obj.sam_account_name, obj.origin)
    written = _VALUES.join(f"{attribute}{_PAIR}{_escaped(value)}" for attribute, value in unique.values())
    return _SEPARATOR.join([*map(_escaped, fields), written])


def _unpack(packed: str) -> tuple[Holder, list[tuple[str, str]]]:
    *fields, written = packed.split(_SEPARATOR)
    dn, kind, guid, name, upn, mail, sam, origin = map(_unescaped, fields)
    holder = Holder(dn, ObjectKind(kind), guid or None, name, upn or None, mail or None, sam or None, origin)
    pairs = [pair.split(_PAIR, 1) for pair in written.split(_VALUES) if pair]
    return holder, [(attribute, _unescaped(value)) for attribute, value in pairs]


@dataclass(frozen=True, slots=True)
class AuditedObject:
    holder: Holder
    findings: tuple[Finding, ...]


def _values(obj: ADObject) -> Iterator[tuple[str, str]]:
    """(attribute, value): what syncs from the object, by AD's attribute names."""
    if obj.kind is ObjectKind.USER and obj.upn is not None:
        yield "userPrincipalName", obj.upn
    for attribute, value in (("mail", obj.mail), ("mailNickname", obj.mail_nickname),
                             ("displayName", obj.display_name), ("givenName", obj.given_name),
                             ("targetAddress", obj.target_address)):
        if value is not None:
            yield attribute, value
    if obj.kind is ObjectKind.USER and obj.sam_account_name:
        yield "sAMAccountName", obj.sam_account_name
    for proxy in obj.proxy_addresses:
        yield "proxyAddresses", proxy


def _value_findings(obj: ADObject) -> list[Finding]:
    return [finding(
        violation.code, f"{violation.attribute} {violation.value!r}: {violation.problem}",
        "Correct the value in on-premises AD before it syncs; Entra ID rejects it (IdFix's rule).",
        attribute=violation.attribute, value=violation.value, source=SOURCE,
        powershell=powershell.fix_value(obj, violation.code, violation.attribute, violation.value),
    ) for violation in value_violations(_values(obj), obj.display_name, len(obj.proxy_addresses))]


class Audit:
    """Objects added one at a time; ``results`` once all have been added."""

    def __init__(self, cloud: CloudSide | None = None) -> None:
        self.cloud = cloud
        self.read = 0
        self.findings = 0
        self._packed: list[str] = []
        self._first: dict[str, int] = {}
        self._shared: dict[str, list[int]] = {}
        self._found: dict[int, list[Finding]] = {}
        #: objectGUIDs already audited: overlapping base DNs, or one export given twice,
        #: must not make an object a duplicate of itself.
        self._guids: set[str] = set()

    def add(self, obj: ADObject) -> None:
        if obj.object_guid is not None:
            if obj.object_guid in self._guids:
                return
            self._guids.add(obj.object_guid)
        number = self.read
        self.read += 1
        unique = unique_values(obj)
        self._packed.append(_pack(obj, unique))
        found = _value_findings(obj)
        for key in unique:
            first = self._first.setdefault(key, number)
            if first != number:
                self._shared.setdefault(key, [first]).append(number)
        if self.cloud is not None:
            found += cloud_findings(obj, unique.values(), self.cloud)
        if found:
            self._record(number, found)

    def _record(self, number: int, found: list[Finding]) -> None:
        self._found.setdefault(number, []).extend(found)
        self.findings += len(found)

    def _duplicates(self) -> None:
        for key, numbers in self._shared.items():
            unpacked = [_unpack(self._packed[n]) for n in numbers]
            holders = [holder for holder, _ in unpacked]
            for number, (holder, values) in zip(numbers, unpacked):
                # the value as this holder writes it (its own attribute, case and prefix)
                attribute, value = next(pair for pair in values if unique_key(*pair) == key)
                others = [other for other in holders if other is not holder]
                named = ", ".join(f"{o.name} ({o.distinguished_name})" for o in others)
                self._record(number, [finding(
                    "duplicate-in-ad", f"{attribute} {value!r} is also held on-premises by {named}",
                    "Keep the value on the one object that should have it and remove it from the others in AD; "
                    "otherwise the object that syncs second gets a duplicate-attribute error.",
                    attribute=attribute, value=value, related=tuple(related(o.as_object()) for o in others),
                    powershell=powershell.fix_value(holder.as_object(), "duplicate-in-ad", attribute, value),
                    source=SOURCE,
                    severity=Severity.WARNING if key.startswith(f"{NICKNAME}:") else None,
                )])
        self._shared.clear()

    def results(self) -> list[AuditedObject]:
        """Every object with a finding, in the order read."""
        self._duplicates()
        return [AuditedObject(_unpack(self._packed[n])[0], tuple(self._found[n])) for n in sorted(self._found)]
