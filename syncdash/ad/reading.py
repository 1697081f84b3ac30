"""Entries, from wherever they were read, as the on-premises objects Entra Connect syncs.

One entry that cannot be read (a GUID of the wrong length, text that is not UTF-8) is
set aside with its reason rather than ending the audit of a million: the admin is told
how many and which."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from syncdash.onprem import ADObject, BadEntry, RawEntry, ad_object
from syncdash.sanitize import safe_text

#: Told of each entry set aside: its origin, DN and reason, as one safe line.
OnBadEntry = Callable[[str], None]


def ad_objects(entries: Iterable[tuple[str, RawEntry]], on_bad: OnBadEntry) -> Iterator[ADObject]:
    """``entries``: (origin, entry) pairs; users, groups and contacts come out, the rest
    (computers, OUs, the domain) is skipped."""
    for origin, entry in entries:
        try:
            obj = ad_object(entry, origin)
        except BadEntry as bad:
            on_bad(safe_text(f"{origin}: {entry[0]}: {bad}"))
            continue
        if obj is not None:
            yield obj
