"""Keys: the app's own bindings, the movement bindings every pane has, and the
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


#: The app's own keys, each with an id the config's [keys] may remap (the panes add
#: theirs); every one is listed by ? with its id.
APP_BINDINGS: list[BindingType] = [
    Binding("q", "quit", "Quit", id="app.quit"),
    # Ctrl+C quits from every screen, as in k9s (not Textual's "press q to quit")
    Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True, id="app.interrupt"),
    # named here, with an id, so that it can be remapped (Textual adds it without one)
    Binding("ctrl+p", "command_palette", "Command palette: jump to an object, profile, theme", show=False,
            priority=True, id="app.palette"),
    Binding("question_mark,f1", "help", "Help", id="app.help"),
    # as in k9s: ":" opens the command line (the palette), where objects, profiles and themes are
    Binding("colon", "command_palette", "Command palette", show=False, id="app.palette_colon"),
    # arrows and h/l move between panes, as in lazygit; in a text field they move the cursor
    Binding("h,left", "pane(-1)", "Previous pane", show=False, id="app.pane_left"),
    Binding("l,right", "pane(1)", "Next pane", show=False, id="app.pane_right"),
    # "/" and Esc are priority keys: the keys typed right after them are dispatched only
    # after the binding has run (a non-priority binding resolves after the key has
    # travelled the widget chain, by when the next keys went to the old focus)
    Binding("slash", "filter", "Filter", priority=True, id="app.filter"),
    Binding("escape", "clear_filter", "Clear filter / back to list", show=False, priority=True,
            id="app.clear_filter"),
    Binding("1", "kind('all')", "All kinds", show=False, id="app.kind_all"),
    Binding("2", "kind('users')", "Users only", show=False, id="app.kind_users"),
    Binding("3", "kind('groups')", "Groups only", show=False, id="app.kind_groups"),
    Binding("4", "kind('contacts')", "Contacts only", show=False, id="app.kind_contacts"),
    Binding("s", "sort", "Sort", show=False, id="app.sort"),
    Binding("S", "reverse", "Reverse sort", show=False, id="app.reverse"),
    # a key per column, as k9s's Shift+letter; the same key again reverses
    Binding("K", "sort_by(0)", "Sort by kind", show=False, id="app.sort_kind"),
    Binding("N", "sort_by(1)", "Sort by display name", show=False, id="app.sort_name"),
    Binding("U", "sort_by(2)", "Sort by UPN or mail", show=False, id="app.sort_upn"),
    Binding("P", "sort_by(3)", "Sort by property", show=False, id="app.sort_property"),
    Binding("V", "sort_by(4)", "Sort by value", show=False, id="app.sort_value"),
    Binding("A", "sort_by(5)", "Sort by age (since)", show=False, id="app.sort_since"),
    Binding("tab", "pane(1)", "Pane", priority=True, id="app.next_pane"),
    Binding("shift+tab", "pane(-1)", "Previous pane", show=False, priority=True, id="app.previous_pane"),
    Binding("n", "note", "Note", show=False, id="app.note"),
    Binding("r", "refresh", "Refresh", id="app.refresh"),
    Binding("c", "copy", "Copy (what has the focus)", show=False, id="app.copy"),
    Binding("o", "link", "Admin center link", show=False, id="app.link"),
    Binding("e", "export", "Export", id="app.export"),
    Binding("x", "raw_xml", "Raw XML", show=False, id="app.raw_xml"),
    Binding("v", "compare", "Compare side by side", id="app.compare"),
    Binding("a", "audit", "On-premises audit", show=False, id="app.audit"),
]
