"""What the cache and the data store hold, as JSON: never pickle.

Why: unpickling runs whatever code the bytes name, so a cache entry planted by anyone who
could write the cache folder would run as the admin on the next start. JSON can at worst
be unreadable; an unreadable entry is a cache miss.

The model's frozen dataclasses are written as ``{"$": "ClassName", field: value, …}``,
enums and datetimes as tagged objects, tuples as arrays (the model has no lists), other
mappings as ``{"$": "dict", "items": [[key, value], …]}``. Only the classes named in
``_RECORDS`` and ``_ENUMS`` are ever built back. A mirror keeps its raw Graph JSON
verbatim with its delta link; its parsed objects are rebuilt on load, as after a refresh.
The store sits beside the graph layer, which it may not import (pyproject's layers): the
mirror's classes are looked up when a mirror is saved or loaded, by their one known
module name, as pickle did for every class it met.

:class:`JSONDisk` is the diskcache storage that holds them: JSON keys, zlib'd JSON values,
files created O_EXCL|O_NOFOLLOW 0600, and a refusal for any row diskcache's default
storage would have unpickled (:func:`has_foreign_rows` finds them before a store opens).

Stores of earlier versions were pickled; :func:`read_legacy_pickle` reads the few plain
shapes the admin's ticks, notes and preferences had (strings, numbers, tuples, sets) by
walking the pickle's opcodes, without executing any of them: anything else is refused.
"""

from __future__ import annotations

import enum
import importlib
import json
import os
import pickletools
import re
import sqlite3
import zlib
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from pathlib import Path
from collections.abc import Iterator
from typing import Any

import diskcache
from diskcache.core import MODE_BINARY, MODE_RAW, UNKNOWN

from syncdash import files
from syncdash.object_codec import decode_object, encode_object
from syncdash.model import (
    ConflictProperty,
    DirectoryObject,
    Domain,
    HealthNote,
    ObjectKind,
    ProvisioningError,
    ServiceError,
    ServiceErrorKind,
    SourceState,
    SourceStatus,
    SyncSettings,
    TenantStatus,
    Unknown,
)

TAG = "$"


class UnreadableEntry(ValueError):
    """A stored value that is not syncdash's JSON (pickled, planted, corrupt): a miss."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The error list as last seen, with when and how completely it was read."""

    tenant: TenantStatus
    objects: tuple[DirectoryObject, ...]
    complete: bool
    taken: datetime


_ENUMS: dict[str, type[enum.Enum]] = {cls.__name__: cls for cls in (ObjectKind, ConflictProperty, ServiceErrorKind,
                                                                     SourceState)}
_RECORDS: dict[str, type] = {cls.__name__: cls for cls in (
    ProvisioningError, ServiceError, DirectoryObject, Domain, Unknown, SyncSettings, TenantStatus, Snapshot,
    SourceStatus, HealthNote)}


def encode(value: Any) -> Any:
    """``value`` as JSON-able data; TypeError for anything the codec cannot build back."""
    if isinstance(value, enum.Enum):  # before str: the model's enums are str subclasses
        return {TAG: type(value).__name__, "value": value.value}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return {TAG: "datetime", "iso": value.isoformat()}
    if isinstance(value, (tuple, list)):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {TAG: "dict", "items": [[encode(k), encode(v)] for k, v in value.items()]}
    if type(value) is DirectoryObject:  # the bulk of a snapshot: one compact array each
        return {TAG: "O", "v": encode_object(value)}
    name = type(value).__name__
    if is_dataclass(value) and _RECORDS.get(name) is type(value):
        return {TAG: name, **{f.name: encode(getattr(value, f.name)) for f in fields(value)}}
    raise TypeError(f"the cache cannot hold a {name}")


def decode(data: Any) -> Any:
    """What :func:`encode` wrote; UnreadableEntry for anything else."""
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return tuple(decode(item) for item in data)
    if not isinstance(data, dict):
        raise UnreadableEntry(f"unexpected {type(data).__name__}")
    tag = data.get(TAG)
    try:
        if tag == "O":
            return decode_object(data["v"])
        if tag == "datetime":
            return datetime.fromisoformat(data["iso"])
        if tag == "dict":
            return {_hashable(decode(k)): decode(v) for k, v in data["items"]}
        if tag in _ENUMS:
            return _ENUMS[tag](data["value"])
        if tag in _RECORDS:
            return _RECORDS[tag](**{k: decode(v) for k, v in data.items() if k != TAG})
    except (KeyError, TypeError, ValueError) as exc:  # BadObject included
        raise UnreadableEntry(f"a malformed {tag}: {exc}") from None
    raise UnreadableEntry(f"unknown tag {tag!r}")


def _hashable(key: Any) -> Any:
    if isinstance(key, (dict, list)):
        raise UnreadableEntry("an unhashable mapping key")
    return key


def _mirror_module() -> Any:
    """graph.mirror, imported at run time (see the module's docstring): by then the
    dashboard has it loaded, and ``cache clear`` never pays for it."""
    return importlib.import_module("syncdash.graph.mirror")


def encode_mirror(mirror: Any) -> Any:
    """A graph.mirror.Mirror as its raw Graph JSON, delta links and their times; the
    parsed objects are left out (rebuilt on load). Any other value goes through
    :func:`encode`."""
    if not isinstance(mirror, _mirror_module().Mirror):
        return encode(mirror)
    return {TAG: "Mirror", "kinds": [
        {"kind": kind.kind.value, "raw": kind.raw, "link": kind.link, "linked_at": kind.linked_at}
        for kind in mirror.kinds.values()
    ]}


def decode_mirror(data: Any) -> Any:
    """What :func:`encode_mirror` wrote: a graph.mirror.Mirror, each kind parsed again
    from its raw JSON."""
    if not (isinstance(data, dict) and data.get(TAG) == "Mirror"):
        return decode(data)
    module = _mirror_module()
    kinds = {}
    for entry in _list(data.get("kinds")):
        raw, link, linked_at = entry.get("raw"), entry.get("link"), entry.get("linked_at")
        if not (isinstance(raw, dict) and all(isinstance(v, dict) for v in raw.values())
                and isinstance(link, str) and isinstance(linked_at, (int, float))):
            raise UnreadableEntry("a malformed mirror")
        try:
            kind = ObjectKind(entry.get("kind"))
        except ValueError:
            raise UnreadableEntry("a mirror of an unknown kind") from None
        kinds[kind] = module.KindMirror(kind, raw, link, float(linked_at))
    return module.Mirror(kinds)


def _list(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise UnreadableEntry("a malformed mirror")
    return value


# -- how diskcache holds them ---------------------------------------------------------
#: The names diskcache gives values kept in files (two levels of hex folders).
VALUE_FILE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{28}\.val")
#: Values at least this large go to a file of their own rather than into SQLite.
_MIN_FILE_SIZE = 1 << 15


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("ascii")


#: Wrappers (this many members or fewer) and collections (``_COLLECTION`` or more) are
#: written member by member, down to ``_SPLIT_DEPTH``; anything else (an object's own
#: JSON, a row) by one call of the C encoder.
_WRAPPER, _COLLECTION, _SPLIT_DEPTH = 4, 64, 8
#: Encoded JSON handed to zlib at a time.
_DEFLATE_CHUNK = 1 << 16


def _json_parts(value: Any, depth: int = _SPLIT_DEPTH) -> Iterator[str]:
    """``value`` as JSON text in parts, the output of ``json.dumps`` joined. The C encoder
    holds the GIL for a whole call: one call for a 100,000-object mirror (88 MB) held
    every other thread, the dashboard's event loop included, for 0.85 s."""
    split = depth and isinstance(value, (dict, list)) and (0 < len(value) <= _WRAPPER or len(value) >= _COLLECTION)
    if split and isinstance(value, dict) and all(type(key) is str for key in value):
        yield "{"
        for position, (key, member) in enumerate(value.items()):
            yield ("," if position else "") + json.dumps(key) + ":"
            yield from _json_parts(member, depth - 1)
        yield "}"
    elif split and isinstance(value, list):
        yield "["
        for position, member in enumerate(value):
            if position:
                yield ","
            yield from _json_parts(member, depth - 1)
        yield "]"
    else:
        yield json.dumps(value, separators=(",", ":"))


def _compress(value: Any) -> bytes:
    """Values as zlib'd JSON, encoded and deflated in parts (zlib releases the GIL): a
    100,000-user mirror is 88 MB of JSON, 14 MB compressed, never held whole."""
    deflate = zlib.compressobj(1)
    out: list[bytes] = []
    pending: list[str] = []
    size = 0
    for part in _json_parts(value):
        pending.append(part)
        size += len(part)
        if size >= _DEFLATE_CHUNK:
            out.append(deflate.compress("".join(pending).encode("ascii")))
            pending, size = [], 0
    out.append(deflate.compress("".join(pending).encode("ascii")))
    out.append(deflate.flush())
    return b"".join(out)


class JSONDisk(diskcache.Disk):
    """diskcache's storage, in JSON only: keys are JSON bytes, values zlib'd JSON, those
    beyond ``_MIN_FILE_SIZE`` in files created O_EXCL|O_NOFOLLOW 0600. A row diskcache's default
    Disk would unpickle (a pickled key, a pickle or text value) is refused, not read, and
    so is a file name diskcache would not have made (it could point outside the store).
    Settings read from the store's own table (``disk_*``) are ignored: a planted one
    could otherwise choose how values are read."""

    def __init__(self, directory: str, **_settings: Any) -> None:
        super().__init__(directory, min_file_size=_MIN_FILE_SIZE)

    def put(self, key: Any) -> tuple[Any, bool]:
        return super().put(_dumps(key))

    def get(self, key: Any, raw: bool) -> Any:
        if not raw or not isinstance(key, bytes):
            raise UnreadableEntry("a key that is not JSON (an earlier version's pickle?)")
        return json.loads(key)

    def store(self, value: Any, read: bool, key: Any = UNKNOWN) -> tuple[int, int, str | None, Any]:
        if read:
            raise TypeError("syncdash stores JSON values only")
        data = _compress(value)
        if len(data) < self.min_file_size:
            return 0, MODE_RAW, None, sqlite3.Binary(data)
        for attempt in range(10):  # another process may remove an emptied folder meanwhile
            filename, full_path = self.filename(key, value)
            os.makedirs(os.path.dirname(full_path), mode=0o700, exist_ok=True)
            try:
                descriptor = files.create_exclusive(Path(full_path))
            except FileNotFoundError:
                if attempt == 9:
                    raise
                continue
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            return len(data), MODE_BINARY, filename, None
        raise AssertionError("unreachable")

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if read:
            raise TypeError("syncdash reads JSON values only")
        if mode == MODE_RAW and isinstance(value, bytes):
            return _decompress(value)
        if mode == MODE_BINARY and filename is not None and VALUE_FILE.fullmatch(filename):
            descriptor = os.open(os.path.join(self._directory, filename), os.O_RDONLY | files.NOFOLLOW)
            with os.fdopen(descriptor, "rb") as handle:
                return _decompress(handle.read())
        raise UnreadableEntry(f"a value that is not JSON (mode {mode})")

    def remove(self, file_path: str) -> None:
        if VALUE_FILE.fullmatch(file_path):
            super().remove(file_path)


def _decompress(data: bytes) -> Any:
    try:
        return json.loads(zlib.decompress(data))
    except (zlib.error, ValueError) as exc:
        raise UnreadableEntry(f"a value that is not syncdash's JSON: {exc}") from None


#: Any row that is not a JSON key with a JSON value stored as syncdash stores them.
_FOREIGN_ROW = (
    "SELECT EXISTS (SELECT 1 FROM Cache WHERE raw IS NOT 1 OR typeof(key) != 'blob'"
    f" OR mode NOT IN ({MODE_RAW}, {MODE_BINARY}) OR (mode = {MODE_RAW} AND typeof(value) != 'blob'))"
)
#: diskcache's own settings: syncdash passes every one of them when it opens a store, so a
#: stored value (diskcache runs ``PRAGMA`` with the sqlite_* ones) is never a planted one.
SETTINGS = dict(diskcache.DEFAULT_SETTINGS)
_KNOWN_SETTINGS = (*SETTINGS, *diskcache.core.METADATA)


def has_foreign_rows(database: Path) -> bool:
    """Whether the store holds a row :class:`JSONDisk` did not write: an earlier version's
    pickles, or planted ones. A setting diskcache does not know (it would run any
    sqlite_* one as a PRAGMA) is dropped. Plain SQLite: nothing is deserialised."""
    connection = sqlite3.connect(database)
    try:
        unknown = f"FROM Settings WHERE key NOT IN ({', '.join('?' * len(_KNOWN_SETTINGS))})"
        if connection.execute(f"SELECT EXISTS (SELECT 1 {unknown})", _KNOWN_SETTINGS).fetchone()[0]:
            with connection:  # written only then: a start on a busy or read-only store stays a read
                connection.execute(f"DELETE {unknown}", _KNOWN_SETTINGS)
        return bool(connection.execute(_FOREIGN_ROW).fetchone()[0])
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return False  # a new, empty store
        raise
    finally:
        connection.close()


# -- reading the pickles of earlier versions, without running them ---------------------
_PUSH_ARG = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "BININT", "BININT1", "BININT2",
             "LONG1", "LONG4", "INT", "LONG", "BINFLOAT", "FLOAT", "SHORT_BINBYTES", "BINBYTES", "BINBYTES8"}
_CONSTANTS = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False, "EMPTY_TUPLE": ()}


def read_legacy_pickle(data: bytes) -> Any:
    """The value of a pickle made only of strings, numbers, tuples, lists, sets, frozensets
    and dicts, read from its opcodes; UnreadableEntry for any other opcode, above all the
    ones that name or call code (GLOBAL, STACK_GLOBAL, REDUCE, BUILD, NEWOBJ, INST, OBJ)."""
    stack: list[Any] = []
    marks: list[int] = []
    memo: dict[int, Any] = {}

    def since_mark() -> list[Any]:
        start = marks.pop()
        items = stack[start:]
        del stack[start:]
        return items

    try:
        for opcode, arg, _ in pickletools.genops(data):
            name = opcode.name
            if name in ("PROTO", "FRAME"):
                continue
            if name in _PUSH_ARG:
                stack.append(arg)
            elif name in _CONSTANTS:
                stack.append(_CONSTANTS[name])
            elif name == "MARK":
                marks.append(len(stack))
            elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
                size = int(name[-1])
                items = stack[-size:]
                del stack[-size:]
                stack.append(tuple(items))
            elif name == "TUPLE":
                stack.append(tuple(since_mark()))
            elif name == "FROZENSET":
                stack.append(frozenset(since_mark()))
            elif name in ("EMPTY_LIST", "EMPTY_SET", "EMPTY_DICT"):
                stack.append({"EMPTY_LIST": list, "EMPTY_SET": set, "EMPTY_DICT": dict}[name]())
            elif name == "APPEND":
                item = stack.pop()
                stack[-1].append(item)
            elif name in ("APPENDS", "ADDITEMS"):
                items = since_mark()
                (stack[-1].extend if name == "APPENDS" else stack[-1].update)(items)
            elif name == "SETITEM":
                value, key = stack.pop(), stack.pop()
                stack[-1][key] = value
            elif name == "SETITEMS":
                items = since_mark()
                stack[-1].update(zip(items[::2], items[1::2], strict=True))
            elif name == "MEMOIZE":
                memo[len(memo)] = stack[-1]
            elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
                memo[int(arg)] = stack[-1]  # type: ignore[arg-type]  # genops: an int for these
            elif name in ("GET", "BINGET", "LONG_BINGET"):
                stack.append(memo[int(arg)])  # type: ignore[arg-type]  # genops: an int for these
            elif name == "STOP":
                return stack.pop()
            else:
                raise UnreadableEntry(f"a pickle using {name}, which is not read")
    except UnreadableEntry:
        raise
    except (IndexError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UnreadableEntry(f"an unreadable pickle: {exc}") from None
    raise UnreadableEntry("a pickle without STOP")
