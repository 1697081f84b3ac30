"""The ids of every binding the dashboard has: what the config file's ``[keys]`` may remap."""

from __future__ import annotations

from textual.binding import Binding, BindingType

#: The list's movement keys; the detail and checklist panes move with the same ones.
MOVES = (("up", "up,k"), ("down", "down,j"), ("page_up", "pageup"), ("page_down", "pagedown"),
         ("top", "home,g"), ("bottom", "end,G"))


def moves(pane: str, actions: dict[str, tuple[str, str]]) -> list[BindingType]:
    """The movement bindings of one pane: ``actions`` maps up/down/page_up/page_down/
    top/bottom to (action, description); the ids are ``pane.up`` and so on."""
    return [Binding(keys, *actions[name], show=False, id=f"{pane}.{name}") for name, keys in MOVES]


def binding_ids() -> frozenset[str]:
    """Read from the classes themselves, so a new binding is remappable (and a misspelt id
    in the config is caught) without a second list to keep in step."""
    from syncdash.ui.app import SyncdashApp
    from syncdash.ui.screens.help import HelpScreen
    from syncdash.ui.screens.prompts import ExportScreen, LinkScreen, NoteScreen, SignInScreen
    from syncdash.ui.widgets.checklist_pane import ChecklistPane
    from syncdash.ui.widgets.detail_pane import DetailPane
    from syncdash.ui.widgets.error_list import ErrorList

    classes = (SyncdashApp, HelpScreen, ExportScreen, LinkScreen, NoteScreen, SignInScreen, ChecklistPane,
               DetailPane, ErrorList)
    return frozenset(b.id for cls in classes for b in cls.BINDINGS if isinstance(b, Binding) and b.id)


def escape_burst(key: str) -> tuple[str, str] | None:
    """("escape", letter) for what Textual names ``alt+j`` or ``alt+shift+g``."""
    letter = key.removeprefix("alt+shift+") if key.startswith("alt+shift+") else key.removeprefix("alt+")
    if key == letter or len(letter) != 1 or not letter.isalpha():
        return None
    return ("escape", letter.upper() if key.startswith("alt+shift+") else letter)
