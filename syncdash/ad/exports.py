"""Opening an AD export and telling which kind it is.

The kind is read from the content, not the extension: admins rename files, and mail
gateways and ticket systems rewrite or drop extensions, so an ``.ldf`` may well be CSV.

Only a regular file is opened (:func:`syncdash.files.open_regular`).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from syncdash.ad.csvde import read_csvde
from syncdash.ad.ldif import read_ldif
from syncdash.files import open_regular
from syncdash.onprem import BadExport, RawEntry
from syncdash.sanitize import safe_line

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: How much of the start of a file is read to tell its kind: ldapsearch's comment header
#: is a few hundred bytes.
_HEAD = 64 * 1024
_UTF16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class _Utf8FromUtf16(io.RawIOBase):
    """A UTF-16 file read as UTF-8 bytes: ``ldifde -u`` writes UTF-16, and the LDIF
    reader unfolds bytes (as RFC 2849 defines LDIF in UTF-8)."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__()
        self._text = io.TextIOWrapper(stream, encoding="utf-16", errors="replace", newline="")
        self._pending = b""

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._text.close()  # and with it the file, which read_export opened
        super().close()

    def readinto(self, buffer: WriteableBuffer) -> int:
        while not self._pending:
            chunk = self._text.read(_HEAD)
            if not chunk:
                return 0
            self._pending = chunk.encode("utf-8")
        target = memoryview(buffer).cast("B")
        size = min(len(target), len(self._pending))
        target[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _open(path: Path, shown: str) -> BinaryIO:
    return open_regular(path, shown, BadExport, "an export file; name the .ldf or .csv files in it")


def _first_field(line: str) -> str:
    try:
        return next(csv.reader([line]), [""])[0].strip()
    except (csv.Error, IndexError):
        return ""


def _require_ldif(lines: list[str], shown: str) -> None:
    """Refuses a file (not CSV) unless its first line that is neither blank nor a comment
    (nor a comment's folded continuation) begins LDIF."""
    comment = False
    for line in lines:
        if comment and line.startswith(" "):
            continue
        comment = line.startswith("#")
        if comment or not line.strip():
            continue
        if line.lower().startswith(("version:", "dn:")):
            return
        raise BadExport(f'{shown}: not an ldifde (LDIF) or csvde (CSV) export: it begins "{safe_line(line, 40)}"')
    raise BadExport(f"{shown}: not an ldifde (LDIF) or csvde (CSV) export: "
                    + ("it is empty" if not lines else "it holds no entry, only comments or blank lines"))


def read_export(path: Path) -> Iterator[RawEntry]:
    """Each entry of an ldifde (LDIF) or csvde (CSV) export, read as a stream. Raises
    :class:`BadExport` (one line naming the file) for a file that is neither, cannot be
    opened, or has a record that cannot be read."""
    shown = safe_line(str(path))
    with _open(path, shown) as stream:
        head = stream.read(_HEAD)
        stream.seek(0)
        utf16 = head.startswith(_UTF16)
        text = head.decode("utf-16" if utf16 else "utf-8", "replace").removeprefix("\ufeff")
        if "\x00" in text:
            raise BadExport(f"{shown}: not an ldifde (LDIF) or csvde (CSV) export: it holds binary data")
        lines = text.splitlines()
        if lines and _first_field(lines[0]).lower() == "dn":
            yield from read_csvde(stream, str(path))
            return
        _require_ldif(lines, shown)
        if utf16:
            with io.BufferedReader(_Utf8FromUtf16(stream)) as recoded:
                yield from read_ldif(recoded, str(path))
        else:
            yield from read_ldif(stream, str(path))


def read_exports(paths: Sequence[Path]) -> Iterator[tuple[Path, RawEntry]]:
    """The entries of several exports (one per domain or forest, say), each with its file."""
    for path in paths:
        for entry in read_export(path):
            yield path, entry
