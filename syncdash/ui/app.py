"""The dashboard: the live error list, the chosen object, and its checklist.

The app composes the screen, binds the keys, and turns the workers' messages into state
(:mod:`syncdash.ui.state`) and redraws. The reads run in :mod:`syncdash.ui.session`; the
panes and the list's view are in :mod:`syncdash.ui.navigation`, the chosen object and the
keys that act on it in :mod:`syncdash.ui.chosen`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Container, Vertical
from textual.screen import Screen
from textual.theme import Theme
from textual.timer import Timer
from textual.widgets import Input, Static

from syncdash.auth.tokens import TokenInfo
from syncdash.clouds import CLOUDS, Cloud
from syncdash.config import Settings
from syncdash.evidence import EvidenceSource
from syncdash.graph.index import DirectoryIndex
from syncdash.model import DirectoryObject
from syncdash.sources import Source
from syncdash.store import Snapshot, Store
from syncdash.ui.auditing import OnPremisesAudit
from syncdash.ui.chosen import ChosenObject
from syncdash.ui.keys import APP_BINDINGS, escape_burst
from syncdash.ui.messages import (QUIET, CachedObjects, Diagnosed, ListRead, LookupFailed, NothingChanged,
                                  RefreshFailed, ScanFinished, Scanned, TenantRead, Throttled)
from syncdash.ui.navigation import PaneNavigation
from syncdash.ui.palette import JumpToObject, SwitchProfile
from syncdash.ui.rows import Row, View, cached_row
from syncdash.ui.session import Connect, TenantSession
from syncdash.ui.state import Dashboard, ListChange
from syncdash.ui.themes import start_with_theme, status_colours
from syncdash.ui.widgets.checklist_pane import ChecklistPane
from syncdash.ui.widgets.detail_pane import DetailPane
from syncdash.ui.widgets.error_list import ErrorList
from syncdash.ui.widgets.key_bar import KeyBar
from syncdash.ui.widgets.status_bar import StatusBar


class SyncdashApp(ChosenObject, PaneNavigation, OnPremisesAudit):
    """Reads the tenant in workers, keeps the state, and lets the widgets draw it."""

    CSS_PATH = "app.tcss"
    TITLE = "syncdash"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    COMMANDS = App.COMMANDS | {JumpToObject, SwitchProfile}
    BINDINGS = APP_BINDINGS

    def __init__(
        self,
        connect: Connect,
        *,
        tenant_key: str,
        store: Store,
        refresh: float,
        clock: Callable[[], datetime],
        theme: str | None = None,
        keymap: dict[str, str] | None = None,
        theme_dirs: list[Path] | None = None,
        cloud: Cloud = CLOUDS["public"],
        evidence: Callable[[], tuple[EvidenceSource, ...]] | None = None,
        profiles: Mapping[str, Callable[[], tuple[Source, Settings]]] | None = None,
        on_first_frame: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.session = TenantSession(self, connect, store, tenant_key, evidence)
        self.state = Dashboard()
        self._cache_warned: str | None = None
        self.refresh_interval = refresh
        self.clock = clock
        self._wanted_theme = theme
        self._keymap = dict(keymap or {})
        self._theme_problems = start_with_theme(self, theme_dirs or [], theme or self.store.preference("theme"))
        self.cloud = cloud
        self.profiles = dict(profiles or {})
        self._on_first_frame = on_first_frame
        self.show_xml = False
        self._next_refresh: Timer | None = None

    @property
    def permissions(self) -> TokenInfo | None:
        return self.session.permissions

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own palette entries, less the ones for developers (keys panel, maximize,
        screenshot): an admin's palette has objects, profiles, themes and quit."""
        yield from (command for command in super().get_system_commands(screen) if command.title in ("Theme", "Quit"))
        yield SystemCommand("On-premises audit", "IdFix's rules, AD duplicates and values a cloud object holds (a)",
                            self.action_audit)

    # -- layout -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar()
        with Container(id="main"):
            with Vertical(id="list-pane", classes="pane -active"):
                yield Static(id="summary", markup=False)
                yield ErrorList(id="list")
                yield Input(placeholder="filter: name, UPN, mail or value (!text inverts, Esc clears)", id="filter")
            with Vertical(id="detail-pane", classes="pane"):
                yield DetailPane(id="detail")
            with Vertical(id="checklist-pane", classes="pane"):
                yield ChecklistPane(id="checklist")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.theme != self.store.preference("theme") and self._wanted_theme == self.theme:
            self._remember_theme(self.current_theme)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self._keymap:
            self.set_keymap(self._keymap)
        for problem in self._theme_problems:
            self.notify(problem, severity="warning", markup=False, timeout=10)
        self.query_one("#list-pane").border_title = "Objects with sync errors"
        self.query_one("#detail-pane").border_title = "Detail"
        self.query_one("#checklist-pane").border_title = "Checklist: the three recommended steps"
        self.query_one(ChecklistPane).show_message("Select an object to run the three steps.")
        self._show_rows()  # empty until Graph answers, and saying so
        self._show_cached()
        self._focus(self.query_one(ErrorList))
        self._handle_signals()
        self.set_interval(30, self._draw_status)
        self._draw_status()
        if self._on_first_frame is not None:
            self.call_after_refresh(self._on_first_frame)
        self.call_after_refresh(self.refresh_tenant, True)  # the admin is waiting for it

    def _handle_signals(self) -> None:
        """SIGHUP (the SSH session dropped) and SIGTERM end the app through its own exit:
        workers cancelled, terminal restored, status 128 + signal. Installed on the event
        loop, so the signal wakes it at once; left in place until the process ends, so a
        second hang-up during shutdown is absorbed instead of killing it midway."""
        import signal

        loop = asyncio.get_running_loop()
        for name in ("SIGHUP", "SIGTERM"):
            number = getattr(signal, name, None)
            if number is None:
                continue
            try:
                loop.add_signal_handler(number, self._leave, 128 + number)
            except (NotImplementedError, RuntimeError, ValueError):  # no signals here (Windows, threads)
                return

    def _leave(self, return_code: int = 0) -> None:
        """Exit, first keeping a note being typed: a dropped session or Ctrl+C must not
        lose what the admin wrote."""
        from syncdash.ui.screens.prompts import NoteScreen

        screen = self.screen
        if isinstance(screen, NoteScreen) and (draft := screen.draft()) is not None:
            with self._saving():
                self.store.set_note(self.tenant_key, screen.object_id, draft)
        self.exit(return_code=return_code)

    def _remember_theme(self, theme: Theme) -> None:
        with self._saving():
            self.store.set_preference("theme", theme.name)

    def _warn_cache_problem(self) -> None:
        problem = self.store.cache_problem
        if problem is not None and problem != self._cache_warned:
            self.notify(f"Cache not written ({problem}): the next start reads Graph again.",
                        severity="warning", markup=False, timeout=10)
        self._cache_warned = problem

    async def on_event(self, event: events.Event) -> None:
        """Esc and a letter within 0.1 s (a quick hand, or both in one SSH packet) reach
        Textual as Alt+letter, which nothing here binds: taken here, before a text field
        could type the letter, as the two keys they were."""
        if isinstance(event, events.Key) and not event.is_forwarded and (keys := escape_burst(event.key)):
            for key in keys:
                self.simulate_key(key)
            return
        await super().on_event(event)

    def action_interrupt(self) -> None:
        self._leave()

    def _show_cached(self) -> None:
        """The last list of this tenant, at once, marked cached until Graph answers: its
        rows first (plain cells, quick to read), its objects decoded in a thread after."""
        cached = self.store.load_rows(self.tenant_key)
        if cached is None:
            return
        self.state.show_cached(cached)
        self.query_one(ErrorList).new_ids = set()
        self._show_rows()
        self._draw_status()
        self.call_after_refresh(self.load_cached_objects)

    @work(thread=True, exclusive=True, group="cache", exit_on_error=False, description=QUIET)
    def load_cached_objects(self) -> None:
        """The cached list's objects (detail, checklist, comparing the next scan)."""
        snapshot = self.store.load_snapshot(self.tenant_key)
        if snapshot is not None:
            index = DirectoryIndex(snapshot.objects)
            self.session.long_lived.arrived(len(snapshot.objects))
            self.post_message(CachedObjects(snapshot.objects, index))

    @on(CachedObjects)
    def _cached_objects(self, message: CachedObjects) -> None:
        if not self.state.cached_objects(message.objects, message.index):
            return
        row = self.query_one(ErrorList).highlighted
        if row is not None and self.state.selected is None and row.id in self.state.objects:
            self._diagnose(self.state.objects[row.id])

    @work(thread=True, exclusive=True, group="save", exit_on_error=False, description=QUIET)
    def save_list(self, snapshot: Snapshot, rows: list[Row]) -> None:
        """The list and its rows to the cache, off the UI thread (100,000 objects take a
        second or two to encode), and the day's count for the summary's sparkline."""
        self.store.save_snapshot(self.tenant_key, snapshot, [cached_row(row) for row in rows])
        if snapshot.complete:
            self.store.record_count(self.tenant_key, snapshot.taken.date().isoformat(), len(snapshot.objects))
        self.call_from_thread(self._warn_cache_problem)

    def switch_profile(self, name: str) -> None:
        """Another tenant: its own client, cache, ticks and notes; nothing carried over."""
        source, settings = self.profiles[name]()
        self.workers.cancel_all()
        if self._next_refresh is not None:
            self._next_refresh.stop()
        self.session = TenantSession(self, source.connect, self.store, source.key, source.evidence)
        self.cloud = source.cloud
        self.state = Dashboard(self.state.view)
        self.refresh_interval = settings.refresh
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        self._take_list((), announce=False)
        self.query_one(ChecklistPane).show_message("Select an object to run the three steps.")
        self._show_cached()
        self.notify(f"Profile {name}", timeout=3)
        self.refresh_tenant(asked=True)

    # -- reading the tenant (workers) --------------------------------------------------
    @work(exclusive=True, group="refresh", exit_on_error=False, description=QUIET)
    async def refresh_tenant(self, asked: bool = False) -> None:
        if await self.session.refresh(asked, self.state.freshness.complete, self.state.rows.objects):
            self.call_later(self.refresh_tenant)  # the one new sign-in

    def _schedule_refresh(self) -> None:
        if self._next_refresh is not None:
            self._next_refresh.stop()
        self._next_refresh = self.set_timer(self.refresh_interval, self.refresh_tenant)

    # -- messages → state → widgets ------------------------------------------------------
    @on(TenantRead)
    def _tenant_read(self, message: TenantRead) -> None:
        waiting = self.state.tenant_read(message.snapshot.status)
        self._draw_status()
        if waiting and self.state.selected is not None:
            self._diagnose(self.state.selected)

    @on(ListRead)
    def _list_read(self, message: ListRead) -> None:
        change = self.state.list_read(message.objects, message.complete, message.rows, message.index, self.clock())
        if change is not None:
            self._apply(change)

    @on(Scanned)
    def _scanned(self, message: Scanned) -> None:
        self.state.scanned(message.count)
        self._draw_status()

    @on(Throttled)
    def _throttled(self, message: Throttled) -> None:
        """In the header while it lasts; one notification per episode, not per retry."""
        if self.state.throttled(message.seconds):
            self.notify(f"Graph is throttling syncdash: retrying in {message.seconds:g} s; the list on screen stays.",
                        title="Graph", severity="warning", markup=False, timeout=8)
        self._draw_status()

    @on(ScanFinished)
    def _scan_finished(self, message: ScanFinished) -> None:
        self._apply(self.state.scan_finished(message.view, message.rows, message.same, self.clock()))
        self.query_one("#summary", Static).update(message.summary)
        if message.resynced:
            kinds = ", ".join(f"{kind.value}s" for kind in message.resynced)
            self.notify(f"Delta link expired: {kinds} read again in full.", markup=False, timeout=6)
        if self.state.tenant is not None:
            snapshot = Snapshot(self.state.tenant, message.objects, message.complete, self.clock())
            self.save_list(snapshot, self.state.rows.view(View()))  # newest first
        self._schedule_refresh()

    @on(NothingChanged)
    def _nothing_changed(self) -> None:
        self.state.nothing_changed(self.clock())
        self._draw_status()
        self._schedule_refresh()

    @on(RefreshFailed)
    def _refresh_failed(self, message: RefreshFailed) -> None:
        """Stale, with the reason and when the next try comes (a throttling outage never
        holds the dashboard: the next refresh tries again, and `r` at once)."""
        self.state.refresh_failed(message.reason, self.clock(), self.refresh_interval)
        if not self.state.rows.rows:  # an empty list must not read as "no errors"
            self._show_rows()
        self._draw_status()
        self.notify(message.reason, title="Graph", severity="error", markup=False, timeout=8)
        self._schedule_refresh()

    @on(LookupFailed)
    def _lookup_failed(self, message: LookupFailed) -> None:
        """One object's lookups failed: its checklist says so; the list is not stale."""
        if self.state.is_chosen(message.object_id):
            self.query_one(ChecklistPane).show_message(f"The three steps could not run: {message.reason}. r retries.")

    @on(Diagnosed)
    def _diagnosed(self, message: Diagnosed) -> None:
        if self.state.diagnosed(message.object_id, message.facts, message.diagnosis):
            self._draw_selection()

    def _take_list(self, objects: tuple[DirectoryObject, ...], *, announce: bool) -> None:
        self._apply(self.state.take_list(objects, announce=announce))

    def _apply(self, change: ListChange) -> None:
        """Patch the list in place: cursor and scroll stay, new rows are marked, rows that
        resolved disappear with a notification."""
        self.query_one(ErrorList).new_ids = set(change.added)
        for notice in change.resolved:
            self.notify(notice, markup=False)
        self._show_rows()
        if change.rediagnose is not None:
            self._diagnose(change.rediagnose)
        self._draw_status()

    def _draw_status(self) -> None:
        state = self.state
        self.query_one(StatusBar).update_status(state.tenant, state.rows.counts, state.freshness, self.clock(),
                                                status_colours(self))

    # -- widget events -----------------------------------------------------------------
    @on(ErrorList.Highlighted)
    def _highlighted(self, message: ErrorList.Highlighted) -> None:
        state = self.state
        obj = state.objects.get(message.object_id) if message.object_id else None
        if obj is None and message.object_id in state.rows.rows:  # a cached row, its object still decoding
            self.query_one(ChecklistPane).show_message("Reading the cached list…")
            return
        if obj is None:  # the filter left nothing: no lookup is waited for
            state.choose_nothing()
            self.workers.cancel_group(self, "diagnose")
            self.query_one(ChecklistPane).show_message("Select an object to run the three steps.")
            return
        if not state.is_chosen(obj.id):
            self._diagnose(obj)

    # -- actions -------------------------------------------------------------------------
    def action_help(self) -> None:
        from syncdash.ui.screens.help import help_screen

        self.push_screen(help_screen(self, self._keymap, self.permissions))

    def action_refresh(self) -> None:
        if self._next_refresh is not None:
            self._next_refresh.stop()
        self.notify("Refreshing from Graph…", timeout=2)
        self.refresh_tenant(asked=True)
