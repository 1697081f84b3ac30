"""The server's files, told apart by content and read into one index.

Admins rename files and ticket systems drop extensions, so each file's kind is read from
its start: ``<cs-objects`` is a csexport, a JSON object is a CS object, the scheduler
or a single-object sync by its properties, and a CSV with CsObjectId and SourceAnchor
columns ADSyncTools' disconnectors. Anything else is refused with one line naming the
file. Windows PowerShell 5.1 writes UTF-16 (``Out-File``) or ANSI; a byte-order mark
decides.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from syncdash.files import open_regular
from syncdash.sanitize import safe_line
from syncdash.server import cmdlets
from syncdash.server.csexport import read_cs_objects
from syncdash.anchors import anchor_of_dn
from syncdash.server_index import ServerIndex
from syncdash.sync_server import (
    AD,
    CONTAINERS,
    ENTRA,
    BadServerFile,
    ConnectorObject,
    Scheduler,
    ServerFile,
    SingleObjectSync,
    UNREAD,
    connector_of,
    domain_of,
)

#: A JSON file is read whole: a CS object or a scheduler is a few KB. Connector spaces
#: come as csexport XML, which is streamed.
JSON_LIMIT = 64 * 1024 * 1024
_HEAD = 4096
#: A disconnector row is a few hundred characters.
LINE_LIMIT = 1024 * 1024
_DISCONNECTOR_COLUMNS = {"csobjectid", "sourceanchor", "distinguishedname"}
KINDS = ("csexport", "cs-object", "scheduler", "single-object-sync", "disconnectors")
WHAT = ("a file of the Connect server that syncdash reads (csexport XML; Get-ADSyncCSObject, Get-ADSyncScheduler "
        "or Invoke-ADSyncSingleObjectSync JSON; Export-ADSyncToolsAadDisconnectors CSV)")


def _encoding(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8-sig"


def _decoded_head(head: bytes) -> str:
    return head.decode(_encoding(head), "replace").lstrip("\ufeff \t\r\n")


def expand(paths: Sequence[Path]) -> list[Path]:
    """Folders replaced by the files in them (not their subfolders), in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(child for child in path.iterdir() if child.is_file() and not child.name.startswith("."))
        else:
            found.append(path)
    return found


def _sniff(stream: IO[bytes], shown: str) -> tuple[str, Any]:
    """Which of :data:`KINDS` an open file is, from its first bytes (JSON: its
    properties), and a JSON file's content (read whole once: it is small)."""
    head = stream.read(_HEAD)
    if not head.strip():
        raise BadServerFile(f"{shown}: empty, not {WHAT}")
    start = _decoded_head(head)
    if start.startswith("<"):
        if "<cs-objects" in start:
            return "csexport", None
        raise BadServerFile(f"{shown}: XML, but not a csexport file (no <cs-objects>)")
    if _is_disconnectors(start):
        return "disconnectors", None
    if "\x00" in start:
        raise BadServerFile(f"{shown}: binary data, not {WHAT}")
    data = _json(stream, head, shown)
    return _json_kind(data, shown), data


def _open(path: Path) -> IO[bytes]:
    return open_regular(path, safe_line(str(path)), BadServerFile, "a file: name the files in it, or import the folder")


def file_kind(path: Path) -> str:
    """Which of :data:`KINDS` a file is (checked before it is imported or read)."""
    with _open(path) as stream:
        return _sniff(stream, safe_line(str(path)))[0]


def _is_disconnectors(start: str) -> bool:
    lines = start.splitlines()
    if lines and lines[0].startswith("#TYPE"):
        lines = lines[1:]
    header = next(csv.reader(lines[:1]), []) if lines else []
    return _DISCONNECTOR_COLUMNS <= {column.strip().casefold() for column in header}


def _json(stream: IO[bytes], head: bytes, shown: str) -> Any:
    size = os.fstat(stream.fileno()).st_size
    if size > JSON_LIMIT:
        raise BadServerFile(f"{shown}: a {size // (1024 * 1024)} MB JSON file; export connector spaces with csexport "
                            "(streamed), not ConvertTo-Json")
    stream.seek(0)
    raw = stream.read(JSON_LIMIT + 1)
    try:
        content = raw.decode(_encoding(head)).lstrip("\ufeff")
    except UnicodeDecodeError:
        raise BadServerFile(f"{shown}: neither UTF-8 nor UTF-16 text") from None
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        pass
    # Invoke-ADSyncSingleObjectSync may print a folder listing before its one JSON line
    last = next((line for line in reversed(content.splitlines()) if line.lstrip().startswith("{")), None)
    try:
        return json.loads(last) if last is not None else None
    except (ValueError, RecursionError):
        raise BadServerFile(f"{shown}: not valid JSON, and not {WHAT}") from None


def _items(data: Any) -> list[dict[str, Any]]:
    items = data if isinstance(data, list) else [data]
    return [item for item in items if isinstance(item, dict)]


def _json_kind(data: Any, shown: str) -> str:
    items = _items(data)
    if items and all(cmdlets.is_cs_object(item) for item in items):
        return "cs-object"
    if len(items) == 1 and cmdlets.is_scheduler(items[0]):
        return "scheduler"
    if len(items) == 1 and cmdlets.is_single_sync(items[0]):
        return "single-object-sync"
    raise BadServerFile(f"{shown}: JSON, but not {WHAT}")


@dataclass
class _Collected:
    files: list[ServerFile] = field(default_factory=list)
    objects: list[ConnectorObject] = field(default_factory=list)
    schedulers: list[Scheduler] = field(default_factory=list)
    syncs: list[SingleObjectSync] = field(default_factory=list)


def _file_time(stream: IO[bytes]) -> datetime:
    return datetime.fromtimestamp(os.fstat(stream.fileno()).st_mtime, timezone.utc)


def _read_csexport(path: Path, stream: IO[bytes], into: _Collected) -> ServerFile:
    before = len(into.objects)
    partial = read_cs_objects(stream, str(path), into.objects.append)
    mine = into.objects[before:]
    return ServerFile(str(path), "csexport", _file_time(stream), len(mine), partial,
                      frozenset(domain_of(o.dn) for o in mine if o.connector == AD and o.object_type.casefold() in CONTAINERS))


def _read_disconnectors(path: Path, stream: IO[bytes], into: _Collected) -> ServerFile:
    read, partial = 0, None
    encoding = _encoding(stream.read(4))
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    lines = _bounded_lines(text)
    first = next(lines, "")
    header = next(lines, "") if first.startswith("#TYPE") else first  # Export-Csv without -NoTypeInformation
    rows = csv.DictReader(lines, fieldnames=next(csv.reader([header]), []))
    try:
        for row in rows:
            found = _disconnector({str(k).strip().casefold(): (v or "").strip() for k, v in row.items()
                                   if isinstance(k, str) and isinstance(v, str)}, str(path))
            if found is not None:
                into.objects.append(found)
                read += 1
    except (csv.Error, _LineTooLong) as error:
        partial = f"read {read} rows, then stopped: {safe_line(error)}"
    text.detach()  # the file is the caller's to close
    return ServerFile(str(path), "disconnectors", _file_time(stream), read, partial)


class _LineTooLong(Exception):
    def __str__(self) -> str:
        return f"a line over {LINE_LIMIT // 1024} KB"


def _bounded_lines(text: IO[str]) -> Iterator[str]:
    """The lines of a CSV, none held beyond :data:`LINE_LIMIT` (a gigabyte on one line
    would otherwise be read whole before the csv module's own field limit spoke)."""
    while line := text.readline(LINE_LIMIT + 1):
        if len(line) > LINE_LIMIT:
            raise _LineTooLong
        yield line


def _disconnector(row: dict[str, str], origin: str) -> ConnectorObject | None:
    dn = row.get("distinguishedname")
    if not dn:
        return None
    entra = connector_of(dn, row.get("connectorid")) == ENTRA
    return ConnectorObject(
        connector=ENTRA if entra else AD, dn=dn, object_type=row.get("objecttype", ""), origin=origin,
        joined=False,
        anchor=(anchor_of_dn(dn) or row.get("sourceanchor") or None) if entra else None,
        cloud_anchor=row.get("cloudanchor") or None, upn=row.get("userprincipalname") or None,
        mail=row.get("mail") or None)


def _read_json(path: Path, stream: IO[bytes], kind: str, data: Any, into: _Collected) -> ServerFile:
    items, at = _items(data), _file_time(stream)
    if kind == "scheduler":
        into.schedulers.append(cmdlets.scheduler(items[0], str(path)))
        return ServerFile(str(path), kind, at, 1)
    if kind == "single-object-sync":
        sync = cmdlets.single_sync(items[0], str(path))
        if sync is None:
            raise BadServerFile(f"{safe_line(str(path))}: a single-object sync result that names no object")
        into.syncs.append(sync)
        return ServerFile(str(path), kind, sync.started or at, 1)
    objects = [obj for item in items if (obj := cmdlets.cs_object(item, str(path))) is not None]
    into.objects += objects
    return ServerFile(str(path), kind, at, len(objects))


def _read(path: Path, into: _Collected) -> ServerFile:
    """One file, opened once: its kind told, then read as that kind."""
    with _open(path) as stream:
        kind, data = _sniff(stream, safe_line(str(path)))
        stream.seek(0)
        if kind == "csexport":
            return _read_csexport(path, stream, into)
        if kind == "disconnectors":
            return _read_disconnectors(path, stream, into)
        return _read_json(path, stream, kind, data, into)


def read_server_files(paths: Sequence[Path]) -> ServerIndex:
    """Every file read and indexed; a file that breaks off part-way is kept as read, and
    one that cannot be read at all (not the server's, refused, broken) is named with
    why, the others read all the same. Raises :class:`BadServerFile` (one line) when
    no file at all could be read."""
    into = _Collected()
    for path in expand(paths):
        try:
            into.files.append(_read(path, into))
        except BadServerFile as refused:
            into.files.append(_unread(path, str(refused)))
        except (ValueError, LookupError, OverflowError, RecursionError, csv.Error, OSError) as broken:
            into.files.append(_unread(path, f"{safe_line(str(path))}: not readable ({type(broken).__name__}: "
                                            f"{safe_line(broken, 120)})"))
    if into.files and all(f.kind == UNREAD for f in into.files):
        raise BadServerFile(into.files[0].partial or "no server file could be read")
    return ServerIndex(into.files, into.objects, into.schedulers, into.syncs)


def _unread(path: Path, reason: str) -> ServerFile:
    try:
        at = datetime.fromtimestamp(os.stat(path).st_mtime, timezone.utc)
    except OSError:
        at = datetime.now(timezone.utc)
    return ServerFile(str(path), UNREAD, at, 0, partial=reason)
