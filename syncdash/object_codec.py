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
    ]


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
         source_upn, domain, netbios, provisioning, service, deleted) = data
        if not isinstance(provisioning, list) or not isinstance(service, list):
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
        )
    except BadObject:
        raise
    except (TypeError, ValueError) as exc:  # wrong length, unknown enum value, bad date
        raise BadObject(f"a malformed object: {exc}") from None
