"""The Connect server's files as an evidence source: read once (files do not change
under the admin's feet), in a thread (a csexport of hundreds of MB takes seconds)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from syncdash.evidence import Evidence
from syncdash.model import HealthNote, SourceState, SourceStatus
from syncdash.sync_server import BadServerFile, ServerIndex

NAME = "server"
#: Files older than this are said to be so in the header and the sources line.
STALE_HOURS = 24


def describe(index: ServerIndex, now: datetime) -> str:
    """``3 files, 2,510 connector-space objects, 2 h old`` (and partial reads, and age past a day)."""
    oldest = index.as_of
    hours = (now - oldest).total_seconds() / 3600 if oldest else 0.0
    text = f"{len(index.files)} file{'' if len(index.files) == 1 else 's'}, {index.count:,} connector-space objects"
    text += f", {hours / 24:.1f} days old (older than {STALE_HOURS} h)" if hours > STALE_HOURS else f", {hours:.0f} h old"
    partial = sum(f.partial is not None for f in index.files)
    return text + (f", {partial} read in part" if partial else "")


def _notes(index: ServerIndex) -> tuple[HealthNote, ...]:
    """Lines for the header: a file read only in part, and a server that exports nothing."""
    notes = [HealthNote("warning", f"server file {f.origin} read in part: {f.partial}") for f in index.files if f.partial]
    scheduler = index.scheduler
    if scheduler is not None and scheduler.staging_mode:
        notes.append(HealthNote("error", "the Connect server's files come from a staging server: it exports nothing"))
    if scheduler is not None and (scheduler.sync_cycle_enabled is False or scheduler.suspended):
        notes.append(HealthNote("error", "the Connect server runs no sync cycle (Get-ADSyncScheduler)"))
    return tuple(notes)


class ServerEvidence:
    """The :class:`~syncdash.evidence.EvidenceSource` for the Connect server's files."""

    name = NAME

    def __init__(self, read: Callable[[], ServerIndex], origins: Sequence[str]) -> None:
        self._read, self._origins = read, tuple(origins)
        self._last: Evidence | None = None

    async def read(self, now: datetime) -> Evidence:
        if self._last is not None:
            return self._last
        try:
            index = await asyncio.to_thread(self._read)
            status = SourceStatus(NAME, SourceState.READ, None, index.as_of, describe(index, now))
            evidence = Evidence(status, index.export_errors(), _notes(index), server=index)
        except (BadServerFile, OSError) as exc:
            evidence = Evidence(SourceStatus(NAME, SourceState.UNAVAILABLE, str(exc) or type(exc).__name__, now))
        self._last = evidence
        return evidence


def from_files(paths: Sequence[Path]) -> ServerEvidence:
    from syncdash.server.reading import read_server_files

    return ServerEvidence(lambda: read_server_files(paths), [str(p) for p in paths])
