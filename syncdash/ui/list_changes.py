"""What the admin is told when objects leave the error list: their errors resolved. No
Textual here: the wording and the one-line summary of a big fix are tested directly."""

from __future__ import annotations

from collections.abc import Iterable

from syncdash.model import ConflictProperty, DirectoryObject
from syncdash.sanitize import safe_text

#: More resolved objects than this at once are announced in one notification.
RESOLVED_ONE_BY_ONE = 5


def _resolution(obj: DirectoryObject) -> str:
    """What an object that left the list had wrong: the notification says it is fixed."""
    props = {error.property for error in obj.provisioning_errors}
    if ConflictProperty.USER_PRINCIPAL_NAME in props:
        return "UPN conflict"
    if ConflictProperty.PROXY_ADDRESS in props:
        return "proxy address conflict"
    return "service error" if obj.service_errors else "sync error"


def resolved_notices(gone: Iterable[DirectoryObject]) -> list[str]:
    """One notification per resolved object, by name; after a restart or a big fix, one
    line naming three of them rather than a flood."""
    ordered = sorted(gone, key=lambda obj: obj.display_name.casefold())
    if len(ordered) > RESOLVED_ONE_BY_ONE:
        names = ", ".join(safe_text(obj.display_name) for obj in ordered[:3])
        return [f"{len(ordered)} objects' errors resolved: {names} and {len(ordered) - 3} more"]
    return [f"{safe_text(obj.display_name)}: {_resolution(obj)} resolved" for obj in ordered]
