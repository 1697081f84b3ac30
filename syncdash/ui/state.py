"""What the dashboard knows, and how each answer from the tenant changes it.

No Textual here: the app applies an event to a :class:`Dashboard` and redraws from it, so
the rules that decide what the admin is told (which rows are new, which objects resolved,
how fresh the list is, when a notification would repeat) are tested directly, without a
screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING

from syncdash.onprem import OnPremisesFacts
from syncdash.sync_server import ServerFacts
from syncdash.ui.list_changes import resolved_notices
from syncdash.ui.rows import COLUMNS, SORT_NEWEST, Row, RowSet, View, descending, row_from_cache, sort_arrow

if TYPE_CHECKING:
    from syncdash.diagnose.findings import Diagnosis
    from syncdash.graph.index import DirectoryIndex
    from syncdash.model import DirectoryObject, ObjectFacts, ObjectKind, TenantStatus
    from syncdash.pipeline import TenantView
    from syncdash.store import CachedRows


@dataclass(frozen=True, slots=True)
class Freshness:
    """How the list on screen came to be: from the cache or live, complete or not."""

    source: str  # "cached", "live" or "stale"
    complete: bool
    refreshed: datetime | None
    scanning: bool
    scanned: int = 0
    problem: str | None = None
    #: After a failed refresh: when the next one runs (``r`` runs it at once).
    next_try: datetime | None = None


STARTING = Freshness("live", complete=False, refreshed=None, scanning=True)


@dataclass(frozen=True, slots=True)
class ListChange:
    """What a new list means for the screen beyond its rows."""

    #: Rows to mark new: none unless the list is compared with one alike.
    added: frozenset[str] = frozenset()
    #: Notifications for the objects that left the list (their errors resolved).
    resolved: tuple[str, ...] = ()
    #: The chosen object, when it changed or the list was announced: diagnose it again.
    rediagnose: DirectoryObject | None = None


class Chosen(Enum):
    """How the chosen object's checklist will be answered."""

    DIAGNOSED = "diagnosed"  # from the complete scan's index, already done
    REMOTE = "remote"  # its holders must be looked up in Graph
    WAITING = "waiting"  # nothing can run before the tenant status arrives


class Dashboard:
    """One tenant's state on screen; a profile switch starts a new one."""

    def __init__(self, view: View | None = None) -> None:
        self.rows = RowSet()
        self.view = view or View()
        self.objects: dict[str, DirectoryObject] = {}
        self.tenant: TenantStatus | None = None
        #: Every object of the complete scan, by the values they hold.
        self.index: DirectoryIndex | None = None
        #: The listed objects in error, indexed, while there is no complete scan: the chosen
        #: object's lookups ask it instead of listing every object in error again.
        self.listed: DirectoryIndex | None = None
        self.unavailable: tuple[str, ...] = ()
        self.freshness = STARTING
        self.selected: DirectoryObject | None = None
        self.facts: ObjectFacts | None = None
        #: What on-premises AD says of the chosen object, when AD was read.
        self.on_premises: OnPremisesFacts | None = None
        #: What the Connect server's files say of the chosen object.
        self.server: ServerFacts | None = None
        self.diagnosis: Diagnosis | None = None
        #: No list yet to compare with: the first is neither marked new nor announced.
        self._first_list = True
        #: The kinds the last scan could not read: a scan is compared only with one alike.
        self._unreadable_before: tuple[str, ...] = ()
        self._throttle_told = False  # one notification per throttled refresh

    # -- the list --------------------------------------------------------------------------
    def show_cached(self, cached: CachedRows) -> None:
        """The last list of this tenant, marked cached until Graph answers; its objects
        come later (:meth:`cached_objects`)."""
        self.tenant = cached.tenant
        self.freshness = Freshness("cached", cached.complete, cached.taken, scanning=True)
        self.rows.preload([row for row in map(row_from_cache, cached.rows) if row is not None])
        self.objects = {}
        # the first scan is compared with a complete snapshot: what changed while
        # syncdash was closed is marked new or announced as resolved
        self._first_list, self._unreadable_before = not cached.complete, ()

    def cached_objects(self, objects: tuple[DirectoryObject, ...], index: DirectoryIndex) -> bool:
        """The cached list's objects, decoded; False when Graph answered first (its list stands)."""
        if self.freshness.source != "cached" or self.objects:
            return False
        self.objects = {obj.id: obj for obj in objects if obj.id in self.rows.rows}
        self.listed = index
        self.rows.adopt(self.objects.values())
        return True

    def list_read(self, objects: tuple[DirectoryObject, ...], complete: bool, rows: dict[str, Row],
                  index: DirectoryIndex, now: datetime) -> ListChange | None:
        """The fast filtered list; None when a cached list, more complete, is on screen."""
        if self.freshness.source == "cached" and self.objects:
            return None
        self.freshness = Freshness("live", complete, now, scanning=True)
        self.listed = index
        return self.take_list(objects, announce=False, rows=rows)

    def scanned(self, count: int) -> None:
        f = self.freshness
        self.freshness = Freshness(f.source, f.complete, f.refreshed, True, count, None)

    def scan_finished(self, view: TenantView, rows: dict[str, Row],
                      same: tuple[dict[str, DirectoryObject], set[str]], now: datetime) -> ListChange:
        """A complete reading: the list compared with the last one read alike."""
        self.tenant, self.index, self.unavailable = view.status, view.index, view.unavailable
        problem = "; ".join(view.unavailable) or None
        self.freshness = Freshness("live", view.complete, now, scanning=False, problem=problem)
        # compared only with a scan that could read the same kinds: a kind refused since
        # (403) would otherwise be announced as resolved, object by object
        alike = view.unavailable == self._unreadable_before
        known = self.rows.complete  # a cached list whose objects are still being decoded cannot be compared
        change = self.take_list(view.in_error, announce=not self._first_list and alike and known, rows=rows,
                                same=same)
        self._first_list, self._unreadable_before = False, view.unavailable
        self._throttle_told = False
        return change

    def take_list(self, objects: tuple[DirectoryObject, ...], *, announce: bool, rows: dict[str, Row] | None = None,
                  same: tuple[dict[str, DirectoryObject], set[str]] | None = None) -> ListChange:
        before = self.objects
        self.objects = {obj.id: obj for obj in objects}
        added, removed, changed = self.rows.replace(objects, rows, same)
        chosen = self.selected
        again = None
        if chosen is not None and (chosen.id in changed or chosen.id in removed or announce):
            again = self.objects.get(chosen.id)
        if not announce:
            return ListChange(rediagnose=again)
        return ListChange(frozenset(added), tuple(resolved_notices(before[i] for i in removed)), again)

    def shown(self) -> list[Row]:
        return self.rows.view(self.view)

    def list_title(self) -> tuple[str, str]:
        """The list pane's title and subtitle: counts, kind and filter; the sort."""
        from syncdash.sanitize import safe_text

        view = self.view
        kind = f" · {view.kind.value}s" if view.kind else ""
        text = f" · filter {safe_text(view.filter)!r}" if view.filter else ""
        order = "high to low" if descending(view) else "low to high"
        if view.sort == SORT_NEWEST:
            order = "newest first" if descending(view) else "oldest first"
        title = f"Objects with sync errors ({len(self.shown())}/{len(self.rows.rows)}){kind}{text}"
        return title, f"sorted by {COLUMNS[view.sort]} {sort_arrow(view)} {order}"

    # -- how fresh it is -----------------------------------------------------------------
    def tenant_read(self, status: TenantStatus) -> bool:
        """True when the chosen object waited for the status to be diagnosed."""
        self.tenant = status
        return self.selected is not None and self.diagnosis is None

    def nothing_changed(self, now: datetime) -> None:
        self.freshness = Freshness("live", self.freshness.complete, now, scanning=False,
                                   problem="; ".join(self.unavailable) or None)
        self._throttle_told = False

    def refresh_failed(self, reason: str, now: datetime, retry_in: float) -> None:
        """Stale, with the reason and when the next try comes."""
        f = self.freshness
        next_try = now + timedelta(seconds=retry_in)
        self.freshness = Freshness("stale", f.complete, f.refreshed, False, f.scanned, reason, next_try)

    def throttled(self, seconds: float) -> bool:
        """In the header while it lasts; True only for the first retry of an episode (the
        one worth a notification)."""
        f = self.freshness
        self.freshness = Freshness(f.source, f.complete, f.refreshed, f.scanning, f.scanned,
                                   f"throttled, retrying in {seconds:g} s")
        first, self._throttle_told = not self._throttle_told, True
        return first

    # -- the chosen object ---------------------------------------------------------------
    def choose(self, obj: DirectoryObject, now: datetime) -> Chosen:
        """Diagnosed at once from the complete scan's index; otherwise it waits for Graph."""
        self.selected = obj
        self.facts = self.diagnosis = self.on_premises = self.server = None
        if self.tenant is None:
            return Chosen.WAITING
        if self.index is None:
            return Chosen.REMOTE
        from syncdash.pipeline import diagnose_in_full

        done = diagnose_in_full(self.index, obj, tenant=self.tenant, now=now, unavailable=self.unavailable)
        self.facts, self.diagnosis = done.facts, done.diagnosis
        self.on_premises, self.server = done.on_premises, done.server
        return Chosen.DIAGNOSED

    def choose_nothing(self) -> None:
        """The filter left no row: nothing is chosen, and no lookup is waited for."""
        self.selected = self.facts = self.diagnosis = self.on_premises = self.server = None

    def diagnosed(self, object_id: str, facts: ObjectFacts, diagnosis: Diagnosis) -> bool:
        """A remote diagnosis counts only while nothing newer (a local one, from the
        complete scan) has answered for the same object."""
        if self.selected is None or self.selected.id != object_id or self.diagnosis is not None:
            return False
        self.facts, self.diagnosis = facts, diagnosis
        return True

    def is_chosen(self, object_id: str) -> bool:
        return self.selected is not None and self.selected.id == object_id

    # -- the view --------------------------------------------------------------------------
    def filter(self, text: str) -> None:
        self.view = View(text, self.view.kind, self.view.sort, self.view.reverse)

    def show_all(self) -> None:
        """No filter and every kind, the sort kept (a jump to an object must find it)."""
        self.view = View(kind=None, sort=self.view.sort, reverse=self.view.reverse)

    def only(self, kind: ObjectKind | None) -> None:
        self.view = View(self.view.filter, kind, self.view.sort, self.view.reverse)

    def sort_by_next(self) -> None:
        self.view = View(self.view.filter, self.view.kind, (self.view.sort + 1) % len(COLUMNS), False)

    def sort_by(self, column: int) -> None:
        same = self.view.sort == column
        self.view = View(self.view.filter, self.view.kind, column, not self.view.reverse if same else False)

    def reverse(self) -> None:
        self.view = View(self.view.filter, self.view.kind, self.view.sort, not self.view.reverse)

    def export_scope(self, shown: list[Row]) -> tuple[tuple[DirectoryObject, ...], bool]:
        """The objects of the rows on screen, and whether they are every object in error
        of a complete scan (no kind unread, no filter or kind chosen)."""
        complete = self.freshness.complete and not self.unavailable and len(shown) == len(self.rows.rows)
        return tuple(self.objects[row.id] for row in shown if row.id in self.objects), complete
