"""Renderables that wrap only where a break keeps the text usable: identifiers stay
whole for the eye, commands stay runnable for a paste."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment

from syncdash.cells import BREAKS, command_lines, width, wrap


class Tokens:
    """Text that wraps only between tokens (cells.wrap): a GUID, UPN or address stays on
    one line, a DN breaks only between its components. Rich's own wrapping breaks at
    spaces alone and folds anything longer mid-identifier."""

    def __init__(self, text: str, style: str = "") -> None:
        self.text, self.style = text, style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.text.splitlines() or [""]:
            for part in wrap(line, options.max_width):
                yield Segment(part, console.get_style(self.style) if self.style else None)
                yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        lines = self.text.splitlines() or [""]
        longest_token = max((width(token) for line in lines for token in BREAKS.split(line)), default=0)
        return Measurement(min(longest_token, options.max_width), max(width(line) for line in lines))


class Command:
    """A suggestion on lines of its own, broken only where PowerShell allows (a backtick
    continuation outside any string), so what is selected on screen runs as it reads."""

    def __init__(self, command: str, indent: int) -> None:
        self.command, self.indent = command, indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        style = console.get_style("italic")
        for line in command_lines(self.command, options.max_width - self.indent):
            yield Segment(" " * self.indent + line, style)
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(options.max_width, 20), self.indent + max(map(width, self.command.splitlines() or [""])))
