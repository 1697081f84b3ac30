"""What an access token says about the sign-in, read for display and never kept.

The token's payload is decoded without verification: syncdash only shows the account,
tenant and granted permissions; Graph verifies the token itself. Being unverified, its
claims are outside text like any directory value (a hostile identity endpoint, or a
credential helper such as ``az``, issues them): each is made one safe line here, before
``whoami``, ``login`` or the dashboard show it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from syncdash.sanitize import safe_line

#: What each part of syncdash needs, by the permission that grants it (read only).
NEEDED = {
    "User.Read.All": "users, their errors and deleted users",
    "Group.Read.All": "groups, their errors and deleted groups",
    "OrgContact.Read.All": "organizational contacts",
    "Domain.Read.All": "verified and unverified domains",
    "Organization.Read.All": "the tenant's sync status and last sync (User.Read alone reads them as null)",
    "OnPremDirectorySynchronization.Read.All": "sync features (delegated, Global Administrator only)",
}
#: Permissions that include the narrower ones above.
BROADER = {"Directory.Read.All": ("User.Read.All", "Group.Read.All", "OrgContact.Read.All", "Domain.Read.All",
                                  "Organization.Read.All")}


@dataclass(frozen=True, slots=True)
class TokenInfo:
    account: str | None
    tenant: str | None
    app: str | None
    scopes: tuple[str, ...]
    app_only: bool

    @property
    def missing(self) -> dict[str, str]:
        """Permissions syncdash reads with that this token lacks, and what they cover."""
        granted = set(self.scopes)
        for broad, covered in BROADER.items():
            if broad in granted:
                granted.update(covered)
        return {name: what for name, what in NEEDED.items() if name not in granted}


def _claims(token: str) -> dict[str, Any]:
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _claim(claims: dict[str, Any], *names: str) -> str | None:
    """The first of ``names`` that holds a string, as one safe, bounded line."""
    for name in names:
        value = claims.get(name)
        if isinstance(value, str) and value:
            return safe_line(value, 200)
    return None


def token_info(token: str) -> TokenInfo:
    claims = _claims(token)
    roles = claims.get("roles")
    if isinstance(roles, list) and "scp" not in claims:
        app_only, scopes = True, tuple(roles)
    else:
        app_only, scopes = False, tuple(str(claims.get("scp", "")).split())
    return TokenInfo(
        account=_claim(claims, "upn", "preferred_username", "unique_name"),
        tenant=_claim(claims, "tid"),
        app=_claim(claims, "app_displayname", "appid"),
        scopes=tuple(safe_line(s, 100) for s in scopes if isinstance(s, str) and s),
        app_only=app_only,
    )
