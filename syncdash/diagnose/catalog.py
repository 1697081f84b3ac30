"""Every finding code, its step, default severity and meaning: the rule list of syncdash.

Codes are an interface (scripts match on them in ``--format json``): add, never rename.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from syncdash.diagnose.findings import Finding, ManualCheck, Related, Severity

# The documentation the seed article links, step by step.
DOC_SYNC_ERRORS = "https://docs.microsoft.com/azure/active-directory/connect/active-directory-aadconnect-troubleshoot-sync-errors"
DOC_SERVICE_MANAGER = "https://docs.microsoft.com/azure/active-directory/connect/active-directory-aadconnectsync-service-manager-ui-operations"
DOC_CONNECT_HEALTH = "https://docs.microsoft.com/azure/active-directory/connect-health/active-directory-aadconnect-health-sync"
DOC_RESILIENCY = "https://docs.microsoft.com/azure/active-directory/connect/active-directory-aadconnectsyncservice-duplicate-attribute-resiliency"
DOC_NOT_SYNCING = "https://docs.microsoft.com/azure/active-directory/connect/active-directory-aadconnectsync-troubleshoot-object-not-syncing"

STEP_TITLES = {
    1: "Check for synchronization errors",
    2: "Check for duplicate attribute errors",
    3: "Troubleshoot an object that is not synchronizing",
}


@dataclass(frozen=True, slots=True)
class Code:
    step: int
    severity: Severity
    meaning: str
    docs: str


CODES: dict[str, Code] = {
    "provisioning-error": Code(1, Severity.ERROR, "an entry of the object's onPremisesProvisioningErrors", DOC_SYNC_ERRORS),
    "export-error": Code(1, Severity.ERROR, "an export error Entra Connect reported, through Connect Health or in the Connect server's own files (any error type; errorType names it)", DOC_SYNC_ERRORS),
    "import-error": Code(1, Severity.ERROR, "an import or synchronization error the Connect server recorded on the object's connector-space object (its files)", DOC_SERVICE_MANAGER),
    "service-error": Code(1, Severity.ERROR, "an unresolved service provisioning error (e.g. Exchange), its XML summarised", DOC_SYNC_ERRORS),
    "duplicate-upn": Code(2, Severity.ERROR, "a PropertyConflict on UserPrincipalName; related lists every other holder, deleted ones included", DOC_RESILIENCY),
    "duplicate-proxy-address": Code(2, Severity.ERROR, "a PropertyConflict on a proxy address; related lists every other holder", DOC_RESILIENCY),
    "existing-object-conflict": Code(2, Severity.ERROR, "Connect Health names the existing object that holds the value an export conflicted on, with its on-premises identity", DOC_CONNECT_HEALTH),
    "same-identity": Code(2, Severity.WARNING, "the other holder of a duplicate is the same identity (a cloud-only object soft or hard match would merge): merge them, do not rename", DOC_SYNC_ERRORS),
    "conflict-holder-deleted": Code(2, Severity.WARNING, "a holder of the conflicting value is in the recycle bin", DOC_RESILIENCY),
    "conflict-cleared": Code(2, Severity.INFO, "a conflict is recorded but no other object holds the value any more (cleared hourly)", DOC_RESILIENCY),
    "upn-quarantined": Code(2, Severity.WARNING, "the cloud UPN is the resiliency placeholder <prefix><4 digits>@<initial domain> while the on-premises UPN differs", DOC_RESILIENCY),
    "duplicate-in-ad": Code(2, Severity.ERROR, "two or more on-premises objects hold a value Entra ID keeps unique (UPN, mail, proxy and target addresses share one namespace; mailNickname its own, a warning); related names every holder", DOC_RESILIENCY),
    "will-conflict-in-cloud": Code(2, Severity.ERROR, "a different cloud object (another anchor, or cloud-only) already holds the on-premises value: the next sync makes it a duplicate-attribute error; related names the cloud holder", DOC_RESILIENCY),
    "not-in-entra": Code(3, Severity.ERROR, "the object asked for does not exist in Entra ID", DOC_NOT_SYNCING),
    "in-recycle-bin": Code(3, Severity.ERROR, "a deleted object with this UPN, mail or immutableId is in the recycle bin", DOC_NOT_SYNCING),
    "tenant-sync-disabled": Code(3, Severity.ERROR, "the organization's onPremisesSyncEnabled is not true", DOC_NOT_SYNCING),
    "tenant-sync-stale": Code(3, Severity.WARNING, "the tenant's last sync is over 2 hours old (an error past 24 hours)", DOC_NOT_SYNCING),
    "cloud-only": Code(3, Severity.INFO, "onPremisesSyncEnabled is null: never synced from on-premises", DOC_NOT_SYNCING),
    "sync-stopped-for-object": Code(3, Severity.WARNING, "onPremisesSyncEnabled is false: was synced, now cloud-managed", DOC_NOT_SYNCING),
    "soft-match-blocked": Code(3, Severity.WARNING, "the tenant blocks soft match and a cloud-only object holds the UPN or primary SMTP this object would soft-match on — or this object is cloud-only, so no on-premises object will be merged into it (hard match only)", DOC_SYNC_ERRORS),
    "soft-match-candidate": Code(3, Severity.INFO, "a cloud-only object holds the UPN or primary SMTP this object would soft-match on, and the tenant allows soft match: the next sync merges them", DOC_SYNC_ERRORS),
    "hard-match-blocked": Code(3, Severity.WARNING, "sync stopped with an immutableId while the tenant blocks cloud-object takeover through hard match", DOC_SYNC_ERRORS),
    "pending-export": Code(3, Severity.INFO, "the Connect server holds changes for the object that its next export run will send (to Entra ID, or to AD for writeback)", DOC_NOT_SYNCING),
    "disconnector": Code(3, Severity.WARNING, "the object is in a connector space but joined to no metaverse object: out of scope by a sync rule's scoping filter or attribute filtering, or deleted on the other side", DOC_NOT_SYNCING),
    "not-in-connector-space": Code(3, Severity.ERROR, "a complete export of the AD connector's space does not hold the object: OU, domain or group filtering excludes it", DOC_NOT_SYNCING),
    "sync-cycle-disabled": Code(3, Severity.ERROR, "the Connect server's scheduler runs no sync cycle (SyncCycleEnabled false, or the scheduler suspended)", DOC_NOT_SYNCING),
    "staging-mode": Code(3, Severity.ERROR, "the Connect server whose files were read is in staging mode: it imports and synchronizes but exports nothing", DOC_NOT_SYNCING),
    "single-object-sync": Code(3, Severity.ERROR, "the server's own single-object sync (Invoke-ADSyncSingleObjectSync) of the object: a failure with its step and reason is an error, a success information", DOC_NOT_SYNCING),
    "not-in-ad": Code(3, Severity.WARNING, "AD was read but holds no object with the synced object's anchor, DN or UPN: deleted or moved out of scope on-premises (or in a domain not read)", DOC_NOT_SYNCING),
    "anchor-mismatch": Code(3, Severity.ERROR, "the AD object found by DN or UPN has a source anchor other than the cloud object's onPremisesImmutableId: they cannot hard-match", DOC_NOT_SYNCING),
    "unverified-upn-domain": Code(3, Severity.WARNING, "the (on-premises) UPN suffix is not a verified domain of the tenant", DOC_NOT_SYNCING),
    "invalid-characters": Code(3, Severity.ERROR, "a value has characters Entra ID rejects (IdFix rules)", DOC_SYNC_ERRORS),
    "value-too-long": Code(3, Severity.ERROR, "a value exceeds its length limit", DOC_SYNC_ERRORS),
    "invalid-format": Code(3, Severity.ERROR, "a malformed UPN (one @, a valid domain, no '.' right before the @), mail or proxy address, a mailNickname starting with '.', or a blank displayName", DOC_SYNC_ERRORS),
    "too-many-proxy-addresses": Code(3, Severity.WARNING, "more than 300 proxy addresses (LargeObject risk)", DOC_SYNC_ERRORS),
}

MANUAL_CHECKS: dict[int, tuple[ManualCheck, ...]] = {
    1: (
        # the sync-error report e-mail is no longer sent (MicrosoftDocs/azure-docs pull request 109058)
        ManualCheck("m365-sync-status", "Microsoft 365 admin center → Health → Directory sync status → Directory sync errors: is the object listed?", DOC_SYNC_ERRORS),
        ManualCheck("service-manager-operations", "Synchronization Service Manager → Operations: runs with export or import errors for this object", DOC_SERVICE_MANAGER),
        ManualCheck("connect-health", "Connect Health sync-error report (Entra admin center): object-level errors for this object", DOC_CONNECT_HEALTH),
    ),
    2: (
        ManualCheck("health-duplicates", "Connect Health → Sync errors → Duplicate attribute: compare the incoming and existing object", DOC_CONNECT_HEALTH),
        ManualCheck("source-holder", "On-premises AD: search every forest for the conflicting value (UPN, mail, proxyAddresses)", DOC_RESILIENCY),
    ),
    3: (
        ManualCheck("ad-object", "On-premises AD: is the object there, enabled, in a synchronized OU, with the anchor Entra ID has?", DOC_NOT_SYNCING),
        ManualCheck("connector-space", "Search the AD connector space for the object's DN: not there → OU, domain or group filtering excludes it", DOC_NOT_SYNCING),
        ManualCheck("metaverse", "Metaverse: is the object joined? Check cloudFiltered and sourceAnchor", DOC_NOT_SYNCING),
        ManualCheck("lineage", "Connector space object properties → Lineage: sync rules that joined or projected it", DOC_NOT_SYNCING),
        ManualCheck("troubleshooter", "Entra Connect wizard → Troubleshoot → Troubleshoot object synchronization", DOC_NOT_SYNCING),
        ManualCheck("scheduler", "Connect server: Get-ADSyncScheduler shows the scheduler enabled and a recent cycle", DOC_NOT_SYNCING),
    ),
}


def finding(code: str, message: str, fix: str, *, attribute: str | None = None, value: str | None = None,
            related: tuple[Related, ...] = (), powershell: str | None = None,
            severity: Severity | None = None, source: str = "graph", error_type: str | None = None) -> Finding:
    """A finding of ``code``, its severity (unless given) and documentation from the catalog."""
    entry = CODES[code]
    return Finding(code=code, severity=severity or entry.severity, message=message, attribute=attribute,
                   value=value, fix=fix, docs=entry.docs, related=related, powershell=powershell, source=source,
                   error_type=error_type)


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "an unknown time"
