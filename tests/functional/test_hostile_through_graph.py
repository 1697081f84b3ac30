"""Property-based, end to end: hostile but well-typed directory data (Graph's schema is
typed; its strings are anyone's) served by the emulator, read through the real
msgraph-sdk by the complete scan, then diagnosed and rendered. No object with an error
may be lost on the way, and nothing unsafe may reach what is printed."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncdash.diagnose.engine import diagnose
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantStore
from syncdash.emulator.transport import EmulatorTransport
from syncdash.export import formats
from syncdash.graph.client import build_client
from syncdash.graph.index import DirectoryIndex
from syncdash.pipeline import read_once
from syncdash.model import TenantStatus, Unknown
from syncdash.ui.widgets.detail_pane import render_detail

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE = ["[/x]", "[@click=app.quit]x[/]", "\x1b[31m", "\x1b]8;;http://evil\x07", "\x9b2J", "\u202e", "\x00",
           "=cmd|' /C calc'!A0", "<!DOCTYPE x [<!ENTITY a SYSTEM 'file:///etc/passwd'>]><x>&a;</x>", "A" * 100_000]
text = st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE))
moments = st.one_of(st.none(), st.sampled_from(["2017-01-01T00:01:31.6341616+03:00", "2020-01-31T17:45:18.00",
                                                 "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"]))
conflict = st.fixed_dictionaries({
    "category": st.one_of(st.just("PropertyConflict"), text),
    "propertyCausingError": st.one_of(st.sampled_from(["UserPrincipalName", "ProxyAddresses"]), text),
    "value": text, "occurredDateTime": moments,
})
service = st.fixed_dictionaries({
    "serviceInstance": text, "isResolved": st.booleans(), "createdDateTime": moments,
    "errorDetail": st.one_of(text, st.builds("<ErrorRecord><ErrorDescription>{}</ErrorDescription></ErrorRecord>".format,
                                             text)),
})
users = st.lists(st.fixed_dictionaries({
    "id": st.uuids().map(str), "displayName": text, "userPrincipalName": text, "mail": st.one_of(st.none(), text),
    "proxyAddresses": st.one_of(st.lists(st.builds("smtp:{}".format, text), max_size=5),
                                st.just([f"smtp:alias{i}@contoso.com" for i in range(5000)])),
    "onPremisesSyncEnabled": st.one_of(st.none(), st.booleans()), "onPremisesLastSyncDateTime": moments,
    "onPremisesProvisioningErrors": st.lists(conflict, max_size=2),
    "serviceProvisioningErrors": st.lists(service, max_size=2),
}), min_size=1, max_size=4, unique_by=lambda u: u["id"])


async def _scan(data: dict) -> list:
    client = build_client("https://graph.emulator.invalid/v1.0",
                          transport=EmulatorTransport(GraphEmulator(TenantStore(data))))
    return list((await read_once(client)).in_error)


def _screen(renderable: object) -> str:
    from rich.console import Console

    console = Console(width=100, file=io.StringIO(), force_terminal=True, color_system=None)
    return "".join(segment.text for segment in console.render(renderable)).replace("\n", "")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(users)
def test_hostile_objects_survive_the_sdk_the_scan_and_the_screen(raw_users):
    found = asyncio.run(_scan({"users": raw_users}))
    with_errors = {u["id"] for u in raw_users if u["onPremisesProvisioningErrors"]
                   or any(not e["isResolved"] for e in u["serviceProvisioningErrors"])}
    assert {obj.id for obj in found} == with_errors, "an object with errors was dropped on the way"
    tenant = TenantStatus(tenant_id="t", name="Contoso", sync_enabled=True, last_sync=None, domains=(),
                          sync_settings=Unknown("not read"))
    index = DirectoryIndex(found)
    now = datetime(2026, 11, 24, tzinfo=timezone.utc)
    for obj in found:
        facts = index.facts(obj, query=obj.identity, tenant=tenant, now=now)
        assert not UNSAFE.search(_screen(render_detail(obj, facts, note="", show_xml=True)))
        assert not UNSAFE.search(formats.check_text(tenant, diagnose(facts)).replace("\n", ""))
