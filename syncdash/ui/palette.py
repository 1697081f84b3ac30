"""The command palette's own entries: jump to an object, switch profile. Directory data
is matched and shown as plain text, never read as markup."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape as escape_markup

from syncdash.ui.rows import Row
from syncdash.ui.state import Dashboard
from syncdash.ui.widgets.error_list import ErrorList


class Palette(Protocol):
    """What the palette's entries need of the app (the app is above this module)."""

    @property
    def state(self) -> Dashboard: ...

    @property
    def profiles(self) -> Iterable[str]: ...

    def jump_to(self, object_id: str) -> None: ...

    def switch_profile(self, name: str) -> None: ...


def _literal_hit(matcher: Matcher, label: str) -> Content:
    """The label with the query's letters highlighted, read as plain text:
    ``Matcher.highlight`` would read directory data as markup (``[/x]`` crashes it,
    ``[@click=…]`` becomes an action)."""
    content = Content(label)
    _, offsets = matcher.fuzzy_search.match(matcher.query, label)
    for offset in offsets:
        if not label[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def _subject(row: Row) -> str:
    """What the palette matches and names of an object: its name and UPN or mail."""
    return f"{row.cells[1]}  {row.cells[2]}"


class JumpToObject(Provider):
    """Command palette: "jump to object" by name, UPN or mail. The query is matched
    against the object alone: with "Jump to" in the text, "to" matched every row."""

    #: Objects the empty palette offers (the list's top rows, as sorted and filtered).
    OFFERED = 10

    async def discover(self) -> Hits:
        app = cast(Palette, self.app)
        for row in self.app.query_one(ErrorList).rows[: self.OFFERED]:
            subject = _subject(row)
            yield DiscoveryHit(Content("Jump to ") + Content(subject), lambda i=row.id: app.jump_to(i),
                               text=f"Jump to {subject}", help=escape_markup(row.cells[4]))

    async def search(self, query: str) -> Hits:
        app = cast(Palette, self.app)
        matcher = self.matcher(query)
        for row in app.state.rows.rows.values():
            subject = _subject(row)
            score = matcher.match(subject)
            if score > 0:
                yield Hit(score, Content("Jump to ") + _literal_hit(matcher, subject), lambda i=row.id: app.jump_to(i),
                          text=f"Jump to {subject}", help=escape_markup(row.cells[4]))


class SwitchProfile(Provider):
    """Command palette: another tenant of the config file, without restarting."""

    async def search(self, query: str) -> Hits:
        app = cast(Palette, self.app)
        matcher = self.matcher(query)
        for name in app.profiles:
            label = f"Switch to profile {name}"
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, _literal_hit(matcher, label), lambda n=name: app.switch_profile(n))
