"""Reading Graph's Retry-After header, kept free of HTTP libraries so error handling and
the UI can use it without loading them."""

from __future__ import annotations

from collections.abc import Callable

#: Called with the number of seconds the client will pause, so a UI or a command can say
#: "throttled, retrying in N s".
ThrottleListener = Callable[[float], None]


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: integer or decimal; None if absent/odd."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if seconds != seconds or seconds < 0:  # NaN or negative: not a wait Graph would send
        return None
    return seconds
