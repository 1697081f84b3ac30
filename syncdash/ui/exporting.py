"""The dashboard's export: the rows on screen, diagnosed as ``report`` diagnoses them, to
a file. No Textual here; the dialog that asks for the format and path is a screen."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from syncdash.files import write_atomically
from syncdash.model import AdminWork
from syncdash.ui.rows import Row
from syncdash.ui.state import Dashboard


def export_rows(state: Dashboard, shown: list[Row], kind: str, path: Path, now: datetime,
                work: Mapping[str, AdminWork]) -> str | None:
    """Writes the report (with the admin's ticks and notes, ``work``) and says what was written; None, writing nothing, when there is no
    complete scan (a profile switch while the dialog was open); OSError when the file
    cannot be written."""
    from syncdash.export import formats
    from syncdash.pipeline import Diagnoses

    if state.index is None or state.tenant is None:
        return None
    chosen, complete = state.export_scope(shown)
    diagnoses = Diagnoses(chosen, state.index, state.tenant, now, state.unavailable)
    write_atomically(path, formats.render_report(kind, state.tenant, complete, diagnoses, work))
    return f"Wrote {len(diagnoses)} object{'' if len(diagnoses) == 1 else 's'} to {path}"


def export_folder() -> Path:
    """Where an export goes by default: the folder syncdash was started from when the
    admin may write there, else the home folder (a jump host's read-only checkout)."""
    here = Path.cwd()
    return here if os.access(here, os.W_OK) else Path.home()
