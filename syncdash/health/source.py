"""Connect Health as an evidence source: the tenant's sync services, every bucket's export
errors, the last export run and the active alerts, read at most once per ``every``
seconds (Connect Health refreshes its report about every 30 minutes)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

from syncdash.evidence import Evidence
from syncdash.health import parse
from syncdash.health.client import HealthUnavailable, ResourceManager
from syncdash.export_error import ExportError
from syncdash.model import HealthNote, SourceState, SourceStatus

NAME = "connect-health"
#: Said wherever Connect Health's data is shown: how old it may be, and what it needs.
ABOUT = ("Connect Health refreshes its sync-error report about every 30 minutes; it needs the Connect Health "
         "agent (Entra ID P1) on Entra Connect 2.5.79.0 or later")
NO_SERVICE = ("no Entra Connect sync service reports to Connect Health (the agent needs Entra ID P1 and "
              "Entra Connect 2.5.79.0 or later)")
#: An export run older than this is worth a line in the header.
STALE_EXPORT_HOURS = 2.0


def off(reason: str) -> Evidence:
    return Evidence(SourceStatus(NAME, SourceState.OFF, reason))


class ConnectHealth:
    """The :class:`~syncdash.evidence.EvidenceSource` for Connect Health."""

    name = NAME

    def __init__(self, manager: Callable[[], ResourceManager], *, every: float = 600.0) -> None:
        self._make = manager
        self._manager: ResourceManager | None = None
        self._every = every
        self._last: Evidence | None = None
        self._read_at = 0.0

    async def read(self, now: datetime) -> Evidence:
        if self._last is not None and time.monotonic() - self._read_at < self._every:
            return self._last
        if self._manager is None:
            self._manager = self._make()
        try:
            evidence = await self._read(self._manager, now)
        except HealthUnavailable as exc:
            evidence = Evidence(SourceStatus(NAME, SourceState.UNAVAILABLE, str(exc), now))
        self._last, self._read_at = evidence, time.monotonic()
        return evidence

    async def _read(self, manager: ResourceManager, now: datetime) -> Evidence:
        services = parse.sync_services([item async for item in manager.items("services", serviceType="AadSyncService")])
        if not services:
            raise HealthUnavailable(NO_SERVICE)
        errors: dict[tuple[object, ...], ExportError] = {}
        notes: list[HealthNote] = []
        for service in services:
            path = f"services/{quote(service, safe='')}"
            for bucket, _count, truncated in parse.buckets(await manager.get(f"{path}/exporterrors/counts")):
                async for item in manager.items(f"{path}/exporterrors/listV2", errorBucket=bucket):
                    error = parse.export_error(item, bucket)
                    if error is not None:  # two servers (a staging one) may report the same error
                        errors.setdefault((error.error_type, error.attribute, error.value, error.dn), error)
                if truncated:
                    notes.append(HealthNote("warning", f"Connect Health lists only part of the {bucket} errors"))
            ended = parse.last_export([item async for item in manager.items(f"{path}/exportstatus")])
            notes.append(_export_note(ended, now))
            notes += [note async for item in manager.items(f"{path}/alerts", state="Active")
                      if (note := parse.alert_note(item)) is not None]
        return Evidence(SourceStatus(NAME, SourceState.READ, None, now, "its report is up to 30 minutes old"),
                        tuple(errors.values()), tuple(notes))


def _export_note(ended: datetime | None, now: datetime) -> HealthNote:
    if ended is None:
        return HealthNote("warning", "Connect Health knows of no export run")
    hours = (now - ended).total_seconds() / 3600
    level = "warning" if hours > STALE_EXPORT_HOURS else "info"
    return HealthNote(level, f"last export {ended:%Y-%m-%d %H:%M} UTC ({hours:.1f} h ago)")
