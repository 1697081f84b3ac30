"""What the emulated tenant lets a token read: Graph's permission rules per resource.

Graph answers per permission set: a 403 for a kind the token may not read, nulls where a
scope only reaches part of an object. A client tested only against an all-powerful
token never meets either, so the emulator serves any token syncdash may really hold.
Each rule names the Microsoft Graph doc page it comes from (learn.microsoft.com/graph/api).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from syncdash.emulator.odata_errors import GraphRefusal

GLOBAL_ADMINISTRATOR = "Global Administrator"


@dataclass(frozen=True)
class Grants:
    """A token as Graph sees it: its scopes (delegated ``scp``) or application roles
    (app-only ``roles``), and the signed-in user's directory roles (delegated only)."""

    scopes: frozenset[str]
    app_only: bool = False
    roles: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.app_only and self.roles:
            raise ValueError("an app-only token has no signed-in user, so it holds no directory roles")

    @classmethod
    def full(cls) -> Grants:
        """The default: a Global Administrator signed in with Directory.Read.All and
        OnPremDirectorySynchronization.Read.All, which may read everything syncdash reads."""
        return PRESETS["full"]

    @classmethod
    def parse(cls, text: str) -> Grants:
        """A preset name alone (``least-privilege``), or a comma-separated list of scopes
        with optional ``role:NAME`` items and an ``app-only`` item
        (``User.Read.All,role:Global Reader``, ``app-only,User.Read.All``)."""
        items = [item.strip() for item in (text or "").split(",") if item.strip()]
        if not items:
            raise ValueError("no scopes given: name a preset (" + ", ".join(PRESETS) + ") or list scopes")
        if len(items) == 1 and items[0].lower() in PRESETS:
            return PRESETS[items[0].lower()]
        scopes: set[str] = set()
        roles: set[str] = set()
        app_only = False
        for item in items:
            lowered = item.lower()
            if lowered == "app-only":
                app_only = True
            elif lowered.startswith("role:"):
                role = item[len("role:"):].strip()
                if not role:
                    raise ValueError(f"{item!r}: name the directory role after 'role:'")
                roles.add(role)
            elif _SCOPE.fullmatch(item):
                scopes.add(item)
            elif lowered in PRESETS:
                raise ValueError(f"{item!r} is a preset: give it alone, or list its scopes instead")
            else:
                raise ValueError(
                    f"unknown preset or scope {item!r} (presets: {', '.join(PRESETS)}; "
                    "scopes look like User.Read.All)"
                )
        return cls(frozenset(scopes), app_only, frozenset(roles))

    # -- questions the rules ask ---------------------------------------------------
    def has_any(self, names: Iterable[str]) -> bool:
        held = {scope.casefold() for scope in self.scopes}
        return any(name.casefold() in held for name in names)

    def holds_role(self, names: Iterable[str]) -> bool:
        """Whether the signed-in user holds one of the roles (Global Administrator holds
        every permission a built-in read role grants)."""
        held = {role.casefold() for role in self.roles}
        return any(name.casefold() in held for name in (*names, GLOBAL_ADMINISTRATOR))


#: A scope as it appears in a token: dotted words (User.Read.All, Group-Nesting.Read.All).
_SCOPE = re.compile(r"[A-Za-z][\w-]*(?:\.[\w-]+)+")

_LEAST_PRIVILEGE = frozenset({"User.Read", "User.Read.All", "Group.Read.All", "OrgContact.Read.All",
                              "Domain.Read.All"})

PRESETS: dict[str, Grants] = {
    "full": Grants(frozenset({"Directory.Read.All", "OnPremDirectorySynchronization.Read.All"}),
                   roles=frozenset({GLOBAL_ADMINISTRATOR})),
    "user-read": Grants(frozenset({"User.Read"})),
    # What syncdash asked for before: the signed-in user holds no directory role, so
    # contacts are refused and the organization's sync fields come back null.
    "least-privilege": Grants(_LEAST_PRIVILEGE),
    "no-contacts": Grants(_LEAST_PRIVILEGE | {"Organization.Read.All"}),
    "not-global-admin": Grants(frozenset({"Directory.Read.All", "OnPremDirectorySynchronization.Read.All"}),
                               roles=frozenset({"Global Reader"})),
    "app-only": Grants(frozenset({"User.Read.All", "Group.Read.All", "OrgContact.Read.All", "Domain.Read.All",
                                  "Organization.Read.All"}), app_only=True),
}


def grants_from_text(text: str) -> Grants:
    """For a command line: :meth:`Grants.parse`, whose ValueError is one line."""
    return Grants.parse(text)


class Access(Enum):
    FULL = "full"
    #: /organization with User.Read only: id, displayName and verifiedDomains, the rest null.
    LIMITED = "limited"


@dataclass(frozen=True)
class Rule:
    """Who may read one resource. ``roles``: delegated, the signed-in user must hold one
    (None: any member may, as a member's default "User" role is enough)."""

    doc: str
    delegated: frozenset[str]
    application: frozenset[str]
    roles: frozenset[str] | None = None


def _rule(doc: str, delegated: set[str], application: set[str] | None = None,
          roles: set[str] | None = None) -> Rule:
    return Rule(doc, frozenset(delegated), frozenset(delegated if application is None else application),
                None if roles is None else frozenset(roles))


_DIRECTORY = {"Directory.Read.All", "Directory.ReadWrite.All"}
_USERS = {"User.Read.All", "User.ReadWrite.All", *_DIRECTORY}
_GROUPS = {"Group.Read.All", "Group.ReadWrite.All", *_DIRECTORY}

RULES: dict[str, Rule] = {
    # "List users" (and "Get user", "user: delta"). User.ReadBasic.All is documented too but
    # only reaches the basic profile (no onPremises* fields): not modelled, refused here.
    "users": _rule("List users", _USERS),
    # "List groups" and "group: delta" also accept GroupMember.Read.All.
    "groups": _rule("List groups", {*_GROUPS, "GroupMember.Read.All"}),
    # "List orgContacts": delegated, the signed-in user needs one of these roles.
    "contacts": _rule("List orgContacts", {"OrgContact.Read.All", *_DIRECTORY},
                      roles={"Directory Readers", "Global Reader", "Directory Writers", "Intune Administrator",
                             "User Administrator"}),
    # "List deletedItems (directory objects)": per cast type.
    "deletedItems/user": _rule("List deletedItems (directory objects)", _USERS),
    "deletedItems/group": _rule("List deletedItems (directory objects)", _GROUPS),
    # "List organizations": User.Read reads id, displayName and verifiedDomains only
    # (see organization_access); its role list includes "User", so any member may call it.
    "organization": _rule("List organizations", {"Organization.Read.All", "Organization.ReadWrite.All",
                                                 *_DIRECTORY}),
    # "List domains": its role list ends with Users, Guest User: any member may call it.
    "domains": _rule("List domains", {"Domain.Read.All", "Domain.ReadWrite.All", *_DIRECTORY}),
    # "Get onPremisesDirectorySynchronization": delegated only, and "Global Administrator is
    # the only role supported for this operation"; application: not supported.
    "onPremisesSynchronization": _rule(
        "Get onPremisesDirectorySynchronization",
        {"OnPremDirectorySynchronization.Read.All", "OnPremDirectorySynchronization.ReadWrite.All"},
        application=set(), roles={GLOBAL_ADMINISTRATOR}),
}

#: "List organizations", Important: what User.Read alone may read of the organization.
ORGANIZATION_USER_READ = frozenset({"id", "displayName", "verifiedDomains"})
_ORGANIZATION_BASIC_SCOPES = ("User.Read", "User.ReadWrite")


def denied() -> GraphRefusal:
    """Graph's answer to a token that may not read a resource."""
    return GraphRefusal(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")


def authorize(grants: Grants, resource: str) -> Access:
    """How much of ``resource`` (a key of :data:`RULES`) the token may read, or Graph's 403."""
    rule = RULES[resource]
    if grants.app_only:
        if grants.has_any(rule.application):
            return Access.FULL
        raise denied()
    role_ok = rule.roles is None or grants.holds_role(rule.roles)
    if grants.has_any(rule.delegated) and role_ok:
        return Access.FULL
    if resource == "organization" and grants.has_any(_ORGANIZATION_BASIC_SCOPES):
        return Access.LIMITED
    raise denied()


def limit_organization(item: dict[str, Any]) -> dict[str, Any]:
    """The organization as User.Read sees it: every property but id, displayName and
    verifiedDomains null, selected or not ("List organizations", Important)."""
    return {key: value if key.startswith("@") or key in ORGANIZATION_USER_READ else None
            for key, value in item.items()}
