"""The list's rows: a refresh patches each kept sort order, and what it patches is what a
sort from scratch would show; the filter and kind keys select as the admin expects."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from syncdash.graph.scan import newest_first
from syncdash.model import ConflictProperty, DirectoryObject, ObjectKind, ProvisioningError
from syncdash.ui.rows import COLUMNS, RowSet, View, make_rows, sort_key

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def _obj(i: int, name: str, kind: ObjectKind = ObjectKind.USER, minutes: int = 0) -> DirectoryObject:
    error = ProvisioningError("PropertyConflict", ConflictProperty.PROXY_ADDRESS, "ProxyAddresses",
                              f"smtp:v{i}@contoso.com", NOW - timedelta(minutes=minutes))
    return DirectoryObject(id=f"id{i:03}", kind=kind, display_name=name, user_principal_name=f"u{i}@contoso.com",
                           provisioning_errors=(error,))


NAMES = ["Zoë Ruiz", "ann lee", "Ann Lee", "王小明", "Bob", "Émile", "bob", "Sales", "Partner Desk", "Mia"]
FIRST = [_obj(i, name, ObjectKind.GROUP if i % 4 == 3 else ObjectKind.USER, minutes=i * 7 % 5) for i, name in
         enumerate(NAMES)]


def _fresh_sort(rows: RowSet, column: int) -> list[str]:
    return [row.id for row in sorted(rows.rows.values(), key=sort_key(column))]


def test_a_refresh_patches_every_kept_order_to_what_a_fresh_sort_gives():
    rows = RowSet()
    listed = newest_first(FIRST)  # as the graph layer gives a list with its rows made
    rows.replace(listed, make_rows(listed))
    for column in range(len(COLUMNS)):
        rows.view(View(sort=column))  # each order kept from now on
    second = [replace(FIRST[1], display_name="Aaron"), *FIRST[2:8], _obj(42, "Newcomer", minutes=0),
              replace(FIRST[8], provisioning_errors=())]  # 0 and 9 gone, 1 renamed, 8 changed, 42 new
    added, removed, changed = rows.replace(second)
    assert (added, removed, changed) == ({"id042"}, {"id000", "id009"}, {"id001", "id008"})
    for column in range(len(COLUMNS)):
        assert [row.id for row in rows.view(View(sort=column))] == _fresh_sort(rows, column), COLUMNS[column]
        reverse = [row.id for row in rows.view(View(sort=column, reverse=True))]
        assert reverse == _fresh_sort(rows, column)[::-1]


def test_an_unchanged_list_keeps_its_rows():
    rows = RowSet()
    rows.replace(FIRST)
    before = dict(rows.rows)
    assert rows.replace([replace(obj) for obj in FIRST]) == (set(), set(), set())  # equal, not identical
    assert all(rows.rows[i] is before[i] for i in before)


@pytest.mark.parametrize(("view", "names"), [
    (View("ann"), {"ann lee", "Ann Lee"}),
    (View("ANN LEE"), {"ann lee", "Ann Lee"}),
    (View("!ann"), set(NAMES) - {"ann lee", "Ann Lee"}),
    (View("王"), {"王小明"}),
    (View("smtp:v4@"), {"Bob"}),  # the conflicting value is searched too
    (View(kind=ObjectKind.GROUP), {"王小明", "Sales"}),
    (View("a", kind=ObjectKind.GROUP), {"Sales"}),
    (View("nobody"), set()),
])
def test_the_filter_and_kind_select_what_the_admin_typed(view, names):
    rows = RowSet()
    rows.replace(FIRST)
    assert {row.cells[1] for row in rows.view(view)} == names
