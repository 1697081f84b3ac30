"""What the workers tell the UI. Workers only read Graph and post these; the app holds
the state and the widgets draw it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from syncdash.diagnose.findings import Diagnosis
from syncdash.graph.index import DirectoryIndex
from syncdash.model import DirectoryObject, ObjectFacts
from syncdash.ui.rows import Row

if TYPE_CHECKING:
    from syncdash.graph.tenant import TenantSnapshot
    from syncdash.pipeline import TenantView


class TenantRead(Message):
    """The tenant status and recycle bin, just read."""

    def __init__(self, snapshot: TenantSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class CachedObjects(Message):
    """The cached list's objects, decoded in a thread after its rows were drawn."""

    def __init__(self, objects: tuple[DirectoryObject, ...], index: DirectoryIndex) -> None:
        super().__init__()
        self.objects = objects
        self.index = index


class ListRead(Message):
    """The fast, filtered list arrived (not complete: the full scan is still running),
    with its rows and an index of its objects built by the worker."""

    def __init__(self, objects: tuple[DirectoryObject, ...], complete: bool, rows: dict[str, Row],
                 index: DirectoryIndex) -> None:
        super().__init__()
        self.objects = objects
        self.complete = complete
        self.rows = rows
        self.index = index


class Scanned(Message):
    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count


class ScanFinished(Message):
    """A complete reading: the list, and an index of every object to answer lookups
    locally; with the list's rows and which objects are unchanged (``same``: the list
    they were compared with, and their ids), both worked out by the worker."""

    def __init__(self, view: TenantView, *, rows: dict[str, Row],
                 same: tuple[dict[str, DirectoryObject], set[str]]) -> None:
        super().__init__()
        self.rows = rows
        self.same = same
        self.resynced = view.resynced
        self.objects = view.in_error
        self.index = view.index
        self.unavailable = view.unavailable
        self.complete = view.complete


class NothingChanged(Message):
    """A refresh found the tenant as the list on screen already shows it."""


class RefreshFailed(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class LookupFailed(Message):
    """The chosen object's lookups failed (before the complete scan)."""

    def __init__(self, object_id: str, reason: str) -> None:
        super().__init__()
        self.object_id = object_id
        self.reason = reason


class Diagnosed(Message):
    def __init__(self, object_id: str, facts: ObjectFacts, diagnosis: Diagnosis) -> None:
        super().__init__()
        self.object_id = object_id
        self.facts = facts
        self.diagnosis = diagnosis
