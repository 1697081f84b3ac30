"""Who holds which value, answered from objects already in memory.

Built from a full scan (the report) or from the few objects a lookup fetched (``check``),
so both reason about holders with the same code and the report needs no request per
object.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from syncdash.graph.holding import holds_value, split_address
from syncdash.model import ConflictProperty, DirectoryObject, ObjectFacts, TenantStatus
from syncdash.onprem import OnPremisesDirectory
from syncdash.server_index import ServerIndex


def _keys(obj: DirectoryObject) -> set[str]:
    """Every value the object can be found by, casefolded: UPN, mail, proxy addresses."""
    keys = set()
    if obj.upn:
        keys.add(obj.upn.casefold())
    if obj.mail:
        keys.add(obj.mail.casefold())
    for proxy in obj.proxy_addresses:
        prefix, address = split_address(proxy)
        keys.add(proxy.strip().casefold())
        if prefix == "smtp":
            keys.add(address.casefold())
    return keys


class DirectoryIndex:
    """Live and deleted objects, indexed by every value they hold and by immutableId."""

    def __init__(self, objects: Iterable[DirectoryObject], on_premises: OnPremisesDirectory | None = None,
                 server: ServerIndex | None = None):
        #: On-premises AD, when a source read it: answers the on-premises side.
        self.on_premises = on_premises
        #: The Connect server's files, when the admin brought them: answer the server's side.
        self.server = server
        self._by_value: dict[str, dict[tuple[str, bool], DirectoryObject]] = defaultdict(dict)
        self._by_anchor: dict[str, list[DirectoryObject]] = defaultdict(list)
        self._by_source_upn: dict[str, dict[str, DirectoryObject]] = defaultdict(dict)
        for obj in objects:
            for key in _keys(obj):
                self._by_value[key][(obj.id, obj.is_deleted)] = obj
            if obj.immutable_id:
                self._by_anchor[obj.immutable_id].append(obj)
            if obj.on_premises_upn and not obj.is_deleted:
                self._by_source_upn[obj.on_premises_upn.casefold()][obj.id] = obj

    def holders(self, value: str) -> tuple[DirectoryObject, ...]:
        """Every object holding ``value`` as UPN, mail or proxy address."""
        prefix, address = split_address(value)
        key = address if prefix in (None, "smtp") else value.strip()
        found = self._by_value.get(key.casefold(), {})
        return tuple(obj for obj in found.values() if holds_value(obj, value))

    def anchored(self, anchor: str) -> tuple[DirectoryObject, ...]:
        """The objects whose onPremisesImmutableId is ``anchor`` (deleted ones too)."""
        return tuple(self._by_anchor.get(anchor, ()))

    def claimants(self, upn: str) -> tuple[DirectoryObject, ...]:
        """Synced objects whose on-premises UPN is ``upn``: the side of a UPN conflict whose
        cloud UPN was replaced by a placeholder, so it no longer *holds* the value."""
        return tuple(self._by_source_upn.get(split_address(upn)[1].casefold(), {}).values())

    def mentioning(self, values: Iterable[str]) -> tuple[DirectoryObject, ...]:
        """The objects holding or claiming any of ``values``: all that another index
        needs of this one to answer for an object with those values."""
        found = {o.id: o for value in values for o in (*self.holders(value), *self.claimants(value))}
        return tuple(found.values())

    def _own_deleted(self, obj: DirectoryObject | None, query: str) -> tuple[DirectoryObject, ...]:
        values = [query] if obj is None else [obj.user_principal_name, obj.on_premises_upn, obj.mail]
        found = {d.id: d for v in values if v and "@" in v for d in self.holders(v) if d.is_deleted}
        if obj is not None and obj.immutable_id:
            found.update((d.id, d) for d in self._by_anchor[obj.immutable_id] if d.is_deleted)
        if obj is not None:
            found.pop(obj.id, None)
        return tuple(found.values())

    def _soft_match_candidates(self, obj: DirectoryObject) -> tuple[DirectoryObject, ...]:
        """The other side of a soft match: for an on-premises object, the cloud-only objects
        holding its UPN or primary SMTP; for a cloud-only object, the synced objects that
        would match it."""
        if obj.sync_enabled is None and not obj.on_premises_upn:
            values = {v for v in (obj.user_principal_name, obj.primary_smtp) if v}
            found = {c.id: c for v in values for c in self.claimants(v) if c.sync_enabled is not None}
        else:
            values = {v for v in (obj.on_premises_upn, obj.primary_smtp) if v}
            found = {
                holder.id: holder
                for value in values
                for holder in self.holders(value)
                if holder.sync_enabled is None and not holder.is_deleted
            }
        found.pop(obj.id, None)
        return tuple(found.values())

    def facts(
        self,
        obj: DirectoryObject | None,
        *,
        query: str,
        tenant: TenantStatus,
        now: datetime,
        unavailable: tuple[str, ...] = (),
    ) -> ObjectFacts:
        holders = {}
        if obj is not None:
            upn_conflicts = {e.value for e in obj.provisioning_errors if e.property is ConflictProperty.USER_PRINCIPAL_NAME}
            for value in obj.conflicting_values:
                found = {h.id: h for h in self.holders(value)}
                if value in upn_conflicts:
                    found.update((c.id, c) for c in self.claimants(value))
                found.pop(obj.id, None)
                holders[value] = tuple(found.values())
        return ObjectFacts(
            query=query,
            object=obj,
            tenant=tenant,
            holders=holders,
            recycle_bin=self._own_deleted(obj, query),
            soft_match_candidates=() if obj is None else self._soft_match_candidates(obj),
            unavailable=unavailable,
            now=now,
        )
