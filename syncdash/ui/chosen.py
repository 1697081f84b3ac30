"""The chosen object: its diagnosis, its two panes, and what the keys do to it.

Part of the app (a base class of :class:`~syncdash.ui.app.SyncdashApp`): the keys that act
on the chosen object (copy, link, note, tick, raw XML, export) beside the drawing of its
detail and checklist, which they redraw."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from textual import on, work
from textual.app import App

from syncdash.clouds import Cloud
from syncdash.diagnose.findings import Status
from syncdash.graph.index import DirectoryIndex
from syncdash.model import DirectoryObject
from syncdash.portal import admin_center_link
from syncdash.sanitize import safe_text
from syncdash.store import Store, StoreWriteError
from syncdash.ui.exporting import export_folder, export_rows
from syncdash.ui.messages import QUIET
from syncdash.ui.session import TenantSession
from syncdash.ui.state import Chosen, Dashboard
from syncdash.ui.themes import status_colours
from syncdash.ui.widgets.checklist_pane import ChecklistPane
from syncdash.ui.widgets.detail_pane import DetailPane, render_detail
from syncdash.ui.widgets.error_list import ErrorList



class ChosenObject(App[None]):
    """The chosen object's half of the app; the app sets these in its ``__init__``."""

    state: Dashboard
    session: TenantSession
    store: Store
    cloud: Cloud
    clock: Callable[[], datetime]
    show_xml: bool

    @property
    def tenant_key(self) -> str:
        return self.session.tenant_key

    def _diagnose(self, obj: DirectoryObject) -> None:
        self.workers.cancel_group(self, "diagnose")
        if self.state.choose(obj, self.clock()) is Chosen.REMOTE:
            self.query_one(ChecklistPane).show_running()
            self.diagnose_remotely(obj, self.state.listed)
        self._draw_selection()

    @work(exclusive=True, group="diagnose", exit_on_error=False, description=QUIET)
    async def diagnose_remotely(self, obj: DirectoryObject, listed: DirectoryIndex | None) -> None:
        await self.session.diagnose(obj, self.clock(), listed)

    def _draw_selection(self) -> None:
        state = self.state
        if (obj := state.selected) is None:
            return
        checklist = self.query_one(ChecklistPane)
        note = self.store.note(self.tenant_key, obj.id)
        self.query_one(DetailPane).show(render_detail(obj, state.facts, note, self.show_xml, state.on_premises, state.server),
                                        obj.id)
        if state.diagnosis is not None:
            colours = status_colours(self)
            checklist.show(state.diagnosis, self.store.ticks(self.tenant_key, obj.id),
                           {Status.CLEAR: colours["success"], Status.PROBLEM: colours["error"],
                            Status.UNKNOWN: colours["warning"]}, obj.id)
        elif not checklist.running:
            checklist.show_message("Waiting for the tenant status…")

    @contextlib.contextmanager
    def _saving(self) -> Iterator[None]:
        """The admin's own data failed to save (disk full, read-only): said loudly, and
        the screen keeps showing what is really on disk."""
        try:
            yield
        except StoreWriteError as exc:
            self.notify(f"{exc}: free space or fix the data directory's permissions",
                        severity="error", markup=False, timeout=15)

    @on(ChecklistPane.Ticked)
    def _ticked(self, message: ChecklistPane.Ticked) -> None:
        if (obj := self.state.selected) is None:
            return
        ticked = message.check in self.store.ticks(self.tenant_key, obj.id)
        with self._saving():
            self.store.set_tick(self.tenant_key, obj.id, message.check, not ticked, at=self.clock())
        self._draw_selection()

    def action_copy(self) -> None:
        """What is copied follows the focus: in the checklist the highlighted finding's
        suggestion (exactly as it must be typed), value or message, or the check; in the
        detail the object's id; in the list its UPN or mail."""
        if (obj := self.state.selected) is None:
            return
        checklist = self.query_one(ChecklistPane)
        if self.focused is checklist and (chosen := checklist.copy_text()) is not None:
            what, value = chosen
        elif isinstance(self.focused, DetailPane) and obj.in_entra:
            what, value = "the object id", obj.id
        else:
            what, value = ("the UPN" if obj.upn else "the mail" if obj.mail else "the object id"), \
                obj.upn or obj.mail or obj.id
        self.copy_to_clipboard(value)
        shown = safe_text(value if len(value) <= 60 else value[:59] + "…")
        self.notify(f"Copied {what}: {shown} (OSC 52 clipboard)", markup=False, timeout=3)

    def action_link(self) -> None:
        from syncdash.ui.screens.prompts import LinkScreen

        if (obj := self.state.selected) is None:
            return
        if not obj.in_entra:
            self.notify("Not in Entra ID (its export failed): the admin center has no page for it.", markup=False)
            return
        url = admin_center_link(obj, self.cloud)
        self.copy_to_clipboard(url)
        self.push_screen(LinkScreen(safe_text(obj.display_name), url))

    def action_compare(self) -> None:
        """The object and each holder of its conflicting value, side by side."""
        from syncdash.export.compare import comparisons
        from syncdash.ui.screens.compare import CompareScreen

        if (obj := self.state.selected) is None:
            return
        found = comparisons(self.state.diagnosis) if self.state.diagnosis is not None else []
        if not found:
            self.notify("Nothing to compare: no other object holds a value of this one (step 2).", markup=False)
            return
        self.push_screen(CompareScreen(obj.display_name, found))

    def action_raw_xml(self) -> None:
        self.show_xml = not self.show_xml
        self._draw_selection()

    def action_note(self) -> None:
        from syncdash.ui.screens.prompts import NoteScreen

        if (obj := self.state.selected) is None:
            return

        def save(text: str | None) -> None:
            if text is not None:
                with self._saving():
                    self.store.set_note(self.tenant_key, obj.id, text)
                self._draw_selection()

        note = self.store.note(self.tenant_key, obj.id)
        self.push_screen(NoteScreen(safe_text(obj.display_name), note, obj.id), save)

    def action_export(self) -> None:
        from syncdash.ui.screens.prompts import ExportScreen

        if self.state.index is None or self.state.tenant is None:
            self.notify("Export needs the complete scan: wait until the header says complete.",
                        severity="warning", markup=False)
            return
        default = export_folder() / f"syncdash-{self.clock():%Y%m%d-%H%M}.md"

        def write(choice: tuple[str, Path] | None) -> None:
            if choice is None:
                return
            kind, path = choice
            try:  # the rows as shown now: a refresh may have come since the dialog opened
                said = export_rows(self.state, self.query_one(ErrorList).rows, kind, path, self.clock(),
                                   self.store.work(self.tenant_key))
            except OSError as exc:
                self.notify(f"Cannot write {path}: {exc.strerror or exc}", severity="error", markup=False)
                return
            if said is not None:
                self.notify(said, markup=False)

        self.push_screen(ExportScreen(default, len(self.query_one(ErrorList).rows)), write)
