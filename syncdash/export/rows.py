"""One row per error of each object: the shape of every tabular view of the error list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from syncdash.model import DirectoryObject


@dataclass(frozen=True, slots=True)
class ErrorRow:
    kind: str
    display_name: str
    identity: str
    property: str
    value: str
    since: datetime | None


def error_rows(objects: tuple[DirectoryObject, ...]) -> list[ErrorRow]:
    rows: list[ErrorRow] = []
    for obj in objects:
        identity = obj.upn or obj.mail or ""
        for error in obj.provisioning_errors:
            rows.append(
                ErrorRow(obj.kind.value, obj.display_name, identity, error.property.value,
                         error.value, error.occurred)
            )
        for service in obj.unresolved_service_errors:
            rows.append(
                ErrorRow(obj.kind.value, obj.display_name, identity,
                         f"service {service.service_instance}", service.summary, service.created)
            )
    return rows
