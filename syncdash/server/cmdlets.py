"""The ADSync cmdlets' output as ``ConvertTo-Json`` writes it: Get-ADSyncCSObject,
Get-ADSyncScheduler, and Invoke-ADSyncSingleObjectSync (which writes its own JSON line).

Windows PowerShell 5.1 and PowerShell 7 write differently (dates as ``\\/Date(ms)\\/`` or
ISO 8601, enums as numbers, TimeSpans as objects); both are read. Property names are
matched without regard to case, as PowerShell itself does.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from typing import Any

from syncdash.anchors import anchor_of_dn, guid_of_base64
from syncdash.server.csexport import read_cs_objects, server_error
from syncdash.server.values import flag, moment, text
from syncdash.sync_server import (
    AD,
    ENTRA,
    BadServerFile,
    ConnectorObject,
    Scheduler,
    ServerError,
    SingleObjectSync,
    SyncStep,
    connector_of,
)

_EMPTY_GUID = "00000000-0000-0000-0000-000000000000"
_TIMESPAN = re.compile(r"(?:(\d{1,5})\.)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)")


def _folded(data: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key).casefold(): value for key, value in data.items()}


def is_cs_object(data: Mapping[str, Any]) -> bool:
    keys = _folded(data)
    return "distinguishedname" in keys and bool({"connectedmvobjectid", "connectorid", "isconnector"} & keys.keys())


def is_scheduler(data: Mapping[str, Any]) -> bool:
    return bool({"synccycleenabled", "stagingmodeenabled"} & _folded(data).keys())


def is_single_sync(data: Mapping[str, Any]) -> bool:
    return bool({"provisioningsteps", "sourceidentity"} & _folded(data).keys())


def _attribute_values(attributes: Any) -> dict[str, list[str]]:
    """Attributes as ``[{Name, Values}]`` (a collection) or ``{name: {Values}}``."""
    found: dict[str, list[str]] = {}
    items = attributes if isinstance(attributes, list) else (
        [{"Name": k, **(v if isinstance(v, dict) else {"Values": v})} for k, v in attributes.items()]
        if isinstance(attributes, dict) else [])
    for item in items:
        if not isinstance(item, dict):
            continue
        entry = _folded(item)
        values = entry.get("values")
        values = values if isinstance(values, list) else [values]
        name = text(entry.get("name"))
        if name:
            found[name.casefold()] = [str(v) for v in values if isinstance(v, (str, int)) and not isinstance(v, bool)]
    return found


def _from_xml(serialized: str, origin: str) -> ConnectorObject | None:
    """SerializedXml: the object's own csexport-shaped XML (pending export, holograms),
    with or without the ``<cs-objects>`` around it; None when it cannot be read (the
    JSON's own properties still are)."""
    found: list[ConnectorObject] = []
    try:
        read_cs_objects(io.BytesIO(serialized.encode("utf-8")), origin, found.append)
    except BadServerFile:
        return None
    return found[0] if found else None


def cs_object(data: Mapping[str, Any], origin: str) -> ConnectorObject | None:
    """One Get-ADSyncCSObject object; None without a DN."""
    entry = _folded(data)
    dn = text(entry.get("distinguishedname"))
    if dn is None:
        return None
    attributes = _attribute_values(entry.get("attributes"))

    def first(name: str) -> str | None:
        return next(iter(attributes.get(name.casefold(), [])), None)

    entra = connector_of(dn, text(entry.get("connectorid"))) == ENTRA
    mv = (text(entry.get("connectedmvobjectid")) or "").strip("{}").lower()
    joined = flag(entry.get("isconnector"))
    if mv and mv != _EMPTY_GUID:
        joined = True
    elif mv == _EMPTY_GUID:
        joined = False
    lineage = entry.get("lineage")
    rules = tuple(name for item in (lineage if isinstance(lineage, list) else [])
                  if isinstance(item, dict) and (name := text(_folded(item).get("syncrulename"))))
    anchor = (anchor_of_dn(dn) or first("sourceAnchor")) if entra else guid_of_base64(first("objectGUID"))
    found = ConnectorObject(
        connector=ENTRA if entra else AD, dn=dn, object_type=text(entry.get("objecttype")) or "", origin=origin,
        joined=joined,
        mv_id=mv if mv and mv != _EMPTY_GUID else None, anchor=anchor, cloud_anchor=first("cloudAnchor"),
        upn=first("userPrincipalName"), mail=first("mail"), display_name=first("displayName"),
        on_premises_dn=first("onPremisesDistinguishedName"), export_error=_export_error(entry.get("exporterror")),
        lineage=rules)
    serialized = text(entry.get("serializedxml"))
    if serialized and serialized.lstrip().startswith("<"):
        from_xml = _from_xml(serialized, origin)
        if from_xml is not None:
            found = from_xml.merged(found, ())
    return found


def _export_error(raw: Any) -> ServerError | None:
    if not isinstance(raw, dict) or not raw:
        return None
    error = _folded(raw)

    def pick(*names: str) -> str | None:
        return next((value for name in names if (value := text(error.get(name)))), None)

    extra = error.get("errorextradetails")
    return server_error(
        "export", error_type=pick("errortype", "type"), name=pick("errorname", "name"),
        literal=pick("errorliteral", "errormessage", "message"), code=pick("errorcode", "code"),
        detail=pick("servererrordetail", "errordetail", "detail"), retries=error.get("retrycount"),
        first=pick("firstoccurred", "timefirstoccurred"), last=pick("dateoccurred", "timeoccurred"),
        extra=extra if isinstance(extra, str) else json.dumps(extra) if isinstance(extra, (list, dict)) else None)


def _minutes(value: Any) -> float | None:
    """A TimeSpan: an object with TotalMinutes (5.1's ConvertTo-Json), or ``d.hh:mm:ss``
    / ``hh:mm:ss`` text."""
    if isinstance(value, dict):
        total = _folded(value).get("totalminutes")
        return float(total) if isinstance(total, (int, float)) and not isinstance(total, bool) else None
    match = _TIMESPAN.fullmatch(text(value) or "")
    if match is None:
        return None
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 1440 + int(hours) * 60 + int(minutes) + float(seconds) / 60


def scheduler(data: Mapping[str, Any], origin: str) -> Scheduler:
    entry = _folded(data)
    return Scheduler(
        origin=origin, sync_cycle_enabled=flag(entry.get("synccycleenabled")),
        staging_mode=flag(entry.get("stagingmodeenabled")), suspended=flag(entry.get("schedulersuspended")),
        next_run=moment(entry.get("nextsynccyclestarttimeinutc")),
        interval_minutes=_minutes(entry.get("currentlyeffectivesynccycleinterval")),
        last_run=moment(entry.get("lastrunstarttimeinutc")), last_run_name=text(entry.get("lastrunprofile")),
        last_result=text(entry.get("lastrunresult")))


def _details(raw: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict):
        return ()
    return tuple((str(key), value if isinstance(value, str) else str(value)) for key, value in raw.items()
                 if key != "AttributeInfoJson")


def _part(entry: Mapping[str, Any], name: str) -> dict[str, Any]:
    """An object-valued property, its names folded; empty when it is anything else."""
    value = entry.get(name)
    return _folded(value) if isinstance(value, dict) else {}


def single_sync(data: Mapping[str, Any], origin: str) -> SingleObjectSync | None:
    """Invoke-ADSyncSingleObjectSync's result; None when it names no object."""
    entry = _folded(data)
    source, status = _part(entry, "sourceidentity"), _part(entry, "statusinfo")
    dn = text(source.get("name"))
    if dn is None:
        return None
    steps = []
    raw_steps = entry.get("provisioningsteps")
    for raw in raw_steps if isinstance(raw_steps, list) else []:
        if isinstance(raw, dict):
            step = _folded(raw)
            steps.append(SyncStep(text(step.get("status")) or "", text(step.get("name")) or "",
                                  text(step.get("description")) or "", _details(step.get("details"))))
    staging = any(step.description.startswith("[Staging Mode]") for step in steps)
    return SingleObjectSync(
        origin=origin, dn=dn, status=text(status.get("status")) or "", error_code=text(status.get("errorcode")) or "",
        reason=text(status.get("reason")) or "", additional=text(status.get("additionaldetails")) or "",
        recommended=text(status.get("recommendedaction")) or "", started=moment(entry.get("starttime")),
        staging=staging, steps=tuple(steps))

