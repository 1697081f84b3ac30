"""The emulated tenant's data: a tenant file (or dict) in Graph's own JSON shapes.

The file is re-read when it changes on disk, so a running syncdash sees edits on its
next refresh; an edit that does not parse (a save in progress) leaves the last good data.
Besides the collections, a file may say what the signed-in token may read (``"grants"``:
a preset name or ``{"scopes": [...], "roles": [...], "appOnly": false}``).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from syncdash.emulator.permissions import PRESETS, Grants

COLLECTIONS = (
    "organization",
    "domains",
    "onPremisesSynchronization",
    "users",
    "groups",
    "contacts",
    "deletedItems",
)

#: Collections that answer delta queries.
DELTA_COLLECTIONS = ("users", "groups", "contacts")

#: The tenant file's key for the token's permissions (not a collection).
GRANTS_KEY = "grants"
#: The tenant file's key for what Connect Health reports (served by emulator.health).
HEALTH_KEY = "connectHealth"
_HEALTH_FIELDS = ("services", "exportErrors", "exportStatus", "alerts")
_GRANTS_FIELDS = ("scopes", "roles", "appOnly")

#: Called with the tenant dict to change it in place (the demo's living tenant).
Mutation = Callable[[dict[str, Any]], object]


class TenantFileError(ValueError):
    """The tenant file cannot be used; the message names the file and what is wrong."""


def validate_tenant(data: Any, source: str) -> dict[str, list[dict[str, Any]]]:
    """Check the shape Graph would serve and fill in absent collections as empty (the
    ``grants`` key is checked too, and read with :func:`tenant_grants`)."""
    allowed = (*COLLECTIONS, GRANTS_KEY, HEALTH_KEY)
    if not isinstance(data, dict):
        raise TenantFileError(f"{source}: expected a JSON object with keys {', '.join(allowed)}")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise TenantFileError(
            f"{source}: unknown key {unknown[0]!r} (allowed: {', '.join(allowed)})"
        )
    tenant_grants(data, source)
    tenant_health(data, source)
    tenant: dict[str, list[dict[str, Any]]] = {}
    for key in COLLECTIONS:
        items = data.get(key, [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise TenantFileError(f"{source}: {key!r} must be a list of objects")
        tenant[key] = items
    return tenant


def tenant_grants(data: dict[str, Any], source: str) -> Grants | None:
    """The ``grants`` of a tenant file: a preset name or an object of scopes, roles and
    appOnly; None when the file does not say (the emulator's own default then applies)."""
    raw = data.get(GRANTS_KEY)
    if raw is None:
        return None
    where = f"{source}: {GRANTS_KEY!r}"
    if isinstance(raw, str):
        if raw.lower() not in PRESETS:
            raise TenantFileError(f"{where}: unknown preset {raw!r} (presets: {', '.join(PRESETS)})")
        return PRESETS[raw.lower()]
    if not isinstance(raw, dict):
        raise TenantFileError(f"{where} must be a preset name or an object with {', '.join(_GRANTS_FIELDS)}")
    unknown = sorted(set(raw) - set(_GRANTS_FIELDS))
    if unknown:
        raise TenantFileError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(_GRANTS_FIELDS)})")
    lists: dict[str, frozenset[str]] = {}
    for name in ("scopes", "roles"):
        value = raw.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise TenantFileError(f"{where}: {name!r} must be a list of names")
        lists[name] = frozenset(v.strip() for v in value)
    app_only = raw.get("appOnly", False)
    if not isinstance(app_only, bool):
        raise TenantFileError(f"{where}: 'appOnly' must be true or false")
    try:
        return Grants(lists["scopes"], app_only, lists["roles"])
    except ValueError as exc:
        raise TenantFileError(f"{where}: {exc}") from None


def tenant_health(data: dict[str, Any], source: str) -> dict[str, Any] | None:
    """The ``connectHealth`` of a tenant file, in Resource Manager's own shapes: its sync
    ``services``, ``exportErrors`` by error bucket, ``exportStatus`` and ``alerts``; None
    when the tenant has no Connect Health."""
    raw = data.get(HEALTH_KEY)
    if raw is None:
        return None
    where = f"{source}: {HEALTH_KEY!r}"
    if not isinstance(raw, dict) or sorted(set(raw) - set(_HEALTH_FIELDS)):
        raise TenantFileError(f"{where} must be an object with {', '.join(_HEALTH_FIELDS)}")
    buckets = raw.get("exportErrors", {})
    lists = [raw.get(name, []) for name in ("services", "exportStatus", "alerts")]
    if not isinstance(buckets, dict):
        raise TenantFileError(f"{where}: 'exportErrors' maps error buckets to lists of errors")
    lists += list(buckets.values())
    if not all(isinstance(items, list) and all(isinstance(i, dict) for i in items) for items in lists):
        raise TenantFileError(f"{where}: services, exportStatus, alerts and each bucket must be lists of objects")
    return raw


def _read_file(path: Path) -> tuple[dict[str, list[dict[str, Any]]], Grants | None, dict[str, Any] | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TenantFileError(f"{path}: cannot read tenant file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise TenantFileError(f"{path}: tenant file is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise TenantFileError(f"{path}: not valid JSON ({exc})") from None
    return validate_tenant(data, str(path)), tenant_grants(data, str(path)), tenant_health(data, str(path))


def _file_stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def read_tenant_file(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The collections of a tenant file, or a TenantFileError naming what is wrong."""
    return _read_file(path)[0]


class TenantStore:
    """Thread-safe holder of the tenant; ``version`` changes whenever the data does."""

    def __init__(
        self,
        data: dict[str, Any] | None = None,
        *,
        path: Path | None = None,
        mutate: Mutation | None = None,
        mutate_every: float = 5.0,
    ):
        self._lock = threading.Lock()
        self._path = path
        self._stamp: tuple[int, int] | None = None
        #: What the tenant file says the token may read (None: it does not say).
        self.grants: Grants | None
        #: What Connect Health reports for the tenant (None: the tenant has none).
        self.health: dict[str, Any] | None
        if path is not None:
            self._stamp = _file_stamp(path)
            self._data, self.grants, self.health = _read_file(path)
        else:
            self._data = validate_tenant(data or {}, "tenant")
            self.grants = tenant_grants(data or {}, "tenant")
            self.health = tenant_health(data or {}, "tenant")
        self._mutate = mutate
        self._mutate_every = mutate_every
        self._mutated_at = time.monotonic()
        self.version = 0
        #: Per delta-tracked collection: object id → (version of its last change, removed).
        self.changes: dict[str, dict[str, tuple[int, bool]]] | None = None
        #: Per delta-tracked collection: object id → (version it appeared at, {property:
        #: version of its last change} or None); a property not listed has not changed
        #: since the object appeared (None, the common case, costs no dict per object).
        self.property_versions: dict[str, dict[str, tuple[int, dict[str, int] | None]]] = {}
        self._fingerprints: dict[str, dict[str, str]] = {}

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """The current data, after a reload or a live change if one is due."""
        with self._lock:
            if self._path is not None:
                stamp = _file_stamp(self._path)
                if stamp is not None and stamp != self._stamp:
                    self._stamp = stamp
                    try:
                        self._data, self.grants, self.health = _read_file(self._path)
                        self._changed()
                    except TenantFileError:
                        pass  # half-written file: keep serving the last good data
            if self._mutate is not None and time.monotonic() - self._mutated_at >= self._mutate_every:
                self._mutated_at = time.monotonic()
                self._mutate(self._data)
                self._changed()
            return self._data

    def touch(self) -> None:
        """The data was changed in place (by a test, say): serve it as a new version."""
        with self._lock:
            self._changed()

    def _changed(self) -> None:
        self.version += 1
        if self.changes is not None:
            self._track()

    def track_changes(self) -> dict[str, dict[str, tuple[int, bool]]]:
        """Start (on the first delta request) and return the change log of users, groups
        and contacts; fingerprinting a large tenant costs, so only delta clients pay it."""
        with self._lock:
            if self.changes is None:
                self.changes = {key: {} for key in DELTA_COLLECTIONS}
                self._track()
            return self.changes

    def _track(self) -> None:
        """Log what changed since the last call. An object's JSON fingerprint says whether
        it changed; only for a changed one are the old and new JSON compared property by
        property (for ``Prefer: return=minimal``), so an idle tenant costs one dump per object."""
        assert self.changes is not None
        for key in DELTA_COLLECTIONS:
            before = self._fingerprints.get(key, {})
            now = {str(item.get("id")): json.dumps(item, sort_keys=True, default=str) for item in self._data[key]}
            log = self.changes[key]
            properties = self.property_versions.setdefault(key, {})
            for object_id, print_ in now.items():
                old = before.get(object_id)
                if old == print_:
                    continue
                log[object_id] = (self.version, False)
                if old is None or object_id not in properties:
                    properties[object_id] = (self.version, None)
                else:
                    appeared, versions = properties[object_id]
                    if versions is None:
                        versions = {}
                        properties[object_id] = (appeared, versions)
                    for name in _changed_names(old, print_):
                        versions[name] = self.version
            for object_id in before.keys() - now.keys():
                log[object_id] = (self.version, True)
                properties.pop(object_id, None)
            self._fingerprints[key] = now

    def changed_properties(self, key: str, object_id: str, since: int, names: list[str] | None,
                           item: dict[str, Any]) -> list[str]:
        """Which of ``names`` (every property when None) changed after version ``since``;
        all of them for an object that appeared after it."""
        with self._lock:  # the loopback server's threads may be tracking a change meanwhile
            appeared, versions = self.property_versions.get(key, {}).get(object_id, (self.version, None))
            if appeared > since:
                return list(names) if names is not None else [name for name in item if not name.startswith("@")]
            versions = dict(versions or {})
        candidates = names if names is not None else list(versions)
        return [name for name in candidates if versions.get(name, appeared) > since]


_ABSENT = object()


def _changed_names(old: str, new: str) -> list[str]:
    """Properties whose value differs between two JSON fingerprints of one object."""
    before, after = json.loads(old), json.loads(new)
    return [name for name in before.keys() | after.keys()
            if before.get(name, _ABSENT) != after.get(name, _ABSENT)]
