"""What the Entra Connect server's own files say: its connector spaces (csexport XML,
Get-ADSyncCSObject JSON, ADSyncTools' disconnector CSV), its scheduler and its dry-run
of one object (Invoke-ADSyncSingleObjectSync) — one shape whatever file it came from.

The server keeps two connector spaces that matter here: the AD connector's (objects by
their AD DN, anchored by objectGUID) and the Entra connector's (``CN={hex}`` DNs, the hex
of the sourceAnchor's characters, which is the cloud object's onPremisesImmutableId).
:class:`ServerIndex` joins both to the cloud and to AD; the diagnosis reads
:class:`ServerFacts`, never a file.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import datetime

from syncdash.model import DirectoryObject, ExportError, OnPremisesSide
from syncdash.onprem import ADObject, dn_key

#: Which connector space an object is in.
ENTRA, AD = "entra", "ad"
#: The Entra connector's fixed identifier on every Entra Connect server.
ENTRA_CONNECTOR_ID = "b891884f-051e-4a83-95af-2544101c9083"
_HEX_DN = re.compile(r"\s*CN=\{([0-9A-Fa-f]+)\}\s*", re.IGNORECASE)


class BadServerFile(ValueError):
    """A file that is not one of the server's files syncdash reads, or cannot be read:
    its one-line message names the file."""


def anchor_of_dn(dn: str | None) -> str | None:
    """The sourceAnchor an Entra connector DN encodes (``CN={5146…3D3D}`` →
    ``QF5HMK7n80qvdYsUPIHa9Q==``, as ADSyncTools' ConvertFrom-ADSyncToolsAadDistinguishedName),
    or None for any other DN."""
    match = _HEX_DN.fullmatch(dn or "")
    if match is None or len(match.group(1)) % 2:
        return None
    try:
        return bytes.fromhex(match.group(1)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def dn_of_anchor(anchor: str) -> str:
    """The Entra connector DN of a sourceAnchor (the inverse of :func:`anchor_of_dn`)."""
    return "CN={" + anchor.encode("utf-8").hex().upper() + "}"


def immutable_id_of_guid(guid: str | None) -> str | None:
    """The onPremisesImmutableId an objectGUID anchor gives (base64 of its bytes as AD
    holds them)."""
    if not guid:
        return None
    try:
        return base64.b64encode(uuid.UUID(guid).bytes_le).decode("ascii")
    except ValueError:
        return None


def guid_of_base64(text: str | None) -> str | None:
    """An objectGUID written as base64 of its 16 bytes (an AD connector anchor), as text."""
    if not text:
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return str(uuid.UUID(bytes_le=raw)) if len(raw) == 16 else None


def cloud_id_of_anchor(cloud_anchor: str | None) -> str | None:
    """The Entra object id in a cloudAnchor (``User_<id>``)."""
    _, _, rest = (cloud_anchor or "").partition("_")
    try:
        return str(uuid.UUID(rest)) if rest else None
    except ValueError:
        return None


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

    def describe(self, limit: int = 6) -> str:
        """``update: userPrincipalName replace 'a@b'; proxyAddresses add 'smtp:c@d'``."""
        parts = []
        for change in self.changes[:limit]:
            shown = ", ".join(repr(v) for v in change.values[:3]) + (" …" if len(change.values) > 3 else "")
            parts.append(f"{change.attribute} {change.operation}" + (f" {shown}" if shown else ""))
        more = f"; {len(self.changes) - limit} more attributes" if len(self.changes) > limit else ""
        return f"{self.operation}" + (f": {'; '.join(parts)}{more}" if parts else "")


@dataclass(frozen=True, slots=True)
class ConnectorObject:
    """One object of a connector space, as the files describe it."""

    connector: str  # ENTRA or AD
    dn: str
    object_type: str
    #: The file it was read from.
    origin: str
    cs_id: str | None = None
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

    def merged(self, other: ConnectorObject) -> ConnectorObject:
        """This object with what ``other`` (the same object, from another file) adds."""
        return replace(self, **{f.name: value for f in fields(self)
                                if (value := getattr(other, f.name)) not in (None, ()) and f.name != "origin"})


@dataclass(frozen=True, slots=True)
class Scheduler:
    """Get-ADSyncScheduler: whether the server syncs, and exports, at all."""

    origin: str
    sync_cycle_enabled: bool | None = None
    staging_mode: bool | None = None
    suspended: bool | None = None
    in_progress: bool | None = None
    next_run: datetime | None = None
    interval_minutes: float | None = None


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
    object_guid: str | None = None
    target_id: str | None = None
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
    #: Connector spaces it holds objects of (ENTRA, AD).
    connectors: frozenset[str] = frozenset()
    #: A csexport of errors or pending exports only (/f:e, /f:x…): absence proves nothing.
    filtered: bool = False
    #: Set when the file could be read only in part: why, in one line.
    partial: str | None = None
    #: The domains (``dc=contoso,dc=com``) its AD connector objects are in.
    domains: frozenset[str] = frozenset()


def domain_of(dn: str) -> str:
    """A DN's domain part (``dc=contoso,dc=com``), compared as AD does."""
    return ",".join(part for part in dn_key(dn).split(",") if part.startswith("dc="))


def _key(connector: str, dn: str) -> tuple[str, str]:
    return connector, dn_key(dn)


class ServerIndex:
    """Every file's objects, merged (the same object in a csexport and a CS-object JSON
    is one), and indexed the ways the cloud and AD sides ask."""

    def __init__(self, files: Iterable[ServerFile], objects: Iterable[ConnectorObject],
                 schedulers: Iterable[Scheduler] = (), syncs: Iterable[SingleObjectSync] = ()) -> None:
        self.files = tuple(files)
        merged: dict[tuple[str, str], ConnectorObject] = {}
        for obj in objects:
            key = _key(obj.connector, obj.dn)
            merged[key] = merged[key].merged(obj) if key in merged else obj
        self._objects = merged
        self._by_anchor: dict[str, ConnectorObject] = {}
        self._by_cloud_id: dict[str, ConnectorObject] = {}
        self._ad_by_guid: dict[str, ConnectorObject] = {}
        self._by_mv: dict[tuple[str, str], ConnectorObject] = {}
        self._by_upn: dict[tuple[str, str], ConnectorObject] = {}
        for obj in merged.values():
            if obj.upn:
                self._by_upn.setdefault((obj.connector, obj.upn.casefold()), obj)
            if obj.connector == ENTRA:
                if obj.anchor:
                    self._by_anchor.setdefault(obj.anchor, obj)
                if obj.cloud_id:
                    self._by_cloud_id.setdefault(obj.cloud_id, obj)
            elif obj.anchor:
                self._ad_by_guid.setdefault(obj.anchor.casefold(), obj)
            if obj.mv_id and obj.joined is not False:
                self._by_mv.setdefault((obj.connector, obj.mv_id.casefold()), obj)
        self.scheduler = next(iter(schedulers), None)
        self.syncs = {dn_key(sync.dn): sync for sync in syncs}

    @property
    def count(self) -> int:
        return len(self._objects)

    @property
    def as_of(self) -> datetime | None:
        """The oldest file's time: what the evidence as a whole is as old as."""
        return min((f.as_of for f in self.files), default=None)

    def objects(self) -> Iterable[ConnectorObject]:
        return self._objects.values()

    def covering(self, connector: str) -> ServerFile | None:
        """The newest complete (unfiltered, fully read) export of a connector space: only
        then does an object's absence mean it is not there."""
        full = [f for f in self.files if f.kind == "csexport" and connector in f.connectors
                and not f.filtered and f.partial is None]
        return max(full, key=lambda f: f.as_of, default=None)

    def entra_twin(self, ad: ConnectorObject) -> ConnectorObject | None:
        """The Entra connector object the AD one flows to: by metaverse object, else by anchor."""
        if ad.mv_id and (found := self._by_mv.get((ENTRA, ad.mv_id.casefold()))):
            return found
        anchor = ad.immutable_id
        return self._by_anchor.get(anchor) if anchor else None

    def ad_twin(self, entra: ConnectorObject) -> ConnectorObject | None:
        if entra.mv_id and (found := self._by_mv.get((AD, entra.mv_id.casefold()))):
            return found
        guid = guid_of_base64(entra.anchor)
        return self._ad_by_guid.get(guid.casefold()) if guid else None

    def facts(self, obj: DirectoryObject | None, ad_own: ADObject | None, query: str) -> ServerFacts:
        """The server's view of one object: its Entra connector object (by anchor, cloud
        id or DN), its AD connector object (by DN, objectGUID or the join), and the
        server-wide state."""
        entra = ad = None
        names: list[str] = [query] if obj is None else []
        if obj is not None:
            entra = ((obj.immutable_id and self._by_anchor.get(obj.immutable_id))
                     or (obj.in_entra and self._by_cloud_id.get(obj.id)) or None)
            names += [n for n in (obj.distinguished_name,) if n]
        if ad_own is not None:
            ad = self._ad_by_guid.get((ad_own.object_guid or "").casefold())
            names.append(ad_own.distinguished_name)
        for name in names:
            ad = ad or self._objects.get(_key(AD, name))
            entra = entra or self._objects.get(_key(ENTRA, name))
        if obj is None and ad is None and entra is None:  # asked by UPN: what the server last synced
            ad, entra = self._by_upn.get((AD, query.strip().casefold())), self._by_upn.get((ENTRA, query.strip().casefold()))
        if ad is None and entra is not None:
            ad = self.ad_twin(entra)
        if entra is None and ad is not None:
            entra = self.entra_twin(ad)
        dn = ad.dn if ad else (ad_own.distinguished_name if ad_own else (obj.distinguished_name if obj else None))
        if dn is None and obj is None and "=" in query:
            dn = query
        sync = self.syncs.get(dn_key(dn)) if dn else None
        return ServerFacts(self.files, entra, ad, dn, self.covering(AD), self.covering(ENTRA), self.scheduler, sync)

    def export_errors(self) -> tuple[ExportError, ...]:
        """The errors on connector-space objects as export errors of the objects they
        belong to: joined to the cloud like Connect Health's, and objects Entra ID never
        received listed on their own."""
        found = []
        for obj in self._objects.values():
            for error in (obj.export_error, obj.import_error):
                if error is not None:
                    found.append(self._export_error(obj, error))
        return tuple(found)

    def _export_error(self, obj: ConnectorObject, error: ServerError) -> ExportError:
        ad = obj if obj.connector == AD else self.ad_twin(obj)
        entra = obj if obj.connector == ENTRA else self.entra_twin(obj)
        incoming = OnPremisesSide(
            display_name=obj.display_name or (ad.display_name if ad else None),
            distinguished_name=ad.dn if ad else (entra.on_premises_dn if entra else None),
            object_guid=ad.anchor if ad else None,
            object_type=obj.object_type, user_principal_name=obj.upn or (ad.upn if ad else None),
            mail=obj.mail or (ad.mail if ad else None),
            source_anchor=(entra.anchor if entra else None) or obj.immutable_id, source_of_authority="Active Directory")
        attribute, value = _conflict(error)
        return ExportError(
            error_type=error.error_type, bucket=error.stage, attribute=attribute, value=value,
            server_detail=error.detail or error.literal, first_occurred=error.first_occurred,
            occurred=error.occurred, dn=incoming.distinguished_name or obj.dn, incoming=incoming,
            existing=OnPremisesSide() if error.conflict_id or error.stage == "export" and value else None,
            source="server", retry_count=error.retry_count, existing_id=error.conflict_id, stage=error.stage)


#: ErrorExtraDetails' attribute names, as the cloud attribute they are.
_ATTRIBUTES = {"proxyaddresses": "proxyAddresses", "userprincipalname": "userPrincipalName", "mail": "mail",
               "sipproxyaddress": "proxyAddresses", "onpremisesimmutableid": "onPremisesImmutableId"}
#: server-error-detail's "[ProxyAddresses SMTP:a@b.com;]".
_DETAIL_VALUE = re.compile(r"\[(\w+) ([^;\]]+);")


def _conflict(error: ServerError) -> tuple[str | None, str | None]:
    """The attribute and value an error is about: ErrorExtraDetails', else the server
    detail's own ``[Attribute value;]``."""
    attribute, values = error.conflict_attribute, error.conflict_values
    if not attribute and error.detail and (match := _DETAIL_VALUE.search(error.detail)):
        attribute, values = match.group(1), (match.group(2).strip(),)
    if not attribute:
        return None, None
    name = _ATTRIBUTES.get(attribute.casefold(), attribute)
    value = values[0] if values else None
    if value and attribute.casefold() == "sipproxyaddress" and ":" not in value:
        value = f"SIP:{value}"
    return name, value


@dataclass(frozen=True, slots=True)
class ServerFacts:
    """The server's answers for one object, for the diagnosis and the detail pane."""

    files: tuple[ServerFile, ...]
    entra: ConnectorObject | None
    ad: ConnectorObject | None
    #: The AD DN the server was asked about (None when nothing names one).
    ad_dn: str | None
    #: The complete connector-space exports read, each None when no file covers it.
    ad_covered: ServerFile | None
    entra_covered: ServerFile | None
    scheduler: Scheduler | None
    sync: SingleObjectSync | None
