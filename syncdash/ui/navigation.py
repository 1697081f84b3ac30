"""The panes and the list's view: which pane has the keys, the filter, kinds and sort.

Part of the app (a base class of :class:`~syncdash.ui.app.SyncdashApp`), like k9s: one key
per move, Esc backs out one level, and the list redraws from the view at once."""

from __future__ import annotations

from textual import on
from textual.app import App
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input

from syncdash.model import ObjectKind
from syncdash.ui.state import Dashboard
from syncdash.ui.widgets.checklist_pane import ChecklistPane
from syncdash.ui.widgets.detail_pane import DetailPane
from syncdash.ui.widgets.error_list import ErrorList

PANES = ("#list-pane", "#detail-pane", "#checklist-pane")
KINDS = {"all": None, "users": ObjectKind.USER, "groups": ObjectKind.GROUP, "contacts": ObjectKind.CONTACT}


def _empty_text(state: Dashboard) -> str:
    """An empty list says why: a cold start is not an all-clear."""
    if state.rows.rows:
        return "No object matches the filter."
    if state.freshness.source == "stale" and state.freshness.refreshed is None:
        return "No list yet: Graph could not be read (the header says why); r tries again."
    if state.freshness.scanning:
        return "Reading the tenant… the list appears as Graph answers."
    return "No objects with sync errors."


class PaneNavigation(App[None]):
    """The list's half of the app; the app sets ``state`` in its ``__init__``."""

    state: Dashboard

    def _show_rows(self) -> None:
        error_list = self.query_one(ErrorList)
        error_list.empty_text = _empty_text(self.state)
        error_list.show(self.state.shown())
        error_list.mark_sort(self.state.view)
        pane = self.query_one("#list-pane")
        title, pane.border_subtitle = self.state.list_title()
        pane.border_title = Content(title)

    def jump_to(self, object_id: str) -> None:
        self.state.show_all()
        self.query_one("#filter", Input).value = ""
        self._show_rows()
        error_list = self.query_one(ErrorList)
        error_list.show(error_list.rows, keep=object_id)
        self._activate(0)

    def _activate(self, index: int) -> None:
        """Show pane ``index`` (narrow screens show one pane at a time) and focus it."""
        for position, selector in enumerate(PANES):
            self.query_one(selector).set_class(position == index, "-active")
        target: type[Widget] = (ErrorList, DetailPane, ChecklistPane)[index]
        self._focus(self.query_one(target))

    def _focus(self, widget: Widget) -> None:
        """Focus at once, not on the next message as ``Widget.focus`` does: keys that arrive
        in one burst (a fast typist over SSH) are already queued behind this action, and
        each must reach the widget the previous key chose."""
        self.screen.set_focus(widget)

    @on(ErrorList.Chosen)
    def _chosen(self, message: ErrorList.Chosen) -> None:
        self._activate(1)

    def action_pane(self, step: int) -> None:
        if self.screen is not self.screen_stack[0]:  # a dialog: Tab moves between its fields
            self.screen.focus_next() if step > 0 else self.screen.focus_previous()
            return
        focused = self.focused
        current = next((i for i, s in enumerate(PANES) if focused and focused in self.query_one(s).walk_children()), 0)
        self._activate((current + step) % len(PANES))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The priority keys stand aside for dialogs and text fields: there ``/`` is a
        character and Esc closes the dialog."""
        on_main = self.screen is self.screen_stack[0]
        if action == "filter":
            return on_main and not isinstance(self.focused, Input)  # the note's TextArea is in a dialog
        if action == "clear_filter":
            box = self.query_one("#filter", Input)
            in_pane = isinstance(self.focused, (DetailPane, ChecklistPane))
            return on_main and (self.focused is box or bool(box.value) or box.has_class("-shown") or in_pane)
        return True

    def action_filter(self) -> None:
        self._activate(0)
        box = self.query_one("#filter", Input)
        box.add_class("-shown")
        self._focus(box)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, message: Input.Changed) -> None:
        self.state.filter(message.value)
        self._show_rows()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one("#filter").remove_class("-shown")
        self._focus(self.query_one(ErrorList))

    def action_clear_filter(self) -> None:
        """Esc backs out one level, like k9s: from a pane to the list, then the filter goes."""
        if isinstance(self.focused, (DetailPane, ChecklistPane)):
            self._activate(0)
            return
        box = self.query_one("#filter", Input)
        box.value = ""
        box.remove_class("-shown")
        self.state.filter("")
        self._show_rows()
        self._focus(self.query_one(ErrorList))

    def action_kind(self, name: str) -> None:
        self.state.only(KINDS[name])
        self._show_rows()

    def action_sort(self) -> None:
        self.state.sort_by_next()
        self._show_rows()

    def action_sort_by(self, column: int) -> None:
        """A key per column, as in k9s: the column's own key again reverses it."""
        self.state.sort_by(column)
        self._show_rows()

    def action_reverse(self) -> None:
        self.state.reverse()
        self._show_rows()
