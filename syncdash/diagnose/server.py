"""Steps 1 and 3 answered from the Connect server's own files, when the admin brought
them: what the Operations tab and the connector spaces would show, the scheduler, and
the server's own single-object sync.

Export and import errors reach step 1 through the object's export errors (joined like
Connect Health's); here come the rest — what the next export sends, a disconnector, an
AD object filtered out of the connector space, a scheduler that runs no cycle or a
staging server — and the manual checks the files answer, with their age. A check no
file covers stays manual, saying which file would answer it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath

from syncdash.diagnose.catalog import finding, when
from syncdash.diagnose.findings import Finding, ManualCheck, Severity, StepResult
from syncdash.diagnose.steps import NOT_IN_ENTRA, result
from syncdash.model import ObjectFacts
from syncdash.sync_server import ConnectorObject, ServerFacts, ServerFile, domain_of

SOURCE = "server"
#: Evidence older than this is said to be so wherever it answers.
STALE_HOURS = 24


def age(moment: datetime | None, now: datetime) -> str:
    """``2026-11-30 09:15 UTC, 3 h old`` — and past a day, that it is."""
    if moment is None:
        return "time unknown"
    hours = max(0.0, (now - moment).total_seconds() / 3600)
    old = f"{hours / 24:.1f} days old, older than {STALE_HOURS} h" if hours > STALE_HOURS else f"{hours:.0f} h old"
    return f"{when(moment)}, {old}"


def _name(origin: str) -> str:
    """A file by its name: the folder is the same for all of them, and in the sources line."""
    return PureWindowsPath(origin).name if "\\" in origin else PurePosixPath(origin).name


def _file(found: ConnectorObject | ServerFile | None, server: ServerFacts, now: datetime) -> str:
    origin = found.origin if found is not None else None
    read = next((f for f in server.files if f.origin == origin), None)
    return f"{_name(origin)}, {age(read.as_of if read else None, now)}" if origin else "the server files"


def _pending(server: ServerFacts) -> list[Finding]:
    found = []
    for side, target in ((server.entra, "Entra ID"), (server.ad, "AD (writeback)")):
        if side is not None and side.pending is not None:
            found.append(finding(
                "pending-export", f"the next export to {target} will send: {side.pending.describe()} "
                f"(connector space {side.dn})", "Nothing to do if the change is wanted: the next sync cycle exports "
                "it. If it never leaves, check the scheduler and the export run's errors.",
                source=SOURCE, value=side.dn))
    return found


def _disconnectors(server: ServerFacts) -> list[Finding]:
    found = []
    if server.ad is not None and server.ad.joined is False:
        found.append(finding(
            "disconnector", f"the AD object {server.ad.dn} is in the AD connector space but joined to nothing: no "
            "inbound sync rule projected or joined it", "Check the inbound sync rules' scoping filters (In from AD "
            "- User/Group/Contact Join), cloudFiltered and attribute filtering in the Synchronization Rules Editor; "
            "then run a full sync.", source=SOURCE, value=server.ad.dn))
    if server.entra is not None and server.entra.joined is False:
        found.append(finding(
            "disconnector", f"the Entra connector object {server.entra.dn} (sourceAnchor {server.entra.anchor!r}) is "
            "joined to no on-premises object: its AD object was deleted, moved out of scope or filtered",
            "If the AD object still exists, bring it back in scope (OU, group or attribute filtering); otherwise "
            "the next export deletes the cloud object, or it stays orphaned if deletes are held back.",
            source=SOURCE, value=server.entra.dn))
    return found


def _same_domain(dn: str, server: ServerFacts) -> bool:
    """Whether the complete AD connector export holds any object of ``dn``'s domain: a
    connector of another forest says nothing of it."""
    domain = domain_of(dn)
    covered = server.ad_covered
    return bool(domain) and covered is not None and domain in covered.domains


def _not_in_space(server: ServerFacts, now: datetime) -> list[Finding]:
    dn = server.ad_dn
    if server.ad is not None or dn is None or server.ad_covered is None or not _same_domain(dn, server):
        return []
    return [finding(
        "not-in-connector-space", f"{dn} is not in the AD connector space ({_file(server.ad_covered, server, now)}): "
        "OU, domain or group filtering excludes it", "Entra Connect wizard → Customize synchronization options → "
        "Domain and OU filtering (or group filtering): include the object's OU or group, then run a full import "
        "and sync.", source=SOURCE, value=dn)]


def _scheduler(server: ServerFacts, now: datetime) -> list[Finding]:
    scheduler = server.scheduler
    if scheduler is None:
        return []
    found = []
    where = f"{_name(scheduler.origin)}, {age(_file_time(server, scheduler.origin), now)}"
    if scheduler.sync_cycle_enabled is False or scheduler.suspended:
        why = "SyncCycleEnabled is false" if scheduler.sync_cycle_enabled is False else "the scheduler is suspended"
        found.append(finding(
            "sync-cycle-disabled", f"the Connect server runs no sync cycle: {why} ({where})",
            "Set-ADSyncScheduler -SyncCycleEnabled $true on the server (a suspended scheduler resumes when the "
            "wizard or upgrade that suspended it ends).", source=SOURCE,
            powershell="Set-ADSyncScheduler -SyncCycleEnabled $true"))
    if scheduler.staging_mode:
        found.append(finding(
            "staging-mode", f"the Connect server these files come from is in staging mode ({where}): it exports "
            "nothing to Entra ID", "Read the active server's files instead; if this server should be the active one, "
            "turn staging mode off in the Entra Connect wizard (Configure staging mode).", source=SOURCE))
    return found


def _file_time(server: ServerFacts, origin: str) -> datetime | None:
    return next((f.as_of for f in server.files if f.origin == origin), None)


def _single_sync(server: ServerFacts, now: datetime) -> list[Finding]:
    sync = server.sync
    if sync is None:
        return []
    where = f"{_name(sync.origin)}, {age(sync.started or _file_time(server, sync.origin), now)}"
    step = sync.failed_step
    if sync.status.casefold() == "failure" or step is not None:
        at = f" at {step.name} ({step.description})" if step is not None else ""
        reason = sync.reason or sync.error_code or "no reason given"
        extra = f" {sync.additional}" if sync.additional else ""
        return [finding(
            "single-object-sync", f"the server's single-object sync failed{at}: {reason}{extra} ({where})",
            sync.recommended or "Fix what the failing step names (scope, connectivity, the sync rule or the export "
            "error), then run Invoke-ADSyncSingleObjectSync again.", source=SOURCE,
            error_type=sync.error_code or None, value=sync.dn)]
    if sync.status.casefold() == "success":
        staged = " in staging mode (nothing was exported)" if sync.staging else ""
        return [finding(
            "single-object-sync", f"the server's single-object sync succeeded{staged} ({where})",
            "The object synchronizes: if Entra ID still differs, the change has not been exported yet or was "
            "changed in the cloud since.", source=SOURCE, severity=Severity.INFO, value=sync.dn)]
    return []


def _space(found: ConnectorObject, server: ServerFacts, now: datetime) -> str:
    state = {True: "joined", False: "a disconnector (joined to nothing)", None: "join state not in the file"}
    return f"{found.dn}, {state[found.joined]} ({_file(found, server, now)})"


def _answers(server: ServerFacts, obj_errors: int, now: datetime) -> dict[str, str | None]:
    """Each manual check the files answer; None where no file covers it (and why)."""
    answers: dict[str, str | None] = {}
    covered = server.entra if server.entra is not None else server.entra_covered
    if server.entra is not None or server.ad is not None or server.entra_covered is not None:
        answers["service-manager-operations"] = (
            f"Connect server files ({_file(covered or server.ad, server, now)}): {obj_errors} export or import "
            f"error{'' if obj_errors == 1 else 's'} recorded for this object")
    if server.ad is not None:
        answers["connector-space"] = f"in the AD connector space: {_space(server.ad, server, now)}"
    elif server.ad_covered is not None and server.ad_dn and _same_domain(server.ad_dn, server):
        answers["connector-space"] = (f"not in the AD connector space ({_file(server.ad_covered, server, now)}): "
                                      "filtered out by OU, domain or group")
    joined = [f"{name}: {_space(side, server, now)}" + (f", metaverse object {side.mv_id}" if side.mv_id else "")
              for name, side in (("AD connector", server.ad), ("Entra connector", server.entra)) if side is not None]
    if joined:
        answers["metaverse"] = "; ".join(joined)
    rules = [rule for side in (server.ad, server.entra) if side is not None for rule in side.lineage]
    if rules:
        answers["lineage"] = "sync rules: " + ", ".join(dict.fromkeys(rules))
    if server.sync is not None:
        answers["troubleshooter"] = (f"single-object sync ({_name(server.sync.origin)}): "
                                     f"{server.sync.status or 'no status'}"
                                     + (f", {server.sync.reason}" if server.sync.reason else ""))
    if server.scheduler is not None:
        s = server.scheduler
        answers["scheduler"] = (
            f"Get-ADSyncScheduler ({_name(s.origin)}, {age(_file_time(server, s.origin), now)}): sync cycle "
            f"{'enabled' if s.sync_cycle_enabled else 'disabled'}, staging mode {'on' if s.staging_mode else 'off'}"
            + (f", next cycle {when(s.next_run)}" if s.next_run else ""))
    return answers


_UNCOVERED = {
    "service-manager-operations": "no csexport of the Entra connector or CS object of it among the server files",
    "connector-space": "no complete csexport of the AD connector among the server files",
    "metaverse": "no connector-space object of it among the server files",
    "scheduler": "no Get-ADSyncScheduler output among the server files",
    "troubleshooter": "no Invoke-ADSyncSingleObjectSync result for it among the server files",
}


def _checks(checks: tuple[ManualCheck, ...], answers: dict[str, str | None]) -> tuple[ManualCheck, ...]:
    out = []
    for check in checks:
        if answers.get(check.key):
            out.append(replace(check, answered=answers[check.key]))
        elif check.key in _UNCOVERED and check.answered is None:
            out.append(replace(check, text=f"{check.text} (not answered by the server files: {_UNCOVERED[check.key]})"))
        else:
            out.append(check)
    return tuple(out)


def with_server(one: StepResult, three: StepResult, facts: ObjectFacts,
                server: ServerFacts | None) -> tuple[StepResult, StepResult]:
    """Steps 1 and 3 with the server's findings added and its checks answered."""
    if server is None:
        return one, three
    now = facts.now
    obj = facts.object
    errors = sum(e.source == SOURCE for e in obj.export_errors) if obj is not None else 0
    answers = _answers(server, errors, now)
    unknown = [u for u in one.unknown if not (u == NOT_IN_ENTRA and "service-manager-operations" in answers)]
    extra = (_scheduler(server, now) + _single_sync(server, now) + _not_in_space(server, now)
             + _disconnectors(server) + _pending(server))
    return (result(1, list(one.findings), unknown, _checks(one.manual, answers)),
            result(3, [*three.findings, *extra], list(three.unknown), _checks(three.manual, answers)))
