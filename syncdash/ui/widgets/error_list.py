"""The live list of objects in error, drawn line by line.

Textual's DataTable measures every cell on its first render (~5 s at 50,000 rows); this
list renders only the lines on screen, so its cost does not grow with the tenant.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from syncdash.cells import fit
from syncdash.ui.keys import moves
from syncdash.ui.rows import COLUMNS, Row, View, sort_arrow

#: Fixed widths of KIND, PROPERTY and SINCE (narrower below 100 columns, where SINCE
#: shows the date only); the other columns share what is left.
FIXED = {0: 7, 3: 20, 5: 16}
FIXED_NARROW = {0: 7, 3: 12, 5: 10}
NARROW = 100
FLEXIBLE = {1: 0.3, 2: 0.35, 4: 0.35}
MARKER_WIDTH = 2
GAP = 1


def column_widths(total: int) -> list[int]:
    fixed = FIXED if total >= NARROW else FIXED_NARROW
    flexible = max(0, total - MARKER_WIDTH - sum(fixed.values()) - GAP * (len(COLUMNS) - 1))
    widths = [fixed.get(i, 0) for i in range(len(COLUMNS))]
    for index, share in FLEXIBLE.items():
        widths[index] = max(4, int(flexible * share))
    return widths


class ErrorList(ScrollView, can_focus=True):
    """Objects with sync errors; the cursor row is the object shown in the other panes."""

    BINDINGS = [
        *moves("list", {"up": ("cursor(-1)", "Up"), "down": ("cursor(1)", "Down"),
                        "page_up": ("page(-1)", "Page up"), "page_down": ("page(1)", "Page down"),
                        "top": ("jump(0)", "Top"), "bottom": ("jump(-1)", "Bottom")}),
        Binding("enter", "choose", "Open", id="list.open"),
    ]
    COMPONENT_CLASSES = {"error-list--header", "error-list--cursor", "error-list--new", "error-list--empty"}
    DEFAULT_CSS = """
    ErrorList { background: $surface; overflow-x: hidden; }
    ErrorList > .error-list--header { text-style: bold; background: $panel; }
    ErrorList > .error-list--cursor { background: $accent 40%; }
    ErrorList:focus > .error-list--cursor { background: $accent; color: $text; }
    ErrorList > .error-list--new { color: $success; text-style: bold; }
    ErrorList > .error-list--empty { color: $text-muted; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor rests on another object (None: the list is empty)."""

        def __init__(self, object_id: str | None) -> None:
            super().__init__()
            self.object_id = object_id

    class Chosen(Message):
        """Enter on a row: show its detail and checklist."""

        def __init__(self, object_id: str) -> None:
            super().__init__()
            self.object_id = object_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Row] = []
        self.new_ids: set[str] = set()
        self.empty_text = "No objects with sync errors."
        self._highlighted: str | None = None
        #: The header's column titles, the sorted one marked with its direction.
        self.titles: tuple[str, ...] = COLUMNS

    # -- data ---------------------------------------------------------------------
    def show(self, rows: list[Row], keep: str | None = None) -> None:
        """Display ``rows``; the cursor stays on object ``keep`` (or its old object)
        when still listed, and the scroll position is kept."""
        target = keep if keep is not None else self._highlighted
        self.rows = rows
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        index = next((i for i, row in enumerate(rows) if row.id == target), None) if target else None
        self.cursor = index if index is not None else min(self.cursor, max(0, len(rows) - 1))
        self.refresh()

    def mark_sort(self, view: View) -> None:
        """The arrow goes before the title, so a narrow column cuts the title, not it."""
        arrow = sort_arrow(view)
        self.titles = tuple(f"{arrow}{title}" if i == view.sort else title for i, title in enumerate(COLUMNS))
        self.refresh()

    @property
    def highlighted(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def watch_cursor(self, cursor: int) -> None:
        row = self.highlighted
        self._scroll_to_cursor()
        self.refresh()
        object_id = row.id if row else None
        if object_id != self._highlighted:
            self._highlighted = object_id
            self.post_message(self.Highlighted(object_id))

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    # -- actions ------------------------------------------------------------------
    def _move_to(self, index: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, index))

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * max(1, self.scrollable_content_region.height - 2))

    def action_jump(self, index: int) -> None:
        self._move_to(index if index >= 0 else len(self.rows) - 1)

    def action_choose(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Chosen(self.highlighted.id))

    def on_click(self, event: events.Click) -> None:
        row = int(self.scroll_y) + event.y - 1
        if 0 <= row < len(self.rows):
            self.cursor = row

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)

    # -- drawing ------------------------------------------------------------------
    def _line(self, cells: tuple[str, ...], marker: str, style: Style, marker_style: Style) -> Strip:
        widths = column_widths(self.scrollable_content_region.width)
        *rest, since = cells
        cells = (*rest, since[: widths[-1]])  # a date cut to its day, never mid-number
        text = (" " * GAP).join(fit(cell, width) for cell, width in zip(cells, widths))
        segments = [Segment(fit(marker, MARKER_WIDTH), marker_style), Segment(text, style)]
        return Strip(segments).adjust_cell_length(self.scrollable_content_region.width, style)

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("error-list--header")
            return self._line(self.titles, "", base + header, base + header)
        index = int(self.scroll_y) + y - 1
        width = self.scrollable_content_region.width
        if not self.rows:
            if y == 1:
                empty = base + self.get_component_rich_style("error-list--empty")
                return Strip([Segment(fit("  " + self.empty_text, width), empty)])
            return Strip.blank(width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        style = base + self.get_component_rich_style("error-list--cursor") if index == self.cursor else base
        is_new = row.id in self.new_ids
        marker_style = style + self.get_component_rich_style("error-list--new") if is_new else style
        return self._line(row.cells, "●" if is_new else "", style, marker_style)
