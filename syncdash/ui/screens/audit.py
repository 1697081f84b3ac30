"""``a``: the on-premises audit (IdFix's successor) of the AD this run read, against the
tenant on screen — one line a finding, filtered with ``/`` as the main list is, the
highlighted finding's fix and suggestion below; ``c`` copies the suggestion."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from syncdash.cells import fit
from syncdash.diagnose.audit import AuditedObject
from syncdash.diagnose.findings import Finding
from syncdash.sanitize import safe_text
from syncdash.ui.keys import moves


def _line(audited: AuditedObject, finding: Finding) -> str:
    return (f"{fit(finding.severity.value, 7)} {fit(finding.code, 22)} {fit(safe_text(audited.holder.name), 24)} "
            f"{safe_text(finding.message)}")


class AuditList(OptionList):
    BINDINGS = moves("audit", {"up": ("cursor_up", "Previous finding"), "down": ("cursor_down", "Next finding"),
                               "page_up": ("page_up", "Page up"), "page_down": ("page_down", "Page down"),
                               "top": ("first", "First finding"), "bottom": ("last", "Last finding")})


class AuditScreen(Screen[None]):
    """Full screen: a directory's findings can be many."""

    BINDINGS = [
        Binding("escape", "back", "Clear filter / close", id="audit.close"),
        Binding("q", "dismiss_screen", "Close", show=False, id="audit.quit"),
        Binding("slash", "filter", "Filter", id="audit.filter"),
        Binding("c", "copy", "Copy suggestion", id="audit.copy"),
    ]
    DEFAULT_CSS = """
    AuditScreen #audit-filter { display: none; }
    AuditScreen #audit-filter.-shown { display: block; }
    AuditScreen AuditList { height: 1fr; }
    AuditScreen #audit-detail { height: auto; max-height: 8; padding: 0 1; background: $surface; }
    """

    def __init__(self, origins: str, results: list[AuditedObject], read: int) -> None:
        super().__init__()
        self._origins, self._read = origins, read
        self._findings = [(audited, finding) for audited in results for finding in audited.findings]
        #: Each finding's line, and the text a filter searches (made once: a filter runs per key).
        self._lines = [_line(a, f) for a, f in self._findings]
        self._haystacks = [f"{line}\n{a.holder.distinguished_name}".casefold()
                           for line, (a, _) in zip(self._lines, self._findings)]
        self._shown: list[tuple[AuditedObject, Finding]] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="audit-title", markup=False)
            yield Input(placeholder="filter findings (code, name, value…)", id="audit-filter")
            yield AuditList(id="audit-list")
            yield Static(id="audit-detail", markup=False)

    def on_mount(self) -> None:
        self._show("")
        self.query_one(AuditList).focus()

    def _show(self, text: str) -> None:
        wanted = text.casefold().strip()
        chosen = [n for n, haystack in enumerate(self._haystacks) if not wanted or wanted in haystack]
        self._shown = [self._findings[n] for n in chosen]
        listing = self.query_one(AuditList)
        listing.set_options([Option(Text(self._lines[n])) for n in chosen])
        count = f"{len(self._shown)}/{len(self._findings)}" if wanted else str(len(self._findings))
        self.query_one("#audit-title", Static).update(Text(
            f"On-premises audit of {safe_text(self._origins)}: {self._read} objects, {count} findings "
            "(/ filter · c copy the suggestion · Esc back)", style="bold"))
        listing.highlighted = 0 if self._shown else None
        self._detail()

    def _detail(self) -> None:
        index = self.query_one(AuditList).highlighted
        detail = self.query_one("#audit-detail", Static)
        if index is None or index >= len(self._shown):
            detail.update(Text("No findings." if not self._findings else "No finding matches the filter."))
            return
        audited, finding = self._shown[index]
        lines = [audited.holder.distinguished_name, f"fix: {finding.fix}"]
        if finding.powershell:
            lines.append(f"suggestion (review before running): {finding.powershell}")
        detail.update(Text("\n".join(safe_text(line) for line in lines)))

    def on_option_list_option_highlighted(self, _: OptionList.OptionHighlighted) -> None:
        self._detail()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def on_input_submitted(self, _: Input.Submitted) -> None:
        self.query_one(AuditList).focus()

    def action_filter(self) -> None:
        field = self.query_one("#audit-filter", Input)
        field.add_class("-shown")
        field.focus()

    def action_back(self) -> None:
        field = self.query_one("#audit-filter", Input)
        if field.value or field.has_focus:
            field.value = ""
            field.remove_class("-shown")
            self.query_one(AuditList).focus()
            return
        self.dismiss(None)

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        index = self.query_one(AuditList).highlighted
        if index is None or index >= len(self._shown):
            return
        finding = self._shown[index][1]
        text, what = (finding.powershell, "the suggestion") if finding.powershell else (finding.value or "", "the value")
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {what}.", markup=False)
