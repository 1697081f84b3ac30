"""One row per error of each object: the shape of the report's text table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from syncdash.diagnose.findings import Diagnosis
from syncdash.model import AdminWork


@dataclass(frozen=True, slots=True)
class ErrorRow:
    kind: str
    display_name: str
    identity: str
    property: str
    value: str
    since: datetime | None
    #: The codes steps 2 and 3 found for the object: what the error row alone does not say.
    diagnosis: str
    #: Who else holds the conflicting value (step 2's first holder, and how many more).
    holder: str = "-"
    #: The admin's note on the object, from the dashboard.
    note: str = ""
    #: The manual checks the admin ticked: how many of how many, and the last when.
    done: str = "-"


def error_rows(diagnoses: tuple[Diagnosis, ...], work: Mapping[str, AdminWork] | None = None) -> list[ErrorRow]:
    """Each error of each object as a row; ``work``: the admin's ticks and notes, by
    object id."""
    rows: list[ErrorRow] = []
    for diagnosis in diagnoses:
        obj = diagnosis.object
        if obj is None:
            continue
        codes = ", ".join(dict.fromkeys(f.code for step in diagnosis.steps[1:] for f in step.findings)) or "-"
        errors: list[tuple[str, str, datetime | None, str | None]] = [
            (error.property.value, error.value, error.occurred, error.value) for error in obj.provisioning_errors]
        errors += [(f"service {service.service_instance}", service.summary, service.created, service.value)
                   for service in obj.unresolved_service_errors]
        errors += [(f"{e.error_type} {e.attribute}" if e.attribute else e.error_type, e.value or e.dn or "",
                    e.first_occurred or e.occurred, e.value) for e in obj.export_errors]
        done = (work or {}).get(obj.id, AdminWork())
        rows += [ErrorRow(obj.kind.value, obj.display_name, obj.upn or obj.mail or "", prop, value, since, codes,
                          _holder(diagnosis, held), done.note, _ticked(diagnosis, done))
                 for prop, value, since, held in errors]
    return rows


def ticked_checks(diagnosis: Diagnosis, work: AdminWork) -> tuple[int, list[tuple[str, datetime | None]]]:
    """How many manual checks were left to the admin, and those ticked: each key with
    when (None for a tick from before syncdash kept the time)."""
    checks = [(check.key, *work.done(step.step, check.key)) for step in diagnosis.steps for check in step.manual
              if not check.answered]
    return len(checks), [(key, at) for key, done, at in checks if done]


def _ticked(diagnosis: Diagnosis, work: AdminWork) -> str:
    """``2/4 checks, last 2026-11-30 14:02``: a ticket's reader sees the work done."""
    total, ticked = ticked_checks(diagnosis, work)
    if not ticked:
        return "-"
    times = [at for _, at in ticked if at is not None]
    last = f", last {max(times):%Y-%m-%d %H:%M}" if times else ""
    return f"{len(ticked)}/{total} checks{last}"


def _holder(diagnosis: Diagnosis, value: str | None) -> str:
    """Step 2's holders of ``value``: the first by name, and how many more."""
    for finding in diagnosis.steps[1].findings:
        if value and finding.value == value and finding.related:
            first, more = finding.related[0].display_name, len(finding.related) - 1
            return f"{first} +{more} more" if more else first
    return "-"
