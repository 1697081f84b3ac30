"""Step 2 of the article: duplicate attribute errors (Duplicate Attribute Resiliency).

Graph never names the other holder of a conflicting value; the graph layer found them
(``facts.holders``), and this step says who holds what and the remedy: a merge when the
holder is the same identity, else a unique value. Exchange's own "used by another
recipient" errors are read the same way.
"""

from __future__ import annotations

import re

from syncdash.diagnose import powershell
from syncdash.diagnose.findings import Finding, Related, StepResult
from syncdash.diagnose.export_errors import manual_checks, step_two_findings
from syncdash.diagnose.matching import hard_match_command, merge_remedy, same_identity
from syncdash.diagnose.service_errors import remedy as service_remedy
from syncdash.diagnose.catalog import finding, when
from syncdash.diagnose.steps import NOT_IN_ENTRA, names, result, service_name
from syncdash.model import ConflictProperty, DirectoryObject, ObjectFacts

_QUARANTINED = re.compile(r"^(.+?)(\d{4})@(.+)$")


def _duplicate(obj: DirectoryObject, facts: ObjectFacts) -> list[Finding]:
    found: list[Finding] = []
    for error in obj.provisioning_errors:
        if error.property is ConflictProperty.OTHER:
            continue
        upn = error.property is ConflictProperty.USER_PRINCIPAL_NAME
        label = "UserPrincipalName" if upn else "proxy address"
        holders = facts.holders.get(error.value, ())
        if not holders and facts.unavailable:
            continue  # an unreadable kind may hold it: step 2 says unknown, never "cleared"
        if not holders:
            found.append(finding(
                "conflict-cleared",
                f"{label} {error.value!r} is recorded as a conflict, but no other object holds it any more",
                "Entra ID clears such conflicts hourly; if it stays, run a delta sync on the Connect server.",
                attribute=error.property_raw, value=error.value, powershell=powershell.DELTA_SYNC,
            ))
            continue
        related = tuple(Related.of(h) for h in holders)
        merges = [(h, how) for h in holders if (how := same_identity(obj, h, error.value)) is not None]
        if merges:
            fix = ("The other holder is the same identity: merge the objects (see same-identity); renaming "
                   "one would leave two identities.")
            suggestion = None
        elif upn:
            fix = ("Give one of the objects a different UPN in its source (on-premises AD for a synced object, "
                   "Entra ID for a cloud-only one); Entra ID then clears the conflict within an hour.")
            if any(h.sync_enabled is None and not h.is_deleted for h in holders):
                fix += " If the cloud-only holder is in fact the same person, merge them by soft or hard match instead."
            suggestion = powershell.set_upn(obj)
        else:
            address = error.value
            fix = ("Remove the address from the object that should not have it, in its source (on-premises AD "
                   "for a synced object); Entra ID then clears the conflict within an hour.")
            suggestion = powershell.remove_proxy_address(obj, address if ":" in address else f"smtp:{address}")
        found.append(finding(
            "duplicate-upn" if upn else "duplicate-proxy-address",
            f"{label} {error.value!r} is also held by {names(related)}",
            fix, attribute=error.property_raw, value=error.value, related=related, powershell=suggestion,
        ))
        for holder, how in merges:
            found.append(finding(
                "same-identity",
                f"{Related.of(holder).describe()} looks like the same identity as this object ({how.value} "
                f"on {error.value!r})",
                merge_remedy(obj, holder, how, facts.tenant),
                attribute=error.property_raw, value=error.value, related=(Related.of(holder),),
                powershell=hard_match_command(holder, obj.immutable_id),
            ))
        for holder in holders:
            if holder.is_deleted:
                found.append(finding(
                    "conflict-holder-deleted",
                    f"{Related.of(holder).describe()} holds {error.value!r} from the recycle bin "
                    f"(deleted {when(holder.deleted)})",
                    "If the deleted object is not needed, delete it permanently (Entra admin center → Deleted "
                    "items); if it is the same identity, restore it instead.",
                    attribute=error.property_raw, value=error.value, related=(Related.of(holder),),
                ))
    return found


def _quarantined_upn(obj: DirectoryObject, facts: ObjectFacts) -> Finding | None:
    upn, source = obj.user_principal_name or "", obj.on_premises_upn or ""
    match = _QUARANTINED.match(upn)
    if not match or not source or source.casefold() == upn.casefold():
        return None
    if match.group(1).casefold() != source.rsplit("@", 1)[0].casefold():
        return None  # the placeholder keeps the on-premises prefix: any other is a real UPN with digits
    initial = facts.tenant.initial_domain
    domain = match.group(3).casefold()
    if (initial and domain != initial.casefold()) or (not initial and not domain.endswith(".onmicrosoft.com")):
        return None
    return finding(
        "upn-quarantined",
        f"cloud UPN {upn!r} is the resiliency placeholder; the on-premises UPN is {source!r}",
        "Resolve the UPN conflict (see duplicate-upn); the on-premises UPN then syncs back on its own.",
        attribute="userPrincipalName", value=upn,
    )


def _service_duplicates(obj: DirectoryObject, facts: ObjectFacts, unknown: list[str]) -> list[Finding]:
    """Exchange's own "used by another recipient" errors: the holder named like a
    PropertyConflict's. Exchange also counts recipients Entra ID does not list (a
    soft-deleted mailbox, say), so finding no holder is unknown, never "cleared"."""
    found: list[Finding] = []
    for error in obj.service_duplicates:
        value = error.value or ""
        holders = facts.holders.get(value, ())
        if not holders:
            if not facts.unavailable:
                unknown.append(f"{service_name(error)} says {value!r} is used by another recipient, but no user, "
                               "group or contact holds it: look in Exchange Online (soft-deleted mailboxes, "
                               "Get-Recipient)")
            continue
        related = tuple(Related.of(h) for h in holders)
        remedy = service_remedy(error, obj)
        found.append(finding(
            "duplicate-proxy-address",
            f"{service_name(error)}: {value!r} is also held by {names(related)}",
            remedy.fix, attribute=", ".join(error.parameters) or "proxyAddresses", value=value, related=related,
            powershell=remedy.powershell,
        ))
    return found


def step_two(facts: ObjectFacts) -> StepResult:
    obj = facts.object
    if obj is None:
        return result(2, [], [NOT_IN_ENTRA], manual_checks(2, facts))
    unknown: list[str] = []
    found = _duplicate(obj, facts) + _service_duplicates(obj, facts, unknown) + step_two_findings(obj, facts)
    quarantined = _quarantined_upn(obj, facts)
    if quarantined:
        found.append(quarantined)
    if obj.conflicting_values:
        unknown += facts.unavailable
    return result(2, found, unknown, manual_checks(2, facts))
