"""The header: which tenant, how its sync is doing, and how fresh the list on screen is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from syncdash.model import ObjectKind, TenantStatus, Unknown
from syncdash.sanitize import safe_text
from syncdash.ui.rows import age

STALE_SYNC = timedelta(hours=2)
SEPARATOR = "  │ "


@dataclass(frozen=True, slots=True)
class Freshness:
    """How the list on screen came to be: from the cache or live, complete or not."""

    source: str  # "cached", "live" or "stale"
    complete: bool
    refreshed: datetime | None
    scanning: bool
    scanned: int = 0
    problem: str | None = None


class StatusBar(Horizontal):
    shown: Text = Text()
    _groups: list[Text] = []

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
        if tenant is None:
            first.append("connecting…")
        else:
            name = tenant.name if isinstance(tenant.name, str) else "tenant"
            first.append(safe_text(name), style="bold")
            if isinstance(tenant.sync_enabled, Unknown):
                first.append("  dirsync ?", style=styles["warning"])
            elif tenant.sync_enabled:
                first.append("  dirsync on")
            else:
                first.append("  dirsync OFF", style=styles["error"])
            last = tenant.last_sync
            if isinstance(last, datetime):
                late = now - last > STALE_SYNC
                first.append(f"  last sync {age(last, now)}", style=styles["warning"] if late else "")
        groups = [first, Text(f"{counts.get(ObjectKind.USER, 0)} users · {counts.get(ObjectKind.GROUP, 0)} groups · "
                              f"{counts.get(ObjectKind.CONTACT, 0)} contacts")]
        if freshness.scanning:
            groups.append(Text(f"scanning… {freshness.scanned:,} read", style=styles["warning"]))
        else:
            groups.append(Text("complete") if freshness.complete else Text("partial", style=styles["warning"]))
        if freshness.refreshed is not None:
            groups.append(Text(f"{freshness.source} {freshness.refreshed:%H:%M:%S} UTC",
                               style=styles["error"] if freshness.source == "stale" else ""))
        if freshness.problem:
            groups.append(Text(safe_text(freshness.problem), style=styles["error"]))
        self._groups = groups
        self.set_class(freshness.scanning, "-scanning")
        self._flow()

    def on_resize(self) -> None:
        self._flow()

    def _flow(self) -> None:
        """The groups on as few lines as fit, a line broken only between groups (never
        mid-word, never starting with a separator)."""
        status = self.query_one("#status", Static)
        bar = self.query_one(ProgressBar)
        # from the bar's own width, which is known before a layout shows or hides the bar
        width = self.content_region.width - (int(bar.styles.width.value) if self.has_class("-scanning") else 0)
        text = Text()
        used = 0
        for group in self._groups:
            if used and used + len(SEPARATOR) + group.cell_len > width:
                text.append("\n")
                used = 0
            elif used:
                text.append(SEPARATOR)
                used += len(SEPARATOR)
            text.append_text(group)
            used += group.cell_len
        self.shown = text
        status.update(text)
