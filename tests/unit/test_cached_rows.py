"""The list's rows as cached for a warm start: read back exactly, or not at all."""

from __future__ import annotations

import json

import pytest

from syncdash.model import ConflictProperty, DirectoryObject, ObjectKind, ProvisioningError
from syncdash.ui.rows import RowSet, cached_row, make_row, row_from_cache

OBJ = DirectoryObject(id="1", kind=ObjectKind.USER, display_name="Ann Lee", user_principal_name="ann@contoso.com",
                      provisioning_errors=(ProvisioningError("PropertyConflict", ConflictProperty.PROXY_ADDRESS,
                                                             "ProxyAddress", "smtp:x@contoso.com", None),))


def test_a_row_survives_the_cache():
    row = make_row(OBJ)
    assert row_from_cache(json.loads(json.dumps(cached_row(row)))) == row


@pytest.mark.parametrize("item", [
    None, "row", [], ["1", "user", ["a"], "x", 0.0], ["1", ["user"], ["a"] * 6, "x", 0.0], ["1", "printer", ["a"] * 6, "x", 0.0],
    [1, "user", ["a"] * 6, "x", 0.0], ["1", "user", ["a"] * 6, "x", "soon"],
])
def test_anything_else_is_no_row(item):
    assert row_from_cache(item) is None


def test_a_cached_cell_is_made_safe_again():
    planted = ["1", "user", ["user", "\x1b]0;owned\x07Ann", "", "", "", ""], "ann", 0.0]
    row = row_from_cache(planted)
    assert row is not None and "\x1b" not in row.cells[1] and "\x07" not in row.cells[1]


def test_preloaded_rows_are_compared_only_once_their_objects_are_adopted():
    rows = RowSet()
    rows.preload([make_row(OBJ)])
    assert list(rows.rows) == ["1"] and not rows.complete
    rows.adopt([OBJ])
    assert rows.complete
    added, removed, changed = rows.replace([OBJ])
    assert (added, removed, changed) == (set(), set(), set())  # unchanged: not announced as new


def test_a_scan_that_lands_before_the_cached_objects_are_decoded_shows_each_row_once():
    """A fast scan can finish while the cached list's objects are still being decoded:
    the list then held each object twice (seen on a busy CI machine: 58 rows for 29)."""
    from syncdash.ui.rows import View

    rows = RowSet()
    rows.preload([make_row(OBJ)])
    rows.replace([OBJ])  # before adopt
    assert [row.id for row in rows.view(View())] == ["1"]


def test_a_workers_verdict_of_unchanged_counts_only_against_the_list_it_compared():
    from dataclasses import replace

    rows = RowSet()
    rows.replace([OBJ])
    renamed = replace(OBJ, display_name="Ann Lee-Smith")
    stale = ({}, {"1"})  # compared against another list: not trusted
    assert rows.replace([renamed], same=stale)[2] == {"1"}
    current = rows.objects
    assert rows.replace([OBJ], same=(current, {"1"}))[2] == set()  # the worker's verdict is taken as is
