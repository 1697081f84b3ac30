"""Steps 2 and 3 answered on the on-premises side, when AD was read.

Step 2: who holds the conflicting value in AD — two on-premises holders are a duplicate
to fix in AD (every one named by DN, with its anchor); one (the object itself) means
the other holder is in the cloud alone. Step 3: is the object in AD, where, enabled,
and does its source anchor equal the cloud's onPremisesImmutableId (a mismatch is why a
hard match fails); and every value rule on what AD will send. The two manual checks
about AD are then answered, with where AD was read.
"""

from __future__ import annotations

from dataclasses import replace

from syncdash.diagnose import powershell
from syncdash.diagnose.audit_cloud import SOURCE, unverified
from syncdash.diagnose.catalog import finding
from syncdash.diagnose.findings import Finding, ManualCheck, Related, StepResult
from syncdash.diagnose.steps import result
from syncdash.diagnose.values import value_violations
from syncdash.model import DirectoryObject, ObjectFacts, ObjectKind, SourceState
from syncdash.onprem import ADObject, OnPremisesFacts, unique_key, unique_values

#: The manual checks AD answers, by step.
ANSWERED = {2: "source-holder", 3: "ad-object"}


def related(obj: ADObject) -> Related:
    return Related(id=obj.object_guid or obj.distinguished_name, kind=obj.kind, display_name=obj.name,
                   identity=obj.upn or obj.mail or "", deleted=False, synced=True, source=SOURCE,
                   distinguished_name=obj.distinguished_name, object_guid=obj.object_guid,
                   source_anchor=obj.source_anchor)


def _where(obj: ADObject) -> str:
    """The container an object sits in: its DN less its own name."""
    return obj.distinguished_name.split(",", 1)[1] if "," in obj.distinguished_name else obj.distinguished_name


def _written(holder: ADObject, value: str) -> tuple[str, str]:
    """The attribute and value as ``holder`` holds the conflicting value (its UPN, mail,
    a proxy address…): what a fix on that holder must name."""
    key = unique_key("proxyAddresses" if ":" in value else "mail", value)
    return unique_values(holder).get(key, ("proxyAddresses", value))


def _step_two(ad: OnPremisesFacts) -> list[Finding]:
    found: list[Finding] = []
    for value, holders in ad.holders.items():
        others = [h for h in holders if h is not ad.own]
        if len(holders) < 2 or not others:
            continue
        named = ", ".join(f"{h.name} ({h.distinguished_name})" for h in others)
        attribute, written = _written(others[0], value)
        found.append(finding(
            "duplicate-in-ad", f"{value!r} is held on-premises by {named} as well as by this object's source",
            "Remove the value in AD from the object that should not have it; the conflict clears at the next "
            "sync after that.", attribute=attribute, value=value, related=tuple(related(h) for h in others),
            source=SOURCE, powershell=powershell.fix_value(others[0], "duplicate-in-ad", attribute, written),
        ))
    return found


def _step_three(obj: DirectoryObject | None, ad: OnPremisesFacts, cloud: tuple[Finding, ...],
                facts: ObjectFacts) -> list[Finding]:
    own = ad.own
    if own is None:
        if obj is not None and obj.sync_enabled is True:
            anchor = {ObjectKind.USER: f"anchor {obj.immutable_id!r}", ObjectKind.GROUP: f"SID {obj.security_identifier!r}",
                      ObjectKind.CONTACT: f"mail {obj.mail!r}"}[obj.kind]
            return [finding(
                "not-in-ad", f"no object in the AD read ({', '.join(ad.origins)}) has this object's {anchor}, "
                "DN or UPN", "If it was deleted or moved out of the synchronized OUs, the "
                "next sync deletes it in Entra ID; if another domain or forest holds it, read that one too.",
                attribute="onPremisesImmutableId", value=obj.immutable_id, source=SOURCE)]
        return []
    found: list[Finding] = []
    if obj is not None and obj.immutable_id and obj.immutable_id not in own.anchors:
        found.append(finding(
            "anchor-mismatch", f"the AD object {own.distinguished_name} (found by its {ad.found_by}) has the anchor "
            f"{own.source_anchor!r}, Entra ID has {obj.immutable_id!r}: they cannot hard-match",
            "If they are the same identity, set mS-DS-ConsistencyGuid on the AD object to the cloud anchor's GUID "
            "(or clear the cloud object's onPremisesImmutableId) so the next sync joins them.",
            attribute="onPremisesImmutableId", value=obj.immutable_id, related=(related(own),), source=SOURCE))
    seen = {(f.code, f.value) for f in cloud}
    if obj is None or not obj.on_premises_upn:  # the cloud's own check had no on-premises UPN to judge
        tenant = facts.tenant
        found += [f for f in unverified(own, tenant.verified_domains, tenant.initial_domain)
                  if (f.code, f.value) not in seen]
    values = [(a, v) for a, v in (("userPrincipalName", own.upn), ("mail", own.mail),
                                   ("mailNickname", own.mail_nickname), ("displayName", own.display_name)) if v]
    values += [("proxyAddresses", proxy) for proxy in own.proxy_addresses]
    for violation in value_violations(values, own.display_name, len(own.proxy_addresses)):
        if (violation.code, violation.value) not in seen:
            found.append(finding(
                violation.code, f"on-premises {violation.attribute} {violation.value!r}: {violation.problem}",
                "Correct the value in AD; Entra ID rejects it at the next sync.",
                attribute=violation.attribute, value=violation.value, source=SOURCE,
                powershell=powershell.fix_value(own, violation.code, violation.attribute, violation.value)))
    return found


def _answer(step: int, ad: OnPremisesFacts) -> str:
    read = f"AD read ({', '.join(ad.origins)})"
    if step == 2:
        holders = {h.distinguished_name: h for found in ad.holders.values() for h in found if h is not ad.own}
        if not holders:
            return f"{read}: no other on-premises object holds the conflicting value"
        return f"{read}: also held on-premises by " + "; ".join(
            f"{h.distinguished_name} (anchor {h.source_anchor})" for h in holders.values())
    own = ad.own
    if own is None:
        return f"{read}: not found there (by anchor, DN, UPN or objectGUID)"
    state = "disabled" if own.disabled else "enabled"
    return (f"{read}: {own.kind.value} in {_where(own)}, {state}, source anchor {own.source_anchor} "
            f"(found by its {ad.found_by})")


def _checks(step: int, checks: tuple[ManualCheck, ...], facts: ObjectFacts,
            ad: OnPremisesFacts | None) -> tuple[ManualCheck, ...]:
    key = ANSWERED[step]
    if ad is not None:
        return tuple(replace(c, answered=_answer(step, ad)) if c.key == key else c for c in checks)
    status = next((s for s in facts.tenant.sources if s.name == SOURCE), None)
    if status is None or status.state is SourceState.READ:
        return checks
    return tuple(replace(c, text=f"{c.text} (not read by syncdash: {status.reason})") if c.key == key else c
                 for c in checks)


def with_on_premises(two: StepResult, three: StepResult, facts: ObjectFacts,
                     ad: OnPremisesFacts | None) -> tuple[StepResult, StepResult]:
    """Steps 2 and 3 with AD's findings added and its checks answered (or, when AD was
    configured but not read, saying why)."""
    obj = facts.object
    extra_two = _step_two(ad) if ad is not None else []
    extra_three = _step_three(obj, ad, three.findings, facts) if ad is not None else []
    return (result(2, [*two.findings, *extra_two], list(two.unknown), _checks(2, two.manual, facts, ad)),
            result(3, [*three.findings, *extra_three], list(three.unknown), _checks(3, three.manual, facts, ad)))
