"""The header: which tenant, how its sync is doing, and how fresh the list on screen is."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from syncdash.model import SOURCE_TITLES, ObjectKind, SourceState, TenantStatus, Unknown
from syncdash.sanitize import safe_text
from syncdash.sync_server import STALE_EVIDENCE
from syncdash.ui.rows import age
from syncdash.ui.state import Freshness

STALE_SYNC = timedelta(hours=2)
SEPARATOR = "  │ "
MAX_LINES = 3


def _flowed(groups: list[Text], width: int) -> Text:
    """The groups on as few lines as fit, a line broken only between groups (never
    mid-word, never starting with a separator)."""
    text = Text()
    used = 0
    for group in groups:
        if used and used + len(SEPARATOR) + group.cell_len > width:
            text.append("\n")
            used = 0
        elif used:
            text.append(SEPARATOR)
            used += len(SEPARATOR)
        text.append_text(group)
        used += group.cell_len
    return text


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


#: How far down a health line may be dropped on a narrow screen (an alert never).
_NOTE_RANKS = {"error": 0, "warning": 1, "info": 3}


def _sources(tenant: TenantStatus, now: datetime, styles: dict[str, Style]) -> list[tuple[Text | None, int]]:
    """Each evidence source beyond Graph (when read, or why not), then the sync health it
    reports: the last export run, each active alert."""
    groups: list[tuple[Text | None, int]] = []
    for source in tenant.sources:
        name = SOURCE_TITLES.get(source.name) or safe_text(source.name)
        if source.name == "ad" and source.detail:  # which forests (or exports) were read
            name = safe_text(f"AD {source.detail}")
        if source.name == "server" and source.state is SourceState.READ and source.as_of is not None:
            groups.append(_evidence_age(name, source.as_of, now, styles))
        elif source.state is SourceState.READ and source.as_of is not None:
            groups.append((Text(f"{name} {source.as_of:%H:%M} UTC"), 3))
        elif source.state is SourceState.UNAVAILABLE:
            groups.append((Text(f"{name} unavailable", style=styles["warning"]), 2))
    for note in tenant.health:
        groups.append((Text(safe_text(note.text), style=styles.get(note.level, "")), _NOTE_RANKS.get(note.level, 3)))
    return groups


def _evidence_age(name: str, as_of: datetime, now: datetime, styles: dict[str, Style]) -> tuple[Text | None, int]:
    """Files brought from the server are as old as when they were made, not when read:
    how old, a warning past a day."""
    old = now - as_of > STALE_EVIDENCE
    return Text(f"{name} of {as_of:%Y-%m-%d %H:%M} UTC ({age(as_of, now)})",
                style=styles["warning"] if old else ""), 2 if old else 3


class StatusBar(Horizontal):
    shown: Text = Text()
    #: (text, rank): rank 1 is left out first when the lines run out, then 2, then 3; 0 stays.
    _groups: list[tuple[Text, int]] = []

    DEFAULT_CSS = """
    StatusBar { height: auto; max-height: 3; background: $panel; padding: 0 1; }
    StatusBar #status { width: 1fr; height: auto; }
    StatusBar ProgressBar { width: 24; display: none; }
    StatusBar.-scanning ProgressBar { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="status", markup=False)
        yield ProgressBar(total=None, show_eta=False, id="scan")

    def update_status(
        self,
        tenant: TenantStatus | None,
        counts: dict[ObjectKind, int],
        freshness: Freshness,
        now: datetime,
        styles: dict[str, Style],
    ) -> None:
        """Redraw from state; ``styles`` maps warning/error/success to theme colours."""
        first = Text()
        why = None
        if tenant is None:
            first.append("connecting…")
        else:
            name = tenant.name if isinstance(tenant.name, str) else "tenant"
            first.append(safe_text(name), style="bold")
            if isinstance(tenant.sync_enabled, Unknown):
                first.append("  dirsync ?", style=styles["warning"])
                why = Text(f"dirsync unknown: {safe_text(tenant.sync_enabled.reason)}", style=styles["warning"])
            elif tenant.sync_enabled:
                first.append("  dirsync on")
            else:
                first.append("  dirsync OFF", style=styles["error"])
            last = tenant.last_sync
            if isinstance(last, datetime):
                late = now - last > STALE_SYNC
                first.append(f"  last sync {age(last, now)}", style=styles["warning"] if late else "")
        counts_text = Text(" · ".join(_count(counts.get(kind, 0), kind.value) for kind in ObjectKind))
        if freshness.scanning:
            state = Text(f"scanning… {freshness.scanned:,} read", style=styles["warning"])
        else:
            state = Text("complete") if freshness.complete else Text("partial", style=styles["warning"])
        when = None
        if freshness.refreshed is not None:
            when = Text(f"{freshness.source} {freshness.refreshed:%H:%M:%S} UTC",
                        style=styles["error"] if freshness.source == "stale" else "")
        problem = Text(safe_text(freshness.problem), style=styles["error"]) if freshness.problem else None
        retry = Text(f"next try {freshness.next_try:%H:%M:%S} UTC (r: now)") if freshness.next_try else None
        # in the order shown; on a narrow screen the counts (the list's title has them)
        # and then the time give way first, so the reason for trouble is never cut off
        groups = [(first, 0), (counts_text, 2), (state, 0), (when, 3), (problem, 0), (retry, 1), (why, 0)]
        groups += _sources(tenant, now, styles) if tenant is not None else []
        self._groups = [(text, rank) for text, rank in groups if text is not None]
        self.set_class(freshness.scanning, "-scanning")
        self._flow()

    def on_resize(self) -> None:
        self._flow()

    def _flow(self) -> None:
        status = self.query_one("#status", Static)
        bar = self.query_one(ProgressBar)
        # from the bar's own width, which is known before a layout shows or hides the bar
        bar_width = bar.styles.width.value if bar.styles.width is not None else 0
        width = self.content_region.width - (int(bar_width) if self.has_class("-scanning") else 0)
        for dropped in range(4):  # drop nothing, then the next try, the counts, then the time too
            groups = [group for group, rank in self._groups if rank == 0 or rank > dropped]
            text = _flowed(groups, width)
            if text.plain.count("\n") < MAX_LINES:
                break
        self.shown = text
        status.update(text)
