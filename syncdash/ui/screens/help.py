"""Every key, generated from the live bindings so it can never go out of date."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def bindings_table(groups: list[tuple[str, list[tuple[str, str, str]]]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_column(style="dim")
    for title, rows in groups:
        table.add_row(Text(title, style="bold underline"), Text(""), Text(""))
        for keys, description, binding_id in rows:
            table.add_row(Text(keys), Text(description), Text(binding_id))
        table.add_row(Text(""), Text(""), Text(""))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-width: 100%; height: auto; max-height: 100%;
                                  background: $panel; border: round $primary; padding: 0 1; }
    """

    def __init__(self, table: Table, footer: str) -> None:
        super().__init__()
        self._table = table
        self._footer = footer

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("syncdash keys   (ids remap them in the config file)", style="bold"), markup=False)
            yield Static(self._table, markup=False)
            yield Static(Text(self._footer), markup=False)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
