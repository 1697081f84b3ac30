"""The object list's rows: built once per refresh, filtered and sorted per keystroke.

Kept free of Textual so its speed (50,000 rows) can be measured and tested alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from syncdash.model import ConflictProperty, DirectoryObject, ObjectKind
from syncdash.sanitize import safe_text

#: (title, share of the flexible width or a fixed width)
COLUMNS = ("KIND", "DISPLAY NAME", "UPN OR MAIL", "PROPERTY", "VALUE", "SINCE")
SORT_NEWEST = 5


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    kind: ObjectKind
    cells: tuple[str, ...]
    #: Casefolded name, UPN, mail and conflicting values: what the filter searches.
    haystack: str
    newest: float


def _problem(obj: DirectoryObject) -> tuple[str, str, int]:
    """The property and value shown for an object: its newest error, plus a count."""
    errors = sorted(obj.provisioning_errors, key=lambda e: e.occurred.timestamp() if e.occurred else 0.0)
    service = obj.unresolved_service_errors
    total = len(errors) + len(service)
    if errors:
        newest = errors[-1]
        label = {ConflictProperty.USER_PRINCIPAL_NAME: "UPN", ConflictProperty.PROXY_ADDRESS: "ProxyAddress"}
        return label.get(newest.property, newest.property_raw or "?"), newest.value, total
    if service:
        return f"service {service[0].service_instance.split('/')[0]}", service[0].summary, total
    return "", "", 0


def make_row(obj: DirectoryObject) -> Row:
    prop, value, total = _problem(obj)
    if total > 1:
        prop = f"{prop} +{total - 1}"
    newest = obj.newest_error
    cells = (
        obj.kind.value,
        safe_text(obj.display_name),
        safe_text(obj.upn or obj.mail or ""),
        safe_text(prop),
        safe_text(value),
        newest.strftime("%Y-%m-%d %H:%M") if newest else "",
    )
    values = [e.value for e in obj.provisioning_errors]
    haystack = "\n".join([obj.display_name, obj.upn or "", obj.mail or "", *values]).casefold()
    return Row(obj.id, obj.kind, cells, haystack, newest.timestamp() if newest else 0.0)


@dataclass(frozen=True, slots=True)
class View:
    """How the admin looks at the list: text filter (``!`` inverts), kind, sort."""

    filter: str = ""
    kind: ObjectKind | None = None
    sort: int = SORT_NEWEST
    reverse: bool = False

    def matches(self, row: Row) -> bool:
        if self.kind is not None and row.kind is not self.kind:
            return False
        text = self.filter
        if not text:
            return True
        inverted = text.startswith("!")
        needle = (text[1:] if inverted else text).casefold()
        return (needle in row.haystack) is not inverted


class RowSet:
    """All rows by object id, with the sorted order cached per sort column."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self._sorted: dict[tuple[int, bool], list[Row]] = {}

    def replace(self, objects: Iterable[DirectoryObject]) -> tuple[set[str], set[str], set[str]]:
        """Take a new list; returns the ids added, removed and changed."""
        fresh = {obj.id: make_row(obj) for obj in objects}
        added = fresh.keys() - self.rows.keys()
        removed = self.rows.keys() - fresh.keys()
        changed = {i for i in fresh.keys() & self.rows.keys() if fresh[i] != self.rows[i]}
        self.rows = fresh
        self._sorted.clear()
        return set(added), set(removed), changed

    def _order(self, sort: int, reverse: bool) -> list[Row]:
        key = (sort, reverse)
        if key not in self._sorted:
            rows = list(self.rows.values())
            if sort == SORT_NEWEST:
                rows.sort(key=lambda r: (r.newest, r.cells[1].casefold()), reverse=not reverse)
            else:
                rows.sort(key=lambda r: (r.cells[sort].casefold(), -r.newest), reverse=reverse)
            self._sorted[key] = rows
        return self._sorted[key]

    def view(self, view: View) -> list[Row]:
        ordered = self._order(view.sort, view.reverse)
        if not view.filter and view.kind is None:
            return ordered
        return [row for row in ordered if view.matches(row)]


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
