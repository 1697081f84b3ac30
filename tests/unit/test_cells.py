"""One cell rule for the screen and the report: wide characters take two cells, a cut is
one ellipsis, and columns after a name like 王小明 stay aligned."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from rich.cells import cell_len

from syncdash.cells import clip, fit, width, wrap
from syncdash.export.rows import ErrorRow
from syncdash.export.table import render_table


@pytest.mark.parametrize(("text", "cells", "expected"), [
    ("Ann Lee", 10, "Ann Lee   "), ("王小明", 6, "王小明"), ("王小明", 5, "王小…"), ("王小明", 4, "王 …"),
    ("Annabelle", 5, "Anna…"), ("x", 0, ""),
])
def test_fit_is_exactly_the_cells_asked_for(text, cells, expected):
    assert fit(text, cells) == expected and cell_len(fit(text, cells)) == max(cells, 0)


def test_clip_leaves_short_text_alone_and_marks_a_cut_once():
    assert clip("王小明", 6) == "王小明" and clip("王小明", 5) == "王小…" and clip("abc", 0) == ""


def test_the_report_table_stays_aligned_after_wide_names():
    when = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
    rows = [ErrorRow("user", name, f"{i}@contoso.com", "ProxyAddresses", f"smtp:{i}@contoso.com", when, "")
            for i, name in enumerate(["王小明", "Ann Lee", "Ολυμπία Παπαδοπούλου", "😀 Smile " * 6])]
    lines = render_table(rows).splitlines()
    starts = {cell_len(line[: line.index("ProxyAddresses")]) for line in lines[1:]}
    assert len(starts) == 1, lines  # the property column starts at the same screen column on every line
    assert cell_len(lines[0][: lines[0].index("PROPERTY")]) in starts


@pytest.mark.parametrize(("text", "cells", "lines"), [
    ("CN=Kenji Tanaka,OU=Users,DC=contoso,DC=com", 20, ["CN=Kenji Tanaka,", "OU=Users,DC=contoso,", "DC=com"]),
    ("held by Joni Sherman · since 2026-11-29", 16, ["held by Joni", "Sherman · since", "2026-11-29"]),
    ("9f3c2a1e-1234-4abc-9def-0123456789ab", 10, ["9f3c2a1e-1", "234-4abc-9", "def-012345", "6789ab"]),
    ("王小明王小明", 5, ["王小", "明王", "小明"]),
    ("", 5, [""]),
])
def test_wrap_breaks_between_tokens_and_loses_nothing(text, cells, lines):
    wrapped = wrap(text, cells)
    assert wrapped == lines and all(width(line) <= cells for line in wrapped)
    assert "".join(wrapped).replace(" ", "") == text.replace(" ", "")


def test_a_command_breaks_only_outside_its_strings_with_a_continuation():
    from syncdash.cells import command_lines

    command = "Set-ADUser -Identity 'O''Brien, Pat' -UserPrincipalName 'pat o brien@contoso.com'"
    lines = command_lines(command, 30)
    assert lines == ["Set-ADUser -Identity `", "  'O''Brien, Pat' `", "  -UserPrincipalName `",
                     "  'pat o brien@contoso.com'"]
    assert command_lines(command, 200) == [command]
    hashtable = "Set-ADUser -Identity 'js' -Remove @{proxyAddresses='smtp:js@contoso.com'}"
    assert command_lines(hashtable, 30) == ["Set-ADUser -Identity 'js' `", "  -Remove @{proxyAddresses=`",
                                            "  'smtp:js@contoso.com'}"]
    narrow = command_lines(command, 12)  # a string wider than a line stays whole, past the edge
    assert "  'pat o brien@contoso.com'" in narrow and "  'O''Brien, Pat' `" in narrow
    assert command_lines("Get-X -Name 'a\u2028b'", 14) == ["Get-X -Name `", "  'a\u2028b'"]  # one string, unbroken
    assert command_lines('Set-ADObject -Identity \'CN=a\\"b,DC=x\'', 30)[-1] == '  \'CN=a\\"b,DC=x\''  # " is no quote
