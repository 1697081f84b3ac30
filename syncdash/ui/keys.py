"""Keys shared by the app and its panes: the movement bindings every pane has, and the
Esc-then-letter rule. Imported by the widgets, so it imports none of them."""

from __future__ import annotations

from textual.binding import Binding, BindingType

#: The list's movement keys; the detail and checklist panes move with the same ones.
MOVES = (("up", "up,k"), ("down", "down,j"), ("page_up", "pageup"), ("page_down", "pagedown"),
         ("top", "home,g"), ("bottom", "end,G"))


def moves(pane: str, actions: dict[str, tuple[str, str]]) -> list[BindingType]:
    """The movement bindings of one pane: ``actions`` maps up/down/page_up/page_down/
    top/bottom to (action, description); the ids are ``pane.up`` and so on."""
    return [Binding(keys, *actions[name], show=False, id=f"{pane}.{name}") for name, keys in MOVES]


def escape_burst(key: str) -> tuple[str, str] | None:
    """("escape", letter) for what Textual names ``alt+j`` or ``alt+shift+g``."""
    letter = key.removeprefix("alt+shift+") if key.startswith("alt+shift+") else key.removeprefix("alt+")
    if key == letter or len(letter) != 1 or not letter.isalpha():
        return None
    return ("escape", letter.upper() if key.startswith("alt+shift+") else letter)
