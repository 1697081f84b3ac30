"""Where an object lives in Microsoft's admin portals, in the tenant's own cloud."""

from __future__ import annotations

from syncdash.clouds import CLOUDS, Cloud
from syncdash.model import DirectoryObject, ObjectKind


def admin_center_link(obj: DirectoryObject, cloud: Cloud = CLOUDS["public"]) -> str:
    """The object's page; organizational contacts have no Entra page, only a list in
    the Microsoft 365 admin center."""
    if obj.kind is ObjectKind.USER:
        return f"{cloud.portal}/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/{obj.id}"
    if obj.kind is ObjectKind.GROUP:
        return f"{cloud.portal}/#view/Microsoft_AAD_IAM/GroupDetailsMenuBlade/~/Overview/groupId/{obj.id}"
    return f"{cloud.m365_portal}/#/contacts"
