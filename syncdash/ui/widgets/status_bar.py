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

    DEFAULT_CSS = """
    StatusBar { height: auto; max-height: 2; background: $panel; padding: 0 1; }
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
        text = Text()
        if tenant is None:
            text.append("connecting…")
        else:
            name = tenant.name if isinstance(tenant.name, str) else "tenant"
            text.append(safe_text(name), style="bold")
            if isinstance(tenant.sync_enabled, Unknown):
                text.append("  dirsync ?", style=styles["warning"])
            elif tenant.sync_enabled:
                text.append("  dirsync on")
            else:
                text.append("  dirsync OFF", style=styles["error"])
            last = tenant.last_sync
            if isinstance(last, datetime):
                late = now - last > STALE_SYNC
                text.append(f"  last sync {age(last, now)}", style=styles["warning"] if late else "")
        text.append(
            f"  │ {counts.get(ObjectKind.USER, 0)} users · {counts.get(ObjectKind.GROUP, 0)} groups · "
            f"{counts.get(ObjectKind.CONTACT, 0)} contacts"
        )
        if freshness.scanning:
            text.append(f"  │ scanning… {freshness.scanned:,} read", style=styles["warning"])
        else:
            text.append("  │ complete" if freshness.complete else "  │ partial", style="" if freshness.complete else styles["warning"])
        if freshness.refreshed is not None:
            text.append(f"  │ {freshness.source} {freshness.refreshed:%H:%M:%S}",
                        style=styles["error"] if freshness.source == "stale" else "")
        if freshness.problem:
            text.append(f"  │ {safe_text(freshness.problem)}", style=styles["error"])
        self.shown = text
        self.query_one("#status", Static).update(text)
        self.set_class(freshness.scanning, "-scanning")
