"""What the admin is told when objects leave the error list."""

from __future__ import annotations

from dataclasses import replace

from syncdash.model import ConflictProperty, DirectoryObject, ObjectKind, ProvisioningError
from syncdash.ui.list_changes import RESOLVED_ONE_BY_ONE, resolved_notices


def _conflict(name: str, prop: ConflictProperty) -> DirectoryObject:
    return DirectoryObject(id=name, kind=ObjectKind.USER, display_name=name, user_principal_name=f"{name}@c.com",
                           provisioning_errors=(ProvisioningError("PropertyConflict", prop, prop.value, "v", None),))


def test_each_resolved_object_is_named_with_what_it_had_wrong():
    gone = [_conflict("Zoe", ConflictProperty.PROXY_ADDRESS), _conflict("ann", ConflictProperty.USER_PRINCIPAL_NAME)]
    assert resolved_notices(gone) == ["ann: UPN conflict resolved", "Zoe: proxy address conflict resolved"]


def test_a_big_fix_is_one_line_naming_three():
    gone = [_conflict(f"User {i:02}", ConflictProperty.PROXY_ADDRESS) for i in range(RESOLVED_ONE_BY_ONE + 3)]
    assert resolved_notices(reversed(gone)) == [
        f"{len(gone)} objects' errors resolved: User 00, User 01, User 02 and {len(gone) - 3} more"]


def test_a_hostile_name_is_made_safe_before_it_is_shown():
    hostile = replace(_conflict("x", ConflictProperty.PROXY_ADDRESS), display_name="Eve\x1b]0;pwned\x07")
    (notice,) = resolved_notices([hostile])
    assert "\x1b" not in notice and "\x07" not in notice and notice.endswith("proxy address conflict resolved")
