"""One row per error of each object: the shape of the report's text table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from syncdash.diagnose.findings import Diagnosis


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


def error_rows(diagnoses: tuple[Diagnosis, ...]) -> list[ErrorRow]:
    rows: list[ErrorRow] = []
    for diagnosis in diagnoses:
        obj = diagnosis.object
        if obj is None:
            continue
        identity = obj.upn or obj.mail or ""
        codes = ", ".join(dict.fromkeys(f.code for step in diagnosis.steps[1:] for f in step.findings)) or "-"
        for error in obj.provisioning_errors:
            rows.append(
                ErrorRow(obj.kind.value, obj.display_name, identity, error.property.value,
                         error.value, error.occurred, codes, _holder(diagnosis, error.value))
            )
        for service in obj.unresolved_service_errors:
            rows.append(
                ErrorRow(obj.kind.value, obj.display_name, identity, f"service {service.service_instance}",
                         service.summary, service.created, codes, _holder(diagnosis, service.value))
            )
        for export in obj.export_errors:
            property_ = f"{export.error_type} {export.attribute}" if export.attribute else export.error_type
            rows.append(ErrorRow(obj.kind.value, obj.display_name, identity, property_,
                                 export.value or export.dn or "", export.first_occurred or export.occurred, codes,
                                 _holder(diagnosis, export.value)))
    return rows


def _holder(diagnosis: Diagnosis, value: str | None) -> str:
    """Step 2's holders of ``value``: the first by name, and how many more."""
    for finding in diagnosis.steps[1].findings:
        if value and finding.value == value and finding.related:
            first, more = finding.related[0].display_name, len(finding.related) - 1
            return f"{first} +{more} more" if more else first
    return "-"
