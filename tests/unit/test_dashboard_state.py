"""The dashboard's state without a screen: what a new list, a refused kind, a throttled
retry or a late lookup means for what the admin is shown and told."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from syncdash.graph.index import DirectoryIndex
from syncdash.model import ConflictProperty, DirectoryObject, Domain, ObjectKind, ProvisioningError, SyncSettings, \
    TenantStatus
from syncdash.pipeline import TenantView
from syncdash.store import CachedRows
from syncdash.ui.rows import cached_row, make_rows
from syncdash.ui.state import Chosen, Dashboard

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
TENANT = TenantStatus(tenant_id="t", name="Contoso", sync_enabled=True, last_sync=NOW - timedelta(minutes=20),
                      domains=(Domain("contoso.com", True, False, True),), sync_settings=SyncSettings())


def _obj(i: int, name: str, prop: ConflictProperty = ConflictProperty.PROXY_ADDRESS) -> DirectoryObject:
    value = f"shared{i}@contoso.com"
    error = ProvisioningError("PropertyConflict", prop, "ProxyAddresses", f"smtp:{value}", NOW)
    return DirectoryObject(id=f"id{i}", kind=ObjectKind.USER, display_name=name, user_principal_name=f"u{i}@contoso.com",
                           proxy_addresses=(f"smtp:{value}",), provisioning_errors=(error,))


ANN, BOB, CAROL = _obj(1, "Ann Lee"), _obj(2, "Bob Ray", ConflictProperty.USER_PRINCIPAL_NAME), _obj(3, "Carol Day")


def _view(*in_error: DirectoryObject, unavailable: tuple[str, ...] = ()) -> TenantView:
    return TenantView(TENANT, in_error, DirectoryIndex(in_error), unavailable, complete=not unavailable)


def _finish(state: Dashboard, view: TenantView, at: datetime = NOW):
    shown = state.rows.objects
    same = shown, {obj.id for obj in view.in_error if shown.get(obj.id) == obj}
    return state.scan_finished(view, make_rows(view.in_error), same, at)


def test_the_first_scan_is_neither_marked_new_nor_announced():
    state = Dashboard()
    change = _finish(state, _view(ANN, BOB))
    assert change.added == frozenset() and change.resolved == ()
    assert state.freshness.source == "live" and state.freshness.complete and not state.freshness.scanning
    assert [row.id for row in state.shown()] == ["id1", "id2"]


def test_a_later_scan_marks_new_rows_and_announces_what_resolved():
    state = Dashboard()
    _finish(state, _view(ANN, BOB))
    change = _finish(state, _view(ANN, CAROL))
    assert change.added == {"id3"}
    assert change.resolved == ("Bob Ray: UPN conflict resolved",)


def test_a_kind_refused_since_the_last_scan_is_not_announced_as_resolved():
    state = Dashboard()
    _finish(state, _view(ANN, BOB))
    change = _finish(state, _view(unavailable=("users: 403 Forbidden",)))
    assert change.resolved == () and change.added == frozenset()
    assert state.freshness.problem == "users: 403 Forbidden" and not state.freshness.complete
    # readable again: compared with the refused scan it is not alike, so nothing is marked new
    assert _finish(state, _view(ANN)).added == frozenset()
    assert _finish(state, _view(ANN, CAROL)).added == {"id3"}


def test_the_chosen_object_is_diagnosed_again_when_it_or_the_index_changed():
    state = Dashboard()
    _finish(state, _view(ANN, BOB))
    assert state.choose(ANN, NOW) is Chosen.DIAGNOSED and state.diagnosis is not None
    # a list not compared (the fast list): only a change to the chosen object itself counts
    assert state.take_list((ANN, replace(BOB, display_name="Bob R.")), announce=False).rediagnose is None
    renamed = replace(ANN, display_name="Ann Lee-Smith")
    assert state.take_list((renamed, BOB), announce=False).rediagnose == renamed
    # a later complete scan brings a new index: its holders may have changed
    assert _finish(state, _view(renamed, BOB)).rediagnose == renamed
    assert _finish(state, _view(BOB)).rediagnose is None  # resolved: nothing left to diagnose


def test_a_chosen_object_waits_for_the_tenant_status_then_graph_then_the_index():
    state = Dashboard()
    assert state.choose(ANN, NOW) is Chosen.WAITING and state.diagnosis is None
    assert state.tenant_read(TENANT) is True  # it waited: the app diagnoses it now
    assert state.choose(ANN, NOW) is Chosen.REMOTE
    _finish(state, _view(ANN))
    assert state.choose(ANN, NOW) is Chosen.DIAGNOSED
    assert state.tenant_read(TENANT) is False


def test_a_late_remote_diagnosis_never_replaces_a_newer_one_or_lands_on_another_object():
    state = Dashboard()
    state.tenant_read(TENANT)
    state.choose(ANN, NOW)
    local_state = Dashboard()
    _finish(local_state, _view(ANN, BOB))
    local_state.choose(BOB, NOW)
    facts, diagnosis = local_state.facts, local_state.diagnosis
    assert facts is not None and diagnosis is not None
    assert state.diagnosed("id2", facts, diagnosis) is False  # Bob is not the chosen object
    assert state.diagnosed("id1", facts, diagnosis) is True
    assert state.diagnosed("id1", facts, diagnosis) is False  # answered already


def test_throttling_is_told_once_per_episode_and_a_finished_scan_ends_the_episode():
    state = Dashboard()
    assert state.throttled(4) is True
    assert state.throttled(8) is False
    assert state.freshness.problem == "throttled, retrying in 8 s"
    _finish(state, _view(ANN))
    assert state.freshness.problem is None
    assert state.throttled(2) is True


def test_a_failed_refresh_is_stale_keeps_its_list_and_says_when_it_retries():
    state = Dashboard()
    _finish(state, _view(ANN))
    state.refresh_failed("Graph answered 503", NOW + timedelta(minutes=1), 60)
    f = state.freshness
    assert (f.source, f.complete, f.refreshed, f.problem) == ("stale", True, NOW, "Graph answered 503")
    assert f.next_try == NOW + timedelta(minutes=2)
    assert [row.id for row in state.shown()] == ["id1"]
    state.nothing_changed(NOW + timedelta(minutes=2))
    assert state.freshness.source == "live" and state.freshness.problem is None


def test_a_cached_list_stands_until_graph_answers_and_is_not_replaced_by_the_fast_list():
    state = Dashboard()
    rows = make_rows([ANN, BOB])
    state.show_cached(CachedRows(TENANT, True, NOW - timedelta(hours=1), [cached_row(r) for r in rows.values()]))
    assert state.freshness.source == "cached" and len(state.shown()) == 2
    assert state.cached_objects((ANN, BOB, CAROL), DirectoryIndex((ANN, BOB, CAROL))) is True
    assert set(state.objects) == {"id1", "id2"}  # only the rows on screen
    fast = state.list_read((ANN,), False, make_rows([ANN]), DirectoryIndex((ANN,)), NOW)
    assert fast is None and len(state.shown()) == 2
    # the complete cached list is compared with the first scan: Bob resolved while syncdash was closed
    change = _finish(state, _view(ANN))
    assert change.resolved == ("Bob Ray: UPN conflict resolved",)


def test_cached_objects_arriving_after_graph_answered_are_dropped():
    state = Dashboard()
    state.show_cached(CachedRows(TENANT, True, NOW, [cached_row(r) for r in make_rows([ANN]).values()]))
    _finish(state, _view(BOB))
    assert state.cached_objects((ANN,), DirectoryIndex((ANN,))) is False
    assert set(state.objects) == {"id2"}


def test_the_view_keys_and_the_list_title():
    state = Dashboard()
    _finish(state, _view(ANN, BOB, CAROL))
    state.filter("bob")
    assert [row.id for row in state.shown()] == ["id2"]
    assert state.list_title()[0] == "Objects with sync errors (1/3) · filter 'bob'"
    state.sort_by_next()
    assert state.list_title()[1] == "sorted by KIND ↑ low to high"
    state.reverse()
    title, subtitle = state.list_title()
    assert subtitle == "sorted by KIND ↓ high to low" and state.view.filter == "bob"
    state.sort_by(1)
    assert state.view.sort == 1 and not state.view.reverse
    state.sort_by(1)  # the same column's key again reverses it
    assert state.view.reverse
    state.show_all()
    assert len(state.shown()) == 3 and state.view.reverse


def test_export_scope_is_complete_only_for_every_object_of_a_complete_scan():
    state = Dashboard()
    _finish(state, _view(ANN, BOB))
    chosen, complete = state.export_scope(state.shown())
    assert [obj.id for obj in chosen] == ["id1", "id2"] and complete
    state.filter("ann")
    assert state.export_scope(state.shown())[1] is False
