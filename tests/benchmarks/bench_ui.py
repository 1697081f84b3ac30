"""Dashboard figures: start-up against a minimal Textual app, and the list at 50,000 rows.

Run: ``python tests/benchmarks/bench_ui.py`` (needs tmux). Prints a markdown table.
Start-up is measured whole-process in a real terminal (tmux, 160×48): from launch until
the text appears on the captured screen, polled every 10 ms, median of 5 runs each
(``bench_scale.py`` measures the warm start of a large tenant the same way).
"""

from __future__ import annotations

import asyncio
import compileall
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

from textual.widgets import Input

import syncdash as syncdash_package
from syncdash.graph.errors import TenantUnreachable
from syncdash.model import (
    ConflictProperty,
    DirectoryObject,
    ObjectKind,
    ProvisioningError,
)
from syncdash.store import Store
from syncdash.ui.app import SyncdashApp
from syncdash.ui.widgets.error_list import ErrorList

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
RUNS = 9
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def time_to_text(command: str, marker: str | re.Pattern[str], home: Path, timeout: float = 60) -> tuple[float, str]:
    """Seconds from launch until ``marker`` is on the captured screen, and that screen."""
    socket = Path(tempfile.mkdtemp(dir=home)) / "bench.sock"
    started = time.perf_counter()
    subprocess.run(["tmux", "-S", str(socket), "-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", "160",
                    "-y", "48", f"env HOME={home} XDG_CACHE_HOME={home}/c XDG_DATA_HOME={home}/d TERM=xterm-256color {command}"],
                   check=True)
    pid = int(subprocess.run(["tmux", "-S", str(socket), "display-message", "-p", "-t", "b", "#{pane_pid}"],
                             capture_output=True, text=True, check=True).stdout)
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
        _wait_until_gone(pid)


def _wait_until_gone(pid: int) -> None:
    """A run still shutting down (its refresh worker importing the SDK) would take a core
    from the next run on this 2-core machine: each run starts on an idle machine."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return
        if state == "Z":
            return
        time.sleep(0.01)


def startup() -> list[tuple[str, float]]:
    # An installed wheel has its bytecode compiled at install time; a source checkout run
    # with PYTHONDONTWRITEBYTECODE would compile its edited modules on every start.
    compileall.compile_dir(Path(syncdash_package.__file__).parent, quiet=1)
    syncdash = Path(sys.executable).parent / "syncdash"
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        script = home / "minimal.py"
        script.write_text(MINIMAL_APP)
        cases = [
            ("minimal Textual app with one DataTable: first frame", f"{sys.executable} {script}", "READY-MARKER"),
            ("syncdash --demo: first frame", f"{syncdash} --demo --refresh 3600", "KIND"),
            # a mark, not the spinner shown while the steps run
            ("syncdash --demo: list, detail and checklist filled", f"{syncdash} --demo --refresh 3600",
             re.compile("[✓✗?] Step 1")),
        ]
        times: dict[str, list[float]] = {label: [] for label, _, _ in cases}
        for _ in range(RUNS):  # interleaved, so a drift in the machine's load hits every case alike
            for label, command, marker in cases:
                times[label].append(time_to_text(command, marker, home)[0])
        figures = [(label, statistics.median(runs)) for label, runs in times.items()]
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


def keystroke(app: SyncdashApp, text: str) -> float:
    """Seconds the UI spends on one filter keystroke, timed directly: the filter's change
    handled (view recomputed over every row, list and title updated) and the list's
    visible lines drawn, as the next frame draws them."""
    box = app.query_one("#filter", Input)
    error_list = app.query_one(ErrorList)
    started = time.perf_counter()
    app._filter_changed(Input.Changed(box, text))
    for y in range(error_list.size.height):
        error_list.render_line(y)
    return time.perf_counter() - started


async def list_timings(count: int) -> tuple[float, float, float]:
    """Seconds for: first frame after loading and a refresh changing 1 row in 500, as the
    pilot sees them (fixed waits included); a filter keystroke (median of 8), direct."""

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
            typed = "user0123"
            keystrokes = [keystroke(app, typed[:length]) for length in range(1, len(typed) + 1)]
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
    """The pilot's figures are taken again at 10 rows, which gives the fixed cost of its
    waits; that is subtracted, so what remains is what 50,000 rows add."""
    base_first, _, base_patched = await list_timings(10)
    first, typed, patched = await list_timings(count)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        (f"{count:,} rows: first frame of the list after the data is loaded "
         f"(measured {first:.3f} s, fixed wait {base_first:.3f} s)", first - base_first),
        (f"{count:,} rows: filter keystroke, handled and drawn (median of 8)", typed),
        (f"{count:,} rows: refresh changing 100 rows, patched "
         f"(measured {patched:.3f} s, fixed wait {base_patched:.3f} s)", patched - base_patched),
        (f"{count:,} rows: peak memory (MB, whole process)", peak),
    ]


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
