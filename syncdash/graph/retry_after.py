"""Reading Graph's Retry-After header, kept free of HTTP libraries so error handling and
the UI can use it without loading them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

#: Called with the number of seconds the client will pause, so a UI or a command can say
#: "throttled, retrying in N s".
ThrottleListener = Callable[[float], None]


#: Longest wait syncdash holds its requests for (the SDK's retry handler gives up past
#: 180 s too): a longer Retry-After is an outage to report, not a pause to sit through.
MAX_HOLD = 180.0


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds (integer or, as Graph's
    docs show, decimal) or an HTTP-date (RFC 9110); None if absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
    if seconds != seconds or seconds < 0 or seconds == float("inf"):  # not a wait Graph would send
        return None
    return seconds
