"""Small modal dialogs: the note editor, the export form and the admin-center link."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from syncdash.export import REPORT_FORMATS

_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 80; max-width: 100%; height: auto; max-height: 100%;
                    background: $panel; border: round $primary; padding: 0 1; }}
"""


class NoteScreen(ModalScreen[str | None]):
    """Free text kept per object and tenant; Ctrl+S saves, Esc leaves it unchanged — after
    asking, when something was typed (a second Esc discards it)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save note", id="note.save"),
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
    ]
    DEFAULT_CSS = _CSS.format(name="NoteScreen") + "NoteScreen TextArea { height: 10; }"

    def __init__(self, title: str, text: str, object_id: str) -> None:
        super().__init__()
        self._title = title
        self._text = text
        #: Whose note this is, so that an abrupt exit can keep the draft.
        self.object_id = object_id
        self._asked = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Note for {self._title}   (Ctrl+S save, Esc cancel)"))
            yield TextArea(self._text, id="note")
            yield Label("", id="unsaved")

    def draft(self) -> str | None:
        """The text typed so far, if it differs from the saved note."""
        text = self.query_one(TextArea).text
        return text if text != self._text else None

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        if self.draft() is not None and not self._asked:
            self._asked = True
            self.query_one("#unsaved", Label).update("Unsaved changes: Ctrl+S saves them, Esc again discards them.")
            return
        self.dismiss(None)


class ExportScreen(ModalScreen[tuple[str, Path] | None]):
    """Format and file for ``e``; the list as currently filtered and sorted is written."""

    BINDINGS = [
        Binding("ctrl+s", "write", "Write the file", id="export.write"),
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]
    DEFAULT_CSS = _CSS.format(name="ExportScreen")

    def __init__(self, default_path: Path, count: int) -> None:
        super().__init__()
        self._default = default_path
        self._count = count

    def compose(self) -> ComposeResult:
        with Vertical():
            objects = "the object" if self._count == 1 else f"the {self._count} objects"
            yield Static(Text(f"Export {objects} in view. Enter (or Ctrl+S) writes the file; Tab reaches the "
                              "format; Esc cancels."), markup=False)
            yield Select([(name, name) for name in REPORT_FORMATS], value="markdown", allow_blank=False, id="format")
            yield Input(str(self._default), id="path")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()  # Enter writes at once; the format is a Tab away

    def on_select_changed(self, event: Select.Changed) -> None:
        path = Path(self.query_one("#path", Input).value)
        suffix = {"table": ".txt", "json": ".json", "csv": ".csv", "markdown": ".md"}[str(event.value)]
        self.query_one("#path", Input).value = str(path.with_suffix(suffix))
        # the format is chosen: back to the path, where Enter writes (on the list it reopened it)
        self.query_one("#path", Input).focus()

    def on_input_submitted(self) -> None:
        self.action_write()

    def action_write(self) -> None:
        path = self.query_one("#path", Input).value
        self.dismiss((str(self.query_one("#format", Select).value), Path(path).expanduser()))

    def action_cancel(self) -> None:
        self.dismiss(None)


class LinkScreen(ModalScreen[None]):
    """The object's admin-center page as an OSC 8 hyperlink: a click (or the terminal's
    own link key) opens it on the admin's desktop, even over SSH."""

    BINDINGS = [Binding("escape,enter,o,q", "close", "Close", id="link.close")]
    DEFAULT_CSS = _CSS.format(name="LinkScreen")

    def __init__(self, title: str, url: str) -> None:
        super().__init__()
        self._title = title
        self._url = url

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"{self._title} in the admin center:"), markup=False)
            yield Static(Text(self._url, style=Style(link=self._url, underline=True)), markup=False)
            yield Static(Text("Ctrl+click (or your terminal's link key) opens it. It is on the clipboard "
                              "too (OSC 52). Esc closes."), markup=False)

    def action_close(self) -> None:
        self.dismiss(None)


class SignInScreen(ModalScreen[None]):
    """The device code, shown while azure-identity waits in its thread: the dashboard
    keeps answering, and the dialog closes itself once the sign-in is done."""

    BINDINGS = [
        Binding("c", "copy", "Copy code", id="signin.copy"),
        Binding("escape", "hide", "Hide", id="signin.hide"),
    ]
    DEFAULT_CSS = _CSS.format(name="SignInScreen")

    def __init__(self, url: str, code: str, expires: datetime) -> None:
        super().__init__()
        self._url = url
        self._code = code
        self._expires = expires

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Sign in to Microsoft Entra ID", style="bold"))
            yield Static(Text.assemble("Open  ", (self._url, Style(link=self._url, underline=True))), markup=False)
            yield Static(Text.assemble("and enter the code  ", (self._code, "bold reverse")), markup=False)
            yield Label(Text(f"The code is valid until {self._expires:%H:%M}. c copies it; Esc hides this."))

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self._code)
        self.app.notify("Code copied (OSC 52 clipboard)", timeout=3)

    def action_hide(self) -> None:
        self.dismiss(None)
