"""The value formats the server's tools write: times as csexport, Windows PowerShell 5.1's
ConvertTo-Json, PowerShell 7 and a DateTime cast to a string each write them; flags as
``0``/``1``, ``True``/``False`` or JSON booleans."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

#: Windows PowerShell 5.1's ConvertTo-Json: ``\\/Date(1621357679896)\\/`` (milliseconds
#: since 1970, an offset for local times that does not change the instant).
_MS_DATE = re.compile(r"/Date\((-?\d{1,15})([+-]\d{4})?\)/")
#: A DateTime cast to [string] in the invariant culture (Invoke-ADSyncSingleObjectSync).
_INVARIANT = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p")


def moment(value: object) -> datetime | None:
    """A time in any of the server's forms, in UTC (times without a zone are the
    server's UTC, as csexport and single-object sync write them); None when unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if match := _MS_DATE.fullmatch(text):
        try:
            return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=int(match.group(1)))
        except OverflowError:
            return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
        for form in _INVARIANT:
            try:
                parsed = datetime.strptime(text, form)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    try:
        return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):  # year 1 or 9999 with an offset: out of range in UTC
        return None


def flag(value: object) -> bool | None:
    """``1``/``0``, ``true``/``false`` (any case) or a JSON boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return bool(value)
    text = str(value or "").strip().casefold()
    return {"1": True, "true": True, "0": False, "false": False}.get(text)


def count(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def text(value: object) -> str | None:
    """A JSON value as text (None, or a list's first), never a container's repr."""
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None
