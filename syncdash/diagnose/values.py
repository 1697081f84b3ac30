"""Attribute values Entra ID rejects, after Microsoft's IdFix rules (multi-tenant mode).

Where IdFix and Entra ID's own UPN rules differ, Entra ID's win: it documents ``'`` as
allowed in a UPN (A–Z a–z 0–9 ' . - _ ! # ^ ~), so names like o'brien@contoso.com are not
flagged, while letters with diacritical marks beyond IdFix's short list (é, ñ, ø…) and a
``.`` right before the ``@`` are rejected, and the 113 characters split as at most 64
before the ``@`` and 48 after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from syncdash.model import DirectoryObject, ObjectKind

_DOMAIN = r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:[a-z]{2,17})$"
DOMAIN_PART = re.compile(_DOMAIN, re.IGNORECASE)
RFC2822 = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*" + _DOMAIN, re.IGNORECASE)

INVALID_CHARACTERS = {
    # Any non-ASCII character as a negated class: a \u0080-\U0010ffff range costs 3 ms to compile.
    "userPrincipalName": re.compile(r"[\s\\%&*+/=?{}|<>();:,\[\]\"]|[^\x00-\x7f]"),
    "proxyAddresses": re.compile(r"[\s<>();,\[\]\"]"),
    "onPremisesSamAccountName": re.compile(r"[\\\"|,/\[\]:<>+=;?*]"),
}
INVALID_CHARACTERS["sAMAccountName"] = INVALID_CHARACTERS["onPremisesSamAccountName"]
#: targetAddress is one address written like a proxy address (``SMTP:…``).
INVALID_CHARACTERS["targetAddress"] = INVALID_CHARACTERS["proxyAddresses"]
MAX_LENGTH = {
    "userPrincipalName": 113,
    "mail": 256,
    "mailNickname": 64,
    "proxyAddresses": 256,
    "displayName": 255,
    "onPremisesSamAccountName": 20,
    "sAMAccountName": 20,
    "targetAddress": 256,
    "givenName": 63,
}
#: Entra ID's split of a UPN's 113 characters: the username, then the domain.
MAX_UPN_PARTS = (64, 48)
MAX_PROXY_ADDRESSES = 300


@dataclass(frozen=True, slots=True)
class Violation:
    code: str
    attribute: str
    value: str
    problem: str


def _checked_values(obj: DirectoryObject) -> Iterator[tuple[str, str]]:
    """(attribute, value) pairs that sync from on-premises, in their source form."""
    upn = obj.on_premises_upn or obj.user_principal_name
    if obj.kind is ObjectKind.USER and upn:
        yield "userPrincipalName", upn
    if obj.mail:
        yield "mail", obj.mail
    if obj.mail_nickname:
        yield "mailNickname", obj.mail_nickname
    if obj.display_name:
        yield "displayName", obj.display_name
    if obj.sam_account_name and obj.kind is ObjectKind.USER:
        yield "onPremisesSamAccountName", obj.sam_account_name
    for proxy in obj.proxy_addresses:
        yield "proxyAddresses", proxy


def _format_problem(attribute: str, value: str) -> str | None:
    if attribute == "userPrincipalName":
        if value.count("@") != 1:
            return "a UPN needs exactly one @"
        if not DOMAIN_PART.search(value):
            return "the part after @ is not a valid domain"
        if value.split("@")[0].endswith("."):
            return "a '.' right before the @"
    elif attribute == "mail":
        if not RFC2822.match(value):
            return "not an RFC 2822 address"
    elif attribute == "mailNickname":
        if value.startswith("."):
            return "a mailNickname must not start with '.'"
    elif attribute in ("proxyAddresses", "targetAddress"):
        prefix, colon, address = value.partition(":")
        if not colon or not prefix:
            return "a proxy address needs a prefix such as smtp:"
        if prefix.lower() == "smtp":
            if ":" in address:
                return "':' after the smtp: prefix"
            if not RFC2822.match(address):
                return "not an RFC 2822 address"
    return None


def _upn_part_lengths(upn: str) -> list[Violation]:
    parts = upn.split("@")
    return [
        Violation("value-too-long", "userPrincipalName", upn, f"{len(part)} characters {where}; the limit is {limit}")
        for part, limit, where in zip(parts, MAX_UPN_PARTS, ("before the @", "after the @"))
        if len(part) > limit
    ]


def violations(obj: DirectoryObject) -> list[Violation]:
    """Every rule the object's values break, one violation per value and rule."""
    return value_violations(_checked_values(obj), obj.display_name, len(obj.proxy_addresses))


def value_violations(values: Iterable[tuple[str, str]], display_name: str | None,
                     proxy_count: int) -> list[Violation]:
    """Every rule ``values`` ((attribute, value) pairs, by their AD or Graph names) break:
    one set of rules for a cloud object's synced values and an on-premises object's."""
    found: list[Violation] = []
    for attribute, value in values:
        limit = MAX_LENGTH.get(attribute)
        if limit is not None and len(value) > limit:
            found.append(Violation("value-too-long", attribute, value, f"{len(value)} characters; the limit is {limit}"))
        elif attribute == "userPrincipalName" and value.count("@") == 1:
            found += _upn_part_lengths(value)
        pattern = INVALID_CHARACTERS.get(attribute)
        addressed = attribute in ("proxyAddresses", "targetAddress")
        checked = value.partition(":")[2] if addressed else value
        if pattern is not None and (not addressed or value.lower().startswith("smtp:")):
            bad = sorted(set(pattern.findall(checked)))
            if bad:
                shown = " ".join(repr(char) for char in bad)
                found.append(Violation("invalid-characters", attribute, value, f"characters Entra ID rejects: {shown}"))
        problem = _format_problem(attribute, value)
        if problem:
            found.append(Violation("invalid-format", attribute, value, problem))
    if display_name is not None and not display_name.strip():
        found.append(Violation("invalid-format", "displayName", display_name, "a displayName must not be blank"))
    if proxy_count > MAX_PROXY_ADDRESSES:
        found.append(
            Violation("too-many-proxy-addresses", "proxyAddresses", str(proxy_count),
                      f"{proxy_count} proxy addresses; more than {MAX_PROXY_ADDRESSES} risks a LargeObject error")
        )
    return found


def verified_suffix(upn: str, verified: tuple[str, ...]) -> bool:
    """Whether the UPN's suffix is one of the tenant's verified domains or a subdomain of
    one (Entra ID verifies those with their parent)."""
    suffix = upn.rsplit("@", 1)[1].casefold()
    return any(suffix == d.casefold() or suffix.endswith("." + d.casefold()) for d in verified)
