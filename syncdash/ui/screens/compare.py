"""``v``: a duplicate's sides in columns — the object in error and each holder of the
conflicting value — the attributes that decide the remedy in rows, the rows that differ
marked ``≠``, the conflicting value on top. Full screen, so 80 columns show two sides."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from syncdash.export.compare import Comparison
from syncdash.sanitize import safe_text
from syncdash.ui.keys import moves
from syncdash.ui.widgets.wrapping import Tokens


def _table(comparison: Comparison) -> RenderableType:
    table = Table(expand=True, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left", title_style="bold",
                  title=Text(f"Conflicting value: {safe_text(comparison.value)}", style="bold reverse"))
    table.add_column("", no_wrap=True)
    for title in comparison.titles:
        table.add_column(Text(safe_text(title), style="bold"))
    for name, cells, differs in comparison.rows:
        label = Text(f"{'≠' if differs else ' '} {name}", style="bold" if differs else "")
        table.add_row(label, *(Tokens(safe_text(cell), "bold" if differs else "") for cell in cells))
    return table


class CompareBody(VerticalScroll, can_focus=True):
    """The tables, scrolled with the list's keys."""

    BINDINGS = moves("compare", {"up": ("scroll_up", "Scroll up"), "down": ("scroll_down", "Scroll down"),
                                 "page_up": ("page_up", "Page up"), "page_down": ("page_down", "Page down"),
                                 "top": ("scroll_home", "Top"), "bottom": ("scroll_end", "Bottom")})
    DEFAULT_CSS = "CompareBody { padding: 0 1; }"


class CompareScreen(Screen[None]):
    #: What is drawn (tests render it at the screen's width).
    shown: RenderableType = ""
    BINDINGS = [Binding("escape,v,q", "close", "Close", id="compare.close")]

    def __init__(self, title: str, comparisons: list[Comparison]) -> None:
        super().__init__()
        self._title, self._comparisons = title, comparisons

    def compose(self) -> ComposeResult:
        heading = Text(f"{safe_text(self._title)} side by side  (≠: differs · Esc closes)", style="bold")
        self.shown = Group(heading, *(_table(c) for c in self._comparisons))
        with CompareBody():
            yield Static(self.shown, markup=False)

    def on_mount(self) -> None:
        self.query_one(CompareBody).focus()

    def action_close(self) -> None:
        self.dismiss(None)
