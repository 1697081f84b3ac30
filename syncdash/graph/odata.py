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
