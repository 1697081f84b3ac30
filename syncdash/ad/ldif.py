"""LDIF (RFC 2849) as ldifde, ldapsearch and ldbsearch write it, read as a stream.

An export of a large forest runs to hundreds of megabytes, so the file is read one
physical line at a time and one record is held at a time: memory follows the largest
entry, never the file. Lines are unfolded as bytes, before anything is decoded, because a
fold may fall inside a base64 value or inside one UTF-8 character.

The file is untrusted text (anyone who can set a display name wrote part of it): an error
quotes at most a short, sanitised piece of the line it is about, and a value is never
fetched from elsewhere (``attr:< URL`` is refused, not followed).
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator
from functools import partial
from typing import BinaryIO

from syncdash.onprem import BadExport, RawEntry
from syncdash.sanitize import safe_line

#: The longest physical or unfolded line read: far above any AD value (thumbnailPhoto is
#: capped at 100 kB), yet a file with no line breaks cannot fill memory.
MAX_LINE = 16 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"
#: ``name[;options]:[:|<] value``; the name is a descriptor or an OID (RFC 2849's AttributeDescription).
_LINE = re.compile(rb"([A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)(?:;[A-Za-z0-9-]+)*:([:<]?) *(.*)", re.DOTALL)
#: Records ldapsearch writes after the entries (``search:``/``result:``) or for a referral
#: (``ref:``): they describe the search, not an object.
_NOT_ENTRIES = frozenset({"search", "result", "ref"})
#: The change records RFC 2849 defines besides ``add``.
_CHANGES = frozenset({b"modify", b"delete", b"modrdn", b"moddn"})

_Line = tuple[int, bytes]


def _excerpt(raw: bytes) -> str:
    """A short piece of an untrusted line, safe to show on a terminal."""
    return safe_line(raw[:40].decode("utf-8", "replace"), 40)


def _logical_lines(stream: BinaryIO, shown: str) -> Iterator[_Line]:
    """(first line number, unfolded line) for every line but comments; a blank line,
    which ends a record, as ``b""``."""
    number = start = 0
    parts: list[bytes] = []  # the logical line being unfolded; its first part may be a comment
    size = 0
    for line in iter(partial(stream.readline, MAX_LINE), b""):
        number += 1
        if line[-1:] == b"\n":
            line = line[:-2] if line[-2:-1] == b"\r" else line[:-1]
        elif len(line) >= MAX_LINE:
            raise BadExport(f"{shown}: line {number}: longer than {MAX_LINE:,} bytes")
        if number == 1 and line.startswith(_BOM):
            line = line[3:]
        if line[:1] == b" ":
            if not parts:
                raise BadExport(f"{shown}: line {number}: a continued line (it begins with a space) continues nothing")
            size += len(line)
            if size > MAX_LINE:
                raise BadExport(f"{shown}: line {start}: longer than {MAX_LINE:,} bytes once unfolded")
            parts.append(line[1:])
            continue
        if parts and parts[0][:1] != b"#":
            yield start, parts[0] if len(parts) == 1 else b"".join(parts)
        if line:
            parts, start, size = [line], number, len(line)
        else:
            parts = []
            yield number, b""
    if parts and parts[0][:1] != b"#":
        yield start, parts[0] if len(parts) == 1 else b"".join(parts)


def _parse(line: _Line, shown: str) -> tuple[str, bytes]:
    """An attribute line's base name (options dropped) and raw value."""
    number, raw = line
    match = _LINE.fullmatch(raw)
    if match is None:
        raise BadExport(f'{shown}: line {number}: not an LDIF "attribute: value" line: "{_excerpt(raw)}"')
    name_raw, kind, value = match.groups()
    name = name_raw.decode("ascii")
    if not kind:
        return name, value
    if kind == b"<":
        raise BadExport(f"{shown}: line {number}: {name}:< URL values are not read (syncdash reads only the file)")
    try:
        return name, binascii.a2b_base64(value.rstrip(b" "), strict_mode=True)
    except binascii.Error:
        raise BadExport(f"{shown}: line {number}: the {name}:: value is not valid base64") from None


def _text(value: bytes, line: _Line, shown: str) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise BadExport(f"{shown}: line {line[0]}: not UTF-8 text: \"{_excerpt(line[1])}\"") from None


def _skip(record: list[_Line], first: str, shown: str) -> None:
    """A record without a DN: ldapsearch's trailer or a referral is passed over; anything
    else is refused. A trailer whose result is not 0 means the search stopped early (a
    size or time limit), and an export missing objects would make every "not in AD"
    finding wrong, so that is refused too."""
    number = record[0][0]
    if first not in _NOT_ENTRIES:
        raise BadExport(f'{shown}: line {number}: a record without dn: (it begins "{_excerpt(record[0][1])}")')
    for line in record:
        name, value = _parse(line, shown)
        if name.lower() == "result" and not value.startswith(b"0"):
            raise BadExport(f'{shown}: line {line[0]}: the search that wrote this file ended with "result: '
                            f'{_excerpt(value)}", so the export is incomplete')


def _entry(record: list[_Line], shown: str) -> RawEntry | None:
    """The entry a record describes, or None for a record that describes no object."""
    name, value = _parse(record[0], shown)
    if name.lower() != "dn":
        _skip(record, name.lower(), shown)
        return None
    dn = _text(value, record[0], shown)
    attributes: dict[str, list[bytes]] = {}
    spellings: dict[str, str] = {}  # lower-case name → the first spelling, the key in ``attributes``
    for line in record[1:]:
        name, value = _parse(line, shown)
        lowered = name.lower()
        if lowered == "changetype":
            if value.lower() != b"add":
                raise BadExport(f"{shown}: line {line[0]}: a changetype: {_excerpt(value)} record; syncdash reads "
                                "exports (content or changetype: add), not change files")
            continue
        spelling = spellings.get(lowered)
        if spelling is None:
            spellings[lowered] = name
            attributes[name] = [value]
        else:
            attributes[spelling].append(value)
    return dn, attributes


def _version(line: _Line, shown: str) -> bool:
    """Whether the file's first line is ``version: 1`` (to be skipped); another version is
    a format syncdash does not know."""
    if line[1][:8].lower() != b"version:":
        return False
    if line[1][8:].strip() != b"1":
        raise BadExport(f'{shown}: line {line[0]}: unsupported LDIF "{_excerpt(line[1])}" (only version 1 exists)')
    return True


def read_ldif(stream: BinaryIO, name: str) -> Iterator[RawEntry]:
    """Each entry of an LDIF export, as the stream is read; ``name`` (the file's) heads
    every error. Raises :class:`BadExport` at the first line that cannot be read."""
    shown = safe_line(name)
    record: list[_Line] = []
    first = True
    for line in _logical_lines(stream, shown):
        if line[1]:
            if first:
                first = False
                if _version(line, shown):
                    continue
            record.append(line)
        elif record:
            entry = _entry(record, shown)
            if entry is not None:
                yield entry
            record = []
    if record:
        entry = _entry(record, shown)
        if entry is not None:
            yield entry
