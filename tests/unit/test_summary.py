"""Look, don't read: the bars and the sparkline above the list and atop the report."""

from __future__ import annotations

from syncdash.export.summary import bars, error_kinds, sparkline, summary_line
from syncdash.model import ConflictProperty, DirectoryObject, ObjectKind, ProvisioningError


def _obj(i: int, prop: ConflictProperty, kind: ObjectKind = ObjectKind.USER) -> DirectoryObject:
    error = ProvisioningError("PropertyConflict", prop, prop.value, f"v{i}@contoso.com", None)
    return DirectoryObject(id=str(i), kind=kind, display_name=f"O{i}", provisioning_errors=(error,))


def test_bars_are_in_proportion_and_every_count_is_said():
    objects = [_obj(i, ConflictProperty.PROXY_ADDRESS) for i in range(8)] + [
        _obj(9, ConflictProperty.USER_PRINCIPAL_NAME, ObjectKind.CONTACT)]
    assert error_kinds(objects) == {"proxy": 8, "UPN": 1}
    assert bars(error_kinds(objects)) == "proxy 8 ▇▇▇▇▇▇▇▇  UPN 1 ▇"
    assert summary_line(objects) == "proxy 8 ▇▇▇▇▇▇▇▇  UPN 1 ▇  │  1 contact · 8 users"


def test_the_sparkline_runs_low_to_high_and_needs_two_days():
    assert sparkline([0, 7]) == "▁█" and sparkline([5, 5, 5]) == "▁▁▁"
    objects = [_obj(1, ConflictProperty.PROXY_ADDRESS)]
    assert "days" not in summary_line(objects, [3])
    assert "last 3 days ▁▅█" in summary_line(objects, [1, 5, 9])
