"""Look, don't read: the objects in error by kind of error and by kind of object as one
compact line of bars, and the count over the last days as a sparkline. The dashboard
shows it above the list; ``report`` opens with it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from syncdash.model import ConflictProperty, DirectoryObject

SPARKS = "▁▂▃▄▅▆▇█"
BAR = "▇"
#: The widest a bar grows (the largest count); the others in proportion, at least one.
BAR_CELLS = 8


def error_kinds(objects: Iterable[DirectoryObject]) -> Counter[str]:
    """Objects by what is wrong with them (an object with two kinds counts in both)."""
    found: Counter[str] = Counter()
    for obj in objects:
        props = {error.property for error in obj.provisioning_errors}
        if ConflictProperty.USER_PRINCIPAL_NAME in props:
            found["UPN"] += 1
        if ConflictProperty.PROXY_ADDRESS in props:
            found["proxy"] += 1
        if ConflictProperty.OTHER in props:
            found["other"] += 1
        if obj.unresolved_service_errors:
            found["service"] += 1
        if obj.export_errors:
            found["export"] += 1
    return found


def bars(counts: Counter[str]) -> str:
    """``UPN 5 ▇▇  proxy 18 ▇▇▇▇▇▇▇▇ …`` for the error kinds with a count."""
    shown = [(name, count) for name, count in counts.items() if count]
    top = max((count for _, count in shown), default=0)
    return "  ".join(f"{name} {count} {BAR * max(1, round(BAR_CELLS * count / top))}" for name, count in shown)


def sparkline(history: Sequence[int]) -> str:
    """One character per day, low to high."""
    if not history:
        return ""
    low, high = min(history), max(history)
    span = high - low or 1
    return "".join(SPARKS[round((count - low) * (len(SPARKS) - 1) / span)] for count in history)


def summary_line(objects: Iterable[DirectoryObject], history: Sequence[int] = ()) -> str:
    listed = list(objects)
    kinds = Counter(obj.kind.value for obj in listed)
    parts = [bars(error_kinds(listed)),
             " · ".join(f"{count} {name}{'' if count == 1 else 's'}" for name, count in sorted(kinds.items()))]
    if len(history) > 1:
        parts.append(f"last {len(history)} days {sparkline(history)}")
    return "  │  ".join(part for part in parts if part)
