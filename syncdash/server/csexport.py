"""csexport.exe XML (``csexport "<connector>" out.xml``): a connector space, read as a
stream.

A connector space's export runs to gigabytes on one line, so it is parsed event by
event (each ``<cs-object>`` dropped once read) with defusedxml's parser: a DTD or an
entity declaration stops the read before anything is expanded, and nothing is fetched.
The elements read follow Microsoft's "Connector Space Export XML" reference (FIM 2010,
unchanged in MIM and Entra Connect) and what Entra Connect adds (``error-name``,
``extra-error-details``); both shapes of ``export-errordetail`` are read — the
documented ``<export-error>`` child and the ``export-status/cd-error`` the servers write.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from syncdash.sanitize import safe_line
from syncdash.server.values import count, flag, moment, text
from syncdash.anchors import anchor_of_dn, guid_of_base64
from syncdash.sync_server import ENTRA, BadServerFile, Change, ConnectorObject, PendingExport, ServerError, connector_of

#: One ``<cs-object>`` larger than this (a value of hundreds of MB, or a file that never
#: closes one) ends the read, partial, instead of filling memory.
OBJECT_LIMIT = 64 * 1024 * 1024
#: Holograms, newest first: what the object will be after the pending changes, else what
#: was last synchronized.
_HOLOGRAMS = ("unapplied-export-hologram", "pending-import-hologram", "synchronized-hologram")
_GUID_CHARS = "{}"


class ObjectTooLarge(Exception):
    pass


class _Metered:
    """The file, read through a count of bytes since the last complete object."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.read_bytes = 0
        self.mark = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size if size > 0 else 1 << 16)
        self.read_bytes += len(data)
        if self.read_bytes - self.mark > OBJECT_LIMIT:
            raise ObjectTooLarge
        return data


def _attributes(entry: Element | None) -> dict[str, list[str]]:
    """A hologram's attributes by lower-case name (binary values stay base64)."""
    found: dict[str, list[str]] = {}
    if entry is None:
        return found
    for attr in entry.iter("attr"):
        found[attr.get("name", "").casefold()] = [value.text or "" for value in attr.iter("value")]
    for attr in entry.iter("dn-attr"):
        found[attr.get("name", "").casefold()] = [dn.text or "" for dn in attr.iter("dn")]
    return found


def _pending(elem: Element) -> PendingExport | None:
    """What the next export sends (unapplied-export), else what was exported and awaits
    confirmation (escrowed-export)."""
    delta, in_progress = elem.find("unapplied-export/delta"), False
    if delta is None or delta.get("operation", "none") == "none":
        delta, in_progress = elem.find("escrowed-export/delta"), True
    if delta is None or delta.get("operation", "none") == "none":
        return None
    changes = []
    for attr in (*delta.findall("attr"), *delta.findall("dn-attr")):
        values = [(value.get("operation"), value.text or "") for value in attr.iter("value")]
        values += [(value.get("operation"), value.findtext("dn") or "") for value in attr.iter("dn-value")]
        operation = attr.get("operation") or delta.get("operation") or ""
        if any(op for op, _ in values):  # an update of a multi-valued attribute: each value its own
            for op in ("add", "delete"):
                chosen = tuple(v for o, v in values if o == op)
                if chosen:
                    changes.append(Change(attr.get("name", ""), op, chosen))
        else:
            changes.append(Change(attr.get("name", ""), operation, tuple(v for _, v in values)))
    return PendingExport(delta.get("operation", ""), tuple(changes), in_progress)


def extra_details(raw: str | None) -> dict[str, list[str]]:
    """ErrorExtraDetails / extra-error-details: a JSON list of ``{"Key", "Value": [..]}``
    (or an object), keys lower-cased; anything else is no details."""
    try:
        data = json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        return {}
    pairs: list[tuple[object, object]] = []
    if isinstance(data, dict):
        pairs = list(data.items())
    elif isinstance(data, list):
        pairs = [(item.get("Key", item.get("key")), item.get("Value", item.get("value")))
                 for item in data if isinstance(item, dict)]
    found: dict[str, list[str]] = {}
    for key, value in pairs:
        values = value if isinstance(value, list) else [value]
        found[str(key).casefold()] = [str(v) for v in values if isinstance(v, (str, int)) and not isinstance(v, bool)]
    return found


def server_error(stage: str, *, error_type: str | None, name: str | None, literal: str | None, code: str | None,
                 detail: str | None, retries: object, first: object, last: object,
                 extra: str | None) -> ServerError:
    """An error record from its parts (the XML's and the JSON's names differ, not their
    meaning): named by error-name, else an error-literal that is one word, else error-type."""
    details = extra_details(extra)
    word = literal if literal and " " not in literal.strip() else None
    return ServerError(
        stage=stage, error_type=name or word or error_type or "unknown-error", code=code, literal=literal,
        detail=detail.strip() if detail else None, retry_count=count(retries), first_occurred=moment(first),
        occurred=moment(last), conflict_id=next(iter(details.get("objectidinconflict", [])), None),
        conflict_attribute=next(iter(details.get("attributeconflictname", [])), None),
        conflict_values=tuple(details.get("attributeconflictvalues", [])))


def _error(elem: Element, stage: str) -> ServerError | None:
    holder = elem.find(f"{stage}-errordetail")
    if holder is None:
        return None
    stamped = holder.find(f"{stage}-error")  # the documented shape: the attributes on a child
    stamped = stamped if stamped is not None else holder
    cd = holder.find(".//cd-error")
    status = holder.find(f"{stage}-status")

    def part(name: str) -> str | None:
        return text(cd.findtext(name)) if cd is not None else None

    algorithm = text(status.findtext("algorithm-step")) if status is not None else None
    return server_error(
        stage, error_type=stamped.get("error-type"), name=part("error-name"), literal=part("error-literal"),
        code=part("error-code"), detail=part("server-error-detail") or algorithm, retries=stamped.get("retry-count"),
        first=stamped.get("first-occurred"), last=stamped.get("date-occurred"), extra=part("extra-error-details"))


def _joined(elem: Element) -> tuple[bool | None, str | None]:
    link = elem.find("mv-link")
    mv = text(link.text) if link is not None else None
    if mv is None:
        value = elem.find("cs-mv-links/cs-mv-value")
        mv = text(value.findtext("mv-guid") or value.get("mv-guid")) if value is not None else None
    connector = flag(elem.findtext("connector"))
    joined = True if mv else connector
    return joined, mv.strip(_GUID_CHARS).lower() if mv else None


def connector_object(elem: Element, origin: str) -> ConnectorObject | None:
    """The object one ``<cs-object>`` element describes (None without a cs-dn)."""
    dn = elem.get("cs-dn")
    if not dn:
        return None
    hologram = next((h for name in _HOLOGRAMS if (h := elem.find(f"{name}/entry")) is not None), None)
    attributes = _attributes(hologram)
    if hologram is None:  # a new object: only its pending add says what it is
        attributes = _attributes(elem.find("unapplied-export/delta")) or _attributes(elem.find("pending-import/delta"))

    def first(name: str) -> str | None:
        return next(iter(attributes.get(name.casefold(), [])), None)

    connector = connector_of(dn)
    if connector == ENTRA:
        anchor = anchor_of_dn(dn)
    else:
        raw_anchor = hologram.findtext("anchor") if hologram is not None else None
        anchor = guid_of_base64(raw_anchor) or guid_of_base64(first("objectGUID"))
    joined, mv = _joined(elem)
    return ConnectorObject(
        connector=connector, dn=dn, object_type=elem.get("object-type") or (first("objectClass") or ""),
        origin=origin, joined=joined, mv_id=mv,
        anchor=anchor, cloud_anchor=first("cloudAnchor"), upn=first("userPrincipalName"), mail=first("mail"),
        display_name=first("displayName"), on_premises_dn=first("onPremisesDistinguishedName"),
        pending=_pending(elem), export_error=_error(elem, "export"),
        import_error=_error(elem, "import"))


def read_cs_objects(stream: IO[bytes], origin: str, on_object: Callable[[ConnectorObject], None]) -> str | None:
    """Every ``<cs-object>`` of a csexport file (or the one a CS object's SerializedXml
    is), each handed to ``on_object`` as read. Returns None when the whole file was read,
    else why it stopped (one line; the objects before it were handed over). Raises
    :class:`BadServerFile` for a file that declares a DTD or entities, an encoding
    Python does not know, or is not a connector-space export at all."""
    shown = safe_line(origin)
    metered = _Metered(stream)
    events: Iterator[tuple[str, Element]] = iterparse(metered, events=("start", "end"), forbid_dtd=True)
    root: Element | None = None
    read = 0
    try:
        for event, elem in events:
            if root is None:
                root = elem
                if elem.tag not in ("cs-objects", "cs-object"):
                    raise BadServerFile(f"{shown}: XML, but not a csexport file (its root is <{safe_line(elem.tag, 40)}>)")
                continue
            if event == "end" and elem.tag == "cs-object":
                found = connector_object(elem, origin)
                if found is not None:
                    on_object(found)
                    read += 1
                if elem is not root:
                    root.clear()  # the object is read: nothing of it stays in memory
                metered.mark = metered.read_bytes
    except BadServerFile:
        raise
    except DefusedXmlException:
        raise BadServerFile(f"{shown}: declares a DTD or XML entities, which no csexport file has (refused, "
                            "never expanded)") from None
    except ObjectTooLarge:
        return f"stopped after {read} objects: one object is over {OBJECT_LIMIT // (1024 * 1024)} MB"
    except (ParseError, LookupError, ValueError) as error:  # LookupError: an encoding Python lacks
        if root is None:
            raise BadServerFile(f"{shown}: not readable as XML ({safe_line(error)})") from None
        ended = "the file ends early (truncated?)" if "no element found" in str(error) else safe_line(error)
        return f"read {read} objects, then stopped: {ended}"
    return None
