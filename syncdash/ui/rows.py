"""The object list's rows: built once per refresh, filtered and sorted per keystroke.

Kept free of Textual so its speed (50,000 rows) can be measured and tested alone.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple
from datetime import datetime, timezone

from syncdash.model import ConflictProperty, DirectoryObject, ObjectKind
from syncdash.sanitize import safe_text

#: (title, share of the flexible width or a fixed width)
COLUMNS = ("KIND", "DISPLAY NAME", "UPN OR MAIL", "PROPERTY", "VALUE", "SINCE UTC")
SORT_NEWEST = 5


class Row(NamedTuple):
    """One line of the list (a named tuple: a warm start builds 100,000 before its first
    frame, and a frozen dataclass costs three times as much to make)."""

    id: str
    kind: ObjectKind
    cells: tuple[str, ...]
    #: Casefolded name, UPN, mail and conflicting values: what the filter searches.
    haystack: str
    newest: float


_LABELS = {ConflictProperty.USER_PRINCIPAL_NAME: "UPN", ConflictProperty.PROXY_ADDRESS: "ProxyAddress"}


def cached_row(row: Row) -> list[object]:
    """A row as plain data for the cache (see :func:`row_from_cache`)."""
    return [row.id, row.kind.value, list(row.cells), row.haystack, row.newest]


_KINDS = {kind.value: kind for kind in ObjectKind}


def row_from_cache(item: object) -> Row | None:
    """A row read back from the cache, or None when it is not one (the cache is a file):
    cells sanitised again, since what comes back may not be what was written. A warm
    start reads 100,000 of these before its first frame, hence the one-pass checks."""
    object_id: object
    kind: object
    cells: list[str]
    haystack: object
    newest: object
    try:
        object_id, kind, cells, haystack, newest = item  # type: ignore[misc]  # not iterable: the TypeError below
        shown = "".join(cells)  # a TypeError unless every cell is text
    except (TypeError, ValueError):
        return None
    if (not isinstance(object_id, str) or not isinstance(kind, str) or kind not in _KINDS or type(cells) is not list or len(cells) != len(COLUMNS)
            or not isinstance(haystack, str) or not isinstance(newest, (int, float))):
        return None
    safe = tuple(cells) if shown.isprintable() else tuple(safe_text(cell) for cell in cells)
    return Row(object_id, _KINDS[kind], safe, haystack, float(newest))


def _moment(error: object) -> float:
    # an export error repeats at every sync: since when is its first occurrence
    occurred = getattr(error, "first_occurred", None) or getattr(error, "occurred", None) or getattr(error, "created", None)
    return occurred.timestamp() if occurred else 0.0


def make_row(obj: DirectoryObject) -> Row:
    """The row of one object: its newest error shown, the others counted (``+2``)."""
    errors = obj.provisioning_errors
    service = obj.unresolved_service_errors
    exported = obj.export_errors
    newest_error = max(errors, key=_moment) if errors else None
    if newest_error is not None:
        prop = _LABELS.get(newest_error.property, newest_error.property_raw or "?")
        value = newest_error.value
    elif service:
        prop, value = f"service {service[0].service_instance.split('/')[0]}", service[0].summary
    elif exported:
        export = max(exported, key=_moment)
        prop, value = export.error_type, export.value or export.attribute or ""
    else:
        prop, value = "", ""
    total = len(errors) + len(service) + len(exported)
    if total > 1:
        prop = f"{prop} +{total - 1} more"
    newest = max((_moment(e) for e in (*errors, *service, *exported)), default=0.0)
    since = datetime.fromtimestamp(newest, timezone.utc).isoformat(" ", "minutes")[:16] if newest else ""
    upn = obj.upn
    cells = (obj.kind.value, safe_text(obj.display_name), safe_text(upn or obj.mail or ""),
             safe_text(prop), safe_text(value), since)
    haystack = "\n".join([obj.display_name, upn or "", obj.mail or "", *(e.value for e in errors),
                          *(e.summary for e in service), *(f"{e.error_type}\n{e.value or ''}" for e in exported),
                          obj.distinguished_name or "" if not obj.in_entra else ""]).casefold()
    return Row(obj.id, obj.kind, cells, haystack, newest)


def make_rows(objects: Iterable[DirectoryObject]) -> dict[str, Row]:
    """Every object's row, for a worker to build before the list reaches the UI thread."""
    return {obj.id: make_row(obj) for obj in objects}


@dataclass(frozen=True, slots=True)
class View:
    """How the admin looks at the list: text filter (``!`` inverts), kind, sort."""

    filter: str = ""
    kind: ObjectKind | None = None
    sort: int = SORT_NEWEST
    reverse: bool = False

    def select(self, rows: list[Row]) -> list[Row]:
        """The rows this view shows, in the given order (the needle is folded once)."""
        kind, text = self.kind, self.filter
        if kind is not None:
            rows = [row for row in rows if row.kind is kind]
        if not text:
            return rows
        inverted = text.startswith("!")
        needle = (text[1:] if inverted else text).casefold()
        if inverted:
            return [row for row in rows if needle not in row.haystack]
        return [row for row in rows if needle in row.haystack]


def descending(view: View) -> bool:
    """Whether the list runs high to low (newest first, Z to A): what ``↓`` means, and
    ``↑`` its opposite, whatever the column."""
    return (view.sort == SORT_NEWEST) != view.reverse


def sort_arrow(view: View) -> str:
    return "↓" if descending(view) else "↑"


def sort_key(column: int) -> Callable[[Row], tuple]:
    """Ascending key of a column; newest-first is the natural order of SINCE."""
    if column == SORT_NEWEST:
        return lambda row: (-row.newest, row.cells[1].casefold(), row.id)
    return lambda row: (row.cells[column].casefold(), -row.newest, row.id)


#: Above this many changed rows a refresh re-sorts instead of patching the order.
PATCH_LIMIT = 2000


class RowSet:
    """All rows by object id, with each sort order kept and patched, not rebuilt."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.counts: dict[ObjectKind, int] = {}
        self._objects: dict[str, DirectoryObject] = {}
        self._sorted: dict[int, list[Row]] = {}

    @property
    def objects(self) -> dict[str, DirectoryObject]:
        """The objects behind the rows (a new dict after each :meth:`replace`, never
        changed in place: a worker may compare against it in a thread)."""
        return self._objects

    def replace(self, objects: Iterable[DirectoryObject], made: dict[str, Row] | None = None,
                same: tuple[dict[str, DirectoryObject], set[str]] | None = None) -> tuple[set[str], set[str], set[str]]:
        """Take a new list; returns the ids added, removed and changed. Rows of objects
        that did not change are kept, so a refresh costs what changed, not the tenant;
        ``made``: rows already built off the UI thread (see :func:`make_rows`), for
        ``objects`` given newest first, as the graph layer lists them; ``same``: the
        ids a worker found equal to those of :attr:`objects` (trusted while that is still
        the current dict), so 100,000 unchanged objects are not compared again here."""
        trusted = same[1] if same is not None and same[0] is self._objects else set()
        fresh: dict[str, DirectoryObject] = {obj.id: obj for obj in objects}
        rows: dict[str, Row] = {}
        added: set[str] = set()
        changed: set[str] = set()
        for object_id, obj in fresh.items():
            old = self._objects.get(object_id)
            if old is not None and (old is obj or object_id in trusted or old == obj):
                rows[object_id] = self.rows[object_id]
                continue
            (changed if old is not None else added).add(object_id)
            rows[object_id] = made[object_id] if made is not None and object_id in made else make_row(obj)
        removed = self.rows.keys() - rows.keys()
        # a preloaded (cached) row whose object was not adopted yet comes back as "added":
        # its old row leaves the orders too, or the list would show it twice
        superseded = added & self.rows.keys()
        self._patch_orders(removed | changed | superseded, [rows[i] for i in added | changed])
        if not self._sorted and made is not None:  # a list that comes newest first needs no sort for it
            self._sorted[SORT_NEWEST] = list(rows.values())
        self.rows, self._objects = rows, fresh
        self.counts = {}
        for row in rows.values():
            self.counts[row.kind] = self.counts.get(row.kind, 0) + 1
        return added, set(removed), changed

    def preload(self, rows: list[Row]) -> None:
        """Rows read from the cache (saved newest first, so that order needs no sort),
        before their objects: the list can be drawn at once; :meth:`adopt` gives them
        their objects once those are decoded."""
        self.rows = {row.id: row for row in rows}
        self._objects, self._sorted = {}, {SORT_NEWEST: list(self.rows.values())}
        self.counts = {}
        for row in self.rows.values():
            self.counts[row.kind] = self.counts.get(row.kind, 0) + 1

    def adopt(self, objects: Iterable[DirectoryObject]) -> None:
        """The objects of preloaded rows: a later :meth:`replace` compares against them."""
        self._objects = {obj.id: obj for obj in objects if obj.id in self.rows}

    @property
    def complete(self) -> bool:
        """Whether every row has its object (false between preload and adopt)."""
        return len(self._objects) == len(self.rows)

    def _patch_orders(self, dropped: set[str], inserted: list[Row]) -> None:
        if len(dropped) + len(inserted) > PATCH_LIMIT:
            self._sorted.clear()
            return
        for column, ordered in self._sorted.items():
            if dropped:
                ordered[:] = [row for row in ordered if row.id not in dropped]
            key = sort_key(column)
            for row in inserted:
                bisect.insort(ordered, row, key=key)

    def view(self, view: View) -> list[Row]:
        ordered = self._sorted.get(view.sort)
        if ordered is None:
            ordered = self._sorted[view.sort] = sorted(self.rows.values(), key=sort_key(view.sort))
        return view.select(ordered[::-1] if view.reverse else ordered)


def age(moment: datetime | None, now: datetime) -> str:
    """``12 min ago``, ``3 h ago``, ``2 d ago``: how admins think of a sync time."""
    if moment is None:
        return "never"
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min ago"
    return f"{seconds // 86400} d ago"
