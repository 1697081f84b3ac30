"""Another local user who can write a folder syncdash writes into must get nothing out of it.

Each writer (an export, ``report --output``, the dashboard's export, the cache, the data
store, the saved sign-in) faces a symbolic link planted at its file and at any name it
could be expected to use meanwhile, a file or folder owned by another user, and (the
cache and data store) a planted pickle that would run code when read. The planted link's
target must keep its content, a refusal must be one line, and the planted code must
never run. Another user is uid 65534 (nobody): the tests run as root, which can give it
files; elsewhere those tests skip.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import sqlite3
import stat
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import diskcache
import pytest
from azure.identity import AuthenticationRecord

from syncdash import files
from syncdash.auth import records
from syncdash.cli import main
from syncdash.emulator.scenarios.demo import build_demo_tenant
from syncdash.files import UnsafePath, write_atomically
from syncdash.graph.mirror import KindMirror, Mirror
from syncdash.model import Domain, ObjectKind, SyncSettings, TenantStatus, Unknown
from syncdash.store import Snapshot, Store

OTHER_UID = 65534
PLANTED = "the attacker's own file\n"
REPORT = "# Directory sync errors in Contoso\n"
RECORD = AuthenticationRecord("tid", "app", "login.microsoftonline.com", "home", "admin@contoso.com")


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_text(PLANTED)
    return victim


def _give_away(path: Path) -> None:
    """Make ``path`` (a link itself, not its target) another user's."""
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    os.lchown(path, OTHER_UID, OTHER_UID)


class _Payload:
    """Unpickling this creates ``marker``: the least a planted cache entry could do."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return open, (self.marker, "w")


def _plant_old_store(directory: Path, entries: dict) -> None:  # type: ignore[type-arg]
    """A store as diskcache's default Disk writes it (as syncdash once did): pickles."""
    old = diskcache.Cache(str(directory))
    for key, value in entries.items():
        old.set(key, value)
    old.close()


@contextlib.contextmanager
def _sql(directory: Path) -> Iterator[sqlite3.Connection]:
    """The store's database, as anyone able to write it could change it: committed and
    closed on leaving (an open connection would hold up diskcache's own)."""
    with contextlib.closing(sqlite3.connect(directory / "cache.db")) as connection, connection:
        yield connection


def _rows(directory: Path, where: str) -> int:
    with _sql(directory) as connection:
        return connection.execute(f"SELECT count(*) FROM Cache WHERE {where}").fetchone()[0]


def _demo_mirror() -> Mirror:
    doc = build_demo_tenant(datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc))
    return Mirror({kind: KindMirror(kind, {o["id"]: o for o in doc[name]}, f"https://graph/{name}/delta?t=1",
                                    time.time())
                   for name, kind in (("users", ObjectKind.USER), ("groups", ObjectKind.GROUP),
                                      ("contacts", ObjectKind.CONTACT))})


# -- an export: write_atomically ----------------------------------------------------------
def test_an_export_onto_a_planted_link_is_refused_and_the_links_target_kept(tmp_path):
    victim = _victim(tmp_path)
    target = tmp_path / "syncdash-20261124-1200.md"
    target.symlink_to(victim)
    with pytest.raises(UnsafePath) as refused:
        write_atomically(target, REPORT)
    assert str(refused.value) == f"syncdash: refusing to write {target}: it is a symbolic link"
    assert victim.read_text() == PLANTED and target.is_symlink()


def test_links_at_the_names_an_export_once_used_meanwhile_are_never_written_through(tmp_path):
    victim = _victim(tmp_path)
    target = tmp_path / "report.md"
    for name in ("report.md.partial", ".report.md.partial", "report.md.tmp"):
        (tmp_path / name).symlink_to(victim)
    write_atomically(target, REPORT)
    assert target.read_text() == REPORT and not target.is_symlink()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert victim.read_text() == PLANTED
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".report.md.partial", "report.md", "report.md.partial", "report.md.tmp", "victim.txt"]


def test_the_temporary_name_is_created_exclusively_even_when_guessed(tmp_path, monkeypatch):
    """Had the attacker guessed the random name, O_EXCL|O_NOFOLLOW still opens nothing of theirs."""
    victim = _victim(tmp_path)
    monkeypatch.setattr(files.secrets, "token_hex", lambda n: "guessed")
    (tmp_path / ".report.md.guessed.partial").symlink_to(victim)
    with pytest.raises(FileExistsError):
        write_atomically(tmp_path / "report.md", REPORT)
    assert victim.read_text() == PLANTED and not (tmp_path / "report.md").exists()


def test_a_link_planted_while_the_export_is_written_is_replaced_not_followed(tmp_path, monkeypatch):
    victim = _victim(tmp_path)
    target = tmp_path / "report.md"
    create = files.create_exclusive

    def create_then_plant(path: Path, mode: int = 0o600) -> int:
        descriptor = create(path, mode)
        target.symlink_to(victim)  # after syncdash looked at the name, before it moved the file there
        return descriptor

    monkeypatch.setattr(files, "create_exclusive", create_then_plant)
    write_atomically(target, REPORT)
    assert target.read_text() == REPORT and not target.is_symlink()
    assert victim.read_text() == PLANTED


def test_an_export_onto_another_users_file_is_refused(tmp_path):
    target = tmp_path / "report.md"
    target.write_text(PLANTED)
    _give_away(target)
    with pytest.raises(UnsafePath) as refused:
        write_atomically(target, REPORT)
    assert refused.value.strerror == "it is owned by another user"
    assert target.read_text() == PLANTED


def test_an_export_into_a_folder_every_user_may_write_is_refused_unless_sticky(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(UnsafePath) as refused:
        write_atomically(shared / "report.md", REPORT)
    assert refused.value.strerror == f"its folder {shared} is writable by every user"
    assert list(shared.iterdir()) == []
    shared.chmod(0o1777)  # as /tmp: nobody can rename or delete another's file there
    write_atomically(shared / "report.md", REPORT)
    assert (shared / "report.md").read_text() == REPORT


def test_an_export_through_another_users_link_to_a_folder_is_refused(tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    reports = tmp_path / "reports"
    reports.symlink_to(theirs)
    write_atomically(reports / "mine.md", REPORT)  # a link of the user's own is followed
    assert (theirs / "mine.md").read_text() == REPORT
    _give_away(reports)
    with pytest.raises(UnsafePath) as refused:
        write_atomically(reports / "report.md", REPORT)
    assert refused.value.strerror == f"{reports} is a symbolic link owned by another user"
    assert not (theirs / "report.md").exists()


def test_an_export_is_owner_only_whatever_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        write_atomically(tmp_path / "report.md", REPORT)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "report.md").stat().st_mode) == 0o600


# -- report --output, end to end ----------------------------------------------------------
def test_report_output_onto_a_planted_link_is_one_line_and_exit_2(tmp_path, capsys):
    victim = _victim(tmp_path)
    target = tmp_path / "report.md"
    target.symlink_to(victim)
    assert main(["--demo", "report", "--format", "markdown", "--output", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == f"syncdash: cannot write {target}: it is a symbolic link\n"
    assert victim.read_text() == PLANTED


def test_report_output_ignores_a_link_at_the_old_partial_name(tmp_path):
    victim = _victim(tmp_path)
    target = tmp_path / "report.json"
    (tmp_path / "report.json.partial").symlink_to(victim)
    assert main(["--demo", "report", "--format", "json", "--output", str(target)]) == 1  # 1: errors found
    assert json.loads(target.read_text())["schema"] == "syncdash.report/1"
    assert victim.read_text() == PLANTED


def test_report_output_onto_another_users_file_is_refused(tmp_path, capsys):
    target = tmp_path / "report.md"
    target.write_text(PLANTED)
    _give_away(target)
    assert main(["--demo", "report", "--output", str(target)]) == 2
    assert capsys.readouterr().err == f"syncdash: cannot write {target}: it is owned by another user\n"
    assert target.read_text() == PLANTED


async def test_the_dashboards_export_onto_a_planted_link_says_so_and_writes_nothing(dashboard, tmp_path):
    from conftest import settle
    from textual.widgets import Input

    from syncdash.ui.screens.prompts import ExportScreen

    victim = _victim(tmp_path)
    target = tmp_path / "export.md"
    target.symlink_to(victim)
    app = dashboard().app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
    assert f"Cannot write {target}: it is a symbolic link" in messages
    assert victim.read_text() == PLANTED


# -- the cache ------------------------------------------------------------------------------
def test_the_planted_payload_would_run_under_diskcaches_default(tmp_path):
    """The control: the payload the next tests plant does run when diskcache unpickles it."""
    marker = tmp_path / "ran"
    _plant_old_store(tmp_path / "cache", {("mirror", "t"): _Payload(marker)})
    diskcache.Cache(str(tmp_path / "cache")).get(("mirror", "t"))
    assert marker.exists()


def test_a_pickled_cache_is_never_unpickled_and_a_fresh_one_is_started(tmp_path):
    marker = tmp_path / "ran"
    cache = tmp_path / "cache"
    _plant_old_store(cache, {("mirror", "t"): _Payload(marker), ("snapshot", "t"): _Payload(marker)})
    store = Store(cache, tmp_path / "data")
    assert store.load_mirror("t") is None and store.load_snapshot("t") is None
    assert not marker.exists()
    assert store.set_aside == [] and _rows(cache, "1") == 0
    store.save_mirror("t", _demo_mirror())
    assert len(list(store.load_mirror("t").objects())) == 298  # the fresh cache works
    store.close()
    assert not marker.exists()


@pytest.mark.parametrize("in_file", [False, True], ids=["in-the-database", "in-a-value-file"])
def test_a_pickle_planted_in_a_running_cache_is_a_miss_and_dropped_on_the_next_start(tmp_path, in_file):
    marker = tmp_path / "ran"
    cache = tmp_path / "cache"
    store = Store(cache, tmp_path / "data")
    store.save_mirror("t", _demo_mirror())
    assert store.load_mirror("t") is not None
    payload = pickle.dumps(_Payload(marker))
    with _sql(cache) as connection:  # the row keeps syncdash's own key
        if in_file:
            (filename,) = connection.execute("SELECT filename FROM Cache WHERE filename IS NOT NULL").fetchone()
            (cache / filename).write_bytes(payload)
            connection.execute("UPDATE Cache SET mode = 4 WHERE filename IS NOT NULL")
        else:
            connection.execute("UPDATE Cache SET mode = 4, filename = NULL, value = ?", (payload,))
    assert store.load_mirror("t") is None
    assert not marker.exists()
    store.close()
    again = Store(cache, tmp_path / "data")
    assert again.load_mirror("t") is None and _rows(cache, "mode = 4") == 0
    again.close()
    assert not marker.exists()


def test_the_snapshot_and_mirror_come_back_whole_from_json(tmp_path):
    mirror = _demo_mirror()
    tenant = TenantStatus("tid", "Contoso", True, datetime(2026, 11, 24, 11, 0, tzinfo=timezone.utc),
                          (Domain("contoso.com", True, False, True, "Managed"),),
                          SyncSettings({"passwordSyncEnabled": True}, "enabledForCount", 500))
    partial = TenantStatus("tid", Unknown("403"), None, Unknown("403"), Unknown("403"), Unknown("403"))
    in_error = tuple(o for o in mirror.objects() if o.has_errors)
    assert any(o.service_errors for o in in_error) and any(o.provisioning_errors for o in in_error)
    store = Store(tmp_path / "cache", tmp_path / "data")
    store.save_mirror("t", mirror)
    store.save_snapshot("t", Snapshot(tenant, in_error, True, datetime.now(timezone.utc)))
    store.save_snapshot("u", Snapshot(partial, (), False, datetime.now(timezone.utc)))
    store.close()
    again = Store(tmp_path / "cache", tmp_path / "data")
    loaded = again.load_mirror("t")
    for kind, original in mirror.kinds.items():
        assert loaded.kinds[kind].parsed == original.parsed and loaded.kinds[kind].raw == original.raw
        assert (loaded.kinds[kind].link, loaded.kinds[kind].linked_at) == (original.link, original.linked_at)
    snapshot = again.load_snapshot("t")
    assert snapshot.tenant == tenant and snapshot.objects == in_error
    assert again.load_snapshot("u").tenant == partial
    again.close()


def test_every_file_of_the_cache_is_owner_only_whatever_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        store = Store(tmp_path / "cache", tmp_path / "data")
        store.save_mirror("t", _demo_mirror())  # large enough for a value file of its own
        store.close()
    finally:
        os.umask(previous)
    written = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert any(p.suffix == ".val" for p in written)
    assert {stat.S_IMODE(p.stat().st_mode) for p in written} == {0o600}


@pytest.mark.parametrize("name", ["cache.db", "cache.db-wal", "cache.db-shm"])
@pytest.mark.parametrize("store_dir", ["cache", "data"])
def test_a_link_planted_at_a_store_database_is_refused(tmp_path, name, store_dir):
    victim = _victim(tmp_path)
    (tmp_path / store_dir).mkdir(mode=0o700)
    (tmp_path / store_dir / name).symlink_to(victim)
    with pytest.raises(UnsafePath) as refused:
        Store(tmp_path / "cache", tmp_path / "data")
    assert refused.value.strerror == "it is a symbolic link"
    assert victim.read_text() == PLANTED


@pytest.mark.parametrize("store_dir", ["cache", "data"])
def test_a_store_folder_or_database_of_another_user_is_refused(tmp_path, store_dir):
    Store(tmp_path / "cache", tmp_path / "data").close()
    database = tmp_path / store_dir / "cache.db"
    before = database.read_bytes()
    _give_away(database)
    with pytest.raises(UnsafePath) as refused:
        Store(tmp_path / "cache", tmp_path / "data")
    assert refused.value.strerror == "it is owned by another user"
    _give_away(database.parent)
    with pytest.raises(UnsafePath) as refused:
        Store(tmp_path / "cache", tmp_path / "data")
    assert refused.value.strerror == "it is owned by another user" and refused.value.filename == str(database.parent)
    assert database.read_bytes() == before


def test_a_store_folder_of_the_users_that_others_could_write_is_made_private(tmp_path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache").chmod(0o777)
    Store(tmp_path / "cache", tmp_path / "data").close()
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700


def test_a_corrupt_data_store_moves_aside_without_the_saved_sign_in(tmp_path):
    data = tmp_path / "data"
    records.save_record(data, "p", RECORD)
    Store(tmp_path / "cache", data).close()
    (data / "cache.db").write_bytes(b"this is not sqlite " * 200)
    store = Store(tmp_path / "cache", data)
    assert (store.set_aside[0] / "cache.db").read_bytes().startswith(b"this is not sqlite")
    assert records.load_record(data, "p").username == "admin@contoso.com"
    store.close()


def test_the_cli_refuses_a_planted_data_store_in_one_line(capsys):
    data = Path(os.environ["XDG_DATA_HOME"]) / "syncdash"
    data.mkdir(parents=True, mode=0o700)
    victim = data.parent / "victim.txt"
    victim.write_text(PLANTED)
    (data / "cache.db").symlink_to(victim)
    assert main(["--demo", "cache", "clear"]) == 2
    assert capsys.readouterr().err == f"syncdash: {data / 'cache.db'}: it is a symbolic link\n"
    assert victim.read_text() == PLANTED


# -- the data store ---------------------------------------------------------------------------
def test_an_earlier_versions_ticks_notes_and_preferences_are_kept_and_its_pickles_not_run(tmp_path):
    marker = tmp_path / "ran"
    data = tmp_path / "data"
    long_note = "n" * 40_000  # large enough that diskcache kept it in a file of its own
    _plant_old_store(data, {
        ("ticks", "t", "obj"): frozenset({"1:report-email", "2:holder"}),
        ("note", "t", "obj"): "ticket 4711",
        ("note", "t", "long"): long_note,
        ("preference", "theme"): "high-contrast",
        ("ticks", "t", "evil"): _Payload(marker),
    })
    records.save_record(tmp_path, "p", AuthenticationRecord("tid", "app", "login.microsoftonline.com", "home", "a@b"))
    store = Store(tmp_path / "cache", data)
    assert store.ticks("t", "obj") == {"1:report-email", "2:holder"}
    assert store.note("t", "obj") == "ticket 4711" and store.note("t", "long") == long_note
    assert store.preference("theme") == "high-contrast"
    assert store.ticks("t", "evil") == frozenset()
    assert not marker.exists()
    assert store.set_aside == [] and len(store.converted) == 1
    assert (store.converted[0] / "cache.db").exists()  # the old store kept aside, never deleted
    assert _rows(data, "raw = 0 OR mode = 4") == 0
    store.set_tick("t", "obj", "3:fix", True)
    store.close()
    assert Store(tmp_path / "cache", data).ticks("t", "obj") == {"1:report-email", "2:holder", "3:fix"}
    assert records.load_record(tmp_path, "p").username == "a@b"  # the sign-in stayed where it was
    assert not marker.exists()


def test_a_pickle_planted_in_a_running_data_store_reads_as_nothing_saved(tmp_path):
    marker = tmp_path / "ran"
    data = tmp_path / "data"
    store = Store(tmp_path / "cache", data)
    store.set_tick("t", "obj", "1:report-email", True)
    store.set_note("t", "obj", "ticket 4711")
    with _sql(data) as connection:
        connection.execute("UPDATE Cache SET mode = 4, value = ?", (pickle.dumps(_Payload(marker)),))
    assert store.ticks("t", "obj") == frozenset() and store.note("t", "obj") == ""
    assert store.set_tick("t", "obj", "2:holder", True) == {"2:holder"}
    assert not marker.exists()
    store.close()


# -- the saved sign-in ----------------------------------------------------------------------------
def test_a_sign_in_saved_onto_a_planted_link_is_refused(tmp_path):
    victim = _victim(tmp_path)
    (tmp_path / "auth").mkdir(mode=0o700)
    (tmp_path / "auth" / "p.json").symlink_to(victim)
    with pytest.raises(UnsafePath):
        records.save_record(tmp_path, "p", RECORD)
    assert victim.read_text() == PLANTED
    assert records.load_record(tmp_path, "p") is None  # nor is a linked record believed


def test_a_sign_in_ignores_a_link_at_the_old_partial_name(tmp_path):
    victim = _victim(tmp_path)
    (tmp_path / "auth").mkdir(mode=0o700)
    (tmp_path / "auth" / "p.json.partial").symlink_to(victim)
    path = records.save_record(tmp_path, "p", RECORD)
    assert records.load_record(tmp_path, "p").username == "admin@contoso.com"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and victim.read_text() == PLANTED


def test_a_sign_in_folder_or_record_of_another_user_is_not_used(tmp_path):
    path = records.save_record(tmp_path, "p", RECORD)
    _give_away(path)
    assert records.load_record(tmp_path, "p") is None
    with pytest.raises(UnsafePath):
        records.save_record(tmp_path, "p", RECORD)
    path.unlink()
    _give_away(path.parent)
    with pytest.raises(UnsafePath) as refused:
        records.save_record(tmp_path, "p", RECORD)
    assert refused.value.strerror == "it is owned by another user"
    assert not path.exists()


def test_a_planted_setting_neither_blocks_nor_loses_the_ticks(tmp_path):
    """diskcache runs every stored sqlite_* setting as a PRAGMA on each connection."""
    data = tmp_path / "data"
    before = Store(tmp_path / "cache", data)
    before.set_tick("t", "obj", "1:report-email", True)
    before.close()
    with _sql(data) as connection:
        connection.execute("INSERT INTO Settings VALUES ('sqlite_query_only', 1)")
    store = Store(tmp_path / "cache", data)
    assert store.set_aside == [] and store.ticks("t", "obj") == {"1:report-email"}
    store.set_tick("t", "obj", "2:holder", True)
    store.close()
    assert Store(tmp_path / "cache", data).ticks("t", "obj") == {"1:report-email", "2:holder"}
