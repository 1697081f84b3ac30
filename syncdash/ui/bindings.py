"""The ids of every binding the dashboard has: what the config file's ``[keys]`` may
remap. Above the app and every widget (it reads their classes), so nothing in ``ui``
imports it back."""

from __future__ import annotations

from textual.binding import Binding

from syncdash.ui.app import SyncdashApp
from syncdash.ui.screens.compare import CompareBody, CompareScreen
from syncdash.ui.screens.help import HelpScreen
from syncdash.ui.screens.prompts import ExportScreen, LinkScreen, NoteScreen, SignInScreen
from syncdash.ui.widgets.checklist_pane import ChecklistPane
from syncdash.ui.widgets.detail_pane import DetailPane
from syncdash.ui.widgets.error_list import ErrorList


def binding_ids() -> frozenset[str]:
    """Read from the classes themselves, so a new binding is remappable (and a misspelt id
    in the config is caught) without a second list to keep in step."""
    classes = (SyncdashApp, HelpScreen, ExportScreen, LinkScreen, NoteScreen, SignInScreen, CompareScreen,
               CompareBody, ChecklistPane, DetailPane, ErrorList)
    return frozenset(b.id for cls in classes for b in cls.BINDINGS if isinstance(b, Binding) and b.id)
