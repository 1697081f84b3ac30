"""What syncdash keeps on disk: a rebuildable cache, and the admin's own work.

Two separate diskcache stores, so clearing or losing the cache (a corrupt file, an old
schema, ``cache clear``) never touches what the admin saved:

- the **cache** (user cache dir): the last snapshot of each tenant's error list, shown
  at once on the next start while a refresh runs;
- the **data** (user data dir): manual ticks, notes and preferences, per tenant.

Both hold JSON only (``store_codec``; diskcache's default would pickle, and a planted
pickle runs code), in folders only the user can use, with files created O_EXCL|O_NOFOLLOW
0600 (``files``). An earlier version's pickled store is never unpickled: a cache is
discarded, the admin's ticks, notes and preferences are carried over by reading the
pickles' opcodes without running them.
"""

from __future__ import annotations

import contextlib
import gc
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import diskcache
import platformdirs

from syncdash.model import AdminWork, TenantStatus
from syncdash.store_open import open_or_set_aside
from syncdash.store_codec import (
    Snapshot,
    UnreadableEntry,
    decode,
    decode_mirror,
    encode,
    encode_mirror,
)

__all__ = ["Snapshot", "Store", "StoreWriteError", "default_cache_dir", "default_data_dir"]

#: Days of counts the summary's sparkline shows.
HISTORY_DAYS = 14
#: Bumped whenever a cached value's shape changes: an older one is ignored.
SNAPSHOT_SCHEMA = 4
APP_NAME = "syncdash"


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


#: Cached directory data older than this is dropped (``cache_days`` in the config).
DEFAULT_CACHE_DAYS = 7.0


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause cyclic garbage collection while a mirror or list is (de)serialised: the millions of
    (acyclic) dicts and strings made for 100,000 objects triggered enough collections to
    double or triple the time (measured: JSON of a 115,000-object mirror read in 0.65 s
    paused, 2.4 to 4.5 s not). Left paused if it already was (the start-up pauses it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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


@dataclass(frozen=True, slots=True)
class CachedRows:
    """The list's rows as plain data (each checked by the UI that builds a row of it)."""

    tenant: TenantStatus
    complete: bool
    taken: datetime
    rows: list[Any]


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
        #: Stores that could not be read, renamed aside (never deleted) for a fresh one.
        self.set_aside: list[Path] = []
        #: An earlier version's (pickled) data store, kept aside once its ticks, notes and
        #: preferences were carried over into the new one.
        self.converted: list[Path] = []
        self._cache: diskcache.Cache | None = None
        #: Why the cache could last not be written (disk full, read-only), or None.
        self.cache_problem: str | None = None
        if cache:
            self._cache, aside, _ = open_or_set_aside(self.cache_dir, keep=False)
            self.set_aside += [aside] if aside else []
        self._data, aside, converted = open_or_set_aside(self.data_dir, keep=True)
        self.set_aside += [aside] if aside else []
        self.converted += [converted] if converted else []

    @property
    def notices(self) -> list[str]:
        """What the admin is told at start about stores set aside or carried over."""
        return ([f"{lost} could not be read and was set aside; starting afresh" for lost in self.set_aside]
                + [f"ticks and notes carried over from an earlier version; the old store is kept at {old}"
                   for old in self.converted])

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
        self._data.close()

    def clear_tenant(self, tenant: str) -> int:
        """Drop a tenant's cached directory data (``syncdash cache clear``); ticks stay."""
        if self._cache is None:
            return 0
        return sum(bool(self._cache.delete((name, tenant))) for name in ("snapshot", "rows", "mirror"))

    # -- the rebuildable cache -----------------------------------------------------
    def _load(self, key: tuple[str, str]) -> Any:
        """A cached entry's stored value, of the current schema, or None when absent, old
        or unreadable (not JSON, planted, corrupt): every one of those is only a miss."""
        if self._cache is None:
            return None
        try:
            entry = self._cache.get(key)
        except Exception:  # a corrupt or incompatible entry is only a cache miss
            return None
        if not isinstance(entry, dict) or entry.get("schema") != SNAPSHOT_SCHEMA:
            return None
        return entry.get("value")

    def load_snapshot(self, tenant: str) -> Snapshot | None:
        try:
            with _collection_paused():
                snapshot = decode(self._load(("snapshot", tenant)))
        except UnreadableEntry:
            return None
        return snapshot if isinstance(snapshot, Snapshot) else None

    def _save(self, key: tuple[str, str], value: Any) -> None:
        """Cache an encoded value; a failed write (disk full, read-only) only costs a
        re-read from Graph next time, so it is recorded in ``cache_problem``, not raised."""
        if self._cache is None:
            return
        try:
            self._cache.set(key, {"schema": SNAPSHOT_SCHEMA, "value": value}, expire=self._expire)
        except (OSError, sqlite3.Error) as exc:
            self.cache_problem = _reason(exc)
            return
        self.cache_problem = None

    def save_snapshot(self, tenant: str, snapshot: Snapshot, rows: list[list[Any]] | None = None) -> None:
        """The error list; with ``rows`` (the list's cells, plain data), those apart too, so
        that a warm start draws the list before it decodes a single object."""
        with _collection_paused():
            if rows is not None:
                head = {"tenant": encode(snapshot.tenant), "complete": snapshot.complete,
                        "taken": snapshot.taken.isoformat(), "rows": rows}
                self._save(("rows", tenant), head)
            self._save(("snapshot", tenant), encode(snapshot))

    def load_rows(self, tenant: str) -> CachedRows | None:
        """The list's rows as last shown, with the tenant status and when: what the first
        frame needs (the objects themselves come from :meth:`load_snapshot`)."""
        stored = self._load(("rows", tenant))
        try:
            tenant_status = decode(stored["tenant"])
            taken = datetime.fromisoformat(stored["taken"])
            rows, complete = stored["rows"], stored["complete"]
        except (UnreadableEntry, KeyError, TypeError, ValueError):
            return None
        if not isinstance(tenant_status, TenantStatus) or not isinstance(rows, list) or not isinstance(complete, bool):
            return None
        return CachedRows(tenant_status, complete, taken, rows)

    def load_mirror(self, tenant: str) -> Any:
        """The delta-synced mirror of ``tenant`` (a graph.mirror.Mirror), or None."""
        with _collection_paused():
            stored = self._load(("mirror", tenant))
            if stored is None:
                return None
            try:
                return decode_mirror(stored)
            except UnreadableEntry:
                return None

    def save_mirror(self, tenant: str, mirror: Any) -> None:
        if self._cache is not None:
            with _collection_paused():
                self._save(("mirror", tenant), encode_mirror(mirror))

    def record_count(self, tenant: str, day: str, count: int) -> None:
        """The number of objects in error on ``day`` (ISO date; a later count of the same
        day replaces it), for the summary's sparkline; the last HISTORY_DAYS are kept."""
        history = [entry for entry in self._history(tenant) if entry[0] != day] + [[day, count]]
        self._save(("history", tenant), sorted(history)[-HISTORY_DAYS:])

    def history(self, tenant: str) -> list[int]:
        return [count for _, count in self._history(tenant)]

    def _history(self, tenant: str) -> list[list[Any]]:
        stored = self._load(("history", tenant))
        if not isinstance(stored, list):
            return []
        return [entry for entry in stored if isinstance(entry, list) and len(entry) == 2
                and isinstance(entry[0], str) and isinstance(entry[1], int) and not isinstance(entry[1], bool)]

    # -- the admin's own data ----------------------------------------------------------
    def _read(self, key: tuple[str, ...], default: Any) -> Any:
        """A stored value, or ``default`` when absent or unreadable (not syncdash's JSON)."""
        try:
            return self._data.get(key, default)
        except (UnreadableEntry, ValueError, TypeError):
            return default

    def ticks(self, tenant: str, object_id: str) -> frozenset[str]:
        value = self._read(("ticks", tenant, object_id), [])
        return frozenset(v for v in value if isinstance(v, str)) if isinstance(value, list) else frozenset()

    def set_tick(self, tenant: str, object_id: str, check: str, ticked: bool,
                 at: datetime | None = None) -> frozenset[str]:
        """Tick (or untick) a manual check; ``at``: when, which travels with the tick into
        ``check`` and ``report``."""
        key = ("ticks", tenant, object_id)
        with _saving("tick"), self._data.transact():  # one transaction: two processes never lose a tick
            current = set(self.ticks(tenant, object_id))
            times = self._tick_times(tenant, object_id)
            if ticked:
                current.add(check)
                times[check] = (at or datetime.now(timezone.utc)).isoformat()
            else:
                current.discard(check)
                times.pop(check, None)
            self._data.set(key, sorted(current))
            self._data.set(("tick_times", tenant, object_id), times)
        return frozenset(current)

    def _tick_times(self, tenant: str, object_id: str) -> dict[str, str]:
        value = self._read(("tick_times", tenant, object_id), {})
        return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)} \
            if isinstance(value, dict) else {}

    def work(self, tenant: str) -> dict[str, AdminWork]:
        """Every object's ticks (with when) and note for a tenant: what ``check`` and
        ``report`` print beside the diagnosis. One pass over the admin's store, which
        holds only ticks, notes and preferences."""
        ids = {key[2] for key in self._data.iterkeys()  # keys come back as JSON lists
               if isinstance(key, (list, tuple)) and len(key) == 3 and key[0] in ("ticks", "note") and key[1] == tenant
               and isinstance(key[2], str)}
        found = {}
        for object_id in ids:
            times = self._tick_times(tenant, object_id)
            ticks = {check: _moment(times.get(check)) for check in self.ticks(tenant, object_id)}
            note = self.note(tenant, object_id)
            if ticks or note:
                found[object_id] = AdminWork(ticks, note)
        return found

    def note(self, tenant: str, object_id: str) -> str:
        value = self._read(("note", tenant, object_id), "")
        return value if isinstance(value, str) else ""

    def set_note(self, tenant: str, object_id: str, text: str) -> None:
        with _saving("note"):
            if text.strip():
                self._data.set(("note", tenant, object_id), text)
            else:
                self._data.delete(("note", tenant, object_id))

    def preference(self, name: str, default: Any = None) -> Any:
        return self._read(("preference", name), default)

    def set_preference(self, name: str, value: Any) -> None:
        with _saving("preference"):
            self._data.set(("preference", name), value)


def _moment(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
