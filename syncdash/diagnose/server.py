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
from pathlib import Path

from syncdash.diagnose.catalog import finding, when
from syncdash.diagnose.findings import Finding, ManualCheck, Severity, StepResult
from syncdash.diagnose.steps import NOT_IN_ENTRA, result
from syncdash.model import ObjectFacts
from syncdash.sync_server import ConnectorObject, Scheduler, ServerFacts, evidence_age

SOURCE = "server"
#: Files that show an object's errors: a connector space's export, a CS object (the
#: disconnector CSV has no error column).
_SHOW_ERRORS = frozenset({"csexport", "cs-object"})


def _name(origin: str) -> str:
    """A file by its name: the folder is the same for all of them, and in the sources line."""
    return Path(origin).name


def where(origin: str, server: ServerFacts, now: datetime, moment: datetime | None = None) -> str:
    """``csexport-contoso.com.xml, 2026-11-30 09:15 UTC, 3 h old``."""
    read = server.file(origin)
    at = moment or (read.as_of if read else None)
    return f"{_name(origin)}, " + (f"{when(at)}, {evidence_age(at, now)}" if at else "time unknown")


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


def _not_in_space(server: ServerFacts, now: datetime) -> list[Finding]:
    if not server.filtered_out or server.ad_covered is None:
        return []
    return [finding(
        "not-in-connector-space", f"{server.ad_dn} is not in the AD connector space "
        f"({where(server.ad_covered.origin, server, now)}): OU, domain or group filtering excludes it",
        "Entra Connect wizard → Customize synchronization options → Domain and OU filtering (or group filtering): "
        "include the object's OU or group, then run a full import and sync.", source=SOURCE, value=server.ad_dn)]


def _scheduler(server: ServerFacts, now: datetime) -> list[Finding]:
    scheduler = server.scheduler
    if scheduler is None:
        return []
    found = []
    at = where(scheduler.origin, server, now)
    if scheduler.stopped:
        why = "SyncCycleEnabled is false" if scheduler.sync_cycle_enabled is False else "the scheduler is suspended"
        found.append(finding(
            "sync-cycle-disabled", f"the Connect server runs no sync cycle: {why} ({at})",
            "Set-ADSyncScheduler -SyncCycleEnabled $true on the server (a suspended scheduler resumes when the "
            "wizard or upgrade that suspended it ends).", source=SOURCE,
            powershell="Set-ADSyncScheduler -SyncCycleEnabled $true"))
    if scheduler.staging_mode:
        found.append(finding(
            "staging-mode", f"the Connect server these files come from is in staging mode ({at}): it exports "
            "nothing to Entra ID", "Read the active server's files instead; if this server should be the active one, "
            "turn staging mode off in the Entra Connect wizard (Configure staging mode).", source=SOURCE))
    return found


def _single_sync(server: ServerFacts, now: datetime) -> list[Finding]:
    sync = server.sync
    if sync is None:
        return []
    at = where(sync.origin, server, now, sync.started)
    step = sync.failed_step
    if sync.status.casefold() == "failure" or step is not None:
        failed_at = f" at {step.name} ({step.description})" if step is not None else ""
        if step is not None and step.details:
            failed_at += " [" + "; ".join(f"{key}: {value}" for key, value in step.details[:4]) + "]"
        reason = sync.reason or sync.error_code or "no reason given"
        extra = f" {sync.additional}" if sync.additional else ""
        return [finding(
            "single-object-sync", f"the server's single-object sync failed{failed_at}: {reason}{extra} ({at})",
            sync.recommended or "Fix what the failing step names (scope, connectivity, the sync rule or the export "
            "error), then run Invoke-ADSyncSingleObjectSync again.", source=SOURCE,
            error_type=sync.error_code or None, value=sync.dn)]
    if sync.status.casefold() == "success":
        staged = " in staging mode (nothing was exported)" if sync.staging else ""
        return [finding(
            "single-object-sync", f"the server's single-object sync succeeded{staged} ({at})",
            "The object synchronizes: if Entra ID still differs, the change has not been exported yet or was "
            "changed in the cloud since.", source=SOURCE, severity=Severity.INFO, value=sync.dn)]
    return []


def _space(found: ConnectorObject, server: ServerFacts, now: datetime) -> str:
    state = {True: "joined", False: "a disconnector (joined to nothing)", None: "join state not in the file"}
    return f"{found.dn}, {state[found.joined]} ({where(found.origin, server, now)})"


def _operations(server: ServerFacts, now: datetime) -> str | None:
    """The Operations tab's errors for the object, from a file that shows its Entra
    connector object's errors (and its AD one's, where read); None when none does."""
    entra = server.entra
    shown = server.file(entra.origin) if entra is not None else None
    if entra is None or shown is None or shown.kind not in _SHOW_ERRORS:
        return None
    errors = [f"{side} {e.stage} error {e.error_type}" for side, obj in (("Entra connector", entra), ("AD connector",
              server.ad)) if obj is not None for e in (obj.export_error, obj.import_error) if e is not None]
    return (f"Connect server files ({where(entra.origin, server, now)}): "
            + ("; ".join(errors) if errors else "no export or import error recorded for this object"))


def _state(value: bool | None, on: str, off: str) -> str:
    return {True: on, False: off, None: "not in the file"}[value]


def _scheduled(s: Scheduler, server: ServerFacts, now: datetime) -> str:
    text = (f"Get-ADSyncScheduler ({where(s.origin, server, now)}): sync cycle "
            f"{_state(s.sync_cycle_enabled, 'enabled', 'disabled')}, staging mode {_state(s.staging_mode, 'on', 'off')}")
    if s.interval_minutes:
        text += f", every {s.interval_minutes:g} min"
    if s.last_run:
        text += f", last run {when(s.last_run)}" + (f" ({s.last_run_name}: {s.last_result})" if s.last_result else "")
    return text + (f", next cycle {when(s.next_run)}" if s.next_run else "")


def _answers(server: ServerFacts, now: datetime) -> dict[str, str]:
    """Each manual check the files answer."""
    answers: dict[str, str] = {}
    if (operations := _operations(server, now)) is not None:
        answers["service-manager-operations"] = operations
    if server.ad is not None:
        answers["connector-space"] = f"in the AD connector space: {_space(server.ad, server, now)}"
    elif server.filtered_out and server.ad_covered is not None:
        answers["connector-space"] = (f"not in the AD connector space ({where(server.ad_covered.origin, server, now)}): "
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
        answers["scheduler"] = _scheduled(server.scheduler, server, now)
    return answers


_UNCOVERED = {
    "service-manager-operations": "no csexport of the Entra connector or CS object holding this object",
    "connector-space": "no complete csexport of the AD connector of the object's domain, or the object is not "
                       "known to exist on-premises",
    "metaverse": "no connector-space object of it among the server files",
    "scheduler": "no Get-ADSyncScheduler output among the server files",
    "troubleshooter": "no Invoke-ADSyncSingleObjectSync result for it among the server files",
}


def _checks(checks: tuple[ManualCheck, ...], answers: dict[str, str]) -> tuple[ManualCheck, ...]:
    out = []
    for check in checks:
        if check.key in answers:
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
    answers = _answers(server, now)
    unknown = [u for u in one.unknown if not (u == NOT_IN_ENTRA and "service-manager-operations" in answers)]
    extra = (_scheduler(server, now) + _single_sync(server, now) + _not_in_space(server, now)
             + _disconnectors(server) + _pending(server))
    return (result(1, list(one.findings), unknown, _checks(one.manual, answers)),
            result(3, [*three.findings, *extra], list(three.unknown), _checks(three.manual, answers)))
