"""On-premises AD as an evidence source: the directory read (live or from exports) into
an index the diagnosis asks — who holds a conflicting value on-premises, which AD
object is a cloud object's own, where it is and whether its anchor matches.

A live directory is re-read at most every ``every`` seconds (a full read of a large
domain is minutes of a DC's time); exports are read once, since files do not change
under the admin's feet. The read runs in a thread: an LDAP search blocks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import datetime

from syncdash.ad.reading import ad_objects
from syncdash.evidence import Evidence
from syncdash.model import SourceState, SourceStatus
from syncdash.onprem import BadExport, DirectoryUnreadable, OnPremisesDirectory, RawEntry

NAME = "ad"
#: A live directory's re-read interval (seconds) unless the profile says otherwise.
LIVE_EVERY = 900.0

#: Reads the entries afresh each time it is called: (origin, entry) pairs.
EntryReader = Callable[[], Iterator[tuple[str, RawEntry]]]


class ActiveDirectory:
    """The :class:`~syncdash.evidence.EvidenceSource` for on-premises AD."""

    name = NAME

    def __init__(self, entries: EntryReader, origins: tuple[str, ...], *, every: float | None = LIVE_EVERY) -> None:
        """``every``: seconds between reads; None reads once (exports)."""
        self._entries, self._origins, self._every = entries, origins, every
        self._last: Evidence | None = None
        self._read_at = 0.0
        #: Entries set aside as unreadable (one line each), for the admin.
        self.set_aside: list[str] = []

    async def read(self, now: datetime) -> Evidence:
        fresh = self._every is None or time.monotonic() - self._read_at < self._every
        if self._last is not None and fresh:
            return self._last
        try:
            directory = await asyncio.to_thread(self._index)
            read = f"{', '.join(self._origins)}: {directory.count} objects"
            if self.set_aside:
                read += f", {len(self.set_aside)} entries not readable"
            evidence = Evidence(SourceStatus(NAME, SourceState.READ, None, now, read), directory=directory)
        except (DirectoryUnreadable, BadExport, OSError) as exc:
            evidence = Evidence(SourceStatus(NAME, SourceState.UNAVAILABLE, str(exc) or type(exc).__name__, now))
        self._last, self._read_at = evidence, time.monotonic()
        return evidence

    def _index(self) -> OnPremisesDirectory:
        self.set_aside = []
        return OnPremisesDirectory(ad_objects(self._entries(), self.set_aside.append), self._origins)
