"""Plain data shared by every layer: what syncdash knows about a tenant and its objects.

Nothing here does I/O or knows about Graph's wire format; the graph layer builds these
objects from raw JSON and the diagnosis and UI only ever read them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timezone

from syncdash.export_error import ExportError


class ObjectKind(str, enum.Enum):
    """The three kinds of directory object Entra Connect synchronizes."""

    USER = "user"
    GROUP = "group"
    CONTACT = "contact"


def kind_named(object_type: str | None) -> ObjectKind:
    """The kind another source names ("User", "group", "Contact"); a user when unnamed."""
    folded = (object_type or "").casefold()
    return ObjectKind.GROUP if folded == "group" else ObjectKind.CONTACT if folded == "contact" else ObjectKind.USER


#: How each source is named to the admin (the header, report, check, the compare view).
SOURCE_TITLES = {"graph": "Graph", "connect-health": "Connect Health", "ad": "On-premises AD",
                 "server": "Connect server files"}


class ConflictProperty(str, enum.Enum):
    """The attribute a provisioning error is about.

    Graph spells proxy-address conflicts both ``ProxyAddress`` and ``ProxyAddresses``;
    they are one thing to an administrator, so they are one value here.
    """

    USER_PRINCIPAL_NAME = "UserPrincipalName"
    PROXY_ADDRESS = "ProxyAddress"
    OTHER = "Other"

    @classmethod
    def from_graph(cls, raw: str | None) -> ConflictProperty:
        """Map Graph's ``propertyCausingError`` (any case, either proxy spelling)."""
        folded = (raw or "").strip().lower()
        if folded == "userprincipalname":
            return cls.USER_PRINCIPAL_NAME
        if folded in ("proxyaddress", "proxyaddresses"):
            return cls.PROXY_ADDRESS
        return cls.OTHER


def utc(moment: datetime) -> datetime:
    """Make a timestamp timezone-aware UTC; Graph sometimes sends naive ones, meaning UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


@dataclass(frozen=True, slots=True)
class ProvisioningError:
    """One entry of ``onPremisesProvisioningErrors`` (Duplicate Attribute Resiliency)."""

    category: str
    property: ConflictProperty
    property_raw: str
    value: str
    occurred: datetime | None


class ServiceErrorKind(str, enum.Enum):
    """What a service error is about, read from its text by the graph layer.

    Each kind has its own fix: a duplicate is resolved on whichever object should not
    hold the value, a hold by a compliance decision, a GUID mismatch by making the
    on-premises mailbox GUIDs agree with Exchange Online's. UNRECOGNISED says syncdash
    cannot tell, so the diagnosis offers only the generic advice and says so.
    """

    DUPLICATE_VALUE = "duplicate-value"
    HOLD = "hold"
    GUID_MISMATCH = "guid-mismatch"
    INVALID_VALUE = "invalid-value"
    UNRECOGNISED = "unrecognised"


@dataclass(frozen=True, slots=True)
class ServiceError:
    """One ``serviceProvisioningError``: a workload such as Exchange refused the object."""

    service_instance: str
    created: datetime | None
    resolved: bool
    detail_xml: str
    summary: str
    #: The attributes the XML names as failing (ErrorParameter), e.g. ("EmailAddresses",).
    parameters: tuple[str, ...] = ()
    #: What the error is about; UNRECOGNISED when no record's text is one syncdash knows.
    kind: ServiceErrorKind = ServiceErrorKind.UNRECOGNISED
    #: The value the recognised record names, exactly as quoted there (``smtp:a@contoso.com``,
    #: a GUID), or None: step 2 looks it up like a PropertyConflict's value.
    value: str | None = None


@dataclass(frozen=True, slots=True)
class DirectoryObject:
    """A user, group or contact with every field syncdash reasons about.

    ``sync_enabled`` keeps Graph's three states: True (synced now), False (was synced,
    now cloud-managed) and None (never synced: a cloud-only object).
    """

    id: str
    kind: ObjectKind
    display_name: str
    user_principal_name: str | None = None
    mail: str | None = None
    mail_nickname: str | None = None
    proxy_addresses: tuple[str, ...] = ()
    account_enabled: bool | None = None
    sync_enabled: bool | None = None
    last_sync: datetime | None = None
    immutable_id: str | None = None
    distinguished_name: str | None = None
    sam_account_name: str | None = None
    security_identifier: str | None = None
    on_premises_upn: str | None = None
    on_premises_domain: str | None = None
    on_premises_netbios: str | None = None
    provisioning_errors: tuple[ProvisioningError, ...] = ()
    service_errors: tuple[ServiceError, ...] = ()
    deleted: datetime | None = None
    #: Export errors another source (Connect Health) reported for this object.
    export_errors: tuple[ExportError, ...] = ()
    #: False for an object known only on-premises: its first export failed, so Entra ID
    #: has none (its ``id`` is then syncdash's own, ``onprem:`` and its objectGuid or DN).
    in_entra: bool = True
    object_guid: str | None = None

    @property
    def is_deleted(self) -> bool:
        """True for an object read from the recycle bin (deletedItems)."""
        return self.deleted is not None

    @property
    def unresolved_service_errors(self) -> tuple[ServiceError, ...]:
        return tuple(error for error in self.service_errors if not error.resolved)

    @property
    def has_errors(self) -> bool:
        """Whether the object belongs on the sync-error list."""
        return bool(self.provisioning_errors or self.unresolved_service_errors or self.export_errors)

    @property
    def service_duplicates(self) -> tuple[ServiceError, ...]:
        """Unresolved service errors saying another recipient holds a value (Exchange's
        own duplicate check): searched for and named like a PropertyConflict."""
        return tuple(e for e in self.unresolved_service_errors
                     if e.kind is ServiceErrorKind.DUPLICATE_VALUE and e.value and e.value.strip())

    @property
    def conflicting_values(self) -> tuple[str, ...]:
        """Every value another object is said to hold: step 2 names who holds each."""
        values = [e.value for e in self.provisioning_errors] + [e.value for e in self.service_duplicates if e.value]
        values += [e.value for e in self.export_errors if e.value and e.is_conflict]
        return tuple(dict.fromkeys(values))

    @property
    def newest_error(self) -> datetime | None:
        """When the most recent of its errors happened: the list sorts by it."""
        moments = [e.occurred for e in self.provisioning_errors if e.occurred]
        moments += [e.created for e in self.unresolved_service_errors if e.created]
        moments += [since for e in self.export_errors if (since := e.first_occurred or e.occurred)]
        return max(moments, default=None)

    @property
    def upn(self) -> str | None:
        """The UPN as admins know it: Entra ID prefixes a deleted user's UPN with its id's
        hex digits, which is stripped here."""
        upn = self.user_principal_name
        prefix = self.id.replace("-", "")
        if upn and self.is_deleted and prefix and upn.lower().startswith(prefix.lower()):
            return upn[len(prefix):]
        return upn

    @property
    def primary_smtp(self) -> str | None:
        """The primary address (``SMTP:`` in capitals), else mail: what soft match pairs on."""
        for proxy in self.proxy_addresses:
            if proxy.startswith("SMTP:"):
                return proxy[5:]
        return self.mail

    @property
    def identity(self) -> str:
        """The name an administrator searches by: UPN, else mail, else display name."""
        return self.upn or self.mail or self.display_name


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    verified: bool
    initial: bool
    default: bool
    authentication: str | None = None


@dataclass(frozen=True, slots=True)
class Unknown:
    """A part of the tenant status that could not be read, and why (e.g. a 403)."""

    reason: str


@dataclass(frozen=True, slots=True)
class SyncSettings:
    """``/directory/onPremisesSynchronization``: sync features and deletion protection."""

    features: dict[str, bool] = field(default_factory=dict)
    deletion_prevention: str | None = None
    deletion_threshold: int | None = None


class SourceState(str, enum.Enum):
    READ = "read"
    UNAVAILABLE = "unavailable"  # configured, but could not be read (no service, no role, not reachable)
    OFF = "off"  # turned off by the admin


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One source as the admin is told about it: in the header, in ``report`` and ``check``."""

    name: str
    state: SourceState
    reason: str | None = None
    #: When the source's own data was current (Connect Health: its last report), else when read.
    as_of: datetime | None = None
    #: What was read, for a source that was: how old its data may be, or where it came from.
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class HealthNote:
    """A line of sync health for the header: the last export run, an active alert."""

    level: str  # "error", "warning" or "info"
    text: str


@dataclass(frozen=True, slots=True)
class TenantStatus:
    """What the tenant says about its directory synchronization.

    Each part read from its own endpoint may instead be an :class:`Unknown`, so that a
    403 on one endpoint only blanks the part that needs it.
    """

    tenant_id: str | Unknown
    name: str | Unknown
    sync_enabled: bool | None | Unknown
    last_sync: datetime | None | Unknown
    domains: tuple[Domain, ...] | Unknown
    sync_settings: SyncSettings | Unknown
    #: The evidence sources beyond Graph and how each was read (Connect Health, …).
    sources: tuple[SourceStatus, ...] = ()
    #: Sync health those sources report: the last export run, active alerts.
    health: tuple[HealthNote, ...] = ()

    @property
    def initial_domain(self) -> str | None:
        if isinstance(self.domains, Unknown):
            return None
        return next((d.name for d in self.domains if d.initial), None)

    @property
    def verified_domains(self) -> tuple[str, ...] | None:
        if isinstance(self.domains, Unknown):
            return None
        return tuple(d.name for d in self.domains if d.verified)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The objects with errors, and whether the list is known to be complete.

    Only a full scan proves completeness: the server-side filter misses service errors and
    has been reported to return partial results.
    """

    objects: tuple[DirectoryObject, ...]
    complete: bool
    #: Kinds that could not be read (a 403), each with its reason: the list lacks them.
    unavailable: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanProgress:
    """One page of a full scan, so a UI can show how far it got."""

    kind: ObjectKind
    scanned: int
    page: tuple[DirectoryObject, ...]
    done: bool
    #: Set on the last progress of a kind Graph refused to list (a 403), with the reason.
    denied: str | None = None


@dataclass(frozen=True, slots=True)
class ObjectFacts:
    """Everything the diagnosis needs about one object, gathered by the graph layer.

    ``object`` is None when what the admin asked for is not in Entra ID at all; the
    diagnosis then reasons from ``query`` and the recycle bin alone.
    """

    query: str
    object: DirectoryObject | None
    tenant: TenantStatus
    #: Every other object (live or deleted) holding each conflicting value, keyed by the
    #: value as the provisioning error records it.
    holders: dict[str, tuple[DirectoryObject, ...]]
    #: Deleted objects that are this object's own (same UPN, mail or immutableId).
    recycle_bin: tuple[DirectoryObject, ...]
    #: Cloud-only objects holding the UPN or primary SMTP this object would soft-match on.
    soft_match_candidates: tuple[DirectoryObject, ...]
    #: Lookups that could not run (e.g. a 403 on contacts), each with its reason.
    unavailable: tuple[str, ...]
    now: datetime


def check_id(step: int, key: str) -> str:
    """How a manual check is named in the admin's ticks: its step and its stable key."""
    return f"{step}:{key}"


@dataclass(frozen=True, slots=True)
class AdminWork:
    """What the admin recorded for an object in the dashboard: the manual checks ticked
    (each with when; None for a tick made before syncdash kept the time) and a note."""

    ticks: dict[str, datetime | None] = field(default_factory=dict)
    note: str = ""

    def done(self, step: int, key: str) -> tuple[bool, datetime | None]:
        ticked = check_id(step, key)
        return ticked in self.ticks, self.ticks.get(ticked)
