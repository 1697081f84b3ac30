"""The emulated tenant's data: a tenant file (or dict) in Graph's own JSON shapes.

The file is re-read when it changes on disk, so a running syncdash sees edits on its
next refresh; an edit that does not parse (a save in progress) leaves the last good data.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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

#: Called with the tenant dict to change it in place (the demo's living tenant).
Mutation = Callable[[dict[str, Any]], object]


class TenantFileError(ValueError):
    """The tenant file cannot be used; the message names the file and what is wrong."""


def validate_tenant(data: Any, source: str) -> dict[str, list[dict[str, Any]]]:
    """Check the shape Graph would serve and fill in absent collections as empty."""
    if not isinstance(data, dict):
        raise TenantFileError(f"{source}: expected a JSON object with keys {', '.join(COLLECTIONS)}")
    unknown = sorted(set(data) - set(COLLECTIONS))
    if unknown:
        raise TenantFileError(
            f"{source}: unknown key {unknown[0]!r} (allowed: {', '.join(COLLECTIONS)})"
        )
    tenant: dict[str, list[dict[str, Any]]] = {}
    for key in COLLECTIONS:
        items = data.get(key, [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise TenantFileError(f"{source}: {key!r} must be a list of objects")
        tenant[key] = items
    return tenant


def read_tenant_file(path: Path) -> dict[str, list[dict[str, Any]]]:
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
    return validate_tenant(data, str(path))


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
        if path is not None:
            self._stamp = self._file_stamp()
            self._data = read_tenant_file(path)
        else:
            self._data = validate_tenant(data or {}, "tenant")
        self._mutate = mutate
        self._mutate_every = mutate_every
        self._mutated_at = time.monotonic()
        self.version = 0
        #: Per delta-tracked collection: object id → (version of its last change, removed).
        self.changes: dict[str, dict[str, tuple[int, bool]]] | None = None
        self._fingerprints: dict[str, dict[str, str]] = {}

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self._path)  # type: ignore[arg-type]
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """The current data, after a reload or a live change if one is due."""
        with self._lock:
            if self._path is not None:
                stamp = self._file_stamp()
                if stamp is not None and stamp != self._stamp:
                    self._stamp = stamp
                    try:
                        self._data = read_tenant_file(self._path)
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
        assert self.changes is not None
        for key in DELTA_COLLECTIONS:
            before = self._fingerprints.get(key, {})
            now = {str(item.get("id")): json.dumps(item, sort_keys=True, default=str) for item in self._data[key]}
            log = self.changes[key]
            for object_id, print_ in now.items():
                if before.get(object_id) != print_:
                    log[object_id] = (self.version, False)
            for object_id in before.keys() - now.keys():
                log[object_id] = (self.version, True)
            self._fingerprints[key] = now
