"""Diagnoses as plain JSON-ready dicts: the one shape behind json, csv and markdown output."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from syncdash.diagnose.findings import Diagnosis, Finding, ManualCheck, Related, StepResult
from syncdash.model import AdminWork, DirectoryObject, TenantStatus, Unknown

#: An object the admin has not worked on.
NO_WORK = AdminWork()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def tenant_record(tenant: TenantStatus) -> dict[str, Any]:
    def known(value: Any) -> Any:
        return None if isinstance(value, Unknown) else value

    last = known(tenant.last_sync)
    unknown = {
        part: value.reason
        for part, value in (
            ("organization", tenant.name),
            ("syncStatus", tenant.sync_enabled),
            ("domains", tenant.domains),
            ("syncSettings", tenant.sync_settings),
        )
        if isinstance(value, Unknown)
    }
    return {
        "id": known(tenant.tenant_id),
        "name": known(tenant.name),
        "syncEnabled": known(tenant.sync_enabled),
        "lastSync": _iso(last),
        "unknown": unknown,
        "health": [{"level": note.level, "text": note.text} for note in tenant.health],
    }


def sources_record(tenant: TenantStatus) -> list[dict[str, Any]]:
    """Graph, always read, then each evidence source and how it was read."""
    return [{"name": "graph", "state": "read", "reason": None, "asOf": None}] + [
        {"name": s.name, "state": s.state.value, "reason": s.reason, "asOf": _iso(s.as_of),
         **({"read": s.detail} if s.detail else {})} for s in tenant.sources]


def object_record(obj: DirectoryObject | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    record = {
        "id": obj.id if obj.in_entra else None,
        "kind": obj.kind.value,
        "displayName": obj.display_name,
        "userPrincipalName": obj.user_principal_name,
        "mail": obj.mail,
        "synced": obj.sync_enabled,
        "inEntra": obj.in_entra,
    }
    if not obj.in_entra:
        record.update(distinguishedName=obj.distinguished_name, objectGuid=obj.object_guid)
    return record


def finding_record(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "message": finding.message,
        "attribute": finding.attribute,
        "value": finding.value,
        "related": [_related(r) for r in finding.related],
        "fix": finding.fix,
        "powershell": finding.powershell,
        "docs": finding.docs,
        "source": finding.source,
        **({"errorType": finding.error_type} if finding.error_type else {}),
    }


def _related(related: Related) -> dict[str, Any]:
    record = {
        "id": related.id or None,
        "kind": related.kind.value,
        "displayName": related.display_name,
        "identity": related.identity,
        "deleted": related.deleted,
        "synced": related.synced,
        "source": related.source,
    }
    known = (("distinguishedName", related.distinguished_name), ("objectGuid", related.object_guid),
             ("sourceAnchor", related.source_anchor))
    record.update((key, value) for key, value in known if value)
    return record


def _manual(step: int, check: ManualCheck, work: AdminWork) -> dict[str, Any]:
    done, at = work.done(step, check.key)
    return {"key": check.key, "text": check.text, "docs": check.docs, "answered": check.answered, "done": done,
            "doneAt": _iso(at)}


def step_record(step: StepResult, work: AdminWork = NO_WORK) -> dict[str, Any]:
    return {
        "step": step.step,
        "title": step.title,
        "status": step.status.value,
        "needed": step.needed,
        "unknown": list(step.unknown),
        "findings": [finding_record(f) for f in step.findings],
        "manual": [_manual(step.step, m, work) for m in step.manual],
    }


def check_record(tenant: TenantStatus, diagnosis: Diagnosis, work: AdminWork = NO_WORK) -> dict[str, Any]:
    obj = object_record(diagnosis.object)
    return {
        "schema": "syncdash.check/1",
        "tenant": tenant_record(tenant),
        "sources": sources_record(tenant),
        "object": None if obj is None else {**obj, "note": work.note or None},
        "steps": [step_record(step, work) for step in diagnosis.steps],
    }


def report_object_record(diagnosis: Diagnosis, work: AdminWork = NO_WORK) -> dict[str, Any]:
    """One object of a report with its findings, each tagged with its step, and the
    admin's note and the manual checks ticked (with when)."""
    done = []
    for step in diagnosis.steps:
        for check in step.manual:
            ticked, at = work.done(step.step, check.key)
            if ticked:
                done.append({"step": step.step, "key": check.key, "text": check.text, "doneAt": _iso(at)})
    return {
        **(object_record(diagnosis.object) or {}),
        "findings": [{"step": step.step, **finding_record(f)} for step in diagnosis.steps for f in step.findings],
        "note": work.note or None,
        "done": done,
    }


def report_head(tenant: TenantStatus, complete: bool) -> dict[str, Any]:
    """The report's record without its objects (they are written one by one)."""
    return {"schema": "syncdash.report/1", "tenant": tenant_record(tenant), "sources": sources_record(tenant),
            "complete": complete, "objects": []}
