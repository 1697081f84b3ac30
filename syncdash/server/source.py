"""The Connect server's files as an evidence source: read once (files do not change
under the admin's feet), in a thread (a csexport of hundreds of MB takes seconds)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from syncdash.evidence import Evidence
from syncdash.model import HealthNote, SourceState, SourceStatus
from syncdash.sanitize import safe_line
from syncdash.server_index import ServerIndex
from syncdash.sync_server import BadServerFile, evidence_age

NAME = "server"


def describe(index: ServerIndex, now: datetime) -> str:
    """``3 files, 2,510 connector-space objects, 2 h old`` (and files read in part)."""
    files, count = len(index.files), index.count
    text = (f"{files} file{'' if files == 1 else 's'}, {count:,} connector-space object{'' if count == 1 else 's'}"
            + (f", {evidence_age(index.as_of, now)}" if index.as_of else ""))
    partial = sum(f.partial is not None for f in index.files)
    return text + (f", {partial} read in part or not at all" if partial else "")


def _notes(index: ServerIndex) -> tuple[HealthNote, ...]:
    """Lines for the header: a file read only in part, and a server that exports nothing."""
    notes = [HealthNote("warning", f"server file {f.origin}: {f.partial}") for f in index.files if f.partial]
    scheduler = index.scheduler
    if scheduler is not None and scheduler.staging_mode:
        notes.append(HealthNote("error", "the Connect server's files come from a staging server: it exports nothing"))
    if scheduler is not None and scheduler.stopped:
        notes.append(HealthNote("error", "the Connect server runs no sync cycle (Get-ADSyncScheduler)"))
    return tuple(notes)


class ServerEvidence:
    """The :class:`~syncdash.evidence.EvidenceSource` for the Connect server's files."""

    name = NAME

    def __init__(self, read: Callable[[], ServerIndex]) -> None:
        self._read = read
        self._last: Evidence | None = None

    async def read(self, now: datetime) -> Evidence:
        if self._last is not None:
            return self._last
        try:
            index = await asyncio.to_thread(self._read)
            status = SourceStatus(NAME, SourceState.READ, None, index.as_of or now, describe(index, now))
            evidence = Evidence(status, index.export_errors(), _notes(index), server=index)
        except (BadServerFile, OSError) as exc:
            evidence = Evidence(SourceStatus(NAME, SourceState.UNAVAILABLE, str(exc) or type(exc).__name__, now))
        except Exception as exc:  # noqa: BLE001  # the last line of defence: a reason, never a traceback
            evidence = Evidence(SourceStatus(NAME, SourceState.UNAVAILABLE,
                                             f"unexpected error reading the server files: {type(exc).__name__}: "
                                             f"{safe_line(exc, 200)}", now))
        self._last = evidence
        return evidence


def from_files(paths: Sequence[Path]) -> ServerEvidence:
    from syncdash.server.reading import read_server_files

    return ServerEvidence(lambda: read_server_files(paths))
