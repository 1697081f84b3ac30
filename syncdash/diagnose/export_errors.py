"""Export errors Connect Health reports, in steps 1 and 2: each error type's meaning, fix
and on-premises suggestion, following Microsoft's "Understanding errors during Microsoft
Entra synchronization" (entra-docs ``tshoot-connect-sync-errors.md``; FederatedDomainChange
from its earlier azure-docs version). One table; a type not in it is reported with the
server's own detail and the article to read."""

from __future__ import annotations

from dataclasses import dataclass, replace

from syncdash.diagnose import powershell
from syncdash.diagnose.catalog import MANUAL_CHECKS, finding, when
from syncdash.diagnose.findings import Finding, ManualCheck, Related
from syncdash.export_error import CONFLICT_TYPES, ExportError
from syncdash.model import DirectoryObject, ObjectFacts, SourceState, kind_named

SOURCE = "connect-health"
#: How each source that reports export errors is named in a message.
REPORTED_BY = {SOURCE: "Connect Health", "server": "the Connect server"}
#: How Connect Health names an on-premises source of authority.
ON_PREMISES = frozenset({"active directory", "on-premises", "onpremises"})


@dataclass(frozen=True, slots=True)
class ErrorType:
    label: str
    meaning: str
    fix: str


#: Where a fix says when the error is seen to clear: as each reporter shows it.
CLEARED = "{cleared}"
_CLEARS = {SOURCE: "; Connect Health's report shows the change within 30 minutes.",
           "server": "; the error clears at the server's next export run."}
_SAME_FIX = ("Decide which object should keep the value, remove it from the other in that object's source "
             "directory (on-premises AD for a synced object), and let the next sync export it" + CLEARED)


def _fix(fix: str, source: str) -> str:
    """A fix as its reporter shows it (Connect Health's report lags; the server's error
    clears at its next export run)."""
    return fix.replace(CLEARED, _CLEARS.get(source, "."))

ERROR_TYPES: dict[str, ErrorType] = {
    "AttributeValueMustBeUnique": ErrorType(
        "duplicate attribute", "another object in Entra ID already holds this value", _SAME_FIX),
    "InvalidSoftMatch": ErrorType(
        "soft match refused",
        "an object in Entra ID holds this value but is anchored to another on-premises object (a different "
        "immutableId): two on-premises objects hold it, or this one was recreated or moved between forests",
        _SAME_FIX + " If the Entra object is this identity left behind by a re-creation, hard-match it instead "
        "(set its onPremisesImmutableId to this object's sourceAnchor)."),
    "ObjectTypeMismatch": ErrorType(
        "object type mismatch",
        "the soft match found an object of another type (user, group or contact) holding this value",
        _SAME_FIX + " Usually it is a proxy address held by a group or contact in the cloud."),
    "InvalidHardMatch": ErrorType(
        "hard match blocked",
        "the sourceAnchor matches a cloud object's immutableId, but the tenant blocks cloud-object takeover "
        "through hard match",
        "If the cloud object is this identity, allow takeover for one sync (blockCloudObjectTakeoverThroughHard"
        "MatchEnabled false), let it run, then block it again."),
    "IdentityDataValidationFailed": ErrorType(
        "data validation failed", "Entra ID refused a value: unsupported characters or format (often the UPN)",
        "Correct the value in on-premises AD (supported characters, one @, a verified domain)."),
    "DataValidationFailed": ErrorType(
        "data validation failed", "Entra ID refused a value: unsupported characters or format (often the UPN)",
        "Correct the value in on-premises AD (supported characters, one @, a verified domain)."),
    "FederatedDomainChangeError": ErrorType(
        "federated domain change",
        "the UPN suffix changed from one federated domain to another, which sync cannot apply",
        "Change the cloud UPN to the tenant's onmicrosoft.com domain first (Update-MgUser), then let the next "
        "sync set the new UPN."),
    "LargeObject": ErrorType(
        "object too large",
        "an attribute exceeds its size or count limit (userCertificate over 15, thumbnailPhoto, about 300 "
        "proxyAddresses)",
        "Remove values no longer needed in on-premises AD: expired certificates, stale addresses."),
    "ExceededAllowedLength": ErrorType(
        "value too long", "an attribute exceeds its length limit",
        "Shorten or remove the value in on-premises AD."),
    "DeletingCloudOnlyObjectNotAllowed": ErrorType(
        "deletion access violation", "sync tried to delete an object it does not own (cloud-only or restored)",
        "Find the object, soft-delete the cloud account, run a delta sync, then restore it from the recycle "
        "bin and run a delta sync again."),
}
UNKNOWN_TYPE = ErrorType(
    "export error", "Entra Connect could not export the object",
    "Read the server's detail and Microsoft's article on errors during synchronization for this error type.")


def existing_related(error: ExportError, facts: ObjectFacts) -> Related | None:
    """The existing side of a conflict, with its on-premises identity, and the cloud
    object it is where step 2's lookup found one holding the value."""
    side = error.existing
    if side is None:
        return None
    holders = facts.holders.get(error.value or "", ())
    if error.existing_id:  # the server names the cloud object itself
        return _by_id(error, facts, holders)
    names = {v.casefold() for v in (side.user_principal_name, side.mail, side.display_name) if v}
    cloud = next((h for h in holders if (h.upn or "").casefold() in names or (h.mail or "").casefold() in names
                  or (side.source_anchor and h.immutable_id == side.source_anchor)), None)
    if cloud is None and not names and not side.source_anchor:  # the server names no side: the other holder
        own = facts.object.id if facts.object is not None else None
        cloud = next((h for h in holders if h.id != own), None)
    return Related(
        id=cloud.id if cloud else "", kind=cloud.kind if cloud else kind_named(side.object_type),
        display_name=side.display_name or (cloud.display_name if cloud else "") or "(no name)",
        identity=side.user_principal_name or side.mail or "", deleted=bool(cloud and cloud.is_deleted),
        synced=cloud.sync_enabled is True if cloud else (side.source_of_authority or "").casefold() in ON_PREMISES,
        source=SOURCE, distinguished_name=side.distinguished_name, object_guid=side.object_guid,
        source_anchor=side.source_anchor,
    )


def _by_id(error: ExportError, facts: ObjectFacts, holders: tuple[DirectoryObject, ...]) -> Related:
    """The conflicting cloud object the server named by id: as Graph knows it when step 2's
    lookup found it, else by its id alone."""
    cloud = next((h for h in (*holders, *facts.recycle_bin) if h.id == error.existing_id), None)
    if cloud is not None:
        return replace(Related.of(cloud), source=error.source)
    return Related(id=error.existing_id or "", kind=kind_named(error.incoming.object_type),
                   display_name="(not read from Graph)", identity=error.value or "", deleted=False, synced=False,
                   source=error.source)


def step_one_findings(obj: DirectoryObject, facts: ObjectFacts) -> list[Finding]:
    found = []
    for error in obj.export_errors:
        kind = ERROR_TYPES.get(error.error_type, UNKNOWN_TYPE)
        on = f" on {error.attribute} {error.value!r}" if error.attribute and error.value else ""
        detail = f" Server: {error.server_detail}" if error.server_detail else ""
        retried = f", retried {error.retry_count} times" if error.retry_count else ""
        related = existing_related(error, facts)
        label, meaning, fix = _STAGES.get(error.stage) or (kind.label, kind.meaning, _fix(kind.fix, error.source))
        found.append(finding(
            "import-error" if error.stage == "import" else "export-error",
            f"{error.error_type} ({label}){on} since {when(error.first_occurred or error.occurred)}{retried}"
            + (f", last {when(error.occurred)}" if error.occurred and error.occurred != error.first_occurred else "")
            + f": {meaning}.{detail}",
            fix, attribute=error.attribute, value=error.value, related=(related,) if related else (),
            powershell=_suggestion(obj, error) if error.stage == "export" else None,
            source=error.source, error_type=error.error_type,
        ))
    return found


#: Errors of the server's other stages: not Entra ID refusing an export.
_STAGES = {
    "import": ("import error", "the Connect server could not import or synchronize the object from its connector space",
               "Open the object in Synchronization Service Manager → Connector Space (or Get-ADSyncCSObject) and "
               "correct what the error names — usually a sync rule's expression or a value AD holds — then run a "
               "delta sync."),
    "writeback": ("writeback error", "the Connect server could not write a change back to on-premises AD (the AD "
                  "connector's export: writeback of mS-DS-ConsistencyGuid, groups, devices or passwords)",
                  "Give the AD connector's account the rights the error names (often permission-issue on "
                  "mS-DS-ConsistencyGuid: run Set-ADSyncMsDsConsistencyGuidPermission or the wizard's permissions "
                  "step), then run an export."),
}


def _suggestion(obj: DirectoryObject, error: ExportError) -> str | None:
    """A command for the error's own remedy: to read and adapt, never run by syncdash."""
    attribute = (error.attribute or "").casefold()
    kind = error.error_type
    if kind in CONFLICT_TYPES and error.value and attribute == "proxyaddresses":
        return powershell.remove_proxy_address(obj, error.value)
    if (kind in CONFLICT_TYPES or kind in ("IdentityDataValidationFailed", "DataValidationFailed")) \
            and attribute == "userprincipalname":
        return powershell.set_upn(obj)
    if kind == "FederatedDomainChangeError" and obj.in_entra:
        return (f"Update-MgUser -UserId {powershell.ps_string(obj.id)} "
                "-UserPrincipalName '<alias>@<tenant>.onmicrosoft.com'")
    if kind in ("LargeObject", "ExceededAllowedLength"):
        return powershell.attribute_sizes(obj)
    if kind == "InvalidHardMatch":
        return powershell.HARD_MATCH_TAKEOVER
    if kind == "DeletingCloudOnlyObjectNotAllowed":
        return powershell.DELTA_SYNC
    return None


def step_two_findings(obj: DirectoryObject, facts: ObjectFacts) -> list[Finding]:
    """Both sides of each conflict Connect Health or the server recorded: the existing
    object named as the value's holder (Connect Health: with its on-premises identity;
    the server: by its id). A conflict both report is said once, Connect Health's."""
    found: list[Finding] = []
    said: set[tuple[str, str]] = set()
    for error in sorted(obj.export_errors, key=lambda e: e.source != SOURCE):
        related = existing_related(error, facts) if error.is_conflict else None
        key = ((error.attribute or "").casefold(), (error.value or "").casefold())
        if related is None or key in said:  # Connect Health and the server may both report it
            continue
        said.add(key)
        reporter = REPORTED_BY.get(error.source, error.source)
        found.append(finding(
            "existing-object-conflict",
            f"{reporter[0].upper()}{reporter[1:]}: {error.attribute} {error.value!r} is held by the existing object "
            f"{related.describe()}" + (f" (id {related.id})" if related.id and error.existing_id else "")
            + (f" at {related.distinguished_name}" if related.distinguished_name else ""),
            _fix(_SAME_FIX, error.source), attribute=error.attribute, value=error.value, related=(related,),
            source=error.source,
            error_type=error.error_type,
        ))
    return found


#: The manual checks Connect Health answers when it was read, by step.
ANSWERED = {1: "connect-health", 2: "health-duplicates"}


def manual_checks(step: int, facts: ObjectFacts) -> tuple[ManualCheck, ...]:
    """The step's manual checks, the Connect Health one answered when the source was
    read, or saying why it was not (no service, no role, not reachable, turned off)."""
    checks = MANUAL_CHECKS[step]
    status = next((s for s in facts.tenant.sources if s.name == SOURCE), None)
    key = ANSWERED.get(step)
    if status is None or key is None:
        return checks
    obj = facts.object
    errors = tuple(e for e in obj.export_errors if e.source == SOURCE) if obj is not None else ()
    if status.state is SourceState.READ:
        many = len(errors) if step == 1 else sum(error.is_conflict for error in errors)
        what = "export error" if step == 1 else "duplicate attribute"
        answer = (f"Connect Health read {when(status.as_of)} (its report is up to 30 minutes old): {many} {what}"
                  f"{'' if many == 1 else 's'} for this object")
        return tuple(replace(c, answered=answer) if c.key == key else c for c in checks)
    return tuple(replace(c, text=f"{c.text} (not read by syncdash: {status.reason})") if c.key == key else c
                 for c in checks)
