"""Server files an admin imported (``syncdash import``): copied into syncdash's data
folder beside the tenant they belong to, so every later ``check``, ``report`` and
dashboard of that tenant uses them without naming them again.

Each tenant has a folder of its own (named by a hash of its key) holding the copies and
a manifest: each file's name, kind, where it came from, its own time (kept as the
copy's modification time) and when it was imported. A file is checked (its kind read
from its content) before anything is copied; the copy is written under a temporary name
and moved into place, so an interrupted import leaves the previous one whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePath

from syncdash.files import copy_atomically, open_regular, private_directory, write_atomically
from syncdash.sanitize import safe_line
from syncdash.server.reading import KINDS, expand, file_kind
from syncdash.sync_server import BadServerFile

#: A copy's name never starts with a dot (the dots are dropped), so no file imported can
#: be named as the manifest, nor as a copy still being written.
MANIFEST = ".manifest.json"


@dataclass(frozen=True, slots=True)
class Imported:
    name: str
    kind: str
    source: str
    file_time: str
    imported: str
    size: int

    @property
    def as_of(self) -> datetime:
        return datetime.fromisoformat(self.file_time)


def tenant_folder(data_dir: Path, tenant_key: str) -> Path:
    return data_dir / "server-evidence" / hashlib.sha256(tenant_key.encode("utf-8")).hexdigest()[:16]


def _stored_name(name: str) -> str:
    """A copy's name: the file's own, its leading dots dropped (no hidden copies, and
    never the manifest's name)."""
    return name.lstrip(".") or "file"


def _entry(item: object) -> Imported | None:
    """A manifest entry, believed only if it names a copy in the folder and a kind syncdash
    reads (the manifest is the user's own file, but its names are paths to delete)."""
    if not isinstance(item, dict):
        return None
    try:
        entry = Imported(**item)
        datetime.fromisoformat(entry.file_time)
    except (TypeError, ValueError):
        return None
    fields_ok = all(isinstance(v, str) for v in (entry.name, entry.kind, entry.source, entry.file_time))
    name_ok = fields_ok and entry.name == _stored_name(PurePath(entry.name).name) and "\\" not in entry.name
    return entry if name_ok and entry.kind in KINDS and isinstance(entry.size, int) else None


def listing(data_dir: Path, tenant_key: str) -> list[Imported]:
    """The tenant's imported files, oldest first; a manifest that cannot be read is none."""
    path = tenant_folder(data_dir, tenant_key) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return []
    entries = [entry for item in (data if isinstance(data, list) else []) if (entry := _entry(item)) is not None]
    return sorted((e for e in entries if (path.parent / e.name).is_file()), key=lambda e: e.file_time)


def imported_paths(data_dir: Path, tenant_key: str) -> list[Path]:
    folder = tenant_folder(data_dir, tenant_key)
    return [folder / entry.name for entry in listing(data_dir, tenant_key)]


def _copy(path: Path, folder: Path, name: str) -> os.stat_result:
    """``path`` copied to ``folder/name``, its time kept; the source's stat."""
    with open_regular(path, safe_line(str(path)), BadServerFile, "a file") as source:
        info = os.fstat(source.fileno())
        copy_atomically(source, folder / name, (info.st_atime, info.st_mtime))
        return info


def import_files(data_dir: Path, tenant_key: str, paths: Sequence[Path], now: datetime) -> list[Imported]:
    """Every file (a folder's files) checked, then copied in; a file of the same name
    imported before is replaced. Raises :class:`BadServerFile` before copying anything
    when one of them is not a server file."""
    files = expand(paths)
    if not files:
        raise BadServerFile("no files to import (the folders named are empty)")
    kinds = [(path, file_kind(path)) for path in files]
    names = [_stored_name(path.name) for path in files]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise BadServerFile(f"two files would be stored as {safe_line(twice)}: rename one, or import them one at a time")
    folder = private_directory(tenant_folder(data_dir, tenant_key))
    kept = {entry.name: entry for entry in listing(data_dir, tenant_key)}
    for path, kind in kinds:
        name = _stored_name(path.name)
        info = _copy(path, folder, name)
        stamp = datetime.fromtimestamp(info.st_mtime, timezone.utc)
        kept[name] = Imported(name, kind, str(path.resolve()), stamp.isoformat(), now.isoformat(), info.st_size)
    _save(folder, list(kept.values()))
    return [kept[_stored_name(path.name)] for path, _ in kinds]


def forget(data_dir: Path, tenant_key: str, names: Sequence[str] = ()) -> list[str]:
    """The named imports (all when none is named) removed; returns the names removed.
    Raises :class:`BadServerFile` for a name not imported."""
    entries = listing(data_dir, tenant_key)
    known = {entry.name for entry in entries}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise BadServerFile(f"{safe_line(unknown[0])} is not imported for this tenant (see syncdash import --list)")
    gone = list(names) or sorted(known)
    folder = tenant_folder(data_dir, tenant_key)
    for name in gone:
        (folder / name).unlink(missing_ok=True)
    left = [entry for entry in entries if entry.name not in gone]
    if left:
        _save(folder, left)
    else:
        (folder / MANIFEST).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # not empty (a stray partial copy): left
            folder.rmdir()
    return gone


def _save(folder: Path, entries: list[Imported]) -> None:
    write_atomically(folder / MANIFEST, json.dumps([asdict(entry) for entry in entries], indent=1))
