"""Evidence sources: what each source beyond the tenant's own Graph view adds, and how
fresh and complete it is.

Graph gives the list of objects in error and every lookup; each further source (Connect
Health today; the Connect server's files and on-premises AD next) implements
:class:`EvidenceSource`: it reads on its own schedule and returns :class:`Evidence` —
facts about objects (export errors, with both sides of a conflict) and the state the
admin is shown (read, unavailable with the reason, or turned off). The pipeline joins the
evidence to the objects; the diagnosis reads facts, never a source.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from syncdash.export_error import ExportError
from syncdash.model import DirectoryObject, HealthNote, ObjectKind, SourceStatus, kind_named
from syncdash.onprem import OnPremisesDirectory
from syncdash.server_index import ServerIndex


@dataclass(frozen=True, slots=True)
class Evidence:
    status: SourceStatus
    export_errors: tuple[ExportError, ...] = ()
    notes: tuple[HealthNote, ...] = ()
    #: On-premises AD as read (live or from exports): its objects, indexed.
    directory: OnPremisesDirectory | None = None
    #: The Connect server's files as read: its connector spaces, scheduler and single-object syncs.
    server: ServerIndex | None = None


class EvidenceSource(Protocol):
    """A source of facts beyond Graph. ``read`` never raises for the source's own
    failures: they become an UNAVAILABLE status with a one-line reason."""

    name: str

    async def read(self, now: datetime) -> Evidence: ...


def _on_premises_only(key: str, errors: list[ExportError]) -> DirectoryObject:
    """An object whose export failed before Entra ID had it: known by what Connect Health
    recorded of its incoming side."""
    side = errors[0].incoming
    return DirectoryObject(
        id=f"onprem:{key}", kind=kind_named(side.object_type),
        display_name=side.display_name or side.user_principal_name or errors[0].dn or key,
        user_principal_name=side.user_principal_name, mail=side.mail,
        distinguished_name=side.distinguished_name or errors[0].dn, immutable_id=side.source_anchor,
        on_premises_upn=side.on_premises_upn or side.user_principal_name, export_errors=tuple(errors),
        in_entra=False, object_guid=side.object_guid,
    )


def attach(objects: list[DirectoryObject], errors: tuple[ExportError, ...]) -> list[DirectoryObject]:
    """``objects`` with each export error joined to the Entra object its incoming side is
    (by source anchor, on-premises DN, then on-premises UPN), and an on-premises-only
    object for each incoming side Entra ID does not have."""
    if not errors:
        return objects
    live = [obj for obj in objects if not obj.is_deleted]
    by_anchor = {obj.immutable_id: obj.id for obj in live if obj.immutable_id}
    by_dn = {obj.distinguished_name.casefold(): obj.id for obj in live if obj.distinguished_name}
    by_upn = {obj.on_premises_upn.casefold(): obj.id for obj in live if obj.on_premises_upn}
    # Graph gives a synced contact no anchor and no DN: its mail is how it is known
    by_contact_mail = {obj.mail.casefold(): obj.id for obj in live
                       if obj.kind is ObjectKind.CONTACT and obj.sync_enabled and obj.mail}
    joined: dict[str, list[ExportError]] = {}
    alone: dict[str, list[ExportError]] = {}
    for error in errors:
        side = error.incoming
        dn = side.distinguished_name or error.dn
        upn = side.on_premises_upn or side.user_principal_name
        mail = side.mail if kind_named(side.object_type) is ObjectKind.CONTACT else None
        found = ((side.source_anchor and by_anchor.get(side.source_anchor))
                 or (dn and by_dn.get(dn.casefold())) or (upn and by_upn.get(upn.casefold()))
                 or (mail and by_contact_mail.get(mail.casefold())))
        if found:
            joined.setdefault(found, []).append(error)
        else:
            key = side.object_guid or dn or upn or f"{error.error_type}:{error.value}"
            alone.setdefault(key.casefold(), []).append(error)
    attached = [replace(obj, export_errors=tuple(joined[obj.id])) if obj.id in joined and not obj.is_deleted else obj
                for obj in objects]
    return attached + [_on_premises_only(key, found) for key, found in alone.items()]


def on_premises_match(objects: list[DirectoryObject], query: str) -> DirectoryObject | None:
    """The object only another source knows that ``query`` names: its DN, objectGuid, UPN
    or on-premises UPN (case-insensitive)."""
    wanted = query.strip().casefold()
    for obj in objects:
        if not obj.in_entra and wanted in {v.casefold() for v in (obj.distinguished_name, obj.object_guid,
                                                                   obj.user_principal_name, obj.on_premises_upn) if v}:
            return obj
    return None
