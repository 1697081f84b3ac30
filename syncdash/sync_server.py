"""What the Entra Connect server's own files say: its connector spaces (csexport XML,
Get-ADSyncCSObject JSON, ADSyncTools' disconnector CSV), its scheduler and its dry-run
of one object (Invoke-ADSyncSingleObjectSync) — one shape whatever file it came from.

The server keeps two connector spaces that matter here: the AD connector's (objects by
their AD DN, anchored by objectGUID) and the Entra connector's (``CN={hex}`` DNs, the hex
of the sourceAnchor's characters, which is the cloud object's onPremisesImmutableId).
:class:`~syncdash.server_index.ServerIndex` joins both to the cloud and to AD; the
diagnosis reads :class:`ServerFacts`, never a file.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta

from syncdash.anchors import ENTRA_CONNECTOR_ID, anchor_of_dn, cloud_id_of_anchor, immutable_id_of_guid
from syncdash.onprem import dn_key

#: Which connector space an object is in.
ENTRA, AD = "entra", "ad"
#: The server's files are called old past a day: collect them again.
STALE_EVIDENCE = timedelta(hours=24)
#: What a file's read states about an object, by its kind: a newer file of that kind
#: replaces these fields even where it says nothing (no error any more, joined now).
STATES = {"csexport": ("joined", "mv_id", "pending", "export_error", "import_error"),
          "cs-object": ("joined", "mv_id", "export_error"), "disconnectors": ("joined", "mv_id")}
#: The kind of a file that could not be read at all (its ``partial`` says why).
UNREAD = "unreadable"
#: Container objects: a full export of the AD connector space holds its domain's and OUs'.
CONTAINERS = frozenset({"domaindns", "organizationalunit", "container", "builtindomain"})


def connector_of(dn: str, connector_id: str | None = None) -> str:
    """Which connector space an object is in: the Entra connector's by its id, or by its
    ``CN={hex}`` DN (as csexport gives no connector id), else an AD connector's."""
    entra = (connector_id or "").strip().strip("{}").lower() == ENTRA_CONNECTOR_ID or anchor_of_dn(dn) is not None
    return ENTRA if entra else AD


def evidence_age(as_of: datetime, now: datetime) -> str:
    """``3 h old``; past a day ``2.5 days old, older than 24 h`` (a file from a clock ahead: 0 h)."""
    hours = max(0.0, (now - as_of).total_seconds() / 3600)
    if hours > STALE_EVIDENCE.total_seconds() / 3600:
        return f"{hours / 24:.1f} days old, older than 24 h"
    return f"{hours:.0f} h old"


class BadServerFile(ValueError):
    """A file that is not one of the server's files syncdash reads, or cannot be read:
    its one-line message names the file."""


@dataclass(frozen=True, slots=True)
class ServerError:
    """An export error (Entra connector: Entra ID refused the change) or an import error
    as the server recorded it on the connector-space object."""

    stage: str  # "export" or "import"
    #: The error's name: error-name / error-literal when it is one (AttributeValueMustBeUnique),
    #: else error-type (cd-error, permission-issue…).
    error_type: str
    code: str | None = None
    literal: str | None = None
    detail: str | None = None
    retry_count: int | None = None
    first_occurred: datetime | None = None
    occurred: datetime | None = None
    #: From ErrorExtraDetails: the cloud object that holds the value, and which value.
    conflict_id: str | None = None
    conflict_attribute: str | None = None
    conflict_values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    attribute: str
    operation: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PendingExport:
    """What the next export run sends for an object."""

    operation: str  # add, update, replace, delete, delete-add
    changes: tuple[Change, ...] = ()
    #: Exported already and awaiting confirmation by the next import (escrowed-export).
    in_progress: bool = False

    def describe(self, limit: int = 6) -> str:
        """``update: userPrincipalName replace 'a@b'; proxyAddresses add 'smtp:c@d'``."""
        parts = []
        for change in self.changes[:limit]:
            shown = ", ".join(repr(v) for v in change.values[:3]) + (" …" if len(change.values) > 3 else "")
            parts.append(f"{change.attribute} {change.operation}" + (f" {shown}" if shown else ""))
        more = f"; {len(self.changes) - limit} more attributes" if len(self.changes) > limit else ""
        state = " (exported, awaiting confirmation)" if self.in_progress else ""
        return f"{self.operation}{state}" + (f": {'; '.join(parts)}{more}" if parts else "")


@dataclass(frozen=True, slots=True)
class ConnectorObject:
    """One object of a connector space, as the files describe it."""

    connector: str  # ENTRA or AD
    dn: str
    object_type: str
    #: The file it was read from.
    origin: str
    #: Joined to a metaverse object (False: a disconnector), None when the file does not say.
    joined: bool | None = None
    mv_id: str | None = None
    #: Entra connector: the sourceAnchor (its DN's); AD connector: objectGUID as text.
    anchor: str | None = None
    cloud_anchor: str | None = None
    upn: str | None = None
    mail: str | None = None
    display_name: str | None = None
    #: Entra connector: the AD DN it came from (its onPremisesDistinguishedName attribute).
    on_premises_dn: str | None = None
    pending: PendingExport | None = None
    export_error: ServerError | None = None
    import_error: ServerError | None = None
    #: Sync rules that joined or projected it (Get-ADSyncCSObject's Lineage).
    lineage: tuple[str, ...] = ()

    @property
    def cloud_id(self) -> str | None:
        return cloud_id_of_anchor(self.cloud_anchor)

    @property
    def immutable_id(self) -> str | None:
        """The onPremisesImmutableId this object stands for."""
        return self.anchor if self.connector == ENTRA else immutable_id_of_guid(self.anchor)

    def merged(self, newer: ConnectorObject, states: tuple[str, ...]) -> ConnectorObject:
        """This object as a newer file (the same object) shows it: what that file states
        (``states``: an error gone, a join made) replaces, and it adds what it has."""
        changes = {}
        for name in (f.name for f in fields(self)):
            value = getattr(newer, name)
            if name in states or value not in (None, ()):
                changes[name] = value
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Scheduler:
    """Get-ADSyncScheduler: whether the server syncs, and exports, at all."""

    origin: str
    sync_cycle_enabled: bool | None = None
    staging_mode: bool | None = None
    suspended: bool | None = None
    next_run: datetime | None = None
    interval_minutes: float | None = None

    @property
    def stopped(self) -> bool:
        """No sync cycle runs: turned off, or suspended (by the wizard or an upgrade)."""
        return self.sync_cycle_enabled is False or bool(self.suspended)
    #: The last run (Get-ADSyncRunProfileResult, which the collect script adds): when,
    #: which run profile of which connector, and its result (success, completed-export-errors…).
    last_run: datetime | None = None
    last_run_name: str | None = None
    last_result: str | None = None


@dataclass(frozen=True, slots=True)
class SyncStep:
    status: str
    name: str
    description: str
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class SingleObjectSync:
    """Invoke-ADSyncSingleObjectSync's result for one AD object: the server's own run of
    scoping, import, sync and export for it."""

    origin: str
    dn: str
    status: str  # Success, Failure, Skipped (or "" when the run never set one)
    error_code: str = ""
    reason: str = ""
    additional: str = ""
    recommended: str = ""
    started: datetime | None = None
    staging: bool = False
    steps: tuple[SyncStep, ...] = ()

    @property
    def failed_step(self) -> SyncStep | None:
        return next((step for step in self.steps if step.status.casefold() == "failure"), None)


@dataclass(frozen=True, slots=True)
class ServerFile:
    """One file read: what it is, when it was made, and how much of it was read."""

    origin: str
    kind: str  # csexport, cs-object, disconnectors, single-object-sync, scheduler
    as_of: datetime
    count: int = 0
    #: Set when the file could be read only in part: why, in one line.
    partial: str | None = None
    #: The domains (``dc=contoso,dc=com``) whose containers (the domain, its OUs) it holds:
    #: a whole AD connector space does, an export of one object or of errors does not.
    domains: frozenset[str] = frozenset()


def domain_of(dn: str) -> str:
    """A DN's domain part (``dc=contoso,dc=com``), compared as AD does."""
    return ",".join(part for part in dn_key(dn).split(",") if part.startswith("dc="))


@dataclass(frozen=True, slots=True)
class ServerFacts:
    """The server's answers for one object, for the diagnosis and the detail pane."""

    files: tuple[ServerFile, ...]
    entra: ConnectorObject | None
    ad: ConnectorObject | None
    #: The AD DN the server was asked about (None when nothing names one).
    ad_dn: str | None
    #: The oldest readable file's time: what the evidence as a whole is as old as.
    as_of: datetime | None
    #: The complete AD connector-space export of the object's domain, None when none was read.
    ad_covered: ServerFile | None
    scheduler: Scheduler | None
    sync: SingleObjectSync | None
    #: The object exists on-premises, a complete export of its domain's connector space
    #: does not hold it, and nothing says it is there (no export error, no Entra
    #: connector object, not changed since the export): filtered out.
    filtered_out: bool = False

    def file(self, origin: str) -> ServerFile | None:
        return next((f for f in self.files if f.origin == origin), None)
