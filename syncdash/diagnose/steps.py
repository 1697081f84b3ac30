"""The three recommended steps of Microsoft's self-help article, as pure functions."""

from __future__ import annotations

from datetime import timedelta

from syncdash.diagnose import powershell
from syncdash.diagnose.catalog import MANUAL_CHECKS, STEP_TITLES, finding, when
from syncdash.diagnose.export_errors import manual_checks, step_one_findings
from syncdash.diagnose.findings import Finding, ManualCheck, Related, Severity, Status, StepResult
from syncdash.diagnose.service_errors import remedy as service_remedy
from syncdash.diagnose.matching import blocks_soft_match, hard_match_command
from syncdash.diagnose.values import verified_suffix, violations
from syncdash.model import (
    DirectoryObject,
    ObjectFacts,
    ObjectKind,
    ServiceError,
    Unknown,
)

STALE_WARNING = timedelta(hours=2)
STALE_ERROR = timedelta(hours=24)
#: How many related objects a message names before "and N more".
NAMED_IN_MESSAGE = 2


def result(step: int, findings: list[Finding], unknown: list[str],
           manual: tuple[ManualCheck, ...] | None = None) -> StepResult:
    if any(f.severity is not Severity.INFO for f in findings):
        status = Status.PROBLEM
    elif unknown:
        status = Status.UNKNOWN
    else:
        status = Status.CLEAR
    checks = MANUAL_CHECKS[step] if manual is None else manual
    return StepResult(step, STEP_TITLES[step], status, True, tuple(findings), checks, tuple(unknown))


def names(related: tuple[Related, ...]) -> str:
    named = ", ".join(r.describe() for r in related[:NAMED_IN_MESSAGE])
    more = len(related) - NAMED_IN_MESSAGE
    return f"{named} and {more} more" if more > 0 else named


def service_name(error: ServiceError) -> str:
    workload, _, instance = error.service_instance.partition("/")
    if workload.lower() == "exchange":
        return f"Exchange Online ({instance})" if instance else "Exchange Online"
    return error.service_instance or "a Microsoft 365 service"


# -- step 1 -------------------------------------------------------------------------
NOT_IN_ENTRA = "the object is not in Entra ID: only the Connect server can show its errors"


def step_one(facts: ObjectFacts) -> StepResult:
    obj = facts.object
    if obj is None:
        return result(1, [], [NOT_IN_ENTRA], manual_checks(1, facts))
    found: list[Finding] = step_one_findings(obj, facts)
    for error in obj.provisioning_errors:
        related = tuple(Related.of(h) for h in facts.holders.get(error.value, ()))
        found.append(finding(
            "provisioning-error",
            f"{error.category or 'Provisioning error'} on {error.property_raw or 'an attribute'} "
            f"{error.value!r} since {when(error.occurred)}",
            "Step 2 names the other holder and the remedy: a merge when it is the same identity, else make the "
            "value unique in its source and let the next sync run."
            if error.category == "PropertyConflict"
            else "Read the error on the Connect server (Synchronization Service Manager → Operations).",
            attribute=error.property_raw, value=error.value, related=related,
        ))
    for failure in obj.unresolved_service_errors:
        remedy = service_remedy(failure, obj)
        found.append(finding(
            "service-error",
            f"{service_name(failure)} refused the object since {when(failure.created)} ({remedy.label}): "
            f"{failure.summary or 'no details'}",
            remedy.fix, attribute=", ".join(failure.parameters) or "serviceProvisioningErrors",
            value=failure.service_instance, powershell=remedy.powershell,
            related=tuple(Related.of(h) for h in facts.holders.get(failure.value or "", ())),
        ))
    return result(1, found, [], manual_checks(1, facts))


# -- step 3 -------------------------------------------------------------------------
def _tenant(facts: ObjectFacts, unknown: list[str]) -> list[Finding]:
    tenant = facts.tenant
    if isinstance(tenant.sync_enabled, Unknown):
        unknown.append(f"tenant sync status: {tenant.sync_enabled.reason}")
        return []
    if tenant.sync_enabled is not True:
        return [finding(
            "tenant-sync-disabled",
            f"directory synchronization is off for the tenant (onPremisesSyncEnabled is {str(tenant.sync_enabled).lower()})",
            "Turn synchronization on (Entra Connect wizard, or Entra Connect cloud sync) before troubleshooting objects.",
            attribute="onPremisesSyncEnabled", value=str(tenant.sync_enabled).lower(),
        )]
    last = tenant.last_sync
    if isinstance(last, Unknown) or last is None:
        return []
    age = facts.now - last
    if age <= STALE_WARNING:
        return []
    hours = age.total_seconds() / 3600
    return [finding(
        "tenant-sync-stale",
        f"the tenant last synced {hours:.1f} hours ago ({when(last)}); the default cycle is 30 minutes",
        "Check the Connect server: the ADSync service, the scheduler and the last run profiles.",
        attribute="onPremisesLastSyncDateTime", value=last.isoformat(), powershell=powershell.SCHEDULER,
        severity=Severity.ERROR if age > STALE_ERROR else Severity.WARNING,
    )]


def _recycle_bin(facts: ObjectFacts) -> list[Finding]:
    return [
        finding(
            "in-recycle-bin",
            f"{Related.of(gone).describe()} is in the recycle bin since {when(gone.deleted)}",
            "Restore it if it is this object (it then re-joins its on-premises source), or delete it "
            "permanently so the on-premises object can be provisioned anew.",
            attribute="deletedDateTime", value=gone.deleted.isoformat() if gone.deleted else None,
            related=(Related.of(gone),),
        )
        for gone in facts.recycle_bin
    ]


def _object_state(obj: DirectoryObject, facts: ObjectFacts, unknown: list[str],
                  merged: frozenset[str]) -> list[Finding]:
    found: list[Finding] = []
    settings = facts.tenant.sync_settings
    features = {} if isinstance(settings, Unknown) else settings.features
    if obj.sync_enabled is None:
        found.append(finding(
            "cloud-only", "the object was never synced from on-premises (onPremisesSyncEnabled is null)",
            "Nothing syncs it: manage it in Entra ID, or match an on-premises object to it to take it over.",
            attribute="onPremisesSyncEnabled", value="null",
        ))
    elif obj.sync_enabled is False:
        found.append(finding(
            "sync-stopped-for-object",
            "the object was synced but is now cloud-managed (onPremisesSyncEnabled is false)",
            "It left the sync scope (OU, domain or group filtering) or was deleted on-premises: bring the "
            "on-premises object back into scope to resume syncing.",
            attribute="onPremisesSyncEnabled", value="false",
        ))
        if obj.immutable_id:
            if isinstance(settings, Unknown):
                unknown.append(f"hard-match takeover setting: {settings.reason}")
            elif features.get("blockCloudObjectTakeoverThroughHardMatchEnabled") is True:
                found.append(finding(
                    "hard-match-blocked",
                    f"sync stopped with immutableId {obj.immutable_id!r} while the tenant blocks cloud-object "
                    "takeover through hard match (InvalidHardMatch on the next export)",
                    "Unblock hard-match takeover for the duration of one sync, then block it again.",
                    attribute="onPremisesImmutableId", value=obj.immutable_id,
                ))
    candidates = tuple(c for c in facts.soft_match_candidates if c.id not in merged)
    if candidates:
        found.append(_soft_match(obj, candidates, facts, unknown))
    elif obj.sync_enabled is None and not facts.soft_match_candidates:
        found += _soft_match_closed(obj, facts, unknown)
    return found


def _soft_match_closed(obj: DirectoryObject, facts: ObjectFacts, unknown: list[str]) -> list[Finding]:
    """A cloud-only object in a tenant that blocks soft match: the on-premises object an
    admin expects to take it over never reaches the cloud as a match, whether or not it
    is visible here, so the admin asking "why does it not sync" needs the hard match."""
    blocked = blocks_soft_match(facts.tenant)
    if blocked is None:
        assert isinstance(facts.tenant.sync_settings, Unknown)  # the only case it cannot tell
        unknown.append(f"soft-match setting: {facts.tenant.sync_settings.reason}")
        return []
    if not blocked:
        return []
    values = " or ".join(repr(v) for v in dict.fromkeys(
        v for v in (obj.user_principal_name if obj.kind is ObjectKind.USER else None, obj.primary_smtp) if v))
    return [finding(
        "soft-match-blocked",
        f"the tenant blocks soft match (blockSoftMatchEnabled): an on-premises object with "
        f"{values or 'the same UPN or primary SMTP address'} will not be merged into this cloud-only object",
        "To let an on-premises object take this one over, hard-match: set this object's onPremisesImmutableId to "
        "the on-premises object's sourceAnchor (its ms-DS-ConsistencyGuid, or objectGUID, base64) before it "
        "syncs, or allow soft match for that one sync.",
        attribute="blockSoftMatchEnabled", value="true", powershell=hard_match_command(obj, None),
    )]


def _matched_on(obj: DirectoryObject, candidates: tuple[DirectoryObject, ...]) -> tuple[str, str | None]:
    """The attribute and value a soft match pairs the objects on: the UPN when a candidate
    holds it, else the primary SMTP address."""
    upn = obj.on_premises_upn or (obj.user_principal_name if obj.sync_enabled is None else None)
    held = {v.casefold() for c in candidates for v in (c.user_principal_name, c.on_premises_upn) if v}
    if upn and upn.casefold() in held:
        return "userPrincipalName", upn
    return "proxyAddresses", obj.primary_smtp


def _soft_match(obj: DirectoryObject, candidates: tuple[DirectoryObject, ...], facts: ObjectFacts,
                unknown: list[str]) -> Finding:
    related = tuple(Related.of(c) for c in candidates)
    attribute, value = _matched_on(obj, candidates)
    if obj.sync_enabled is None:
        situation = f"this cloud-only object holds the {attribute} {value!r} that {names(related)} would match on"
    else:
        situation = f"cloud-only {names(related)} holds the {attribute} {value!r} this object would match on"
    settings = facts.tenant.sync_settings
    if not isinstance(settings, Unknown) and settings.features.get("blockSoftMatchEnabled") is True:
        return finding(
            "soft-match-blocked", f"{situation}; the tenant blocks soft match (blockSoftMatchEnabled)",
            "To merge them, allow soft match for one sync or hard-match by setting the cloud object's "
            "immutableId; otherwise change the value on one side.",
            attribute=attribute, value=value, related=related,
            powershell=hard_match_command(obj if obj.sync_enabled is None else candidates[0],
                                          None if obj.sync_enabled is None else obj.immutable_id),
        )
    if isinstance(settings, Unknown):
        unknown.append(f"soft-match setting: {settings.reason}")
    return finding(
        "soft-match-candidate",
        f"{situation}; the next sync merges them by soft match, unless the cloud user holds an admin role",
        "If they are the same identity, let the sync merge them (remove admin roles from the cloud user "
        "first); if not, change the value on one side before the next sync.",
        attribute=attribute, value=value, related=related,
    )


def _upn_domain(obj: DirectoryObject, facts: ObjectFacts, unknown: list[str]) -> list[Finding]:
    source = obj.on_premises_upn
    if obj.kind is not ObjectKind.USER or not source or "@" not in source:
        return []
    verified = facts.tenant.verified_domains
    if verified is None:
        assert isinstance(facts.tenant.domains, Unknown)  # the only case with no domains
        unknown.append(f"verified domains: {facts.tenant.domains.reason}")
        return []
    if verified_suffix(source, verified):
        return []
    suffix = source.rsplit("@", 1)[1].casefold()
    return [finding(
        "unverified-upn-domain",
        f"UPN suffix {suffix!r} is not a verified domain of the tenant, so Entra ID gives the object "
        f"a UPN in {facts.tenant.initial_domain or 'the initial domain'}",
        f"Verify {suffix} in the tenant, or change the on-premises UPN suffix to a verified domain.",
        attribute="onPremisesUserPrincipalName", value=source, powershell=powershell.set_upn(obj),
    )]


def step_three(facts: ObjectFacts, merged: frozenset[str] = frozenset()) -> StepResult:
    """``merged``: holders whose merge step 2 already advises (not repeated here)."""
    obj = facts.object
    unknown: list[str] = []
    found: list[Finding] = []
    if obj is None or not obj.in_entra:
        found.append(finding(
            "not-in-entra", f"{facts.query!r} is not in Entra ID",
            "Check that the on-premises object is in a synchronized OU, domain (and group, with group "
            "filtering), then search the connector space and metaverse on the Connect server.",
            value=facts.query,
        ))
    found += _recycle_bin(facts)
    found += _tenant(facts, unknown)
    if obj is not None:
        if obj.in_entra:
            found += _object_state(obj, facts, unknown, merged)
        found += _upn_domain(obj, facts, unknown)
        for violation in violations(obj):
            found.append(finding(
                violation.code, f"{violation.attribute} {violation.value!r}: {violation.problem}",
                "Correct the value in the object's source (on-premises AD); IdFix finds every such value at once.",
                attribute=violation.attribute, value=violation.value,
            ))
    unknown += facts.unavailable  # the recycle bin and soft-match searches missed what they could not read
    return result(3, found, list(dict.fromkeys(unknown)))
