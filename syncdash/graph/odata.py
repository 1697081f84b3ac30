"""OData filter text built from directory values, which are untrusted.

Every value goes through :func:`literal`; nothing else in syncdash writes a filter.
"""

from __future__ import annotations

PROVISIONING_ERROR_FILTER = "onPremisesProvisioningErrors/any(o:o/category eq 'PropertyConflict')"


def literal(value: str) -> str:
    """An OData string literal: quoted, with single quotes doubled (``o'brien`` → ``'o''brien'``)."""
    return "'" + value.replace("'", "''") + "'"


def equals(prop: str, value: str) -> str:
    return f"{prop} eq {literal(value)}"


def starts_with(prop: str, value: str) -> str:
    return f"startswith({prop},{literal(value)})"


def has_proxy_address(address: str) -> str:
    """Graph compares proxy addresses case-insensitively, so ``smtp:`` finds ``SMTP:`` too."""
    return f"proxyAddresses/any(p:p eq {literal(address)})"


def any_of(clauses: list[str]) -> str:
    """Clauses joined by ``or``: one request instead of one per clause. Microsoft's own
    lookup of a user by address is written this way ("userPrincipalName eq '{0}' or mail eq
    '{0}' or proxyAddresses/any(x:x eq 'SMTP:{0}') or …", Entra B2B documentation,
    "Determine if a user was already invited to your directory")."""
    return " or ".join(clauses)
