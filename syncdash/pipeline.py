"""One tenant, read and diagnosed the same way for every front end.

The dashboard's workers, ``report``, ``check`` and the dashboard's export all come here:
what Graph holds becomes a :class:`TenantView` (the objects in error, newest first, and an
index of every object and the recycle bin), and a view answers for any of its objects
through :func:`diagnose_object`, the one step from facts to a diagnosis. Two ways of
reading lead to the same view: :func:`read_once` lists everything (a report, which must
not hold a mirror's raw JSON beside the objects), and :class:`TenantReader` keeps a
mirror up to date with delta queries (the live dashboard).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from syncdash.diagnose.audit import Audit, AuditedObject, CloudSide
from syncdash.diagnose.engine import diagnose
from syncdash.diagnose.findings import Diagnosis
from syncdash.evidence import Evidence, EvidenceSource, attach, on_premises_match
from syncdash.graph.errors import PermissionDenied
from syncdash.graph.facts import gather_facts
from syncdash.graph.index import DirectoryIndex
from syncdash.graph.lookup import close_names, resolve_object
from syncdash.graph.scan import full_scan, newest_first, scan_fast
from syncdash.graph.tenant import TenantSnapshot, read_tenant
from syncdash.graph.together import all_or_none
from syncdash.model import DirectoryObject, ObjectFacts, ObjectKind, ScanResult, TenantStatus
from syncdash.onprem import OnPremisesDirectory, OnPremisesFacts, on_premises_facts
from syncdash.server_index import ServerIndex
from syncdash.sync_server import ServerFacts

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

    from syncdash.graph.mirror import Mirror
    from syncdash.store import Store

#: A scheduled refresh re-reads the tenant status and recycle bin at least this often
#: (seconds), and at once when the delta saw a change: a sync cycle runs every 30 minutes
#: and a last sync is called stale after 2 hours, so 10 minutes late is never wrong.
STATUS_EVERY = 600.0


@dataclass(frozen=True, slots=True)
class Diagnosed:
    """One object's diagnosis with the facts it was made from (the detail pane shows them)."""

    facts: ObjectFacts
    diagnosis: Diagnosis
    on_premises: OnPremisesFacts | None
    server: ServerFacts | None


def diagnose_in_full(index: DirectoryIndex, obj: DirectoryObject, *, tenant: TenantStatus, now: datetime,
                     unavailable: tuple[str, ...]) -> Diagnosed:
    """The three steps for one object, its holders answered by ``index``, AD and the
    server's files by what the view read of them."""
    facts = index.facts(obj, query=obj.identity, tenant=tenant, now=now, unavailable=unavailable)
    on_premises, server = evidence_facts(index.on_premises, index.server, obj, obj.identity)
    return Diagnosed(facts, diagnose(facts, on_premises, server), on_premises, server)


def diagnose_object(index: DirectoryIndex, obj: DirectoryObject, *, tenant: TenantStatus, now: datetime,
                    unavailable: tuple[str, ...]) -> tuple[ObjectFacts, Diagnosis]:
    """The three steps for one object, its holders answered by ``index``."""
    done = diagnose_in_full(index, obj, tenant=tenant, now=now, unavailable=unavailable)
    return done.facts, done.diagnosis


def evidence_facts(directory: OnPremisesDirectory | None, server: ServerIndex | None, obj: DirectoryObject | None,
                   query: str) -> tuple[OnPremisesFacts | None, ServerFacts | None]:
    """What AD and the Connect server's files say of one object (each None when not
    read); the server's AD side is found through the AD object when AD was read."""
    ad = on_premises_facts(directory, obj, query)
    return ad, server.facts(obj, ad.own if ad else None, query) if server is not None else None


@dataclass(frozen=True, slots=True)
class TenantView:
    """The tenant as one complete reading saw it."""

    status: TenantStatus
    #: The objects with errors, newest error first.
    in_error: tuple[DirectoryObject, ...]
    #: Every object read and the recycle bin, by every value they hold.
    index: DirectoryIndex
    #: What could not be read (a kind refused, the recycle bin), each with its reason.
    unavailable: tuple[str, ...]
    #: Every kind was read: the list is the whole truth.
    complete: bool
    #: Kinds whose delta link had expired and were read again in full.
    resynced: tuple[ObjectKind, ...] = ()

    def diagnoses(self, now: datetime, objects: Iterable[DirectoryObject] | None = None) -> Diagnoses:
        """``objects`` (by default every object in error) diagnosed one at a time."""
        chosen = self.in_error if objects is None else tuple(objects)
        return Diagnoses(chosen, self.index, self.status, now, self.unavailable)


def _view(everything: list[DirectoryObject], tenant: TenantSnapshot, denied: tuple[str, ...],
          resynced: tuple[ObjectKind, ...] = (), evidence: tuple[Evidence, ...] = ()) -> TenantView:
    """Index and list of one reading: built the same way for a report and the dashboard,
    the evidence of other sources joined to the objects (and objects only they know)."""
    everything = attach(everything, tuple(error for found in evidence for error in found.export_errors))
    index = DirectoryIndex([*everything, *tenant.recycle_bin], _directory(evidence), _server(evidence))
    in_error = newest_first([obj for obj in everything if obj.has_errors])
    return TenantView(with_sources(tenant.status, evidence), in_error, index, (*denied, *tenant.unavailable),
                      not denied, resynced)


def _directory(evidence: tuple[Evidence, ...]) -> OnPremisesDirectory | None:
    return next((found.directory for found in evidence if found.directory is not None), None)


def _server(evidence: tuple[Evidence, ...]) -> ServerIndex | None:
    return next((found.server for found in evidence if found.server is not None), None)


def with_sources(status: TenantStatus, evidence: tuple[Evidence, ...]) -> TenantStatus:
    """The tenant's status with each source's state and the sync health they report."""
    return replace(status, sources=tuple(found.status for found in evidence),
                   health=tuple(note for found in evidence for note in found.notes))


async def read_evidence(sources: Sequence[EvidenceSource], now: datetime) -> tuple[Evidence, ...]:
    """Every source read at once; each says itself when it could not be read."""
    return tuple(await asyncio.gather(*(source.read(now) for source in sources)))


class Diagnoses:
    """Objects diagnosed one by one as they are read: a report of 100,000 objects never
    holds 100,000 diagnoses (each iteration diagnoses afresh)."""

    def __init__(self, objects: tuple[DirectoryObject, ...], index: DirectoryIndex, tenant: TenantStatus,
                 now: datetime, unavailable: tuple[str, ...]) -> None:
        self._objects, self._index, self._tenant, self._now = objects, index, tenant, now
        self._unavailable = unavailable

    def __len__(self) -> int:
        return len(self._objects)

    def __iter__(self) -> Iterator[Diagnosis]:
        for obj in self._objects:
            yield diagnose_object(self._index, obj, tenant=self._tenant, now=self._now,
                                  unavailable=self._unavailable)[1]


async def read_once(client: GraphServiceClient, sources: Sequence[EvidenceSource] = (),
                    now: datetime | None = None) -> TenantView:
    """Every object listed once, with the tenant status and recycle bin beside it, and
    what the other sources know."""
    everything: list[DirectoryObject] = []
    denied: list[str] = []

    async def scan() -> None:
        async for progress in full_scan(client):
            everything.extend(progress.page)
            if progress.denied:
                denied.append(progress.denied)

    tenant, _, evidence = await all_or_none(read_tenant(client), scan(),
                                            read_evidence(sources, now or datetime.now(timezone.utc)))
    if denied and not everything:
        raise PermissionDenied("; ".join(denied), status=403)
    return _view(everything, tenant, tuple(denied), evidence=evidence)


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    tenant: TenantStatus
    #: What the query resolved to; several matches mean the admin must be more precise.
    matches: tuple[DirectoryObject, ...]
    diagnosis: Diagnosis | None
    #: For a query that found nothing anywhere: the closest names ("did you mean").
    suggestions: tuple[DirectoryObject, ...] = ()


async def check_object(client: GraphServiceClient, query: str, now: datetime,
                       sources: Sequence[EvidenceSource] = ()) -> CheckOutcome:
    """Resolve what the admin typed and diagnose it (or its absence) with a few lookups;
    an object only another source knows (its export failed) is found there by DN,
    objectGuid or UPN."""
    tenant, matches, evidence = await all_or_none(read_tenant(client), resolve_object(client, query),
                                                  read_evidence(sources, now))
    status = with_sources(tenant.status, evidence)
    if len(matches) > 1:
        return CheckOutcome(status, matches, None)
    errors = tuple(error for found in evidence for error in found.export_errors)
    joined = attach(list(matches), errors)
    obj = joined[0] if matches else on_premises_match(joined, query)
    facts = await gather_facts(client, obj, query=query, tenant=replace(tenant, status=status), now=now)
    suggestions = await close_names(client, query) if obj is None else ()
    return CheckOutcome(status, matches, diagnose(facts, *evidence_facts(_directory(evidence), _server(evidence),
                                                                         obj, query)), suggestions)


class TenantReader:
    """The live reading of one tenant: a mirror kept up to date by delta queries (saved in
    the store between runs), the status and recycle bin re-read when due, and the chosen
    object's lookups before the first complete reading."""

    def __init__(self, client: GraphServiceClient, store: Store, tenant_key: str,
                 sources: Sequence[EvidenceSource] = ()) -> None:
        self.client = client
        self._store, self._tenant_key = store, tenant_key
        #: The other evidence sources, each read when its own data may have changed.
        self._sources = tuple(sources)
        self._evidence: tuple[Evidence, ...] = ()
        self._mirror: Mirror | None = None
        #: The last status and recycle bin read, and when (monotonic clock).
        self.snapshot: TenantSnapshot | None = None
        self._snapshot_at = 0.0
        self._view: TenantView | None = None

    def status_due(self, asked: bool) -> bool:
        return self.snapshot is None or asked

    async def read_status(self) -> TenantSnapshot:
        self.snapshot, self._snapshot_at = await read_tenant(self.client), time.monotonic()
        return self.snapshot

    async def has_mirror(self) -> bool:
        """Whether a mirror (from the cache or an earlier refresh) holds the tenant."""
        from syncdash.graph.mirror import Mirror

        if self._mirror is None:
            self._mirror = await asyncio.to_thread(self._store.load_mirror, self._tenant_key) or Mirror()
        return bool(self._mirror.kinds)

    async def fast_list(self) -> ScanResult:
        """The objects with provisioning errors through Graph's filter: quick, not complete."""
        return await scan_fast(self.client)

    async def refresh(self, on_page: Callable[[int], None], on_status: Callable[[TenantSnapshot], None],
                      *, status_read: bool = False) -> TenantView | None:
        """The mirror brought up to date, and the tenant as it now stands; None when
        nothing changed since the last view (a quiet tenant costs no rebuild: at 100,000
        objects in error, a million new objects). The status and recycle bin are re-read
        (``on_status`` hears it) when due or when the delta saw a change, unless this
        round read them already (``status_read``)."""
        from syncdash.graph.mirror import refresh

        had_links = await self.has_mirror()
        mirror = self._mirror
        assert mirror is not None
        update = await refresh(self.client, mirror, on_page)
        if update.changed or update.removed or update.resynced:
            await asyncio.to_thread(self._store.save_mirror, self._tenant_key, mirror)
        due = time.monotonic() - self._snapshot_at >= STATUS_EVERY
        reread = not status_read and (self.snapshot is None or due or bool(update.changed or update.removed))
        if reread:
            on_status(await self.read_status())
        snapshot = self.snapshot
        assert snapshot is not None
        evidence = await read_evidence(self._sources, datetime.now(timezone.utc))
        fresh = any(new is not old for new, old in zip(evidence, self._evidence)) or not self._evidence
        self._evidence = evidence
        unavailable = (*update.denied, *snapshot.unavailable)
        quiet = not (status_read or reread or update.changed or update.removed or update.resynced
                     or (fresh and evidence))
        if had_links and quiet and self._view is not None and unavailable == self._view.unavailable:
            return None
        everything = list(mirror.objects())
        self._view = await asyncio.to_thread(_view, everything, snapshot, update.denied,
                                             update.resynced if had_links else (), evidence)
        return self._view

    async def diagnose_remotely(self, obj: DirectoryObject, now: datetime,
                                listed: DirectoryIndex | None) -> tuple[ObjectFacts, Diagnosis]:
        """One object before the first complete reading: its holders looked up in Graph,
        the objects in error taken from ``listed`` (the list on screen) when given."""
        facts = await gather_facts(self.client, obj, query=obj.identity, tenant=self.snapshot, now=now,
                                   listed=listed)
        return facts, diagnose(facts)


def audit_directory(index: DirectoryIndex, tenant: TenantStatus) -> list[AuditedObject]:
    """The audit (IdFix's rules, AD duplicates, values a different cloud object holds) of
    the AD the view read, against the tenant of the same view: the dashboard's audit
    view. Empty when AD was not read."""
    if index.on_premises is None:
        return []
    audit = Audit(CloudSide(index.holders, index.anchored, tenant.verified_domains, tenant.initial_domain))
    for obj in index.on_premises.objects():
        audit.add(obj)
    return audit.results()
