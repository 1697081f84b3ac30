"""Dashboard figures: start-up against a minimal Textual app, and the list at 50,000 rows.

Run: ``python tests/benchmarks/bench_ui.py`` (needs tmux). Prints a markdown table.
Start-up is measured whole-process in a real terminal (tmux, 160×48): from launch until
the text appears on the captured screen, polled every 10 ms, median of 5 runs each
(``bench_scale.py`` measures the warm start of a large tenant the same way).
"""

from __future__ import annotations

import asyncio
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from syncdash.graph.errors import TenantUnreachable
from syncdash.model import ConflictProperty, DirectoryObject, ObjectKind, ProvisioningError
from syncdash.store import Store
from syncdash.ui.app import SyncdashApp

MINIMAL_APP = """
from textual.app import App
from textual.widgets import DataTable
class Minimal(App):
    def compose(self):
        yield DataTable()
    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("KIND", "NAME")
        table.add_row("user", "READY-MARKER")
Minimal().run()
"""
RUNS = 5
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def time_to_text(command: str, marker: str | re.Pattern[str], home: Path, timeout: float = 60) -> tuple[float, str]:
    """Seconds from launch until ``marker`` is on the captured screen, and that screen."""
    socket = Path(tempfile.mkdtemp(dir=home)) / "bench.sock"
    started = time.perf_counter()
    subprocess.run(["tmux", "-S", str(socket), "-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", "160",
                    "-y", "48", f"env HOME={home} XDG_CACHE_HOME={home}/c XDG_DATA_HOME={home}/d TERM=xterm-256color {command}"],
                   check=True)
    try:
        while True:
            screen = subprocess.run(["tmux", "-S", str(socket), "capture-pane", "-p", "-t", "b"],
                                    capture_output=True, text=True).stdout
            if (marker.search(screen) if isinstance(marker, re.Pattern) else marker in screen):
                return time.perf_counter() - started, screen
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"{marker!r} never appeared")
            time.sleep(0.01)
    finally:
        subprocess.run(["tmux", "-S", str(socket), "kill-server"], capture_output=True)


def startup() -> list[tuple[str, float]]:
    syncdash = Path(sys.executable).parent / "syncdash"
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        script = home / "minimal.py"
        script.write_text(MINIMAL_APP)
        cases = [
            ("minimal Textual app with one DataTable: first frame", f"{sys.executable} {script}", "READY-MARKER"),
            ("syncdash --demo: first frame", f"{syncdash} --demo --refresh 3600", "KIND"),
            ("syncdash --demo: list, detail and checklist filled", f"{syncdash} --demo --refresh 3600", "Step 1"),
        ]
        for label, command, marker in cases:
            times = [time_to_text(command, marker, home)[0] for _ in range(RUNS)]
            figures.append((label, statistics.median(times)))
    return figures


def objects(count: int) -> list[DirectoryObject]:
    made = []
    for index in range(count):
        error = ProvisioningError("PropertyConflict", ConflictProperty.PROXY_ADDRESS, "ProxyAddress",
                                  f"smtp:dup{index}@contoso.com", NOW - timedelta(minutes=index))
        made.append(DirectoryObject(
            id=f"00000000-0000-4000-8000-{index:012d}", kind=ObjectKind.USER, display_name=f"User {index:06d}",
            user_principal_name=f"user{index:06d}@contoso.com", mail=f"user{index:06d}@contoso.com",
            sync_enabled=True, provisioning_errors=(error,),
        ))
    return made


async def list_timings(count: int) -> tuple[float, float, float]:
    """Seconds for: first frame after loading, a filter keystroke (median), a refresh
    changing 1 row in 500 — each as the pilot sees it, fixed waits included."""

    def unreachable(_hooks):  # type: ignore[no-untyped-def]
        raise TenantUnreachable("benchmark: no tenant")

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "c", Path(tmp) / "d")
        app = SyncdashApp(unreachable, tenant_key="bench", store=store, refresh=3600, clock=lambda: NOW)
        data = objects(count)
        async with app.run_test(size=(160, 48)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            started = time.perf_counter()
            app._take_list(tuple(data), announce=False)
            await pilot.pause()
            first = time.perf_counter() - started
            await pilot.press("slash")
            await pilot.pause()
            keystrokes = []
            for char in "user0123":
                started = time.perf_counter()
                await pilot.press(char)
                await pilot.pause()
                keystrokes.append(time.perf_counter() - started)
            await pilot.press("escape")
            await pilot.pause()
            step = max(1, count // 100)
            changed = [replace(obj, display_name=obj.display_name + " (renamed)") if i % step == 0 else obj
                       for i, obj in enumerate(data)]
            started = time.perf_counter()
            app._take_list(tuple(changed), announce=True)
            await pilot.pause()
            patched = time.perf_counter() - started
        store.close()
    return first, statistics.median(keystrokes), patched


async def big_list(count: int) -> list[tuple[str, float]]:
    """The same measures at 10 rows give the fixed cost of the pilot's waits, which is
    subtracted: what remains is what 50,000 rows add."""
    base = await list_timings(10)
    big = await list_timings(count)
    labels = ("first frame of the list after the data is loaded", "filter keystroke (median of 8)",
              "refresh changing 100 rows, patched")
    figures = [(f"{count:,} rows: {label} (measured {b:.3f} s, fixed wait {a:.3f} s)", b - a)
               for label, a, b in zip(labels, base, big)]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures.append((f"{count:,} rows: peak memory (MB, whole process)", peak))
    return figures


def main() -> None:
    print("| measure | value |")
    print("|---|---|")
    for label, value in asyncio.run(big_list(50_000)):
        unit = "" if "MB" in label else " s"
        print(f"| {label} | {value:.3f}{unit} |" if unit else f"| {label} | {value:.0f} |")
    for label, seconds in startup():
        print(f"| {label} | {seconds:.3f} s |")


if __name__ == "__main__":
    main()
