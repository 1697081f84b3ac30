"""Delta queries on users, groups and contacts, answered as the Graph docs describe them.

A full round (paged by the service), then the changes since a delta token, removed
objects as ``{"id", "@removed"}``. What Graph refuses here is refused too: any
``$filter`` but ``id eq '…'`` (or-ed, up to 50 ids), ``$top``, ``$orderby`` and
``$expand`` ("user: delta", "orgContact: delta", "Use delta query to track changes"),
and ``$deltatoken=latest`` on contacts unless the emulator is told otherwise (the docs
promise "sync from now" for users and groups only).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from syncdash.emulator import schema as schemas
from syncdash.emulator.answers import (
    Answer,
    fingerprint,
    json_answer,
    make_token,
    read_token,
)
from syncdash.emulator.filters import tokenize
from syncdash.emulator.odata_errors import (
    GraphRefusal,
    bad_request,
    bad_request_code,
    unsupported,
)

if TYPE_CHECKING:
    from syncdash.emulator.service import GraphEmulator

DELTA_SEGMENTS = frozenset({"delta", "delta()", "microsoft.graph.delta", "microsoft.graph.delta()"})
#: Delta pages are sized by the service, not the client (Graph ignores $top there).
DELTA_PAGE = 200
#: Directory delta links live seven days; older ones answer syncStateNotFound.
DELTA_LIFETIME = 7 * 24 * 3600
#: "user: delta": "There is a limit of 50 filtered objects."
MAX_DELTA_IDS = 50
_DELTA_OPTIONS = frozenset({"$select", "$deltatoken", "$skiptoken", "$filter"})
#: "Use delta query to track changes", users and groups: $expand, $top, $orderby not supported.
_NOT_ON_DELTA = ("$expand", "$orderby", "$top")
_ONLY_IDS = ("Delta queries support only $filter=id eq '{id}' (several or-ed, up to "
             f"{MAX_DELTA_IDS} ids).")
_LINK_SAFE = "$,()/:"


def wants_minimal(headers: Mapping[str, str]) -> bool:
    """``Prefer: return=minimal``, alone or in a list ("odata.maxpagesize=10, return=minimal")."""
    value = headers.get("prefer", "")
    return any(part.replace(" ", "").lower() == "return=minimal" for part in value.split(","))


def id_filter(text: str) -> frozenset[str]:
    """The ids of ``id eq 'a' or id eq 'b'``, folded; any other filter is refused as Graph does."""
    tokens = tokenize(text)
    ids: list[str] = []
    position = 0
    while True:
        clause = tokens[position : position + 3]
        if (len(clause) != 3 or [t.kind for t in clause] != ["word", "word", "string"]
                or clause[0].text.lower() != "id" or clause[1].text.lower() != "eq"):
            raise unsupported(_ONLY_IDS)
        ids.append(str(clause[2].value).lower())
        position += 3
        if position == len(tokens):
            break
        if tokens[position].kind != "word" or tokens[position].text.lower() != "or":
            raise unsupported(_ONLY_IDS)
        position += 1
    if len(ids) > MAX_DELTA_IDS:
        raise unsupported(_ONLY_IDS)
    return frozenset(ids)


def answer_delta(emulator: GraphEmulator, schema: schemas.Schema, key: str, relative: str, base: str,
                 query: dict[str, str], headers: Mapping[str, str]) -> Answer:
    """``/users/delta``: a round of pages ending in a delta link; with ``Prefer:
    return=minimal`` a round after a token sends each changed object's id and only the
    properties that changed since that token."""
    query = {name.lower() if name.startswith("$") else name: value for name, value in query.items()}
    for name in _NOT_ON_DELTA:
        if name in query:
            raise unsupported(f"The query option '{name}' is not supported with delta queries.")
    unknown = sorted(set(query) - _DELTA_OPTIONS)
    if unknown:
        raise bad_request(f"Query option '{unknown[0]}' is not supported with delta.")
    wanted = id_filter(query["$filter"]) if "$filter" in query else None
    store = emulator.store
    changes = store.track_changes()[key]
    items = store.snapshot()[key]
    data = {str(item.get("id")): item for item in items}
    names = emulator.selection(schema, items, query)
    version = store.version
    token = query.get("$deltatoken")
    if token is not None and token.lower() == "latest":
        if key == "contacts" and not emulator.contacts_delta_latest:
            raise unsupported("$deltatoken=latest is not supported for this resource.")
        return _page(emulator, key, relative, base, query, [], None, version)
    since: int | None = None
    if token is not None:
        since, issued = _read_delta_token(token)
        if emulator.faults.delta_gone:
            raise GraphRefusal(410, "resyncRequired", "Resync required: replay the delta query from scratch.")
        if emulator.clock() - issued > DELTA_LIFETIME:
            raise bad_request_code("syncStateNotFound", "The sync state generation is not found. The delta "
                                   "token is expired and data must be synchronized again.")

    def chosen(object_id: str) -> bool:
        return wanted is None or object_id.lower() in wanted

    minimal = since is not None and wants_minimal(headers)
    if since is None:
        # "The id property is always returned", selected or not.
        entries = [emulator.project(schema, item, names) | {"id": object_id}
                   for object_id, item in data.items() if chosen(object_id)]
    else:
        entries = []
        for object_id, (changed, removed) in sorted(changes.items(), key=lambda pair: pair[1][0]):
            if changed <= since or not chosen(object_id):
                continue
            if removed or object_id not in data:
                entries.append({"id": object_id, "@removed": {"reason": "deleted"}})
                continue
            entry = _changed_entry(emulator, schema, key, data[object_id], object_id, names, since, minimal)
            if entry is not None:
                entries.append(entry)
    answer = _page(emulator, key, relative, base, query, entries, query.get("$skiptoken"), version)
    if minimal:
        answer.headers["preference-applied"] = "return=minimal"
    return answer


def _changed_entry(emulator: GraphEmulator, schema: schemas.Schema, key: str, item: dict[str, Any],
                   object_id: str, names: list[str] | None, since: int, minimal: bool) -> dict[str, Any] | None:
    """One changed object in a round after a token. With ``$select``, an object whose
    changes all lie outside the selection is not sent ("Use delta query", users and groups)."""
    tracked: list[str] | None = names
    if tracked is None and schema.defaults is not None:
        tracked = [*schema.defaults, *(k for k in item if k not in schema.properties and not k.startswith("@"))]
    moved = emulator.store.changed_properties(key, object_id, since, tracked, item)
    if names is not None and not moved:
        return None
    if not minimal:
        return emulator.project(schema, item, names) | {"id": object_id}
    entry: dict[str, Any] = {"id": object_id}
    for name in moved:
        entry[name] = item.get(name, [] if name in schema.collections else None)
    return entry


def _page(emulator: GraphEmulator, key: str, relative: str, base: str, query: dict[str, str],
          entries: list[dict[str, Any]], skiptoken: str | None, version: int) -> Answer:
    """One page of a round: a next link (the round's options and its starting token kept
    in it) or, at the end, the delta link for the next round."""
    bound_to = fingerprint(relative, {k: v for k, v in query.items() if k != "$deltatoken"})
    offset, empty_served = read_token(skiptoken, bound_to)
    body: dict[str, Any] = {"@odata.context": f"{base}/$metadata#{key}"}
    params = {name: value for name, value in query.items() if name not in ("$skiptoken", "$deltatoken")}
    keep = {"$deltatoken": query["$deltatoken"]} if "$deltatoken" in query else {}
    if emulator.faults.empty_pages and offset > 0 and not empty_served:
        body["value"] = []
        params["$skiptoken"] = make_token(offset, bound_to, True)
        body["@odata.nextLink"] = f"{base}/{relative}?{urlencode({**params, **keep}, safe=_LINK_SAFE)}"
    elif offset + DELTA_PAGE < len(entries):
        body["value"] = entries[offset : offset + DELTA_PAGE]
        params["$skiptoken"] = make_token(offset + DELTA_PAGE, bound_to, False)
        body["@odata.nextLink"] = f"{base}/{relative}?{urlencode({**params, **keep}, safe=_LINK_SAFE)}"
    else:
        body["value"] = entries[offset:]
        params["$deltatoken"] = _make_delta_token(version, emulator.clock())
        body["@odata.deltaLink"] = f"{base}/{relative}?{urlencode(params, safe=_LINK_SAFE)}"
    return json_answer(body)


def _make_delta_token(version: int, issued: float) -> str:
    raw = json.dumps([version, round(issued)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_delta_token(token: str) -> tuple[int, float]:
    try:
        version, issued = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(version, int) or not isinstance(issued, (int, float)):
            raise ValueError
    except (ValueError, TypeError, binascii.Error):
        raise bad_request_code("syncStateNotFound", "The delta token is not valid.") from None
    return version, float(issued)
