"""What the workers tell the UI. Workers only read Graph and post these; the app holds
the state and the widgets draw it.

Dataclasses without ``repr`` or ``eq``: a message may carry 100,000 objects, and nothing
should ever format or compare them whole."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from syncdash.diagnose.audit import AuditedObject
from syncdash.diagnose.findings import Diagnosis
from syncdash.graph.index import DirectoryIndex
from syncdash.model import DirectoryObject, ObjectFacts, ObjectKind
from syncdash.ui.rows import Row

if TYPE_CHECKING:
    from syncdash.graph.tenant import TenantSnapshot
    from syncdash.pipeline import TenantView

_QUIET = {"repr": False, "eq": False}
#: Every worker's description: without one, Textual describes a worker by the repr of its
#: arguments, which for a list of 100,000 objects held the event loop for 5 s (and would
#: put directory data in its debug output).
QUIET = "syncdash worker"


@dataclass(**_QUIET)
class TenantRead(Message):
    """The tenant status and recycle bin, just read."""

    snapshot: TenantSnapshot


@dataclass(**_QUIET)
class CachedObjects(Message):
    """The cached list's objects, decoded in a thread after its rows were drawn."""

    objects: tuple[DirectoryObject, ...]
    index: DirectoryIndex


@dataclass(**_QUIET)
class ListRead(Message):
    """The fast, filtered list arrived (not complete: the full scan is still running),
    with its rows and an index of its objects built by the worker."""

    objects: tuple[DirectoryObject, ...]
    complete: bool
    rows: dict[str, Row]
    index: DirectoryIndex


@dataclass(**_QUIET)
class Scanned(Message):
    """How many objects the running scan has read."""

    count: int


@dataclass(**_QUIET)
class ScanFinished(Message):
    """A complete reading: the list, and an index of every object to answer lookups
    locally; with the list's rows and which objects are unchanged (``same``: the list
    they were compared with, and their ids), both worked out by the worker."""

    view: TenantView
    rows: dict[str, Row]
    same: tuple[dict[str, DirectoryObject], set[str]]
    #: The bars and sparkline above the list (export.summary), made in the worker.
    summary: str = ""

    @property
    def objects(self) -> tuple[DirectoryObject, ...]:
        return self.view.in_error

    @property
    def index(self) -> DirectoryIndex:
        return self.view.index

    @property
    def unavailable(self) -> tuple[str, ...]:
        return self.view.unavailable

    @property
    def complete(self) -> bool:
        return self.view.complete

    @property
    def resynced(self) -> tuple[ObjectKind, ...]:
        return self.view.resynced


@dataclass(**_QUIET)
class NothingChanged(Message):
    """A refresh found the tenant as the list on screen already shows it."""


@dataclass(**_QUIET)
class RefreshFailed(Message):
    reason: str


@dataclass(**_QUIET)
class Throttled(Message):
    """Graph asked syncdash to wait this long before its next try."""

    seconds: float


@dataclass(**_QUIET)
class LookupFailed(Message):
    """The chosen object's lookups failed (before the complete scan)."""

    object_id: str
    reason: str


@dataclass(**_QUIET)
class Diagnosed(Message):
    object_id: str
    facts: ObjectFacts
    diagnosis: Diagnosis


@dataclass(**_QUIET)
class AuditDone(Message):
    """The on-premises audit of the AD read, against the tenant on screen."""

    results: list[AuditedObject]
    origins: str
    read: int
