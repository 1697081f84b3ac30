"""Property-based: whatever Graph (or anyone who can write a directory attribute) sends,
parsing, diagnosis, every output format and the list's rows neither crash nor pass
control or bidi characters through to what is printed."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncdash.diagnose.engine import diagnose
from syncdash.export import formats
from syncdash.graph.index import DirectoryIndex
from syncdash.graph.parse import directory_object
from syncdash.model import Domain, ObjectKind, SyncSettings, TenantStatus, Unknown
from syncdash.ui.rows import make_row
from syncdash.ui.widgets.detail_pane import render_detail

settings.register_profile("ci", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("ci")

HOSTILE = ["[/x]", "[@click=app.quit]x[/]", "\x1b[31m", "\x1b]8;;http://evil\x07", "\x9b2J", "\u202e", "\u2066",
           "\x00", "\x7f", "=cmd|' /C calc'!A0", "'; DROP", "<!DOCTYPE x [<!ENTITY a SYSTEM 'file:///etc/passwd'>]>",
           "A" * 5000]
text = st.one_of(st.text(max_size=60), st.sampled_from(HOSTILE), st.text(alphabet=st.characters(), max_size=30))
anything = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), text),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=8,
)
moments = st.one_of(text, st.sampled_from(["2017-01-01T00:01:31.6341616+03:00", "2020-01-31T17:45:18.00",
                                          "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-13-45T99:99:99Z"]))
error = st.fixed_dictionaries({}, optional={
    "category": st.one_of(text, st.just("PropertyConflict"), anything),
    "propertyCausingError": st.one_of(st.sampled_from(["UserPrincipalName", "ProxyAddress", "ProxyAddresses"]), anything),
    "value": st.one_of(text, anything),
    "occurredDateTime": st.one_of(moments, anything),
})
service = st.fixed_dictionaries({}, optional={
    "serviceInstance": st.one_of(text, anything), "isResolved": st.one_of(st.booleans(), anything),
    "createdDateTime": moments,
    "errorDetail": st.one_of(text, st.just('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">]><l>&a;</l>'),
                             st.builds(lambda d: f"<ErrorRecord><ErrorDescription>{d}</ErrorDescription></ErrorRecord>",
                                       st.text(max_size=40))),
})
raw_object = st.fixed_dictionaries({"id": st.one_of(st.uuids().map(str), text)}, optional={
    "displayName": st.one_of(text, anything), "userPrincipalName": st.one_of(text, anything),
    "mail": st.one_of(text, anything), "mailNickname": st.one_of(text, anything),
    "proxyAddresses": st.one_of(st.lists(st.one_of(text, st.builds(lambda t: f"smtp:{t}", text)), max_size=8),
                                anything, st.just([f"smtp:a{i}@x.com" for i in range(400)])),
    "onPremisesSyncEnabled": st.one_of(st.booleans(), anything), "onPremisesImmutableId": st.one_of(text, anything),
    "onPremisesUserPrincipalName": st.one_of(text, anything), "onPremisesSamAccountName": st.one_of(text, anything),
    "onPremisesLastSyncDateTime": st.one_of(moments, anything), "deletedDateTime": st.one_of(moments, st.none()),
    "onPremisesProvisioningErrors": st.one_of(st.lists(error, max_size=3), anything),
    "serviceProvisioningErrors": st.one_of(st.lists(service, max_size=2), anything),
})
tenants = st.builds(
    TenantStatus,
    tenant_id=st.one_of(text, st.builds(Unknown, text)), name=st.one_of(text, st.builds(Unknown, text)),
    sync_enabled=st.one_of(st.booleans(), st.none(), st.builds(Unknown, text)),
    last_sync=st.one_of(st.none(), st.datetimes(timezones=st.just(timezone.utc))),
    domains=st.one_of(st.lists(st.builds(Domain, text, st.booleans(), st.booleans(), st.booleans()), max_size=3)
                      .map(tuple), st.builds(Unknown, text)),
    sync_settings=st.one_of(st.builds(SyncSettings, st.dictionaries(text, st.booleans(), max_size=3)),
                            st.builds(Unknown, text)),
)
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _screen(renderable: object) -> str:
    """What the detail pane puts on the terminal: Rich's segments, drawn 100 columns wide."""
    from rich.console import Console

    console = Console(width=100, file=io.StringIO(), force_terminal=True, color_system=None, legacy_windows=False)
    return "".join(segment.text for segment in console.render(renderable)).replace("\n", "")


@given(st.lists(raw_object, min_size=1, max_size=4), st.sampled_from(list(ObjectKind)), tenants)
def test_hostile_payloads_never_crash_and_never_reach_the_terminal(raws, kind, tenant):
    objects = [directory_object(raw, kind) for raw in raws]
    for raw, obj in zip(raws, objects):  # a malformed error entry is shown, never dropped
        sent = raw.get("onPremisesProvisioningErrors")
        entries = (sent if isinstance(sent, list) else [sent]) if sent else []
        assert len(obj.provisioning_errors) == sum(entry is not None for entry in entries)
    index = DirectoryIndex(objects)
    now = datetime(2026, 11, 24, tzinfo=timezone.utc)
    facts = [index.facts(obj, query=obj.identity, tenant=tenant, now=now) for obj in objects]
    diagnoses = tuple(diagnose(f) for f in facts)
    for obj, diagnosis, fact in zip(objects, diagnoses, facts):
        assert not UNSAFE.search(_screen(render_detail(obj, fact, note=obj.display_name, show_xml=True)))
        assert not UNSAFE.search(formats.check_text(tenant, diagnosis).replace("\n", ""))
        json.loads(formats.check_json(tenant, diagnosis))
        assert not any(UNSAFE.search(cell) for cell in make_row(obj).cells)
    assert not UNSAFE.search(formats.render_report("table", tenant, True, diagnoses).replace("\n", ""))
    assert not UNSAFE.search(formats.render_report("markdown", tenant, True, diagnoses).replace("\n", ""))
    json.loads(formats.render_report("json", tenant, True, diagnoses))
    for row in list(csv.reader(io.StringIO(formats.render_report("csv", tenant, True, diagnoses))))[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_every_character_safe_text_replaces_is_one_its_fast_path_lets_through_to_it():
    """safe_text returns printable text untouched: that is right only while every control,
    bidi or line-break character it replaces is unprintable to Python."""
    from syncdash.sanitize import _LINE_BREAKS, _UNSAFE, REPLACEMENT, safe_text

    everything = [chr(code) for code in range(0x30000)]
    replaced = [c for c in everything if safe_text(f"a{c}b") != f"a{c}b"]
    assert replaced == [c for c in everything if _UNSAFE.match(c) or _LINE_BREAKS.match(c)]
    assert {"\x1b", "\x9b", "\u202e", "\n", "\t"} <= set(replaced)
    assert safe_text("Zoë\u202e [/x]") == f"Zoë{REPLACEMENT} [/x]"
