"""Connect Health's JSON into syncdash's model, leniently: the spec's own examples send
strings where it declares objects, an object where it declares an array, null anywhere,
and .NET's year 1 for "never". A field of the wrong type reads as absent; every text
read here is untrusted and stays plain data (the screens and files escape it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from syncdash.evidence import HealthNote
from syncdash.export_error import ExportError, OnPremisesSide
from syncdash.model import utc

#: Buckets of the counts operation; "All" repeats the others and is never listed itself.
ALL_BUCKETS = "All"


def text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value.strip() else None


def moment(data: dict[str, Any], key: str) -> datetime | None:
    value = text(data, key)
    if value is None:
        return None
    try:
        parsed = utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None
    return None if parsed.year < 1900 else parsed  # 0001-01-01: .NET's "never"


def sync_services(items: list[dict[str, Any]]) -> list[str]:
    """The names of the tenant's sync services that are not disabled."""
    return [name for item in items
            if text(item, "type") in (None, "AadSyncService") and item.get("disabled") is not True
            and (name := text(item, "serviceName"))]


def buckets(data: Any) -> list[tuple[str, int, bool]]:
    """(bucket, count, truncated) of each bucket with errors, "All" left out."""
    found = []
    for item in (data.get("value") if isinstance(data, dict) else None) or ():
        if not isinstance(item, dict):
            continue
        name, count = text(item, "errorBucket"), item.get("count")
        if name and name != ALL_BUCKETS and isinstance(count, int) and not isinstance(count, bool) and count > 0:
            found.append((name, count, item.get("truncated") is True))
    return found


def _side(data: Any) -> OnPremisesSide | None:
    if not isinstance(data, dict):
        return None
    return OnPremisesSide(
        display_name=text(data, "displayName"), distinguished_name=text(data, "distinguishedName"),
        object_guid=text(data, "objectGuid"), object_type=text(data, "objectType"),
        user_principal_name=text(data, "userPrincipalName"),
        on_premises_upn=text(data, "onpremisesUserPrincipalName"), mail=text(data, "mail"),
        proxy_addresses=text(data, "proxyAddresses"), source_anchor=text(data, "sourceAnchor"),
        source_of_authority=text(data, "sourceOfAuthority"), last_dir_sync=moment(data, "lastDirSyncTime"),
    )


def export_error(item: dict[str, Any], bucket: str) -> ExportError | None:
    """One MergedExportError; None for one that names no error type."""
    error_type = text(item, "type")
    if error_type is None:
        return None
    incoming = _side(item.get("incomingObject")) or OnPremisesSide()
    incoming = OnPremisesSide(
        display_name=incoming.display_name or text(item, "incomingObjectDisplayName"),
        distinguished_name=incoming.distinguished_name or text(item, "dn"),
        object_guid=incoming.object_guid, object_type=incoming.object_type or text(item, "incomingObjectType"),
        user_principal_name=incoming.user_principal_name or text(item, "userPrincipalName"),
        on_premises_upn=incoming.on_premises_upn, mail=incoming.mail, proxy_addresses=incoming.proxy_addresses,
        source_anchor=incoming.source_anchor, source_of_authority=incoming.source_of_authority,
        last_dir_sync=incoming.last_dir_sync,
    )
    return ExportError(
        error_type=error_type, bucket=bucket, attribute=text(item, "attributeName"), value=text(item, "attributeValue"),
        server_detail=text(item, "serverErrorDetail"), first_occurred=moment(item, "timeFirstOccurred"),
        occurred=moment(item, "timeOccurred"), dn=text(item, "dn"), incoming=incoming,
        existing=_side(item.get("existingObject")),
    )


def last_export(items: list[dict[str, Any]]) -> datetime | None:
    """When the newest export run ended (across the service's servers)."""
    return max((end for item in items if (end := moment(item, "endTime"))), default=None)


_LEVELS = {"Error": "error", "Warning": "warning", "PreWarning": "warning"}


def alert_note(item: dict[str, Any]) -> HealthNote | None:
    """An active alert as one line: its name, and where it applies."""
    if text(item, "state") not in (None, "Active"):
        return None
    name = text(item, "displayName") or text(item, "shortName")
    if name is None:
        return None
    since = moment(item, "createdDate")
    when = f" since {since:%Y-%m-%d %H:%M} UTC" if since else ""
    return HealthNote(_LEVELS.get(text(item, "level") or "", "warning"), f"Connect Health alert: {name}{when}")
