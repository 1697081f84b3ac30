"""The bottom line: the keys that apply where focus is, each shown whole or not at all.

Textual's Footer shows the same app-wide keys in every pane and, at 80 columns, cuts the
last one mid-word. Here each pane names its own keys first (the detail pane its ↓/↑, x,
o, c; the checklist its Space and n), remapped keys are shown as remapped, and whatever
does not fit is left out whole, except "q Quit" and "? Help" (which lists every key).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.screen import Screen
from textual.widgets import Input, Static


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry: the bindings it stands for (by id) and its label; ``key`` for a key a
    widget handles itself (Enter in the filter), which has no binding."""

    ids: tuple[str, ...]
    label: str
    key: str | None = None


def _entry(label: str, *ids: str) -> Entry:
    return Entry(ids, label)


#: Always shown, last: how to leave, and where every other key is listed.
PINNED = (_entry("Quit", "app.quit"), _entry("Help", "app.help"))
#: Early in every pane: below 100 columns Tab is the only way to the other panes.
PANE = _entry("Pane", "app.next_pane")
_APP = (_entry("Refresh", "app.refresh"), _entry("Export", "app.export"))
_OBJECT = (_entry("Note", "app.note"), _entry("Copy", "app.copy"), _entry("Link", "app.link"))
_BACK = _entry("List", "app.clear_filter")
#: What each focused widget (by id) shows, most useful first: shown in this order while
#: they fit.
KEYS_BY_FOCUS: dict[str | None, tuple[Entry, ...]] = {
    "list": (_entry("Open", "list.open"), _entry("Filter", "app.filter"), PANE, _entry("Sort", "app.sort"),
             _entry("Kind", "app.kind_all", "app.kind_users", "app.kind_groups", "app.kind_contacts"),
             *_APP, *_OBJECT),
    "filter": (Entry((), "Done", key="⏎"), _entry("Clear", "app.clear_filter"), PANE),  # r, e type letters
    "detail": (_entry("Scroll", "detail.down", "detail.up"), PANE, _entry("Raw XML", "app.raw_xml"), *_OBJECT,
               _BACK, *_APP),
    "checklist": (_entry("Tick", "checklist.tick"), PANE, *_OBJECT, _BACK, *_APP),
    None: (PANE, *_APP),
}
GAP = "  "


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; padding: 0 1; background: $footer-background; color: $footer-foreground; }
    KeyBar > .key-bar--key { color: $footer-key-foreground; text-style: bold; }
    """
    COMPONENT_CLASSES = {"key-bar--key"}
    shown: Text = Text()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.app.screen_change_signal.subscribe(self, self._bindings_changed)

    def on_resize(self) -> None:
        self.draw()

    def _bindings_changed(self, _screen: Screen) -> None:
        self.draw()

    def keys_of(self) -> dict[str, list[str]]:
        """Binding id → how its keys are displayed, for the bindings active where focus
        is (as the admin remapped them; disabled ones left out)."""
        keys: dict[str, list[str]] = {}
        for active in self.screen.active_bindings.values():
            if active.enabled and active.binding.id:
                keys.setdefault(active.binding.id, []).append(self.app.get_key_display(active.binding))
        return keys

    def draw(self) -> None:
        if self.app.screen is not self.screen:  # a dialog is open over the dashboard
            self._draw_dialog(self.app.screen)
            return
        focused = self.screen.focused
        wanted = KEYS_BY_FOCUS.get(focused.id if focused is not None else None, KEYS_BY_FOCUS[None])
        keys = self.keys_of()
        key_style = self.get_component_rich_style("key-bar--key")
        typing = isinstance(focused, Input)  # there q and ? are characters
        pinned = [] if typing else [text for entry in PINNED
                                    if (text := self._entry_text(entry, keys, key_style)) is not None]
        used = sum(text.cell_len + len(GAP) for text in pinned)
        shown: list[Text] = []
        for entry in wanted:
            text = self._entry_text(entry, keys, key_style)
            if text is not None and used + text.cell_len + len(GAP) <= self.content_region.width:
                shown.append(text)
                used += text.cell_len + len(GAP)
        self.shown = Text(GAP).join(shown + pinned)
        self.update(self.shown)

    def _draw_dialog(self, dialog: Screen) -> None:
        """A dialog's own keys (Ctrl+S and Esc in the note editor): the dashboard's do
        not apply there, and in a text field q and ? are letters."""
        key_style = self.get_component_rich_style("key-bar--key")
        keys: dict[str, tuple[list[str], str]] = {}
        for active in dialog.active_bindings.values():
            binding = active.binding
            if active.node is dialog and active.enabled and (binding.id or binding.show):
                shown, _ = keys.setdefault(binding.id or binding.action, ([], binding.description))
                shown.append(self.app.get_key_display(binding))
        self.shown = Text(GAP).join(Text.assemble(("/".join(dict.fromkeys(shown)), key_style), " ", label)
                                    for shown, label in keys.values())
        self.update(self.shown)

    @staticmethod
    def _entry_text(entry: Entry, keys: dict[str, list[str]], key_style: Style) -> Text | None:
        displays = [key for binding_id in entry.ids for key in keys.get(binding_id, [])[:1]]
        displays += [entry.key] if entry.key else []
        if not displays:
            return None
        shown = "1–4" if displays == ["1", "2", "3", "4"] else "/".join(dict.fromkeys(displays))
        return Text.assemble((shown, key_style), " ", entry.label)
