"""The three recommended steps for the chosen object: ticked by the diagnosis, with the
manual checks the admin ticks by hand (Space)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from syncdash.diagnose.catalog import STEP_TITLES
from syncdash.diagnose.findings import NOT_NEEDED_NOTE, Diagnosis, Finding, Severity, Status
from syncdash.model import check_id
from syncdash.sanitize import safe_text
from syncdash.ui.keys import moves
from syncdash.ui.widgets.wrapping import Command, Tokens

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def hanging(indent: int, lead: Text | str, body: Text | str) -> Table:
    """``lead`` then ``body``, the body's wrapped lines kept under its first word rather
    than back at the pane's edge (at 80 columns most lines wrap), and broken only between
    tokens: a message names DNs, UPNs and values an admin must read whole."""
    lead = lead if isinstance(lead, Text) else Text(lead)
    content: Text | Tokens = body if isinstance(body, Text) else Tokens(body)  # never read as markup
    grid = Table.grid(padding=(0, 1, 0, 0), pad_edge=False, expand=True)
    grid.add_column(width=indent + lead.cell_len, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_row(Text(" " * indent) + lead, content)
    return grid


#: The option id prefix of a finding (a manual check's id is its step and key).
FINDING = "finding:"


class ChecklistPane(OptionList):
    """One option per line of the checklist; only manual checks can be highlighted."""

    BINDINGS = [
        Binding("space", "tick", "Tick check", id="checklist.tick"),
        *moves("checklist", {"up": ("cursor_up", "Previous check"), "down": ("cursor_down", "Next check"),
                             "page_up": ("page_up", "Page up"), "page_down": ("page_down", "Page down"),
                             "top": ("first", "First check"), "bottom": ("last", "Last check")}),
    ]
    #: Whose checklist is shown: another object's opens at its top.
    object_id: str | None = None
    #: The findings and manual checks on show, by option id (what c copies, Space ticks).
    _findings: dict[str, Finding] = {}
    _checks: dict[str, str] = {}
    DEFAULT_CSS = """
    ChecklistPane, ChecklistPane:focus { background: $surface; border: none; padding: 0 1; }
    ChecklistPane > .option-list--option-disabled { color: $foreground; }
    """

    class Ticked(Message):
        def __init__(self, check: str) -> None:
            super().__init__()
            self.check = check

    _spinner: Timer | None = None
    _frame = 0

    @property
    def running(self) -> bool:
        """The steps are being checked (their marks spin)."""
        return self._spinner is not None

    def _stop_spinner(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()
            self._spinner = None

    def show_message(self, message: str) -> None:
        self._stop_spinner()
        self.set_options([Option(Text(message), disabled=True)])

    def show_running(self) -> None:
        """Each step with a spinner in place of its mark, until the diagnosis arrives."""
        self._stop_spinner()
        self._frame = 0
        self.set_options([Option(self._running_header(step), disabled=True) for step in STEP_TITLES])
        self._spinner = self.set_interval(0.1, self._spin)

    def _running_header(self, step: int) -> Text:
        header = Text(f"{SPINNER[self._frame % len(SPINNER)]} ", style="bold")
        header.append(f"Step {step}: {STEP_TITLES[step]}", style="bold")
        header.append("  checking…", style="italic")
        return header

    def _spin(self) -> None:
        self._frame += 1
        for index, step in enumerate(STEP_TITLES):
            self.replace_option_prompt_at_index(index, self._running_header(step))

    def show(self, diagnosis: Diagnosis, ticks: frozenset[str], colours: dict[Status, Style],
             object_id: str | None = None) -> None:
        """Lay out the steps; keeps the highlighted manual check where it was (a refresh of
        the same object must not move the admin's place), and opens another object's at
        its top, where its errors are."""
        self._stop_spinner()
        another = object_id != self.object_id
        self.object_id = object_id
        # the check ids are the same for every object: only the same object keeps its place
        highlighted = self.highlighted_option.id if self.highlighted_option and not another else None
        severity_colour = {Severity.ERROR: colours[Status.PROBLEM], Severity.WARNING: colours[Status.UNKNOWN]}
        options: list[Option] = []
        self._findings = {}
        self._checks = {}
        for step in diagnosis.steps:
            style = colours[step.status] + Style(bold=True) if step.needed else Style(bold=True, dim=True)
            mark = Text(step.mark(), style=style)
            title = Text(f"Step {step.step}: {step.title}", style="bold")
            if not step.needed:
                title.append(f"  {NOT_NEEDED_NOTE}", style="italic")
            options.append(Option(hanging(0, mark, title), disabled=True))
            for reason in step.unknown:
                options.append(Option(hanging(2, "?", f"could not check: {safe_text(reason)}"), disabled=True))
            for number, finding in enumerate(step.findings):
                parts: list[RenderableType] = [hanging(2, Text(finding.severity.value, severity_colour.get(
                    finding.severity, Style())), f"[{finding.code}] {safe_text(finding.message)}")]
                parts.append(hanging(4, "fix:", safe_text(finding.fix)))
                if finding.powershell:
                    parts.extend([Text("    suggestion:"), Command(safe_text(finding.powershell), indent=6)])
                finding_id = f"{FINDING}{step.step}:{number}"
                self._findings[finding_id] = finding  # highlightable: c copies it
                options.append(Option(Group(*parts), id=finding_id))
            for check in step.manual:
                if check.answered:  # a source answered it: nothing left to tick
                    text = f"{safe_text(check.text)}: {safe_text(check.answered)}"
                    options.append(Option(hanging(2, "[auto]", text), disabled=True))
                    continue
                key = check_id(step.step, check.key)
                self._checks[key] = check.text
                options.append(Option(hanging(2, "[x]" if key in ticks else "[ ]", safe_text(check.text)), id=key))
        self.set_options(options)
        try:
            self.highlighted = self.get_option_index(highlighted) if highlighted else None
        except OptionDoesNotExist:  # another object: no such check here
            self.highlighted = None
        if self.highlighted is None and self.has_focus:
            self.highlighted = self._first_check()
        if another:
            self.scroll_home(animate=False)

    def on_focus(self) -> None:
        """A new object's checklist is read from Step 1 down; the highlight (which scrolls
        to the first manual check) comes when the admin moves into the pane."""
        if self.highlighted is None:
            self.highlighted = self._first_check()

    def _first_check(self) -> int | None:
        """The first manual check: findings can be highlighted too (to copy), but the pane
        is entered where the admin ticks."""
        return next((i for i, option in enumerate(self.options) if option.id in self._checks), None)

    def action_tick(self) -> None:
        option = self.highlighted_option
        if option is not None and option.id in self._checks:
            self.post_message(self.Ticked(option.id))

    def copy_text(self) -> tuple[str, str] | None:
        """What ``c`` copies here, and what it is: a finding's suggestion exactly as it
        must be typed, else its value, else its message; a manual check's text."""
        option = self.highlighted_option
        if option is None or option.id is None:
            return None
        if option.id in self._checks:
            return "the check", self._checks[option.id]
        finding = self._findings.get(option.id)
        if finding is None:
            return None
        if finding.powershell:
            return "the suggestion", finding.powershell
        if finding.value:
            return "the value", finding.value
        return "the finding", finding.message
