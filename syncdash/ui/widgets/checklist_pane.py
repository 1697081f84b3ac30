"""The three recommended steps for the chosen object: ticked by the diagnosis, with the
manual checks the admin ticks by hand (Space)."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from syncdash.diagnose.findings import Diagnosis, Severity, Status
from syncdash.sanitize import safe_text

MARKS = {Status.CLEAR: "✓", Status.PROBLEM: "✗", Status.UNKNOWN: "?"}


def check_id(step: int, key: str) -> str:
    return f"{step}:{key}"


class ChecklistPane(OptionList):
    """One option per line of the checklist; only manual checks can be highlighted."""

    BINDINGS = [Binding("space", "tick", "Tick check", id="checklist.tick")]
    DEFAULT_CSS = """
    ChecklistPane, ChecklistPane:focus { background: $surface; border: none; padding: 0 1; }
    ChecklistPane > .option-list--option-disabled { color: $foreground; }
    """

    class Ticked(Message):
        def __init__(self, check: str) -> None:
            super().__init__()
            self.check = check

    def show_message(self, message: str) -> None:
        self.set_options([Option(Text(message), disabled=True)])

    def show(self, diagnosis: Diagnosis, ticks: frozenset[str], colours: dict[Status, Style]) -> None:
        """Lay out the steps; keeps the highlighted manual check where it was (a refresh of
        the same object must not move the admin's place)."""
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        options: list[Option] = []
        for step in diagnosis.steps:
            header = Text()
            header.append(f"{MARKS[step.status]} ", style=colours[step.status] + Style(bold=True))
            header.append(f"Step {step.step}: {step.title}", style="bold")
            if not step.needed:
                header.append("  (not needed: an earlier step found the cause)", style="italic")
            options.append(Option(header, disabled=True))
            for reason in step.unknown:
                options.append(Option(Text(f"  ? could not check: {safe_text(reason)}"), disabled=True))
            for finding in step.findings:
                line = Text("  ")
                severity_colour = {Severity.ERROR: colours[Status.PROBLEM], Severity.WARNING: colours[Status.UNKNOWN]}
                line.append(finding.severity.value, style=severity_colour.get(finding.severity, Style()))
                line.append(f" [{finding.code}] {safe_text(finding.message)}")
                line.append(f"\n    fix: {safe_text(finding.fix)}")
                if finding.powershell:
                    line.append(f"\n    suggestion: {safe_text(finding.powershell)}", style="italic")
                options.append(Option(line, disabled=True))
            for check in step.manual:
                key = check_id(step.step, check.key)
                box = "[x]" if key in ticks else "[ ]"
                options.append(Option(Text(f"  {box} {check.text}"), id=key))
        self.set_options(options)
        try:
            self.highlighted = self.get_option_index(highlighted) if highlighted else None
        except OptionDoesNotExist:  # another object: no such check here
            self.highlighted = None
        if self.highlighted is None and self.has_focus:
            self.highlighted = self._first_check()

    def on_focus(self) -> None:
        """A new object's checklist is read from Step 1 down; the highlight (which scrolls
        to the first manual check) comes when the admin moves into the pane."""
        if self.highlighted is None:
            self.highlighted = self._first_check()

    def _first_check(self) -> int | None:
        return next((i for i, option in enumerate(self.options) if not option.disabled), None)

    def action_tick(self) -> None:
        option = self.highlighted_option
        if option is not None and option.id is not None:
            self.post_message(self.Ticked(option.id))
