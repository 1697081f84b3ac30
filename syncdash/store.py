"""What syncdash keeps on disk: a rebuildable cache, and the admin's own work.

Two separate diskcache stores, so clearing or losing the cache (a corrupt file, an old
schema, ``cache clear``) never touches what the admin saved:

- the **cache** (user cache dir): the last snapshot of each tenant's error list, shown
  at once on the next start while a refresh runs;
- the **data** (user data dir): manual ticks, notes and preferences, per tenant.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import diskcache
import platformdirs

from syncdash.model import DirectoryObject, TenantStatus

#: Bumped whenever a cached value's shape changes: an older one is ignored.
SNAPSHOT_SCHEMA = 2
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


#: Cached directory data older than this is dropped (``cache_days`` in the config).
DEFAULT_CACHE_DAYS = 7.0


def _open(directory: Path) -> diskcache.Cache:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(directory, 0o700)
    return diskcache.Cache(str(directory))


def _open_or_set_aside(directory: Path) -> tuple[diskcache.Cache, Path | None]:
    """Open a store; one that cannot be opened (corrupt, truncated, another version) is
    renamed aside, never deleted, and a fresh one is made. Returns where it went."""
    try:
        return _open(directory), None
    except (sqlite3.DatabaseError, OSError):
        aside = directory.with_name(f"{directory.name}.unreadable-{int(time.time())}")
        directory.rename(aside)
        return _open(directory), aside


class StoreWriteError(Exception):
    """The admin's own data could not be written (disk full, read-only): the caller must
    say so, since the admin believes it saved."""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__


@contextlib.contextmanager
def _saving(what: str) -> Iterator[None]:
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        raise StoreWriteError(f"{what} not saved: {_reason(exc)}") from None


class Store:
    """Per-tenant snapshot cache plus the admin's ticks, notes and preferences.

    With ``cache`` False no directory data is written (``--no-cache``): loads find
    nothing and saves do nothing; the admin's own ticks and notes are still kept.
    """

    def __init__(self, cache_dir: Path | None = None, data_dir: Path | None = None, *,
                 cache: bool = True, cache_days: float = DEFAULT_CACHE_DAYS):
        self.cache_dir = cache_dir or default_cache_dir()
        self.data_dir = data_dir or default_data_dir()
        self.caching = cache
        self._expire = cache_days * 86400
        self.set_aside: list[Path] = []
        self._cache: diskcache.Cache | None = None
        #: Why the cache could last not be written (disk full, read-only), or None.
        self.cache_problem: str | None = None
        if cache:
            self._cache, aside = _open_or_set_aside(self.cache_dir)
            self.set_aside += [aside] if aside else []
        self._data, aside = _open_or_set_aside(self.data_dir)
        self.set_aside += [aside] if aside else []

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
        self._data.close()

    def clear_tenant(self, tenant: str) -> int:
        """Drop a tenant's cached directory data (``syncdash cache clear``); ticks stay."""
        if self._cache is None:
            return 0
        return sum(bool(self._cache.delete((name, tenant))) for name in ("snapshot", "mirror"))

    # -- the rebuildable cache -----------------------------------------------------
    def _load(self, key: tuple[str, str]) -> Any:
        """A cached value of the current schema, or None when absent, old or unreadable."""
        if self._cache is None:
            return None
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

    def _save(self, key: tuple[str, str], value: Any) -> None:
        """Cache a value; a failed write (disk full, read-only) only costs a re-read from
        Graph next time, so it is recorded in ``cache_problem``, not raised."""
        if self._cache is None:
            return
        try:
            self._cache.set(key, (SNAPSHOT_SCHEMA, value), expire=self._expire)
        except (OSError, sqlite3.Error) as exc:
            self.cache_problem = _reason(exc)
            return
        self.cache_problem = None

    def save_snapshot(self, tenant: str, snapshot: Snapshot) -> None:
        self._save(("snapshot", tenant), snapshot)

    def load_mirror(self, tenant: str) -> Any:
        """The delta-synced mirror of ``tenant`` (a graph.mirror.Mirror), or None."""
        return self._load(("mirror", tenant))

    def save_mirror(self, tenant: str, mirror: Any) -> None:
        self._save(("mirror", tenant), mirror)

    # -- the admin's own data ----------------------------------------------------------
    def ticks(self, tenant: str, object_id: str) -> frozenset[str]:
        value = self._data.get(("ticks", tenant, object_id), frozenset())
        return frozenset(value) if isinstance(value, (set, frozenset)) else frozenset()

    def set_tick(self, tenant: str, object_id: str, check: str, ticked: bool) -> frozenset[str]:
        key = ("ticks", tenant, object_id)
        with _saving("tick"), self._data.transact():  # one transaction: two processes never lose a tick
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
        with _saving("note"):
            if text.strip():
                self._data.set(("note", tenant, object_id), text)
            else:
                self._data.delete(("note", tenant, object_id))

    def preference(self, name: str, default: Any = None) -> Any:
        return self._data.get(("preference", name), default)

    def set_preference(self, name: str, value: Any) -> None:
        with _saving("preference"):
            self._data.set(("preference", name), value)
