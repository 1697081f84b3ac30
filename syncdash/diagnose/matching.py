"""Soft and hard match: when two objects are one identity, and how to merge them.

A duplicate whose other holder is the same person (a cloud-only account made before the
on-premises one synced) must be merged, not renamed: renaming leaves two identities. Soft
match pairs an on-premises object with a cloud-only one by UPN or primary SMTP address;
hard match by immutableId (the on-premises sourceAnchor). Both depend on tenant settings
(``blockSoftMatchEnabled``, ``blockCloudObjectTakeoverThroughHardMatchEnabled``) that only
a Global Administrator can read, so each remedy says what the tenant allows, or that it
could not be read.
"""

from __future__ import annotations

import enum

from syncdash.diagnose.powershell import ps_string
from syncdash.model import DirectoryObject, ObjectKind, SyncSettings, TenantStatus, Unknown

SOFT_MATCH_SETTING = "blockSoftMatchEnabled"
HARD_MATCH_SETTING = "blockCloudObjectTakeoverThroughHardMatchEnabled"


class Match(str, enum.Enum):
    """How Entra Connect would pair an on-premises object with an existing cloud one."""

    SOFT = "soft match"
    HARD = "hard match"


def _address(value: str) -> str:
    prefix, _, rest = value.partition(":")
    return rest if rest and prefix.lower() == "smtp" else value


def _match_values(obj: DirectoryObject) -> set[str]:
    """What soft match pairs ``obj`` on: its on-premises UPN (users) and primary SMTP."""
    values = {obj.on_premises_upn or (obj.user_principal_name if obj.kind is ObjectKind.USER else None),
              obj.primary_smtp}
    return {value.casefold() for value in values if value}


def same_identity(obj: DirectoryObject, holder: DirectoryObject, value: str) -> Match | None:
    """Whether ``holder`` (which holds ``value`` that synced ``obj`` conflicts on) is the
    same identity by the rules of soft or hard match, and which one.

    Hard: the holder carries the object's immutableId. Soft: a live cloud-only holder of
    the same kind and name, without another immutableId, holding the UPN or primary SMTP
    address the object would match on. Anything else (a synced holder, another kind or
    name, a deleted one) is a different identity: there rename advice is right.
    """
    if obj.sync_enabled is not True or holder.is_deleted or holder.kind is not obj.kind:
        return None
    if holder.sync_enabled is True:
        return None
    if obj.immutable_id and holder.immutable_id == obj.immutable_id:
        return Match.HARD
    if holder.sync_enabled is None and not holder.immutable_id and _same_name(obj, holder):
        if _address(value).casefold() in _match_values(obj):
            return Match.SOFT
    return None


def _same_name(one: DirectoryObject, other: DirectoryObject) -> bool:
    """Soft match would pair any two objects sharing the value; a different name says the
    value was reused (a shared mailbox, a departed employee's address), not one person."""
    return " ".join(one.display_name.split()).casefold() == " ".join(other.display_name.split()).casefold()


def _setting(tenant: TenantStatus, name: str) -> bool | None:
    """The feature's value; None when the settings could not be read."""
    settings = tenant.sync_settings
    if isinstance(settings, Unknown):
        return None
    assert isinstance(settings, SyncSettings)
    return settings.features.get(name) is True


def _hard_match_step(holder: DirectoryObject, anchor: str, tenant: TenantStatus) -> str:
    step = f"hard-match: set {holder.display_name}'s onPremisesImmutableId to the sourceAnchor {anchor!r}"
    if _setting(tenant, HARD_MATCH_SETTING):
        return f"{step}; the tenant blocks cloud-object takeover through hard match, so allow it for that one sync"
    return step


def _pairing(holder: DirectoryObject, anchor: str, how: Match, tenant: TenantStatus) -> str:
    hard = _hard_match_step(holder, anchor, tenant)
    if how is Match.HARD:
        return hard
    hard = hard if holder.kind is ObjectKind.USER else ""  # only users carry an immutableId in Graph
    blocked = _setting(tenant, SOFT_MATCH_SETTING)
    if blocked:
        return (f"the tenant blocks soft match (blockSoftMatchEnabled), so {hard}" if hard
                else "the tenant blocks soft match (blockSoftMatchEnabled): allow it for that one sync")
    if blocked is None:
        return "soft match pairs them if the tenant allows it" + (f"; otherwise {hard}" if hard else "")
    return ("soft match pairs them (the tenant allows it; remove any admin role from the cloud account first)"
            + (f", or {hard}" if hard else ""))


def merge_remedy(obj: DirectoryObject, holder: DirectoryObject, how: Match, tenant: TenantStatus) -> str:
    """The steps that leave one identity: remove the synced copy, pair the on-premises
    object with the cloud-only one (by the match the tenant allows), resync."""
    anchor = obj.immutable_id or "the on-premises object's ms-DS-ConsistencyGuid (or objectGUID), base64"
    text = (f"Same identity: merge, do not rename. 1) Take the on-premises object out of sync scope and, once "
            f"the sync has deleted its synced copy ({obj.display_name}), delete that copy permanently from the "
            f"recycle bin; 2) {_pairing(holder, anchor, how, tenant)}; 3) bring the object back into scope and "
            f"run a delta sync: Entra Connect then takes over {holder.display_name}.")
    if isinstance(tenant.sync_settings, Unknown):
        text += f" The tenant's soft- and hard-match settings could not be read ({tenant.sync_settings.reason})."
    return text


def hard_match_command(cloud: DirectoryObject, anchor: str | None) -> str | None:
    """Microsoft Graph PowerShell, for the admin to review: the cloud user's immutableId
    set to the on-premises sourceAnchor. Only users carry onPremisesImmutableId in Graph."""
    if cloud.kind is not ObjectKind.USER:
        return None
    return (f"Update-MgUser -UserId {ps_string(cloud.id)} -OnPremisesImmutableId "
            f"{ps_string(anchor or '<sourceAnchor of the on-premises object>')}")


def blocks_soft_match(tenant: TenantStatus) -> bool | None:
    """True or False; None when the tenant's settings could not be read."""
    return _setting(tenant, SOFT_MATCH_SETTING)
