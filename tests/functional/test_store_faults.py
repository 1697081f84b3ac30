"""The store under abuse from outside: killed mid-write, two processes at once, a full
disk. Each runs in real separate processes; nothing the admin saved may be lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from syncdash.store import Store

TICKER = """
import sys
from pathlib import Path
from syncdash.store import Store
store = Store(Path(sys.argv[1]) / "cache", Path(sys.argv[1]) / "data")
for i in range(int(sys.argv[3])):
    store.set_tick("t", f"{sys.argv[2]}-{i % 50}", f"check-{i}", True)
    print(i, flush=True)
"""

MIRROR_WRITER = """
import sys
from pathlib import Path
from syncdash.store import Store
store = Store(Path(sys.argv[1]) / "cache", Path(sys.argv[1]) / "data")
big = {"objects": ["x" * 200] * 20_000}
print("ready", flush=True)
while True:
    store.save_mirror("t", big)
"""


def _python(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True)


def test_kill_9_while_ticking_loses_no_acknowledged_tick(tmp_path):
    ticker = _python(TICKER, str(tmp_path), "obj", "100000")
    acknowledged = -1
    deadline = time.monotonic() + 30
    while acknowledged < 150 and time.monotonic() < deadline:
        acknowledged = int(ticker.stdout.readline())  # type: ignore[union-attr]
    os.kill(ticker.pid, signal.SIGKILL)
    ticker.wait()
    store = Store(tmp_path / "cache", tmp_path / "data")
    assert store.set_aside == []
    for i in range(acknowledged + 1):
        assert f"check-{i}" in store.ticks("t", f"obj-{i % 50}"), f"tick {i} was acknowledged, then lost"


def test_kill_9_while_saving_the_mirror_keeps_the_ticks_and_opens(tmp_path):
    Store(tmp_path / "cache", tmp_path / "data").set_tick("t", "obj", "step-1", True)
    writer = _python(MIRROR_WRITER, str(tmp_path))
    assert writer.stdout.readline().strip() == "ready"  # type: ignore[union-attr]
    time.sleep(1.0)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    store = Store(tmp_path / "cache", tmp_path / "data")
    mirror = store.load_mirror("t")
    assert mirror is None or len(mirror["objects"]) == 20_000  # whole or absent, never torn
    assert store.ticks("t", "obj") == {"step-1"}


def test_two_processes_ticking_the_same_tenant_lose_nothing(tmp_path):
    Store(tmp_path / "cache", tmp_path / "data").close()
    both = [_python(TICKER, str(tmp_path), name, "200") for name in ("a", "b")]
    for process in both:
        process.communicate(timeout=120)
        assert process.returncode == 0
    store = Store(tmp_path / "cache", tmp_path / "data")
    for name in ("a", "b"):
        for i in range(200):
            assert f"check-{i}" in store.ticks("t", f"{name}-{i % 50}")


FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from syncdash.store import Store, StoreWriteError
root = Path(sys.argv[1])
store = Store(root / "cache", root / "data")
store.set_tick("t", "obj", "before", True)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG, as on a full disk
limit = max(f.stat().st_size for f in root.rglob("*") if f.is_file()) + 1024
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
store.save_mirror("t", {"objects": ["x" * 200] * 20_000})
print("cache saved" if store.cache_problem is None else f"cache: {store.cache_problem}")
try:
    for i in range(2000):
        store.set_note("t", f"obj-{i}", "n" * 500)
    print("notes saved")
except StoreWriteError as exc:
    print(f"refused: {exc}")
"""


def test_a_full_disk_is_reported_and_costs_nothing_saved_before(tmp_path):
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(FULL_DISK), str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("cache: "), "a cache write past a full disk did not fail softly"
    assert lines[1].startswith("refused: note not saved: "), lines
    store = Store(tmp_path / "cache", tmp_path / "data")
    assert store.ticks("t", "obj") == {"before"}


async def test_the_dashboard_says_a_tick_was_not_saved_when_the_disk_is_full(dashboard, monkeypatch):
    """diskcache's own write fails as SQLite does on a full disk (the library, not
    syncdash, is made to fail): the admin is told, and the box stays unticked."""
    import sqlite3

    import diskcache

    from conftest import checklist_lines, settle

    made = dashboard()
    app = made.app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)

        def full(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(diskcache.Cache, "set", full)
        await pilot.press("tab", "tab", "space")
        await pilot.pause()
        assert app.is_running
        assert any("tick not saved: database or disk is full" in n.message for n in app._notifications)
        shown = checklist_lines(app)
        assert "[ ] Microsoft 365 admin center → Health" in shown
