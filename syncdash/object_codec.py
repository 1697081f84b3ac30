"""Directory objects as compact JSON arrays, for the cached error list.

Why not the store's generic tagged codec: a warm start reads the whole cached list before
the first frame, and 100,000 objects in error cost 4 s through a codec that recurses into
every field. Here an object is one array of its fields in a fixed order, decoded by one
function per class with a type check per field (the cache is a file: what comes back
may not be what was written).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from syncdash.export_error import ExportError, OnPremisesSide
from syncdash.model import (
    ConflictProperty,
    DirectoryObject,
    ObjectKind,
    ProvisioningError,
    ServiceError,
    ServiceErrorKind,
)

class BadObject(ValueError):
    """A cached array that is not one this module wrote."""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise BadObject("a text field is not text")
    return value


def _maybe_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _maybe_bool(value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise BadObject("a flag is not true, false or null")
    return value


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadObject("a list of texts is not one")
    return tuple(value)


def _moment(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(_text(value))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def encode_object(obj: DirectoryObject) -> list[Any]:
    return [
        obj.id, obj.kind.value, obj.display_name, obj.user_principal_name, obj.mail, obj.mail_nickname,
        list(obj.proxy_addresses), obj.account_enabled, obj.sync_enabled, _iso(obj.last_sync), obj.immutable_id,
        obj.distinguished_name, obj.sam_account_name, obj.security_identifier, obj.on_premises_upn,
        obj.on_premises_domain, obj.on_premises_netbios,
        [[e.category, e.property.value, e.property_raw, e.value, _iso(e.occurred)] for e in obj.provisioning_errors],
        [[e.service_instance, _iso(e.created), e.resolved, e.detail_xml, e.summary, list(e.parameters), e.kind.value,
          e.value] for e in obj.service_errors],
        _iso(obj.deleted),
        [_export_error(e) for e in obj.export_errors], obj.in_entra, obj.object_guid,
    ]


def _side(side: OnPremisesSide | None) -> list[Any] | None:
    if side is None:
        return None
    return [side.display_name, side.distinguished_name, side.object_guid, side.object_type, side.user_principal_name,
            side.on_premises_upn, side.mail, side.proxy_addresses, side.source_anchor, side.source_of_authority,
            _iso(side.last_dir_sync)]


def _export_error(e: ExportError) -> list[Any]:
    return [e.error_type, e.bucket, e.attribute, e.value, e.server_detail, _iso(e.first_occurred), _iso(e.occurred),
            e.dn, _side(e.incoming), _side(e.existing), e.source, e.retry_count, e.existing_id, e.stage]


def _decode_side(data: Any) -> OnPremisesSide | None:
    if data is None:
        return None
    name, dn, guid, kind, upn, source_upn, mail, proxies, anchor, authority, last_sync = data
    return OnPremisesSide(_maybe_text(name), _maybe_text(dn), _maybe_text(guid), _maybe_text(kind), _maybe_text(upn),
                          _maybe_text(source_upn), _maybe_text(mail), _maybe_text(proxies), _maybe_text(anchor),
                          _maybe_text(authority), _moment(last_sync))


def _decode_export_error(data: Any) -> ExportError:
    error_type, bucket, attribute, value, detail, first, occurred, dn, incoming, existing, source = data[:11]
    retries, existing_id, stage = [*data[11:14], None, None, None][:3]  # absent in a cache written before them
    return ExportError(_text(error_type), _text(bucket), _maybe_text(attribute), _maybe_text(value),
                       _maybe_text(detail), _moment(first), _moment(occurred), _maybe_text(dn),
                       _decode_side(incoming) or OnPremisesSide(), _decode_side(existing), _text(source),
                       retries if isinstance(retries, int) and not isinstance(retries, bool) else None,
                       _maybe_text(existing_id), _text(stage or "export"))


def _provisioning(data: Any) -> ProvisioningError:
    category, prop, raw, value, occurred = data
    return ProvisioningError(_text(category), ConflictProperty(prop), _text(raw), _text(value), _moment(occurred))


def _service(data: Any) -> ServiceError:
    instance, created, resolved, xml, summary, parameters, kind, value = data
    return ServiceError(_text(instance), _moment(created), bool(_maybe_bool(resolved)), _text(xml), _text(summary),
                        _texts(parameters), ServiceErrorKind(kind), _maybe_text(value))


def decode_object(data: Any) -> DirectoryObject:
    """What :func:`encode_object` wrote; BadObject for anything else."""
    try:
        (oid, kind, name, upn, mail, nickname, proxies, enabled, synced, last_sync, anchor, dn, sam, sid,
         source_upn, domain, netbios, provisioning, service, deleted, exported, in_entra, guid) = data
        if not isinstance(provisioning, list) or not isinstance(service, list) or not isinstance(exported, list):
            raise BadObject("an error list is not a list")
        return DirectoryObject(
            id=_text(oid), kind=ObjectKind(kind), display_name=_text(name), user_principal_name=_maybe_text(upn),
            mail=_maybe_text(mail), mail_nickname=_maybe_text(nickname), proxy_addresses=_texts(proxies),
            account_enabled=_maybe_bool(enabled), sync_enabled=_maybe_bool(synced), last_sync=_moment(last_sync),
            immutable_id=_maybe_text(anchor), distinguished_name=_maybe_text(dn), sam_account_name=_maybe_text(sam),
            security_identifier=_maybe_text(sid), on_premises_upn=_maybe_text(source_upn),
            on_premises_domain=_maybe_text(domain), on_premises_netbios=_maybe_text(netbios),
            provisioning_errors=tuple(_provisioning(e) for e in provisioning),
            service_errors=tuple(_service(e) for e in service), deleted=_moment(deleted),
            export_errors=tuple(_decode_export_error(e) for e in exported), in_entra=_maybe_bool(in_entra) is not False,
            object_guid=_maybe_text(guid),
        )
    except BadObject:
        raise
    except (TypeError, ValueError) as exc:  # wrong length, unknown enum value, bad date
        raise BadObject(f"a malformed object: {exc}") from None
