"""Where an object lives in Microsoft's admin portals."""

from __future__ import annotations

from syncdash.model import DirectoryObject, ObjectKind

ENTRA_ADMIN_CENTER = "https://entra.microsoft.com"
M365_ADMIN_CENTER = "https://admin.microsoft.com"


def admin_center_link(obj: DirectoryObject) -> str:
    """The object's page; organizational contacts have no Entra page, only a list in
    the Microsoft 365 admin center."""
    if obj.kind is ObjectKind.USER:
        return f"{ENTRA_ADMIN_CENTER}/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/{obj.id}"
    if obj.kind is ObjectKind.GROUP:
        return f"{ENTRA_ADMIN_CENTER}/#view/Microsoft_AAD_IAM/GroupDetailsMenuBlade/~/Overview/groupId/{obj.id}"
    return f"{M365_ADMIN_CENTER}/#/contacts"
