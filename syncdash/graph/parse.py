"""Raw Graph JSON straight into syncdash's model.

The SDK's own model parsing costs ~5 ms an object; ``json.loads`` plus these functions
cost microseconds. Directory data is untrusted, so every reader tolerates missing
fields, nulls and wrong types instead of failing the whole listing.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from syncdash.graph.service_kinds import classify
from syncdash.graph.xml_detail import parse_error_detail
from syncdash.model import (
    ConflictProperty,
    DirectoryObject,
    Domain,
    ObjectKind,
    ProvisioningError,
    ServiceError,
    SyncSettings,
    utc,
)


def text(value: Any) -> str | None:
    """A string field, or None when Graph sent null or something that is not a string."""
    return value if isinstance(value, str) else None


def flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def record(value: Any) -> dict[str, Any]:
    """A JSON-object field, or an empty one when Graph sent null or something else."""
    return value if isinstance(value, dict) else {}


def records(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def timestamp(value: Any) -> datetime | None:
    """Graph's DateTimeOffset: 7 fractional digits, an offset, ``Z``, or (in docs samples) none."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return utc(datetime.fromisoformat(value))
    except (ValueError, OverflowError):
        return None


def _error_records(value: Any, label: str, field: str) -> list[dict[str, Any]]:
    """An error list's entries. An entry that is not a JSON object is kept, labelled
    "Unreadable" and showing what was sent, so the object is listed rather than dropped."""
    if not value:
        return []
    items = value if isinstance(value, list) else [value]
    return [item if isinstance(item, dict) else {label: "Unreadable", field: _shown(item)}
            for item in items if item is not None]


def _shown(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False, default=repr)
    return shown if len(shown) <= 200 else shown[:199] + "…"


def provisioning_error(raw: dict[str, Any]) -> ProvisioningError:
    prop = text(raw.get("propertyCausingError")) or ""
    return ProvisioningError(
        category=text(raw.get("category")) or "",
        property=ConflictProperty.from_graph(prop),
        property_raw=prop,
        value=text(raw.get("value")) or "",
        occurred=timestamp(raw.get("occurredDateTime")),
    )


def service_error(raw: dict[str, Any]) -> ServiceError:
    """One service error, its XML read once: the summary shown, the attributes it names,
    and what it is about (so the diagnosis, which reads no XML, can give each kind its fix)."""
    xml = text(raw.get("errorDetail")) or ""
    detail = parse_error_detail(xml)
    kind, value = classify(detail.records)
    return ServiceError(
        service_instance=text(raw.get("serviceInstance")) or "",
        created=timestamp(raw.get("createdDateTime")),
        resolved=raw.get("isResolved") is True,
        detail_xml=xml,
        summary=detail.summary,
        parameters=detail.parameters,
        kind=kind,
        value=value,
    )


def directory_object(raw: dict[str, Any], kind: ObjectKind) -> DirectoryObject:
    """One user, group or contact (live or from the recycle bin) from Graph's JSON."""
    return DirectoryObject(
        id=text(raw.get("id")) or "",
        kind=kind,
        display_name=text(raw.get("displayName")) or "",
        user_principal_name=text(raw.get("userPrincipalName")),
        mail=text(raw.get("mail")),
        mail_nickname=text(raw.get("mailNickname")),
        proxy_addresses=strings(raw.get("proxyAddresses")),
        account_enabled=flag(raw.get("accountEnabled")),
        sync_enabled=flag(raw.get("onPremisesSyncEnabled")),
        last_sync=timestamp(raw.get("onPremisesLastSyncDateTime")),
        immutable_id=text(raw.get("onPremisesImmutableId")),
        distinguished_name=text(raw.get("onPremisesDistinguishedName")),
        sam_account_name=text(raw.get("onPremisesSamAccountName")),
        security_identifier=text(raw.get("onPremisesSecurityIdentifier")),
        on_premises_upn=text(raw.get("onPremisesUserPrincipalName")),
        on_premises_domain=text(raw.get("onPremisesDomainName")),
        on_premises_netbios=text(raw.get("onPremisesNetBiosName")),
        provisioning_errors=tuple(
            provisioning_error(item) for item in _error_records(raw.get("onPremisesProvisioningErrors"), "category", "value")
        ),
        service_errors=tuple(
            service_error(item) for item in _error_records(raw.get("serviceProvisioningErrors"), "serviceInstance", "errorDetail")
        ),
        deleted=timestamp(raw.get("deletedDateTime")),
    )


def domain(raw: dict[str, Any]) -> Domain:
    return Domain(
        name=text(raw.get("id")) or "",
        verified=raw.get("isVerified") is True,
        initial=raw.get("isInitial") is True,
        default=raw.get("isDefault") is True,
        authentication=text(raw.get("authenticationType")),
    )


def verified_domain(raw: dict[str, Any]) -> Domain:
    """An entry of organization.verifiedDomains (used when /domains is not readable)."""
    return Domain(
        name=text(raw.get("name")) or "",
        verified=True,
        initial=raw.get("isInitial") is True,
        default=raw.get("isDefault") is True,
        authentication=text(raw.get("type")),
    )


def sync_settings(raw: dict[str, Any]) -> SyncSettings:
    features = record(raw.get("features"))
    configuration = record(raw.get("configuration"))
    prevention = record(configuration.get("accidentalDeletionPrevention"))
    threshold = prevention.get("alertThreshold")
    return SyncSettings(
        features={name: on for name, on in features.items() if isinstance(on, bool)},
        deletion_prevention=text(prevention.get("synchronizationPreventionType")),
        deletion_threshold=threshold if type(threshold) is int else None,
    )
