"""The dashboard: the live error list, the chosen object, and its checklist."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.content import Content
from textual.theme import Theme
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

from syncdash.auth.tokens import TokenInfo, token_info
from syncdash.clouds import CLOUDS, Cloud
from syncdash.diagnose.findings import Diagnosis, Status
from syncdash.files import write_atomically
from syncdash.graph.errors import AuthenticationFailed, GraphError
from syncdash.graph.index import DirectoryIndex
from syncdash.heap import LongLived
from syncdash.model import DirectoryObject, ObjectFacts, ObjectKind, TenantStatus
from syncdash.portal import admin_center_link
from syncdash.config import Settings
from syncdash.sources import Hooks, Source
from syncdash.sanitize import safe_text
from syncdash.store import Snapshot, Store, StoreWriteError
from syncdash.ui.keys import escape_burst
from syncdash.ui.list_changes import resolved_notices
from syncdash.ui.messages import (CachedObjects, Diagnosed, ListRead, LookupFailed, NothingChanged, RefreshFailed,
                                  ScanFinished, Scanned, TenantRead)
from syncdash.ui.palette import JumpToObject, SwitchProfile
from syncdash.ui.rows import COLUMNS, Row, RowSet, View, cached_row, make_rows, row_from_cache
from syncdash.ui.themes import start_with_theme, status_colours
from syncdash.ui.widgets.checklist_pane import ChecklistPane
from syncdash.ui.widgets.detail_pane import DetailPane, render_detail
from syncdash.ui.widgets.error_list import ErrorList
from syncdash.ui.widgets.key_bar import KeyBar
from syncdash.ui.widgets.status_bar import Freshness, StatusBar

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

    from syncdash.graph.tenant import TenantSnapshot
    from syncdash.pipeline import TenantReader
    from syncdash.ui.screens.prompts import SignInScreen

#: Builds the Graph client; it is handed the app's listeners (throttling, sign-in).
Connect = Callable[[Hooks], "GraphServiceClient"]
PANES = ("#list-pane", "#detail-pane", "#checklist-pane")
#: Every worker's description: without one, Textual describes a worker by the repr of its
#: arguments, which for a list of 100,000 objects held the event loop for 5 s (and would
#: put directory data in its debug output).
_QUIET = "syncdash worker"
KINDS = {"all": None, "users": ObjectKind.USER, "groups": ObjectKind.GROUP, "contacts": ObjectKind.CONTACT}


class SyncdashApp(App[None]):
    """Reads the tenant in workers, keeps the state, and lets the widgets draw it."""

    CSS_PATH = "app.tcss"
    TITLE = "syncdash"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    COMMANDS = App.COMMANDS | {JumpToObject, SwitchProfile}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        # Ctrl+C quits from every screen, as in k9s (not Textual's "press q to quit")
        Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True, id="app.interrupt"),
        # named here, with an id, so that it can be remapped (Textual adds it without one)
        Binding("ctrl+p", "command_palette", "Command palette: jump to an object, profile, theme", show=False,
                priority=True, id="app.palette"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
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
        Binding("tab", "pane(1)", "Pane", priority=True, id="app.next_pane"),
        Binding("shift+tab", "pane(-1)", "Previous pane", show=False, priority=True, id="app.previous_pane"),
        Binding("n", "note", "Note", show=False, id="app.note"),
        Binding("r", "refresh", "Refresh", id="app.refresh"),
        Binding("c", "copy", "Copy UPN", show=False, id="app.copy"),
        Binding("o", "link", "Admin center link", show=False, id="app.link"),
        Binding("e", "export", "Export", id="app.export"),
        Binding("x", "raw_xml", "Raw XML", show=False, id="app.raw_xml"),
    ]

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
        profiles: Mapping[str, Callable[[], tuple[Source, Settings]]] | None = None,
        on_first_frame: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self._connect = connect
        self._client: GraphServiceClient | None = None
        self._client_lock = asyncio.Lock()
        self._cache_warned: str | None = None
        #: Set while the one new sign-in after a 401 is under way; a second 401 then stops.
        self._signing_in_again = False
        self.tenant_key = tenant_key
        self.store = store
        self.refresh_interval = refresh
        self.clock = clock
        self._wanted_theme = theme
        self._keymap = dict(keymap or {})
        self._theme_problems = start_with_theme(self, theme_dirs or [], theme or self.store.preference("theme"))
        self.cloud = cloud
        self.profiles = dict(profiles or {})
        self._on_first_frame = on_first_frame
        self._reader: TenantReader | None = None
        self.permissions: TokenInfo | None = None
        self._sign_in: SignInScreen | None = None
        self.rows = RowSet()
        self._long_lived = LongLived()
        self.view = View()
        self.objects: dict[str, DirectoryObject] = {}
        self.tenant: TenantStatus | None = None
        self.index: DirectoryIndex | None = None
        #: The listed objects in error, indexed, while there is no complete scan: the chosen
        #: object's lookups ask it instead of listing every object in error again.
        self._listed: DirectoryIndex | None = None
        self.unavailable: tuple[str, ...] = ()
        self.freshness = Freshness("live", complete=False, refreshed=None, scanning=True)
        self.selected: DirectoryObject | None = None
        self.facts: ObjectFacts | None = None
        self.diagnosis: Diagnosis | None = None
        self.show_xml = False
        self._first_list = True
        #: The kinds the last scan could not read: a scan is compared only with one alike.
        self._unreadable_before: tuple[str, ...] = ()
        self._throttle_told = False  # one notification per throttled refresh
        self._next_refresh: Timer | None = None

    # -- layout -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar()
        with Container(id="main"):
            with Vertical(id="list-pane", classes="pane -active"):
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

    @contextlib.contextmanager
    def _saving(self) -> Iterator[None]:
        """The admin's own data failed to save (disk full, read-only): said loudly, and
        the screen keeps showing what is really on disk."""
        try:
            yield
        except StoreWriteError as exc:
            self.notify(f"{exc}: free space or fix the data directory's permissions",
                        severity="error", markup=False, timeout=15)

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
        self.tenant = cached.tenant
        self.freshness = Freshness("cached", cached.complete, cached.taken, scanning=True)
        self.rows.preload([row for row in map(row_from_cache, cached.rows) if row is not None])
        self.objects = {}
        self.query_one(ErrorList).new_ids = set()
        self._show_rows()
        self._draw_status()
        # the first scan is compared with a complete snapshot: what changed while
        # syncdash was closed is marked new or announced as resolved
        self._first_list, self._unreadable_before = not cached.complete, ()
        self.call_after_refresh(self.load_cached_objects)

    @work(thread=True, exclusive=True, group="cache", exit_on_error=False, description=_QUIET)
    def load_cached_objects(self) -> None:
        """The cached list's objects (detail, checklist, comparing the next scan)."""
        snapshot = self.store.load_snapshot(self.tenant_key)
        if snapshot is not None:
            index = DirectoryIndex(snapshot.objects)
            self._long_lived.arrived(len(snapshot.objects))
            self.post_message(CachedObjects(snapshot.objects, index))

    @on(CachedObjects)
    def _cached_objects(self, message: CachedObjects) -> None:
        if self.freshness.source != "cached" or self.objects:
            return  # Graph answered first: its list stands
        self.objects = {obj.id: obj for obj in message.objects if obj.id in self.rows.rows}
        self._listed = message.index
        self.rows.adopt(self.objects.values())
        row = self.query_one(ErrorList).highlighted
        if row is not None and self.selected is None and row.id in self.objects:
            self._diagnose(self.objects[row.id])

    @work(thread=True, exclusive=True, group="save", exit_on_error=False, description=_QUIET)
    def save_list(self, snapshot: Snapshot, rows: list[Row]) -> None:
        """The list and its rows to the cache, off the UI thread (100,000 objects take a
        second or two to encode)."""
        self.store.save_snapshot(self.tenant_key, snapshot, [cached_row(row) for row in rows])
        self.call_from_thread(self._warn_cache_problem)

    def switch_profile(self, name: str) -> None:
        """Another tenant: its own client, cache, ticks and notes; nothing carried over."""
        source, settings = self.profiles[name]()
        self.workers.cancel_all()
        if self._next_refresh is not None:
            self._next_refresh.stop()
        self._connect, self._client = source.connect, None
        self.tenant_key, self.cloud = source.key, source.cloud
        self.tenant = self.index = self._listed = self.selected = self.facts = self.diagnosis = self._reader = None
        self.permissions = None  # the help screen must not show the previous tenant's
        self.refresh_interval = settings.refresh
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        self.unavailable = ()
        self.freshness = Freshness("live", complete=False, refreshed=None, scanning=True)
        self._first_list = True
        self._take_list((), announce=False)
        self.query_one(ChecklistPane).show_message("Select an object to run the three steps.")
        self._show_cached()
        self.notify(f"Profile {name}", timeout=3)
        self.refresh_tenant(asked=True)

    # -- reading the tenant (workers) --------------------------------------------------
    def _on_throttle(self, seconds: float) -> None:
        """In the header while it lasts; one notification per episode, not per retry."""
        if not self._throttle_told:
            self._throttle_told = True
            self.notify(f"Graph is throttling syncdash: retrying in {seconds:g} s; the list on screen stays.",
                        title="Graph", severity="warning", markup=False, timeout=8)
        self.freshness = Freshness(
            self.freshness.source, self.freshness.complete, self.freshness.refreshed,
            self.freshness.scanning, self.freshness.scanned, f"throttled, retrying in {seconds:g} s",
        )
        self._draw_status()

    async def _reader_ready(self) -> TenantReader:
        """The tenant's reader, its client built once and in a thread: the client's imports
        and TLS set-up (0.17 s, measured) would otherwise hold up the first frame of a
        cached list, whose selected object is diagnosed at once. A new sign-in gives the
        same reader (and its mirror) a new client."""
        async with self._client_lock:
            if self._client is None:
                hooks = Hooks(on_throttle=self._on_throttle, on_device_code=self._on_device_code,
                              on_token=self._on_token, interactive=True)
                self._client = await asyncio.to_thread(self._connect, hooks)
                if self._reader is not None:
                    self._reader.client = self._client
            if self._reader is None:
                from syncdash.pipeline import TenantReader

                self._reader = TenantReader(self._client, self.store, self.tenant_key)
            return self._reader

    def _on_device_code(self, url: str, code: str, expires: datetime) -> None:
        """Called by azure-identity in its own thread: the dialog opens on the UI's."""
        self.call_from_thread(self._show_sign_in, url, code, expires)

    def _show_sign_in(self, url: str, code: str, expires: datetime) -> None:
        from syncdash.ui.screens.prompts import SignInScreen

        self._sign_in = SignInScreen(url, code, expires)
        self.push_screen(self._sign_in)

    def _on_token(self, token: str) -> None:
        """A token arrived: sign-in is over, and its claims say what may be read."""
        self.permissions = token_info(token)
        if self._sign_in is not None:
            if self.screen is self._sign_in:
                self._sign_in.dismiss(None)
            self._sign_in = None
            self.notify("Signed in.", timeout=3)

    @work(exclusive=True, group="refresh", exit_on_error=False, description=_QUIET)
    async def refresh_tenant(self, asked: bool = False) -> None:
        """Tenant status; the fast filtered list while there is no mirror yet; then the
        mirror brought up to date by delta queries (a full listing only the first time or
        after a resync), and every lookup answered from it.

        A scheduled refresh (``asked`` False) goes to Graph at low throttle priority and
        re-reads the tenant status and recycle bin (one ``$batch``) only when the delta
        saw a change or STATUS_EVERY has passed: a quiet tenant costs one request a kind.
        """
        from syncdash.graph.fetch import BACKGROUND

        BACKGROUND.set(not asked)  # this worker's task only
        try:
            reader = await self._reader_ready()  # first: the graph layer's imports then cost nothing
            status_read = reader.status_due(asked)
            if status_read:
                self.post_message(TenantRead(await reader.read_status()))
            if not await reader.has_mirror() and not self.freshness.complete:
                fast = await reader.fast_list()
                rows = await asyncio.to_thread(make_rows, fast.objects)
                listed = await asyncio.to_thread(DirectoryIndex, fast.objects)
                self._long_lived.arrived(len(fast.objects))
                self.post_message(ListRead(fast.objects, fast.complete, rows, listed))
            read = 0

            def on_page(size: int) -> None:
                nonlocal read
                read += size
                self._long_lived.arrived(size)
                self.post_message(Scanned(read))

            def on_status(snapshot: TenantSnapshot) -> None:
                self.post_message(TenantRead(snapshot))

            view = await reader.refresh(on_page, on_status, status_read=status_read)
            if view is None:
                self.post_message(NothingChanged())
            else:
                rows = await asyncio.to_thread(make_rows, view.in_error)
                before = self.rows.objects  # compared in a thread; used only if still current
                same = before, await asyncio.to_thread(lambda: {o.id for o in view.in_error if before.get(o.id) == o})
                self._long_lived.arrived(len(view.in_error))  # its rows and the index: made anew
                self.post_message(ScanFinished(view, rows=rows, same=same))
            self._signing_in_again = False
        except AuthenticationFailed as exc:
            if self._signing_in_again:
                self.post_message(RefreshFailed(str(exc)))
                return
            # a token revoked mid-session: one new sign-in, through a fresh credential so
            # that the revoked token is not handed back from the old one's cache
            self._signing_in_again = True
            async with self._client_lock:
                self._client = None
            self.notify("Graph refused the sign-in (revoked or expired): signing in again.", markup=False)
            self.call_later(self.refresh_tenant)
        except GraphError as exc:
            self.post_message(RefreshFailed(str(exc)))
        except Exception as exc:  # a bug or a library's surprise must not end the live refresh
            self.post_message(RefreshFailed(safe_text(f"unexpected error: {type(exc).__name__}: {exc}")))

    @work(exclusive=True, group="diagnose", exit_on_error=False, description=_QUIET)
    async def diagnose_remotely(self, obj: DirectoryObject, listed: DirectoryIndex | None) -> None:
        """Before the complete scan, holders are looked up in Graph for the chosen object."""
        try:
            reader = await self._reader_ready()
            facts, diagnosis = await reader.diagnose_remotely(obj, self.clock(), listed)
        except GraphError as exc:
            self.post_message(LookupFailed(obj.id, str(exc)))
            return
        self.post_message(Diagnosed(obj.id, facts, diagnosis))

    def _schedule_refresh(self) -> None:
        if self._next_refresh is not None:
            self._next_refresh.stop()
        self._next_refresh = self.set_timer(self.refresh_interval, self.refresh_tenant)

    @on(TenantRead)
    def _tenant_read(self, message: TenantRead) -> None:
        self.tenant = message.snapshot.status
        self._draw_status()
        if self.selected is not None and self.diagnosis is None:
            self._diagnose(self.selected)

    @on(ListRead)
    def _list_read(self, message: ListRead) -> None:
        if self.freshness.source == "cached" and self.objects:
            return  # the cached list is more complete than the filtered one
        self.freshness = Freshness("live", message.complete, self.clock(), scanning=True)
        self._listed = message.index
        self._take_list(message.objects, announce=False, rows=message.rows)

    @on(Scanned)
    def _scanned(self, message: Scanned) -> None:
        f = self.freshness
        self.freshness = Freshness(f.source, f.complete, f.refreshed, True, message.count, None)
        self._draw_status()

    @on(ScanFinished)
    def _scan_finished(self, message: ScanFinished) -> None:
        self.index = message.index
        self.unavailable = message.unavailable
        problem = "; ".join(message.unavailable) or None
        self.freshness = Freshness("live", message.complete, self.clock(), scanning=False, problem=problem)
        # compared only with a scan that could read the same kinds: a kind refused since
        # (403) would otherwise be announced as resolved, object by object
        alike = message.unavailable == self._unreadable_before
        known = self.rows.complete  # a cached list whose objects are still being decoded cannot be compared
        self._take_list(message.objects, announce=not self._first_list and alike and known, rows=message.rows,
                        same=message.same)
        self._first_list, self._unreadable_before = False, message.unavailable
        self._throttle_told = False
        if message.resynced:
            kinds = ", ".join(f"{kind.value}s" for kind in message.resynced)
            self.notify(f"Delta link expired: {kinds} read again in full.", markup=False, timeout=6)
        if self.tenant is not None:
            snapshot = Snapshot(self.tenant, message.objects, message.complete, self.clock())
            self.save_list(snapshot, self.rows.view(View()))  # newest first
        self._schedule_refresh()

    @on(NothingChanged)
    def _nothing_changed(self) -> None:
        f = self.freshness
        self.freshness = Freshness("live", f.complete, self.clock(), scanning=False,
                                   problem="; ".join(self.unavailable) or None)
        self._throttle_told = False
        self._draw_status()
        self._schedule_refresh()

    @on(RefreshFailed)
    def _refresh_failed(self, message: RefreshFailed) -> None:
        """Stale, with the reason and when the next try comes (a throttling outage never
        holds the dashboard: the next refresh tries again, and `r` at once)."""
        f = self.freshness
        retry = self.clock() + timedelta(seconds=self.refresh_interval)
        self.freshness = Freshness("stale", f.complete, f.refreshed, False, f.scanned, message.reason, retry)
        self._draw_status()
        self.notify(message.reason, title="Graph", severity="error", markup=False, timeout=8)
        self._schedule_refresh()

    @on(LookupFailed)
    def _lookup_failed(self, message: LookupFailed) -> None:
        """One object's lookups failed: its checklist says so; the list is not stale."""
        if self.selected is not None and self.selected.id == message.object_id:
            self.query_one(ChecklistPane).show_message(f"The three steps could not run: {message.reason}. r retries.")

    @on(Diagnosed)
    def _diagnosed(self, message: Diagnosed) -> None:
        """A remote diagnosis counts only while nothing newer (a local one, from the
        complete scan) has answered for the same object."""
        if self.selected is not None and self.selected.id == message.object_id and self.diagnosis is None:
            self.facts, self.diagnosis = message.facts, message.diagnosis
            self._draw_selection()

    # -- state → widgets ----------------------------------------------------------------
    def _take_list(self, objects: tuple[DirectoryObject, ...], *, announce: bool, rows: dict[str, Row] | None = None,
                   same: tuple[dict[str, DirectoryObject], set[str]] | None = None) -> None:
        """Patch the list in place: cursor and scroll stay, new rows are marked, rows that
        resolved disappear with a notification."""
        before = self.objects
        self.objects = {obj.id: obj for obj in objects}
        added, removed, changed = self.rows.replace(objects, rows, same)
        error_list = self.query_one(ErrorList)
        error_list.new_ids = added if announce else set()  # new since the last refresh, or none
        for notice in resolved_notices(before[i] for i in removed) if announce else ():
            self.notify(notice, markup=False)
        self._show_rows()
        if self.selected is not None and (self.selected.id in changed or self.selected.id in removed or announce):
            current = self.objects.get(self.selected.id)
            if current is not None:
                self._diagnose(current)
        self._draw_status()

    def _show_rows(self) -> None:
        rows = self.rows.view(self.view)
        error_list = self.query_one(ErrorList)
        error_list.empty_text = "No object matches the filter." if self.rows.rows else "No objects with sync errors."
        error_list.show(rows)
        error_list.mark_sort(self.view.sort, self.view.reverse)
        arrow = "↑" if self.view.reverse else "↓"
        kind = f" · {self.view.kind.value}s" if self.view.kind else ""
        text = f" · filter {safe_text(self.view.filter)!r}" if self.view.filter else ""
        pane = self.query_one("#list-pane")
        pane.border_title = Content(f"Objects with sync errors ({len(rows)}/{len(self.rows.rows)}){kind}{text}")
        pane.border_subtitle = f"sorted by {COLUMNS[self.view.sort]} {arrow}"

    def _draw_status(self) -> None:
        self.query_one(StatusBar).update_status(self.tenant, self.rows.counts, self.freshness, self.clock(),
                                                status_colours(self))

    def _diagnose(self, obj: DirectoryObject) -> None:
        self.selected = obj
        self.facts = self.diagnosis = None
        if self.index is not None and self.tenant is not None:
            from syncdash.pipeline import diagnose_object

            self.workers.cancel_group(self, "diagnose")
            self.facts, self.diagnosis = diagnose_object(self.index, obj, tenant=self.tenant, now=self.clock(),
                                                         unavailable=self.unavailable)
        elif self.tenant is not None:
            self.query_one(ChecklistPane).show_running()
            self.diagnose_remotely(obj, self._listed)
        self._draw_selection()

    def _draw_selection(self) -> None:
        obj = self.selected
        checklist = self.query_one(ChecklistPane)
        if obj is None:
            return
        note = self.store.note(self.tenant_key, obj.id)
        self.query_one(DetailPane).show(render_detail(obj, self.facts, note, self.show_xml), obj.id)
        if self.diagnosis is not None:
            colours = status_colours(self)
            checklist.show(self.diagnosis, self.store.ticks(self.tenant_key, obj.id),
                           {Status.CLEAR: colours["success"], Status.PROBLEM: colours["error"],
                            Status.UNKNOWN: colours["warning"]})
        elif not checklist.running:
            checklist.show_message("Waiting for the tenant status…")

    # -- widget events -----------------------------------------------------------------
    @on(ErrorList.Highlighted)
    def _highlighted(self, message: ErrorList.Highlighted) -> None:
        obj = self.objects.get(message.object_id) if message.object_id else None
        if obj is None and message.object_id in self.rows.rows:  # a cached row, its object still decoding
            self.query_one(ChecklistPane).show_message("Reading the cached list…")
            return
        if obj is None:  # the filter left nothing: no lookup is waited for
            self.selected = None
            self.workers.cancel_group(self, "diagnose")
            self.query_one(ChecklistPane).show_message("Select an object to run the three steps.")
            return
        if self.selected is None or self.selected.id != obj.id:
            self._diagnose(obj)

    @on(ErrorList.Chosen)
    def _chosen(self, message: ErrorList.Chosen) -> None:
        self._activate(1)

    @on(ChecklistPane.Ticked)
    def _ticked(self, message: ChecklistPane.Ticked) -> None:
        if self.selected is None:
            return
        ticked = message.check in self.store.ticks(self.tenant_key, self.selected.id)
        with self._saving():
            self.store.set_tick(self.tenant_key, self.selected.id, message.check, not ticked)
        self._draw_selection()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, message: Input.Changed) -> None:
        self.view = View(message.value, self.view.kind, self.view.sort, self.view.reverse)
        self._show_rows()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one("#filter").remove_class("-shown")
        self._focus(self.query_one(ErrorList))

    # -- actions -------------------------------------------------------------------------
    def jump_to(self, object_id: str) -> None:
        self.view = View(kind=None, sort=self.view.sort, reverse=self.view.reverse)
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

    def action_pane(self, step: int) -> None:
        if self.screen is not self.screen_stack[0]:  # a dialog: Tab moves between its fields
            self.screen.focus_next() if step > 0 else self.screen.focus_previous()
            return
        focused = self.focused
        current = next((i for i, s in enumerate(PANES) if focused and focused in self.query_one(s).walk_children()), 0)
        self._activate((current + step) % len(PANES))

    def action_help(self) -> None:
        from syncdash.ui.screens.help import help_screen

        self.push_screen(help_screen(self, self._keymap, self.permissions))

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

    def _focus(self, widget: Widget) -> None:
        """Focus at once, not on the next message as ``Widget.focus`` does: keys that arrive
        in one burst (a fast typist over SSH) are already queued behind this action, and
        each must reach the widget the previous key chose."""
        self.screen.set_focus(widget)

    def action_filter(self) -> None:
        self._activate(0)
        box = self.query_one("#filter", Input)
        box.add_class("-shown")
        self._focus(box)

    def action_clear_filter(self) -> None:
        """Esc backs out one level, like k9s: from a pane to the list, then the filter goes."""
        if isinstance(self.focused, (DetailPane, ChecklistPane)):
            self._activate(0)
            return
        box = self.query_one("#filter", Input)
        box.value = ""
        box.remove_class("-shown")
        self.view = View("", self.view.kind, self.view.sort, self.view.reverse)
        self._show_rows()
        self._focus(self.query_one(ErrorList))

    def action_kind(self, name: str) -> None:
        self.view = View(self.view.filter, KINDS[name], self.view.sort, self.view.reverse)
        self._show_rows()

    def action_sort(self) -> None:
        self.view = View(self.view.filter, self.view.kind, (self.view.sort + 1) % len(COLUMNS), False)
        self._show_rows()

    def action_reverse(self) -> None:
        self.view = View(self.view.filter, self.view.kind, self.view.sort, not self.view.reverse)
        self._show_rows()

    def action_refresh(self) -> None:
        if self._next_refresh is not None:
            self._next_refresh.stop()
        self.notify("Refreshing from Graph…", timeout=2)
        self.refresh_tenant(asked=True)

    def action_copy(self) -> None:
        if self.selected is None:
            return
        value = self.selected.upn or self.selected.mail or self.selected.id
        self.copy_to_clipboard(value)
        self.notify(f"Copied {safe_text(value)} (OSC 52 clipboard)", markup=False, timeout=3)

    def action_link(self) -> None:
        from syncdash.ui.screens.prompts import LinkScreen

        if self.selected is None:
            return
        url = admin_center_link(self.selected, self.cloud)
        self.copy_to_clipboard(url)
        self.push_screen(LinkScreen(safe_text(self.selected.display_name), url))

    def action_raw_xml(self) -> None:
        self.show_xml = not self.show_xml
        self._draw_selection()

    def action_note(self) -> None:
        from syncdash.ui.screens.prompts import NoteScreen

        obj = self.selected
        if obj is None:
            return

        def save(text: str | None) -> None:
            if text is not None:
                with self._saving():
                    self.store.set_note(self.tenant_key, obj.id, text)
                self._draw_selection()

        note = self.store.note(self.tenant_key, obj.id)
        self.push_screen(NoteScreen(safe_text(obj.display_name), note, obj.id), save)

    def action_export(self) -> None:
        from syncdash.export import formats
        from syncdash.pipeline import Diagnoses
        from syncdash.ui.screens.prompts import ExportScreen

        if self.index is None or self.tenant is None:
            self.notify("Export needs the complete scan: wait until the header says complete.",
                        severity="warning", markup=False)
            return
        default = Path.cwd() / f"syncdash-{self.clock():%Y%m%d-%H%M}.md"

        def write(choice: tuple[str, Path] | None) -> None:
            if choice is None or self.index is None or self.tenant is None:
                return
            kind, path = choice
            rows = self.query_one(ErrorList).rows  # as shown now: a refresh may have come since
            # "complete scan" only for every object in error: no kind unread, no filter or kind chosen
            complete = self.freshness.complete and not self.unavailable and len(rows) == len(self.rows.rows)
            chosen = tuple(self.objects[row.id] for row in rows if row.id in self.objects)
            diagnoses = Diagnoses(chosen, self.index, self.tenant, self.clock(), self.unavailable)
            try:
                write_atomically(path, formats.render_report(kind, self.tenant, complete, diagnoses))
            except OSError as exc:
                self.notify(f"Cannot write {path}: {exc.strerror or exc}", severity="error", markup=False)
                return
            self.notify(f"Wrote {len(diagnoses)} object{'' if len(diagnoses) == 1 else 's'} to {path}", markup=False)

        self.push_screen(ExportScreen(default, len(self.query_one(ErrorList).rows)), write)
