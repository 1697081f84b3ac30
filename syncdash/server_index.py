"""The Connect server's files joined: every connector-space object once (the newest file
saying what it is now), indexed the ways the cloud and AD sides ask, and each error on
it as an export error of the object it belongs to.

Joins: an Entra connector object to its cloud object by sourceAnchor (its DN's hex) =
onPremisesImmutableId, or cloudAnchor = ``User_<id>``; an AD connector object by DN or
objectGUID (base64 of which is the immutableId); the two spaces to each other through
their metaverse object, else through that same anchor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone

from syncdash.anchors import guid_of_base64
from syncdash.export_error import ExportError, OnPremisesSide
from syncdash.model import DirectoryObject
from syncdash.onprem import ADObject, dn_key
from syncdash.sync_server import (
    AD,
    ENTRA,
    STATES,
    ConnectorObject,
    Scheduler,
    ServerError,
    ServerFacts,
    ServerFile,
    SingleObjectSync,
    UNREAD,
    domain_of,
)


_LONG_AGO = datetime.min.replace(tzinfo=timezone.utc)


def _key(connector: str, dn: str) -> tuple[str, str]:
    return connector, dn_key(dn)


class ServerIndex:
    """Every file's objects, merged oldest file first (a csexport made after a CS-object
    JSON says whether the error is still there), and indexed."""

    def __init__(self, files: Iterable[ServerFile], objects: Iterable[ConnectorObject],
                 schedulers: Iterable[Scheduler] = (), syncs: Iterable[SingleObjectSync] = ()) -> None:
        self.files = tuple(files)
        read = {f.origin: f for f in self.files}

        def age(item: ConnectorObject | Scheduler | SingleObjectSync) -> datetime:
            found = read.get(item.origin)
            return found.as_of if found else _LONG_AGO

        merged: dict[tuple[str, str], ConnectorObject] = {}
        for obj in sorted(objects, key=age):
            key = _key(obj.connector, obj.dn)
            states = STATES.get(read[obj.origin].kind, ()) if obj.origin in read else ()
            merged[key] = merged[key].merged(obj, states) if key in merged else obj
        self._objects = merged
        self._by_anchor: dict[str, ConnectorObject] = {}
        self._by_cloud_id: dict[str, ConnectorObject] = {}
        self._ad_by_guid: dict[str, ConnectorObject] = {}
        self._by_mv: dict[tuple[str, str], ConnectorObject] = {}
        self._by_upn: dict[tuple[str, str], ConnectorObject] = {}
        for obj in merged.values():
            if obj.upn:
                self._by_upn.setdefault((obj.connector, obj.upn.casefold()), obj)
            if obj.connector == ENTRA:
                if obj.anchor:
                    self._by_anchor.setdefault(obj.anchor, obj)
                if obj.cloud_id:
                    self._by_cloud_id.setdefault(obj.cloud_id, obj)
            elif obj.anchor:
                self._ad_by_guid.setdefault(obj.anchor.casefold(), obj)
            if obj.mv_id and obj.joined is not False:
                self._by_mv.setdefault((obj.connector, obj.mv_id.casefold()), obj)
        #: The newest scheduler read (two servers' files: the one collected last).
        self.scheduler = max(schedulers, key=age, default=None)
        self.syncs = {dn_key(sync.dn): sync for sync in sorted(syncs, key=age)}

    @property
    def count(self) -> int:
        return len(self._objects)

    @property
    def as_of(self) -> datetime | None:
        """The oldest file's time: what the evidence as a whole is as old as."""
        return min((f.as_of for f in self.files if f.kind != UNREAD), default=None)

    def objects(self) -> Iterable[ConnectorObject]:
        return self._objects.values()

    def covering(self, dn: str) -> ServerFile | None:
        """The newest complete export of the AD connector space of ``dn``'s domain (it
        holds the domain's containers, and was read whole): only there does an object's
        absence mean it is not in the space."""
        domain = domain_of(dn)
        full = [f for f in self.files if f.kind == "csexport" and domain and domain in f.domains
                and f.partial is None]
        return max(full, key=lambda f: f.as_of, default=None)

    def entra_twin(self, ad: ConnectorObject) -> ConnectorObject | None:
        """The Entra connector object the AD one flows to: by metaverse object, else by anchor."""
        if ad.mv_id and (found := self._by_mv.get((ENTRA, ad.mv_id.casefold()))):
            return found
        anchor = ad.immutable_id
        return self._by_anchor.get(anchor) if anchor else None

    def ad_twin(self, entra: ConnectorObject) -> ConnectorObject | None:
        if entra.mv_id and (found := self._by_mv.get((AD, entra.mv_id.casefold()))):
            return found
        return self._by_guid(guid_of_base64(entra.anchor))

    def _by_guid(self, guid: str | None) -> ConnectorObject | None:
        return self._ad_by_guid.get(guid.casefold()) if guid else None

    def _named(self, names: Iterable[str]) -> tuple[ConnectorObject | None, ConnectorObject | None]:
        """The AD and Entra connector objects a DN, objectGUID or UPN names."""
        ad = entra = None
        for name in names:
            folded = name.strip().casefold()
            ad = ad or self._objects.get(_key(AD, name)) or self._by_guid(folded) or self._by_upn.get((AD, folded))
            entra = entra or self._objects.get(_key(ENTRA, name)) or self._by_upn.get((ENTRA, folded))
        return ad, entra

    def facts(self, obj: DirectoryObject | None, ad_own: ADObject | None, query: str) -> ServerFacts:
        """The server's view of one object (``obj``, or what ``query`` names when Entra ID
        has none): its Entra connector object (by anchor, cloud id or DN), its AD
        connector object (by objectGUID, DN or the join), and the server-wide state."""
        entra = ad = None
        if obj is not None:
            entra = ((obj.immutable_id and self._by_anchor.get(obj.immutable_id))
                     or (obj.in_entra and self._by_cloud_id.get(obj.id)) or None)
            ad = self._by_guid(guid_of_base64(obj.immutable_id))  # moved since: its DN is stale
        if ad is None and ad_own is not None:
            ad = self._by_guid(ad_own.object_guid)
        names = [n for n in (*((obj.distinguished_name, obj.on_premises_upn) if obj else (query,)),
                             ad_own.distinguished_name if ad_own else None) if n]
        named_ad, named_entra = self._named(names)
        ad, entra = ad or named_ad, entra or named_entra
        if ad is None and entra is not None:
            ad = self.ad_twin(entra)
        if entra is None and ad is not None:
            entra = self.entra_twin(ad)
        dn = ad.dn if ad else (ad_own.distinguished_name if ad_own else (obj.distinguished_name if obj else None))
        covered = self.covering(dn) if dn else None
        # absent from a complete export says "filtered" only of an object known to exist
        # on-premises (read in AD, or synced before) that nothing shows in the space
        exists = ad_own is not None or bool(obj and obj.in_entra and obj.sync_enabled and obj.distinguished_name)
        changed_since = bool(ad_own and covered and ad_own.when_changed and ad_own.when_changed > covered.as_of)
        filtered = (ad is None and entra is None and covered is not None and exists and not changed_since
                    and not (obj and obj.export_errors))
        sync = self.syncs.get(dn_key(dn)) if dn else None
        return ServerFacts(self.files, entra, ad, dn, self.as_of, covered, self.scheduler, sync, filtered)

    def export_errors(self) -> tuple[ExportError, ...]:
        """The errors on connector-space objects as export errors of the objects they
        belong to: joined to the cloud like Connect Health's, and objects Entra ID never
        received listed on their own. An export error of the AD connector is writeback's."""
        found = []
        for obj in self._objects.values():
            for error in (obj.export_error, obj.import_error):
                if error is not None:
                    found.append(self._export_error(obj, error))
        return tuple(found)

    def _export_error(self, obj: ConnectorObject, error: ServerError) -> ExportError:
        ad = obj if obj.connector == AD else self.ad_twin(obj)
        entra = obj if obj.connector == ENTRA else self.entra_twin(obj)
        incoming = OnPremisesSide(
            display_name=obj.display_name or (ad.display_name if ad else None),
            distinguished_name=ad.dn if ad else (entra.on_premises_dn if entra else None),
            object_guid=ad.anchor if ad else None,
            object_type=obj.object_type, user_principal_name=obj.upn or (ad.upn if ad else None),
            mail=obj.mail or (ad.mail if ad else None),
            source_anchor=(entra.anchor if entra else None) or obj.immutable_id, source_of_authority="Active Directory")
        stage = "writeback" if error.stage == "export" and obj.connector == AD else error.stage
        attribute, value = _conflict(error) if stage == "export" else (None, None)
        return ExportError(
            error_type=error.error_type, bucket=stage, attribute=attribute, value=value,
            server_detail=error.detail or error.literal, first_occurred=error.first_occurred,
            occurred=error.occurred, dn=incoming.distinguished_name or obj.dn, incoming=incoming,
            existing=OnPremisesSide() if error.conflict_id or value else None,
            source="server", retry_count=error.retry_count, existing_id=error.conflict_id, stage=stage)


#: ErrorExtraDetails' attribute names, as the cloud attribute they are.
_ATTRIBUTES = {"proxyaddresses": "proxyAddresses", "userprincipalname": "userPrincipalName", "mail": "mail",
               "sipproxyaddress": "proxyAddresses", "onpremisesimmutableid": "onPremisesImmutableId"}
#: server-error-detail's "[ProxyAddresses SMTP:a@b.com;]".
_DETAIL_VALUE = re.compile(r"\[(\w+) ([^;\]]+);")


def _conflict(error: ServerError) -> tuple[str | None, str | None]:
    """The attribute and value an error is about: ErrorExtraDetails', else the server
    detail's own ``[Attribute value;]``."""
    attribute, values = error.conflict_attribute, error.conflict_values
    if not attribute and error.detail and (match := _DETAIL_VALUE.search(error.detail)):
        attribute, values = match.group(1), (match.group(2).strip(),)
    if not attribute:
        return None, None
    name = _ATTRIBUTES.get(attribute.casefold(), attribute)
    value = values[0] if values else None
    if value and attribute.casefold() == "sipproxyaddress" and ":" not in value:
        value = f"SIP:{value}"
    return name, value
