"""Opening a store safely: a folder only the user can use, the database file created
before SQLite opens it (never through a link), a pickled store never unpickled, and a
store that cannot be opened set aside, never deleted — the admin's ticks, notes and
preferences carried over from an earlier version's pickles by reading their opcodes."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import diskcache
from diskcache.core import MODE_PICKLE, MODE_RAW, MODE_TEXT

from syncdash import files
from syncdash.store_codec import (
    SETTINGS,
    VALUE_FILE,
    JSONDisk,
    UnreadableEntry,
    has_foreign_rows,
    read_legacy_pickle,
)

#: diskcache's database file, and SQLite's journal files beside it.
DATABASE = diskcache.core.DBNAME
_DATABASE_FILES = (DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm")


class _Pickled(Exception):
    """The store holds rows diskcache's default Disk pickled: an earlier version's, or
    planted. They are never unpickled."""

    def __init__(self, directory: Path) -> None:
        super().__init__(str(directory))
        self.directory = directory


def _open(directory: Path) -> diskcache.Cache:
    """Open a store in a folder only the user can use, its database file created
    O_EXCL|O_NOFOLLOW 0600 before SQLite opens it; a symbolic link or another user's file
    where SQLite would open one is refused (UnsafePath), a pickled store raised as
    _Pickled before diskcache reads a row."""
    real = files.private_directory(directory)
    for name in _DATABASE_FILES:
        files.check_existing(real / name)
    database = real / DATABASE
    with contextlib.suppress(FileExistsError):  # another syncdash may create it meanwhile
        os.close(files.create_exclusive(database))
    if has_foreign_rows(database):
        raise _Pickled(real)
    return diskcache.Cache(str(real), disk=JSONDisk, **SETTINGS)


def _legacy_entries(directory: Path) -> list[tuple[Any, Any]]:
    """The ticks, notes and preferences of an earlier version's (pickled) data store, read
    without unpickling (store_codec.read_legacy_pickle); any other row is left behind."""
    connection = sqlite3.connect(directory / DATABASE)
    try:
        rows = connection.execute("SELECT key, raw, mode, filename, value FROM Cache").fetchall()
    finally:
        connection.close()
    kept = []
    for key, raw, mode, filename, value in rows:
        with contextlib.suppress(UnreadableEntry, OSError, UnicodeDecodeError):
            if not raw:
                key = read_legacy_pickle(key)
            if mode in (MODE_PICKLE, MODE_TEXT) and value is None and VALUE_FILE.fullmatch(filename or ""):
                descriptor = os.open(directory / filename, os.O_RDONLY | files.NOFOLLOW)
                with os.fdopen(descriptor, "rb") as handle:
                    value = handle.read()
                value = value.decode("utf-8") if mode == MODE_TEXT else value
            if mode == MODE_PICKLE:
                value = read_legacy_pickle(value)
            elif mode not in (MODE_RAW, MODE_TEXT):
                continue
            kept += _admin_entry(key, value)
    return kept


def _admin_entry(key: Any, value: Any) -> list[tuple[Any, Any]]:
    if not (isinstance(key, tuple) and key and all(isinstance(part, str) for part in key)):
        return []
    if key[0] == "ticks" and len(key) == 3 and isinstance(value, (set, frozenset)):
        return [(key, sorted(str(check) for check in value))]
    if key[0] == "note" and len(key) == 3 and isinstance(value, str):
        return [(key, value)]
    if key[0] == "preference" and len(key) == 2 and isinstance(value, (str, int, float, bool)):
        return [(key, value)]
    return []


def _move_store_files(directory: Path, destination: Path) -> None:
    """Move a store's own files (database, journals, value folders) into ``destination``,
    leaving anything else in its folder (the saved sign-ins) where it is."""
    destination.mkdir(mode=0o700)
    for child in directory.iterdir():
        if child.name in _DATABASE_FILES or (re.fullmatch(r"[0-9a-f]{2}", child.name) and not child.is_symlink()):
            child.rename(destination / child.name)


def _aside(directory: Path, label: str) -> Path:
    return directory.with_name(f"{directory.name}.{label}-{int(time.time())}")


def open_or_set_aside(directory: Path, *, keep: bool) -> tuple[diskcache.Cache, Path | None, Path | None]:
    """Open a store. One that cannot be opened (corrupt, truncated, another version) is
    moved aside, never deleted, and a fresh one is made; only the store's own files move,
    so the saved sign-ins beside the data store stay where they are. A pickled one is never read:
    a cache's is discarded; with ``keep`` (the admin's data) its ticks, notes and
    preferences are carried over and the old files kept aside. Returns (store, where an
    unreadable one went, where a converted one went)."""
    try:
        return _open(directory), None, None
    except files.UnsafePath:
        raise
    except _Pickled as pickled:
        real = pickled.directory
        if not keep:
            _move_store_files(real, old := _aside(real, "discarded"))
            shutil.rmtree(old)
            return _open(directory), None, None
        try:
            entries = _legacy_entries(real)
        except sqlite3.Error:
            entries = None
        _move_store_files(real, old := _aside(real, "pickled" if entries is not None else "unreadable"))
        store = _open(directory)
        for key, value in entries or ():
            store.set(key, value)
        return (store, None, old) if entries is not None else (store, old, None)
    except (sqlite3.DatabaseError, OSError):
        real = files.resolve(directory)
        _move_store_files(real, aside := _aside(real, "unreadable"))
        return _open(directory), aside, None
