"""One tenant's connection as the dashboard holds it, and the reads its workers run.

The Graph client is built once, in a thread; a device-code sign-in opens its dialog and a
token closes it; a token revoked mid-session gets one new sign-in. The reads themselves
(:meth:`TenantSession.refresh`, :meth:`TenantSession.diagnose`) only post messages: the app
turns those into state, so nothing here touches what is on screen."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from syncdash.auth.tokens import TokenInfo, token_info
from syncdash.graph.errors import AuthenticationFailed, GraphError
from syncdash.graph.index import DirectoryIndex
from syncdash.heap import LongLived
from syncdash.sanitize import safe_text
from syncdash.export.summary import summary_line
from syncdash.sources import Hooks
from syncdash.ui.messages import (Diagnosed, ListRead, LookupFailed, NothingChanged, RefreshFailed, ScanFinished,
                                  Scanned, TenantRead, Throttled)
from syncdash.ui.rows import make_rows

if TYPE_CHECKING:
    from msgraph import GraphServiceClient
    from textual.app import App

    from syncdash.evidence import EvidenceSource
    from syncdash.graph.tenant import TenantSnapshot
    from syncdash.model import DirectoryObject
    from syncdash.pipeline import TenantReader, TenantView
    from syncdash.store import Store
    from syncdash.ui.screens.prompts import SignInScreen

#: Builds the Graph client; it is handed the session's listeners (throttling, sign-in).
Connect = Callable[[Hooks], "GraphServiceClient"]


class TenantSession:
    """The client, its sign-in and its reader for one tenant; a profile switch makes a new one."""

    def __init__(self, app: App[None], connect: Connect, store: Store, tenant_key: str,
                 evidence: Callable[[], tuple[EvidenceSource, ...]] | None = None) -> None:
        self._app = app
        self._connect = connect
        self._evidence = evidence
        self._store = store
        self.tenant_key = tenant_key
        self._client: GraphServiceClient | None = None
        self._client_lock = asyncio.Lock()
        self.reader: TenantReader | None = None
        #: What the token's claims allow (the help screen shows it); None before sign-in.
        self.permissions: TokenInfo | None = None
        self._sign_in: SignInScreen | None = None
        #: Set while the one new sign-in after a 401 is under way; a second 401 then stops.
        self._signing_in_again = False
        self.long_lived = LongLived()

    async def reader_ready(self) -> TenantReader:
        """The tenant's reader, its client built once and in a thread: the client's imports
        and TLS set-up (0.17 s, measured) would otherwise hold up the first frame of a
        cached list, whose selected object is diagnosed at once. A new sign-in gives the
        same reader (and its mirror) a new client."""
        async with self._client_lock:
            if self._client is None:
                hooks = Hooks(on_throttle=self._on_throttle, on_device_code=self._on_device_code,
                              on_token=self._on_token, interactive=True)
                self._client = await asyncio.to_thread(self._connect, hooks)
                if self.reader is not None:
                    self.reader.client = self._client
            if self.reader is None:
                from syncdash.pipeline import TenantReader

                sources = await asyncio.to_thread(self._evidence) if self._evidence else ()
                self.reader = TenantReader(self._client, self._store, self.tenant_key, sources)
            return self.reader

    def _on_throttle(self, seconds: float) -> None:
        self._app.post_message(Throttled(seconds))

    def _on_device_code(self, url: str, code: str, expires: datetime) -> None:
        """Called by azure-identity in its own thread: the dialog opens on the UI's."""
        self._app.call_from_thread(self._show_sign_in, url, code, expires)

    def _show_sign_in(self, url: str, code: str, expires: datetime) -> None:
        from syncdash.ui.screens.prompts import SignInScreen

        self._sign_in = SignInScreen(url, code, expires)
        self._app.push_screen(self._sign_in)

    def _on_token(self, token: str) -> None:
        """A token arrived: sign-in is over, and its claims say what may be read."""
        self.permissions = token_info(token)
        if self._sign_in is not None:
            if self._app.screen is self._sign_in:
                self._sign_in.dismiss(None)
            self._sign_in = None
            self._app.notify("Signed in.", timeout=3)

    async def refresh(self, asked: bool, complete: bool, shown: dict[str, DirectoryObject]) -> bool:
        """Tenant status; the fast filtered list while there is no mirror yet and the list
        on screen is not ``complete``; then the mirror brought up to date by delta queries
        (a full listing only the first time or after a resync), and every lookup answered
        from it. ``shown`` is the list on screen, to find the objects that did not change.

        A scheduled refresh (``asked`` False) goes to Graph at low throttle priority and
        re-reads the tenant status and recycle bin (one ``$batch``) only when the delta
        saw a change or STATUS_EVERY has passed: a quiet tenant costs one request a kind.

        True when Graph refused the token and a new sign-in should be tried (once).
        """
        from syncdash.graph.fetch import BACKGROUND

        post = self._app.post_message
        BACKGROUND.set(not asked)  # this worker's task only
        try:
            reader = await self.reader_ready()  # first: the graph layer's imports then cost nothing
            status_read = reader.status_due(asked)
            if status_read:
                post(TenantRead(await reader.read_status()))
            if not await reader.has_mirror() and not complete:
                fast = await reader.fast_list()
                rows = await asyncio.to_thread(make_rows, fast.objects)
                listed = await asyncio.to_thread(DirectoryIndex, fast.objects)
                self.long_lived.arrived(len(fast.objects))
                post(ListRead(fast.objects, fast.complete, rows, listed))
            read = 0

            def on_page(size: int) -> None:
                nonlocal read
                read += size
                self.long_lived.arrived(size)
                post(Scanned(read))

            def on_status(snapshot: TenantSnapshot) -> None:
                post(TenantRead(snapshot))

            view = await reader.refresh(on_page, on_status, status_read=status_read)
            if view is None:
                post(NothingChanged())
            else:
                rows = await asyncio.to_thread(make_rows, view.in_error)
                same = shown, await asyncio.to_thread(lambda: {o.id for o in view.in_error if shown.get(o.id) == o})
                self.long_lived.arrived(len(view.in_error))  # its rows and the index: made anew
                summary = await asyncio.to_thread(self._summary, view)
                post(ScanFinished(view, rows=rows, same=same, summary=summary))
            self._signing_in_again = False
        except AuthenticationFailed as exc:
            if self._signing_in_again:
                post(RefreshFailed(str(exc)))
                return False
            # a token revoked mid-session: one new sign-in, through a fresh credential so
            # that the revoked token is not handed back from the old one's cache
            self._signing_in_again = True
            async with self._client_lock:
                self._client = None
            self._app.notify("Graph refused the sign-in (revoked or expired): signing in again.", markup=False)
            return True
        except GraphError as exc:
            post(RefreshFailed(str(exc)))
        except Exception as exc:  # a bug or a library's surprise must not end the live refresh
            post(RefreshFailed(safe_text(f"unexpected error: {type(exc).__name__}: {exc}")))
        return False

    def _summary(self, view: TenantView) -> str:
        """The bars and sparkline above the list (in a thread: the day counts are a cache read)."""
        history = [*self._store.history(self.tenant_key), len(view.in_error)] if view.complete else []
        return summary_line(view.in_error, history)

    async def diagnose(self, obj: DirectoryObject, now: datetime, listed: DirectoryIndex | None) -> None:
        """Before the complete scan, holders are looked up in Graph for the chosen object."""
        try:
            reader = await self.reader_ready()
            facts, diagnosis = await reader.diagnose_remotely(obj, now, listed)
        except GraphError as exc:
            self._app.post_message(LookupFailed(obj.id, str(exc)))
            return
        self._app.post_message(Diagnosed(obj.id, facts, diagnosis))
