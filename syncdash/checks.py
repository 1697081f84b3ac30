"""The three steps run against a tenant: the graph layer gathers, the engine reasons.

Shared by the headless commands and the dashboard's workers, so both say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from syncdash.diagnose.engine import diagnose
from syncdash.diagnose.findings import Diagnosis
from syncdash.graph.errors import PermissionDenied
from syncdash.graph.facts import gather_facts
from syncdash.graph.index import DirectoryIndex
from syncdash.graph.lookup import resolve_object
from syncdash.graph.scan import full_scan, newest_first
from syncdash.graph.tenant import read_tenant
from syncdash.graph.together import all_or_none
from syncdash.model import DirectoryObject, TenantStatus

if TYPE_CHECKING:
    from msgraph import GraphServiceClient


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    tenant: TenantStatus
    #: What the query resolved to; several matches mean the admin must be more precise.
    matches: tuple[DirectoryObject, ...]
    diagnosis: Diagnosis | None


class Diagnoses:
    """The objects in error, diagnosed one by one as they are read: a report of 100,000
    objects never holds 100,000 diagnoses (each iteration diagnoses afresh)."""

    def __init__(self, objects: tuple[DirectoryObject, ...], index: DirectoryIndex, tenant: TenantStatus,
                 now: datetime, unavailable: tuple[str, ...]) -> None:
        self._objects, self._index, self._tenant, self._now = objects, index, tenant, now
        self._unavailable = unavailable

    def __len__(self) -> int:
        return len(self._objects)

    def __iter__(self) -> Iterator[Diagnosis]:
        for obj in self._objects:
            yield diagnose(self._index.facts(obj, query=obj.identity, tenant=self._tenant, now=self._now,
                                             unavailable=self._unavailable))


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    tenant: TenantStatus
    complete: bool
    diagnoses: Diagnoses
    #: Parts that could not be read (e.g. the recycle bin without permission).
    unavailable: tuple[str, ...]


async def check_object(client: GraphServiceClient, query: str, now: datetime) -> CheckOutcome:
    """Resolve what the admin typed and diagnose it (or its absence)."""
    tenant, matches = await all_or_none(read_tenant(client), resolve_object(client, query))
    if len(matches) > 1:
        return CheckOutcome(tenant.status, matches, None)
    obj = matches[0] if matches else None
    facts = await gather_facts(client, obj, query=query, tenant=tenant, now=now)
    return CheckOutcome(tenant.status, matches, diagnose(facts))


async def diagnose_tenant(client: GraphServiceClient, now: datetime) -> ReportOutcome:
    """Every object with errors, diagnosed from one complete scan.

    The scan reads every object anyway, so who-holds-what is answered from it locally:
    no request per object, however many are in error.
    """
    everything: list[DirectoryObject] = []
    denied: list[str] = []

    async def scan() -> None:
        async for progress in full_scan(client):
            everything.extend(progress.page)
            if progress.denied:
                denied.append(progress.denied)

    tenant, _ = await all_or_none(read_tenant(client), scan())
    if denied and not everything:
        raise PermissionDenied("; ".join(denied), status=403)
    unavailable = (*denied, *tenant.unavailable)
    index = DirectoryIndex([*everything, *tenant.recycle_bin])
    in_error = newest_first([obj for obj in everything if obj.has_errors])
    diagnoses = Diagnoses(in_error, index, tenant.status, now, unavailable)
    return ReportOutcome(tenant.status, not denied, diagnoses, unavailable)
