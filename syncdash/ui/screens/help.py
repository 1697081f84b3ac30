"""Every key, generated from the live bindings so it can never go out of date."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from syncdash.cells import fit, width, wrap


if TYPE_CHECKING:
    from syncdash.auth.tokens import TokenInfo


#: Rows of the help: (keys, description, binding id); a group's title has no id.
HelpRows = list[tuple[str, str, str]]
#: Widest the description column grows; longer ones wrap between words.
DESCRIPTION_CELLS = 44


def bindings_rows(groups: list[tuple[str, HelpRows]]) -> HelpRows:
    rows: HelpRows = []
    for title, keys in groups:
        rows += [(title, "", ""), *keys, ("", "", "")]
    return rows


def bindings_text(rows: HelpRows) -> Text:
    """The rows laid out once, as text: a Rich table of a hundred rows took 0.3 s to
    measure and draw each time the help opened."""
    keys_cells = max(width(keys) for keys, _, _ in rows)
    text = Text()
    for keys, description, binding_id in rows:
        if not binding_id and not description:  # a group's title, or the space after it
            text.append(f"{keys}\n", style="bold underline")
            continue
        lines = wrap(description, DESCRIPTION_CELLS)
        for number, line in enumerate(lines):
            text.append(fit(keys if number == 0 else "", keys_cells), style="bold")
            text.append("  " + fit(line, DESCRIPTION_CELLS) + "  ")
            text.append(f"{binding_id if number == 0 else ''}\n", style="dim")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-width: 100%; height: auto; max-height: 100%;
                                  background: $panel; border: round $primary; padding: 0 1; }
    """

    def __init__(self, rows: HelpRows, footer: str) -> None:
        super().__init__()
        #: (keys, description, id) as shown; a group's title has no id.
        self.rows = rows
        self._footer = footer

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("syncdash keys   (ids remap them in the config file)", style="bold"), markup=False)
            yield Static(bindings_text(self.rows), markup=False)
            yield Static(Text(self._footer), markup=False)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)


def key_table(bindings: BindingsMap, display: Callable[[Binding], str],
               keymap: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(keys, description, id) of each binding with an id, every key listed, as the
    admin remapped them; the ones Textual adds without an id are left out."""
    found: dict[str, tuple[list[str], str]] = {}
    own = bindings.copy()
    own.apply_keymap(keymap)
    for bound in own.key_to_bindings.values():
        for binding in bound:
            if binding.id:
                keys, _ = found.setdefault(binding.id, ([], binding.description))
                keys.append(display(binding))
    return [(" / ".join(dict.fromkeys(keys)), description, binding_id)
            for binding_id, (keys, description) in found.items()]


def permission_summary(info: TokenInfo | None) -> str:
    """What the signed-in token may read, and what stays unknown without the rest."""
    if info is None:
        return "no sign-in (demo, tenant file or emulator): everything is readable"
    granted = " ".join(info.scopes) or "none"
    missing = "; ".join(f"no {name}: {what} unknown" for name, what in info.missing.items())
    return f"{granted}" + (f" — {missing}" if missing else " — every read syncdash needs is allowed")


def help_screen(app: App[None], keymap: Mapping[str, str], permissions: TokenInfo | None) -> HelpScreen:
    """Every key of the app, its panes and dialogs, as the admin remapped them."""
    from syncdash.ui.screens.compare import CompareBody, CompareScreen
    from syncdash.ui.screens.prompts import ExportScreen, LinkScreen, NoteScreen, SignInScreen
    from syncdash.ui.widgets.checklist_pane import ChecklistPane
    from syncdash.ui.widgets.detail_pane import DetailPane
    from syncdash.ui.widgets.error_list import ErrorList

    display = app.get_key_display
    groups = [
        ("Everywhere", key_table(app._bindings, display, keymap)),
        *((title, key_table(app.query_one(pane)._bindings, display, keymap))
          for title, pane in (("Object list", ErrorList), ("Detail", DetailPane), ("Checklist", ChecklistPane))),
        *((title, key_table(dialog._merge_bindings(), display, keymap)) for title, dialog in (
            ("Note editor", NoteScreen), ("Export dialog", ExportScreen), ("Link dialog", LinkScreen),
            ("Sign-in dialog", SignInScreen), ("Compare view", CompareScreen), ("Compare view", CompareBody),
            ("This help", HelpScreen))),
    ]
    footer = f"The mouse is optional (--mouse).\nPermissions: {permission_summary(permissions)}"
    return HelpScreen(bindings_rows(groups), footer)
