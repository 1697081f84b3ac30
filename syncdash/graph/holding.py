"""Whether an object holds a value: the one rule behind every holder lookup, remote or local."""

from __future__ import annotations

import re

from syncdash.model import DirectoryObject

_PREFIX = re.compile(r"^([a-z0-9]+):(.+)$", re.I)


def split_address(value: str) -> tuple[str | None, str]:
    """``SMTP:ann@x`` → ("smtp", "ann@x"); a bare address has no prefix."""
    match = _PREFIX.match(value.strip())
    if match and "@" not in match.group(1):
        return match.group(1).lower(), match.group(2)
    return None, value.strip()


def holds_value(obj: DirectoryObject, value: str) -> bool:
    """Whether an object holds ``value`` as UPN, mail or proxy address (case-insensitive).

    Entra ID renames a soft-deleted user's UPN to its id's hex digits followed by the
    original UPN, so a recycle-bin user still counts as holding its old UPN.
    """
    prefix, address = split_address(value)
    address = address.casefold()
    if prefix in (None, "smtp"):
        if (obj.upn or "").casefold() == address:
            return True
        if (obj.mail or "").casefold() == address:
            return True
        wanted = {f"smtp:{address}"}
    else:
        wanted = {value.strip().casefold()}
    return any(proxy.casefold() in wanted for proxy in obj.proxy_addresses)
