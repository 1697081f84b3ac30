"""What syncdash keeps on disk: a rebuildable cache, and the admin's own work.

Two separate diskcache stores, so clearing or losing the cache (a corrupt file, an old
schema, ``cache clear``) never touches what the admin saved:

- the **cache** (user cache dir): the last snapshot of each tenant's error list, shown
  at once on the next start while a refresh runs;
- the **data** (user data dir): manual ticks, notes and preferences, per tenant.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import diskcache
import platformdirs

from syncdash.model import DirectoryObject, TenantStatus

#: Bumped whenever a cached value's shape changes: an older one is ignored.
SNAPSHOT_SCHEMA = 1
APP_NAME = "syncdash"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The error list as last seen, with when and how completely it was read."""

    tenant: TenantStatus
    objects: tuple[DirectoryObject, ...]
    complete: bool
    taken: datetime


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def _open(directory: Path) -> diskcache.Cache:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(directory, 0o700)
    return diskcache.Cache(str(directory))


class Store:
    """Per-tenant snapshot cache plus the admin's ticks, notes and preferences."""

    def __init__(self, cache_dir: Path | None = None, data_dir: Path | None = None):
        self.cache_dir = cache_dir or default_cache_dir()
        self.data_dir = data_dir or default_data_dir()
        self._cache = _open(self.cache_dir)
        self._data = _open(self.data_dir)

    def close(self) -> None:
        self._cache.close()
        self._data.close()

    # -- the rebuildable cache -----------------------------------------------------
    def _load(self, key: tuple[str, str]) -> Any:
        """A cached value of the current schema, or None when absent, old or unreadable."""
        try:
            entry = self._cache.get(key)
        except Exception:  # a corrupt or incompatible entry is only a cache miss
            return None
        if not isinstance(entry, tuple) or len(entry) != 2 or entry[0] != SNAPSHOT_SCHEMA:
            return None
        return entry[1]

    def load_snapshot(self, tenant: str) -> Snapshot | None:
        snapshot = self._load(("snapshot", tenant))
        return snapshot if isinstance(snapshot, Snapshot) else None

    def save_snapshot(self, tenant: str, snapshot: Snapshot) -> None:
        self._cache.set(("snapshot", tenant), (SNAPSHOT_SCHEMA, snapshot))

    def load_mirror(self, tenant: str) -> Any:
        """The delta-synced mirror of ``tenant`` (a graph.mirror.Mirror), or None."""
        return self._load(("mirror", tenant))

    def save_mirror(self, tenant: str, mirror: Any) -> None:
        self._cache.set(("mirror", tenant), (SNAPSHOT_SCHEMA, mirror))

    # -- the admin's own data ----------------------------------------------------------
    def ticks(self, tenant: str, object_id: str) -> frozenset[str]:
        value = self._data.get(("ticks", tenant, object_id), frozenset())
        return frozenset(value) if isinstance(value, (set, frozenset)) else frozenset()

    def set_tick(self, tenant: str, object_id: str, check: str, ticked: bool) -> frozenset[str]:
        key = ("ticks", tenant, object_id)
        with self._data.transact():
            current = set(self.ticks(tenant, object_id))
            if ticked:
                current.add(check)
            else:
                current.discard(check)
            self._data.set(key, frozenset(current))
        return frozenset(current)

    def note(self, tenant: str, object_id: str) -> str:
        value = self._data.get(("note", tenant, object_id), "")
        return value if isinstance(value, str) else ""

    def set_note(self, tenant: str, object_id: str, text: str) -> None:
        if text.strip():
            self._data.set(("note", tenant, object_id), text)
        else:
            self._data.delete(("note", tenant, object_id))

    def preference(self, name: str, default: Any = None) -> Any:
        return self._data.get(("preference", name), default)

    def set_preference(self, name: str, value: Any) -> None:
        self._data.set(("preference", name), value)
