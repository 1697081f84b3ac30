"""What syncdash keeps on disk survives corruption, expires, can be cleared or skipped,
is owner-only, and unexpected errors stay one line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

from conftest import settle
from syncdash.cli import main
from syncdash.store import Snapshot, Store


def _garbage(directory: Path) -> None:
    (directory / "cache.db").write_bytes(b"this is not sqlite " * 200)


def test_a_corrupt_cache_is_set_aside_and_the_ticks_survive(tmp_path):
    store = Store(tmp_path / "cache", tmp_path / "data")
    store.set_tick("t", "obj", "1:report-email", True)
    store.set_note("t", "obj", "ticket 4711")
    store.close()
    _garbage(tmp_path / "cache")
    again = Store(tmp_path / "cache", tmp_path / "data")
    assert again.ticks("t", "obj") == {"1:report-email"} and again.note("t", "obj") == "ticket 4711"
    assert again.load_snapshot("t") is None
    assert len(again.set_aside) == 1 and again.set_aside[0].exists()
    again.close()


def test_a_corrupt_data_store_is_kept_aside_never_deleted(tmp_path):
    Store(tmp_path / "cache", tmp_path / "data").close()
    _garbage(tmp_path / "data")
    store = Store(tmp_path / "cache", tmp_path / "data")
    aside = store.set_aside[0]
    assert (aside / "cache.db").read_bytes().startswith(b"this is not sqlite")
    store.set_tick("t", "o", "k", True)
    assert store.ticks("t", "o") == {"k"}
    store.close()


async def test_the_dashboard_starts_on_a_corrupt_cache(dashboard, tmp_path):
    first = dashboard(store_dir=tmp_path / "s")
    async with first.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
    first.store.close()
    _garbage(tmp_path / "s" / "cache")
    again = dashboard(store_dir=tmp_path / "s")
    async with again.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert len(again.app.query_one("ErrorList").rows) == 29


def test_cached_directory_data_expires(tmp_path):
    store = Store(tmp_path / "c", tmp_path / "d", cache_days=1.5 / 86400)
    from datetime import datetime, timezone

    from syncdash.model import TenantStatus

    tenant = TenantStatus("t", "Contoso", True, None, (), None)  # type: ignore[arg-type]
    store.save_snapshot("t", Snapshot(tenant, (), True, datetime.now(timezone.utc)))
    assert store.load_snapshot("t") is not None
    time.sleep(1.7)
    assert store.load_snapshot("t") is None
    store.close()


def test_no_cache_writes_no_directory_data(tmp_path):
    store = Store(tmp_path / "c", tmp_path / "d", cache=False)
    store.save_mirror("t", {"objects": "x"})
    assert store.load_mirror("t") is None and not (tmp_path / "c").exists()
    store.close()


def test_cache_clear_drops_a_tenants_data_and_keeps_the_ticks(capsys):
    store = Store()
    store.save_mirror("demo", {"objects": "x"})
    store.set_tick("demo", "o", "k", True)
    store.close()
    assert main(["--demo", "cache", "clear"]) == 0
    assert "cleared 1 cached item(s) of demo" in capsys.readouterr().out
    store = Store()
    assert store.load_mirror("demo") is None and store.ticks("demo", "o") == {"k"}
    store.close()


def test_everything_syncdash_writes_is_owner_only():
    home = Path(os.environ["HOME"])
    subprocess.run([sys.executable, "-c", "from syncdash.cli import main; main(['--demo', 'cache', 'clear'])"],
                   check=True, capture_output=True)
    written = [p for p in home.rglob("*") if "syncdash" in str(p)]
    assert any(p.is_file() for p in written)
    for path in written:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_an_unexpected_error_is_one_line_unless_debug(monkeypatch, capsys):
    import syncdash.export.formats as formats

    def broken(*args, **kwargs):  # a fault injected below syncdash's handling, not a result faked
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(formats, "report_chunks", broken)
    assert main(["--demo", "report"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "syncdash: unexpected error: RuntimeError: disk on fire (run with --debug for the traceback)"
    try:
        main(["--debug", "--demo", "report"])
    except RuntimeError as exc:
        assert str(exc) == "disk on fire"
    else:
        raise AssertionError("--debug did not let the traceback through")
