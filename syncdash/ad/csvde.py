"""csvde's CSV export, read as a stream.

csvde writes a header row of attribute names (``DN`` first), then one row per object,
in the ANSI code page or UTF-8 by default and in UTF-16 with a byte-order mark with
``-u``. Rows are read one at a time through :mod:`csv`, so memory follows the longest
row, never the file.

csvde joins a multi-valued attribute's values with ``;`` in one cell and escapes
nothing, so a ``;`` inside a value looks the same as the join. Only the attributes AD's
schema makes multi-valued are split (a single-valued one cannot hold two values), so a
display name such as ``Sales; EMEA`` stays one value. A binary value is written as
``X'<hex>'``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Generator, Iterator
from functools import partial
from itertools import chain
from typing import BinaryIO

from syncdash.onprem import BadExport, RawEntry
from syncdash.sanitize import safe_line

#: The longest line and the largest cell read: a mailbox with thousands of proxy
#: addresses fits many times over (csv's own default, 128 k characters, may not), yet a
#: file with no line breaks or an unclosed quote cannot fill memory.
MAX_FIELD = 16 * 1024 * 1024
#: Multi-valued in AD's schema, and found in these exports: only their cells are split at ``;``.
MULTI_VALUED = frozenset({"objectclass", "proxyaddresses", "member", "memberof", "othermailbox",
                          "serviceprincipalname", "usercertificate"})
_BINARY = re.compile(r"X'((?:[0-9A-Fa-f]{2})*)'")
_UTF16 = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_FALLBACK = "syncdash.cp1252-fallback"


def _cp1252(error: UnicodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 read as Windows-1252, csvde's ANSI code page on Western
    systems: an ANSI export is then read right, and a UTF-8 one is not misread (valid
    UTF-8 never reaches this handler). The five bytes cp1252 leaves undefined become U+FFFD."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start:error.end].decode("cp1252", "replace"), error.end


codecs.register_error(_FALLBACK, _cp1252)


def _text_lines(stream: BinaryIO, shown: str) -> Generator[str, None, None]:
    """The stream's lines as text, line ends kept (as :mod:`csv` wants them), in the
    encoding its byte-order mark names, else UTF-8 with the cp1252 fallback.

    The first line is read as bytes to find the mark, so any binary stream will do (it
    need not be seekable); the rest goes through one TextIOWrapper, detached at the end
    so the caller's stream is left open."""
    first = stream.readline(MAX_FIELD)
    if len(first) >= MAX_FIELD and not first.endswith(b"\n"):
        raise BadExport(f"{shown}: line 1: longer than {MAX_FIELD:,} bytes")
    encoding, errors = "utf-8", _FALLBACK
    for mark, utf16 in _UTF16:
        if first.startswith(mark):
            encoding, errors = utf16, "replace"  # AD may hold an unpaired surrogate: shown as U+FFFD
            if len(first) % 2:  # readline stopped at the first byte of a UTF-16 unit
                first += stream.read(1)
    text = io.TextIOWrapper(stream, encoding=encoding, errors=errors, newline="")
    try:
        head = first.decode(encoding, errors).removeprefix("\ufeff")
        if not head:
            return
        if not head.endswith(("\n", "\r")):  # readline stopped at a 0x0A inside another character
            head += text.readline(MAX_FIELD)
        for number, line in enumerate(chain((head,), iter(partial(text.readline, MAX_FIELD), "")), start=1):
            if len(line) >= MAX_FIELD and not line.endswith(("\n", "\r")):
                raise BadExport(f"{shown}: line {number}: longer than {MAX_FIELD:,} characters")
            yield line
    finally:
        if not text.closed:  # the caller may have closed its stream first
            text.detach()


def _values(cell: str, multi_valued: bool) -> list[bytes]:
    parts = cell.split(";") if multi_valued else [cell]
    values: list[bytes] = []
    for part in parts:
        binary = _BINARY.fullmatch(part) if part[:2] == "X'" else None
        values.append(bytes.fromhex(binary.group(1)) if binary else part.encode("utf-8"))
    return values


def read_csvde(stream: BinaryIO, name: str) -> Iterator[RawEntry]:
    """Each row of a csvde export as an entry, as the stream is read; ``name`` (the
    file's) heads every error. An empty cell is an absent attribute. Raises
    :class:`BadExport` at the first row that cannot be read (rows are numbered as a
    spreadsheet numbers them, the header being row 1)."""
    shown = safe_line(name)
    if csv.field_size_limit() < MAX_FIELD:  # process-wide; only ever raised
        csv.field_size_limit(MAX_FIELD)
    lines = _text_lines(stream, shown)
    rows = csv.reader(lines)
    row_number = 0  # the last row read
    try:
        header = next(rows, None)
        if header is None:
            raise BadExport(f"{shown}: empty (no csvde header row)")
        lowered = [column.strip().lower() for column in header]
        if "dn" not in lowered:
            begins = safe_line(",".join(header), 40)
            raise BadExport(f'{shown}: row 1: the header has no DN column (it begins "{begins}")')
        row_number, dn_column = 1, lowered.index("dn")
        spellings: dict[str, str] = {}  # lower-case name → the first spelling, the key in each entry
        columns = [(index, spellings.setdefault(low, column.strip()), low in MULTI_VALUED)
                   for index, (column, low) in enumerate(zip(header, lowered)) if index != dn_column and low]
        for row_number, row in enumerate(rows, start=2):
            if not row:
                continue  # a blank line (a trailing one, say) describes no object
            if len(row) != len(header):
                raise BadExport(f"{shown}: row {row_number}: {len(row)} fields, but the header has {len(header)}")
            dn = row[dn_column]
            if not dn:
                raise BadExport(f"{shown}: row {row_number}: no DN")
            attributes: dict[str, list[bytes]] = {}
            for index, key, multi_valued in columns:
                if row[index]:
                    attributes.setdefault(key, []).extend(_values(row[index], multi_valued))
            yield dn, attributes
    except csv.Error as error:
        raise BadExport(f"{shown}: row {row_number + 1}: {safe_line(error, 80)}") from None
    finally:
        lines.close()  # now, while the stream is open, not whenever the collector gets to it
