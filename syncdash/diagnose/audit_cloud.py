"""The audit's cloud side: an on-premises value that a *different* cloud object already
holds becomes a duplicate-attribute error at the next sync; a UPN suffix the tenant has
not verified becomes an onmicrosoft.com UPN.

"Different" is the whole difficulty: an on-premises object's own cloud copy holds all
its values. It is recognised by what ties the two together — for a user its source
anchor (onPremisesImmutableId: base64 of mS-DS-ConsistencyGuid, else of objectGUID), for
a group its SID (onPremisesSecurityIdentifier), for a contact (Graph exposes no anchor)
a synced cloud contact holding the same primary address.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from syncdash.diagnose import powershell
from syncdash.diagnose.catalog import finding
from syncdash.diagnose.findings import Finding, Related, Severity
from syncdash.diagnose.values import verified_suffix
from syncdash.model import DirectoryObject, ObjectKind
from syncdash.onprem import ADObject

SOURCE = "ad"


@dataclass(frozen=True, slots=True)
class CloudSide:
    """What the audit needs of the tenant, answered from one full reading of it."""

    holders: Callable[[str], tuple[DirectoryObject, ...]]
    anchored: Callable[[str], tuple[DirectoryObject, ...]]
    verified_domains: tuple[str, ...] | None
    initial_domain: str | None = None


def is_own_copy(obj: ADObject, cloud: DirectoryObject) -> bool:
    if obj.kind is ObjectKind.USER and not obj.anchors:  # an export without objectGUID: its synced UPN, then
        return (cloud.sync_enabled is True and bool(obj.upn)
                and (cloud.on_premises_upn or "").casefold() == (obj.upn or "").casefold())
    if obj.kind is ObjectKind.USER:
        return cloud.immutable_id is not None and cloud.immutable_id in obj.anchors
    if obj.kind is ObjectKind.GROUP:
        return bool(obj.object_sid) and cloud.security_identifier == obj.object_sid
    same_address = bool(obj.mail) and (cloud.mail or "").casefold() == (obj.mail or "").casefold()
    return cloud.kind is ObjectKind.CONTACT and cloud.sync_enabled is True and same_address


def _conflicts(obj: ADObject, values: Iterable[tuple[str, str]], cloud: CloudSide) -> list[Finding]:
    found: list[Finding] = []
    synced = any(not c.is_deleted for anchor in obj.anchors for c in cloud.anchored(anchor))
    soft_keys = {v.casefold() for v in (obj.upn, obj.mail) if v}
    for attribute, value in values:
        if attribute == "mailNickname":
            continue  # not a value Entra ID keeps unique
        others = [h for h in cloud.holders(value) if not h.is_deleted and not is_own_copy(obj, h)]
        if not others:
            continue
        address = value.partition(":")[2] if attribute in ("proxyAddresses", "targetAddress") else value
        soft = (not synced and address.casefold() in soft_keys
                and all(h.sync_enabled is None and h.kind is obj.kind for h in others))
        related = tuple(Related.of(h) for h in others)
        message = f"{attribute} {value!r} is already held in Entra ID by {', '.join(r.describe() for r in related)}"
        if soft:
            message += ": the first sync soft-matches them into one, unless the tenant blocks soft match"
        found.append(finding(
            "will-conflict-in-cloud", message,
            "Decide which object should keep the value: remove it on-premises, or from the cloud object "
            "(or merge them, when they are the same identity) before the next sync.",
            attribute=attribute, value=value, related=related, source=SOURCE,
            severity=Severity.WARNING if soft else None,
            powershell=powershell.fix_value(obj, "will-conflict-in-cloud", attribute, value),
        ))
    return found


def unverified(obj: ADObject, verified: tuple[str, ...] | None, initial: str | None) -> list[Finding]:
    """The object's UPN suffix against the tenant's verified domains (a subdomain of a
    verified domain counts as verified)."""
    if obj.kind is not ObjectKind.USER or not obj.upn or "@" not in obj.upn or verified is None:
        return []
    if verified_suffix(obj.upn, verified):
        return []
    suffix = obj.upn.rsplit("@", 1)[1].casefold()
    return [finding(
        "unverified-upn-domain",
        f"UPN suffix {suffix!r} is not a verified domain of the tenant, so Entra ID gives the user "
        f"a UPN in {initial or 'the initial domain'}",
        f"Verify {suffix} in the tenant, or change the UPN suffix to a verified domain.",
        attribute="userPrincipalName", value=obj.upn, source=SOURCE, powershell=powershell.set_upn(obj),
    )]


def cloud_findings(obj: ADObject, values: Iterable[tuple[str, str]], cloud: CloudSide) -> list[Finding]:
    """``values``: the object's unique values (attribute, value as written)."""
    return [*_conflicts(obj, values, cloud), *unverified(obj, cloud.verified_domains, cloud.initial_domain)]
