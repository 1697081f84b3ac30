"""The Connect server's files as an admin brings them: each kind told by its content and
read as the tools write it, and hostile or broken files refused in one line or read in
part, never expanded, never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncdash.server import csexport
from syncdash.server.reading import file_kind, read_server_files
from syncdash.anchors import anchor_of_dn, dn_of_anchor
from syncdash.sync_server import AD, ENTRA, BadServerFile

ANCHOR = "QF5HMK7n80qvdYsUPIHa9Q=="
ENTRA_DN = "CN={514635484D4B376E38307176645973555049486139513D3D}"
AD_DN = "CN=Jane Doe,OU=Users,DC=contoso,DC=com"

CSEXPORT = f"""<?xml version="1.0" encoding="UTF-8"?>
<cs-objects>
<cs-object cs-dn="{ENTRA_DN}" id="{{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}}" object-type="user">
  <unapplied-export>
    <delta operation="update" dn="{ENTRA_DN}">
      <attr name="displayName" type="string" multivalued="false" operation="replace"><value>Jane Doe</value></attr>
      <attr name="proxyAddresses" type="string" multivalued="true" operation="update">
        <value operation="add">SMTP:jane.doe@contoso.com</value>
        <value operation="delete">SMTP:jdoe@contoso.com</value>
      </attr>
    </delta>
  </unapplied-export>
  <synchronized-hologram>
    <entry dn="{ENTRA_DN}">
      <anchor encoding="base64">VAAAAFUAcwBlAHIAXwA=</anchor>
      <primary-objectclass>user</primary-objectclass>
      <attr name="cloudAnchor" type="string" multivalued="false"><value>User_2c6b3b41-1111-2222-3333-444455556666</value></attr>
      <attr name="userPrincipalName" type="string" multivalued="false"><value>jane.doe@contoso.com</value></attr>
    </entry>
  </synchronized-hologram>
  <connector>1</connector>
  <connector-state>normal</connector-state>
  <export-errordetail first-occurred="2026-11-28 10:00:00.000" date-occurred="2026-11-30 10:00:00.000" retry-count="3" error-type="cd-error">
    <export-status>
      <cd-error>
        <error-code>0x8023134a</error-code>
        <error-literal>AttributeValueMustBeUnique</error-literal>
        <server-error-detail>Unable to update this object: [ProxyAddresses SMTP:jane.doe@contoso.com;].</server-error-detail>
        <extra-error-details>[{{"Key":"ObjectIdInConflict","Value":["7505ed65-e7f5-4dca-9f78-2617a247f047"]}},{{"Key":"AttributeConflictName","Value":["ProxyAddresses"]}},{{"Key":"AttributeConflictValues","Value":["SMTP:jane.doe@contoso.com"]}}]</extra-error-details>
      </cd-error>
    </export-status>
  </export-errordetail>
  <mv-link lineage-id="{{11111111-2222-3333-4444-555555555555}}" lineage-type="Provisioning">{{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}}</mv-link>
</cs-object>
<cs-object cs-dn="{AD_DN}" id="{{22222222-3333-4444-5555-666666666666}}" object-type="user">
  <synchronized-hologram>
    <entry dn="{AD_DN}">
      <anchor encoding="base64">MBvPQAIsrU+T/BU5Ksuxyw==</anchor>
      <attr name="userPrincipalName" type="string" multivalued="false"><value>jane.doe@contoso.com</value></attr>
    </entry>
  </synchronized-hologram>
  <import-errordetail first-occurred="2026-11-29 10:00:00.000" date-occurred="2026-11-30 09:00:00.000" retry-count="0" error-type="sync-rule-flow-provisioning-failed">
    <import-status><algorithm-step>Flow: In from AD - User Common</algorithm-step></import-status>
  </import-errordetail>
  <connector>1</connector>
  <mv-link lineage-id="{{1}}" lineage-type="Projection">{{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}}</mv-link>
</cs-object>
</cs-objects>
"""


#: The domain's own object, which a whole AD connector space holds.
DOMAIN = '<cs-object cs-dn="DC=contoso,DC=com" id="{3}" object-type="domainDNS"><connector>0</connector></cs-object>'


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_an_entra_connector_dn_is_the_hex_of_the_source_anchor_as_adsynctools_converts_it():
    assert anchor_of_dn(ENTRA_DN) == ANCHOR  # Microsoft's own example pair
    assert dn_of_anchor(ANCHOR) == ENTRA_DN
    assert anchor_of_dn(ENTRA_DN.lower().replace("cn=", "CN=")) == ANCHOR  # scripts write lower-case hex
    assert anchor_of_dn(AD_DN) is None and anchor_of_dn("CN={ABC}") is None


def test_a_csexport_gives_both_connector_spaces_joined_through_the_metaverse(tmp_path):
    index = read_server_files([_write(tmp_path, "renamed.txt", CSEXPORT)])
    entra, ad = sorted(index.objects(), key=lambda o: o.connector != ENTRA)
    assert (entra.connector, entra.anchor, entra.cloud_id) == (ENTRA, ANCHOR, "2c6b3b41-1111-2222-3333-444455556666")
    assert entra.pending is not None and entra.pending.describe() == (
        "update: displayName replace 'Jane Doe'; proxyAddresses add 'SMTP:jane.doe@contoso.com'; "
        "proxyAddresses delete 'SMTP:jdoe@contoso.com'")
    error = entra.export_error
    assert error is not None
    assert (error.error_type, error.code, error.retry_count) == ("AttributeValueMustBeUnique", "0x8023134a", 3)
    assert error.conflict_id == "7505ed65-e7f5-4dca-9f78-2617a247f047" and error.first_occurred.day == 28
    assert ad.connector == AD and ad.anchor == "40cf1b30-2c02-4fad-93fc-15392acbb1cb" and ad.joined
    assert ad.import_error is not None and ad.import_error.error_type == "sync-rule-flow-provisioning-failed"
    assert index.ad_twin(entra) == ad and index.entra_twin(ad) == entra
    [conflict, imported] = sorted(index.export_errors(), key=lambda e: e.stage)
    assert (conflict.source, conflict.attribute, conflict.value, conflict.existing_id) == (
        "server", "proxyAddresses", "SMTP:jane.doe@contoso.com", "7505ed65-e7f5-4dca-9f78-2617a247f047")
    assert conflict.dn == AD_DN and conflict.incoming.source_anchor == ANCHOR and conflict.is_conflict
    assert imported.stage == "import" and not imported.is_conflict


def test_the_documented_error_shape_is_read_too(tmp_path):
    xml = (f'<cs-objects><cs-object cs-dn="{ENTRA_DN}" id="{{1}}" object-type="user"><export-errordetail>'
           '<export-error first-occurred="2026-11-01 10:00:00.000" date-occurred="2026-11-02 10:00:00.000" '
           'retry-count="7" error-type="permission-issue"><cd-error><error-code>8453</error-code>'
           '<error-literal>Replication access was denied.</error-literal></cd-error></export-error>'
           '</export-errordetail></cs-object></cs-objects>')
    [obj] = read_server_files([_write(tmp_path, "x.xml", xml)]).objects()
    assert obj.export_error is not None
    assert (obj.export_error.error_type, obj.export_error.retry_count) == ("permission-issue", 7)
    assert obj.export_error.literal == "Replication access was denied."


LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE cs-objects [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<cs-objects><cs-object cs-dn="&d;" id="{1}" object-type="user"/></cs-objects>"""
EXTERNAL = """<?xml version="1.0"?><!DOCTYPE cs-objects [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<cs-objects><cs-object cs-dn="&x;" id="{1}" object-type="user"/></cs-objects>"""


@pytest.mark.parametrize("xml", [LAUGHS, EXTERNAL], ids=["billion-laughs", "external-entity"])
def test_entities_are_refused_before_anything_is_expanded_or_fetched(tmp_path, xml):
    with pytest.raises(BadServerFile, match="declares a DTD or XML entities") as caught:
        read_server_files([_write(tmp_path, "evil.xml", xml)])
    assert "\n" not in str(caught.value) and "root:" not in str(caught.value)


def test_a_truncated_file_keeps_what_was_read_and_says_it_is_partial(tmp_path):
    whole = CSEXPORT.replace("<cs-objects>", f"<cs-objects>{DOMAIN}")
    cut = whole[: whole.index('<cs-object cs-dn="CN=Jane')] + '<cs-object cs-dn="CN=Ja'
    index = read_server_files([_write(tmp_path, "cut.xml", cut)])
    assert index.count == 2
    [read] = index.files
    assert read.partial is not None and "read 2 objects" in read.partial
    assert index.covering(AD_DN) is None  # a partial export proves no absence, its domain's containers or not
    assert read_server_files([_write(tmp_path, "whole.xml", whole)]).covering(AD_DN) is not None


def test_bytes_that_are_not_the_declared_encoding_end_the_read_there(tmp_path):
    bad = CSEXPORT.replace("Jane Doe,OU", "J\udcffne Doe,OU").encode("utf-8", "surrogateescape")
    [read] = read_server_files([_write(tmp_path, "latin.xml", bad)]).files
    assert read.partial is not None and read.count == 1


def test_an_object_too_large_ends_the_read_with_a_partial_mark(tmp_path, monkeypatch):
    monkeypatch.setattr(csexport, "OBJECT_LIMIT", 200 * 1024)
    huge = CSEXPORT.replace("<value>Jane Doe</value>", "<value>" + "x" * (1024 * 1024) + "</value>")
    [read] = read_server_files([_write(tmp_path, "huge.xml", huge)]).files
    assert read.partial is not None and "over" in read.partial and read.count == 0


@pytest.mark.parametrize(("content", "reason"), [
    ("hello, this is a note\n", "not a file of the Connect server"),
    ("<html><body/></html>", "not a csexport file"),
    ('{"name": "something else"}', "JSON, but not"),
    ("", "empty"),
    (b"\x00\x01\x02binary", "binary data"),
])
def test_anything_else_is_refused_in_one_line_naming_the_file(tmp_path, content, reason):
    path = _write(tmp_path, "notes.txt", content)
    with pytest.raises(BadServerFile) as caught:
        file_kind(path)
    message = str(caught.value)
    assert reason in message and "notes.txt" in message and "\n" not in message


def test_a_fifo_is_refused_without_being_opened(tmp_path):
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    with pytest.raises(BadServerFile, match="not a regular file"):
        file_kind(fifo)


def test_windows_powershell_json_is_read_dates_timespans_and_utf16(tmp_path):
    scheduler = {"SyncCycleEnabled": False, "StagingModeEnabled": True, "SchedulerSuspended": False,
                 "NextSyncCycleStartTimeInUTC": "/Date(1796031000000)/",
                 "CurrentlyEffectiveSyncCycleInterval": {"Ticks": 18000000000, "TotalMinutes": 30.0}}
    text = json.dumps(scheduler).replace("/Date(", "\\/Date(").replace(")/", ")\\/")
    path = _write(tmp_path, "sched.json", text.encode("utf-16"))  # Out-File's default in 5.1
    assert file_kind(path) == "scheduler"
    found = read_server_files([path]).scheduler
    assert found is not None and (found.sync_cycle_enabled, found.staging_mode) == (False, True)
    assert found.next_run is not None and found.next_run.year == 2026 and found.interval_minutes == 30.0


def test_a_cs_object_gives_its_lineage_and_the_conflicting_object_by_id(tmp_path):
    extra = json.dumps([{"Key": "ObjectIdInConflict", "Value": ["7505ed65-e7f5-4dca-9f78-2617a247f047"]},
                        {"Key": "AttributeConflictName", "Value": ["UserPrincipalName"]},
                        {"Key": "AttributeConflictValues", "Value": ["jane@contoso.com"]}])
    data = {"DistinguishedName": ENTRA_DN, "ConnectorId": "b891884f-051e-4a83-95af-2544101c9083",
            "ObjectType": "user", "ConnectedMVObjectId": "00000000-0000-0000-0000-000000000000",
            "Lineage": [{"SyncRuleName": "Out to AAD - User Join"}],
            "ExportError": {"ErrorName": "InvalidSoftMatch", "RetryCount": 12, "ErrorExtraDetails": extra},
            "Attributes": [{"Name": "cloudAnchor", "Values": ["User_2c6b3b41-1111-2222-3333-444455556666"]}]}
    [obj] = read_server_files([_write(tmp_path, "cs.json", json.dumps(data))]).objects()
    assert obj.joined is False and obj.lineage == ("Out to AAD - User Join",) and obj.anchor == ANCHOR
    assert obj.export_error is not None and obj.export_error.error_type == "InvalidSoftMatch"
    assert obj.export_error.conflict_values == ("jane@contoso.com",)


def test_single_object_sync_output_is_read_past_the_folder_listing_before_it(tmp_path):
    result = {"Action": "Other", "StartTime": "11/30/2026 08:00:00",
              "SourceIdentity": {"Id": "1", "Type": "user", "Name": AD_DN},
              "StatusInfo": {"Status": "Failure", "Reason": "Object is not present in sync scope."},
              "ProvisioningSteps": [{"Status": "Failure", "Name": "ScopingOrganizationalUnit",
                                     "Description": "Determine if Object's Organizational Unit in sync scope"}]}
    listing = "\r\n    Directory: C:\\ProgramData\\AADConnect\r\n\r\nMode  Name\r\n----  ----\r\nd---- x\r\n"
    path = _write(tmp_path, "sos.json", (listing + json.dumps(result) + "\r\n").encode("utf-16"))
    [sync] = read_server_files([path]).syncs.values()
    assert sync.status == "Failure" and sync.failed_step is not None
    assert sync.failed_step.name == "ScopingOrganizationalUnit" and sync.started is not None


def test_the_disconnector_csv_is_read_with_or_without_the_type_line(tmp_path):
    rows = ('#TYPE Selected.System.Management.Automation.PSCustomObject\r\n'
            '"UserPrincipalName","Mail","SourceAnchor","DistinguishedName","CsObjectId","ObjectType","ConnectorId",'
            f'"CloudAnchor"\r\n"old@contoso.com","","{ANCHOR}","{ENTRA_DN}","{{9}}","user",'
            '"b891884f-051e-4a83-95af-2544101c9083","User_2c6b3b41-1111-2222-3333-444455556666"\r\n')
    path = _write(tmp_path, "AadDisconnectors.csv", rows)
    assert file_kind(path) == "disconnectors"
    [obj] = read_server_files([path]).objects()
    assert (obj.connector, obj.joined, obj.anchor, obj.upn) == (ENTRA, False, ANCHOR, "old@contoso.com")


def test_a_gigabyte_json_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as out:
        out.write(b'{"DistinguishedName": "' + b"x" * 8192)
        out.truncate(1024 * 1024 * 1024)  # sparse: a gigabyte on disk costs nothing here
    with pytest.raises(BadServerFile, match="1024 MB JSON file"):
        read_server_files([path])


def test_only_an_export_holding_the_domains_containers_is_the_whole_connector_space(tmp_path):
    """csexport /f:x, /f:e or /f:d= holds the objects asked for, never the domain and OUs a
    whole connector space has: absence from it proves nothing."""
    filtered = read_server_files([_write(tmp_path, "pending.xml", CSEXPORT)])
    assert filtered.covering(AD_DN) is None
    whole = read_server_files([_write(tmp_path, "whole.xml", CSEXPORT.replace("<cs-objects>", f"<cs-objects>{DOMAIN}"))])
    covering = whole.covering(AD_DN)
    assert covering is not None and covering.origin.endswith("whole.xml")
    assert whole.covering("CN=Someone,DC=fabrikam,DC=com") is None  # another domain's space says nothing


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=len(CSEXPORT.encode("utf-8"))),
       flips=st.lists(st.tuples(st.integers(min_value=0, max_value=len(CSEXPORT) - 1), st.binary(min_size=1, max_size=3)),
                      max_size=4))
def test_any_damaged_csexport_is_read_in_part_or_refused_in_one_line(tmp_path, cut, flips):
    data = bytearray(CSEXPORT.encode("utf-8")[:cut])
    for at, junk in flips:
        data[at:at + len(junk)] = junk
    path = _write(tmp_path, "damaged.xml", bytes(data))
    try:
        index = read_server_files([path])
    except BadServerFile as refused:
        assert "\n" not in str(refused) and "damaged.xml" in str(refused)
    else:
        assert all(f.partial is None or "\n" not in f.partial for f in index.files)


def test_a_cs_objects_serialized_xml_adds_its_pending_export(tmp_path):
    """Get-ADSyncCSObject's SerializedXml is the object's own csexport XML: what the next
    export sends comes from there when the JSON's properties do not say."""
    one = CSEXPORT[CSEXPORT.index("<cs-object "):CSEXPORT.index("</cs-object>") + len("</cs-object>")]
    data = {"DistinguishedName": ENTRA_DN, "ConnectorId": "b891884f-051e-4a83-95af-2544101c9083",
            "ObjectType": "user", "ConnectedMVObjectId": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "SerializedXml": f"<cs-objects>{one}</cs-objects>"}
    [obj] = read_server_files([_write(tmp_path, "cs.json", json.dumps(data))]).objects()
    assert obj.pending is not None and obj.pending.operation == "update" and obj.joined
    assert obj.export_error is not None and obj.export_error.retry_count == 3


def test_the_server_files_header_lines_say_when_nothing_is_exported(tmp_path):
    import asyncio
    from datetime import datetime, timezone

    from syncdash.server.source import from_files

    path = _write(tmp_path, "scheduler.json", json.dumps({"SyncCycleEnabled": True, "StagingModeEnabled": True}))
    evidence = asyncio.run(from_files([path]).read(datetime.now(timezone.utc)))
    assert evidence.status.state.value == "read" and evidence.status.as_of is not None
    assert [note.level for note in evidence.notes] == ["error"] and "staging" in evidence.notes[0].text


@pytest.mark.parametrize("xml", [
    CSEXPORT.replace('encoding="UTF-8"', 'encoding="ATF-8"'),  # an encoding Python does not know
    CSEXPORT.replace('retry-count="3"', 'retry-count="²"'),  # a digit int() refuses
    CSEXPORT.replace('2026-11-28 10:00:00.000', '0001-01-01T00:00:00+05:00'),  # out of range in UTC
    CSEXPORT.replace('[{"Key":"ObjectIdInConflict"', "[" * 100_000 + '{"Key":"ObjectIdInConflict"'),  # too deep
], ids=["unknown-encoding", "unicode-digit", "year-one", "nested-details"])
def test_odd_values_are_read_or_refused_in_one_line_never_raised(tmp_path, xml):
    path = _write(tmp_path, "odd.xml", xml)
    try:
        index = read_server_files([path])
    except BadServerFile as refused:
        assert "odd.xml" in str(refused) and "\n" not in str(refused)
    else:
        assert index.files and all(f.partial is None or "\n" not in f.partial for f in index.files)


def test_a_broken_file_among_good_ones_is_named_and_the_others_read(tmp_path):
    good = _write(tmp_path, "a.xml", CSEXPORT)
    bad = _write(tmp_path, "b.xml", LAUGHS.replace("<!DOCTYPE", "<!-- -->\n<!DOCTYPE"))
    index = read_server_files([good, bad])
    assert index.count == 2
    [unread] = [f for f in index.files if f.count == 0]
    assert unread.partial is not None and "declares a DTD" in unread.partial


def test_a_bare_cs_object_in_serialized_xml_is_read(tmp_path):
    one = CSEXPORT[CSEXPORT.index("<cs-object "):CSEXPORT.index("</cs-object>") + len("</cs-object>")]
    data = {"DistinguishedName": ENTRA_DN, "ConnectorId": "b891884f-051e-4a83-95af-2544101c9083",
            "ConnectedMVObjectId": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "SerializedXml": one}
    [obj] = read_server_files([_write(tmp_path, "cs.json", json.dumps(data))]).objects()
    assert obj.pending is not None and obj.export_error is not None
    data["SerializedXml"] = '<?xml version="1.0" encoding="NOPE-8"?>' + one  # unreadable: the JSON still is
    [obj] = read_server_files([_write(tmp_path, "cs2.json", json.dumps(data))]).objects()
    assert obj.joined and obj.pending is None


def test_a_newer_export_clears_an_older_files_error_and_pending_export(tmp_path):
    old = _write(tmp_path, "old.xml", CSEXPORT)
    os.utime(old, (1_700_000_000, 1_700_000_000))
    clean = CSEXPORT[:CSEXPORT.index("<unapplied-export>")] + CSEXPORT[CSEXPORT.index("<synchronized-hologram>"):]
    clean = clean[:clean.index("<export-errordetail")] + clean[clean.index("<mv-link"):]
    index = read_server_files([_write(tmp_path, "new.xml", clean), old])  # named newest first: age decides
    entra = next(o for o in index.objects() if o.connector == ENTRA)
    assert entra.export_error is None and entra.pending is None
    assert not [e for e in index.export_errors() if e.stage == "export"]


def test_an_export_error_of_the_ad_connector_is_writebacks(tmp_path):
    writeback = CSEXPORT.replace('<import-errordetail first-occurred="2026-11-29 10:00:00.000"',
                                 '<export-errordetail first-occurred="2026-11-29 10:00:00.000"').replace(
        '</import-status>\n  </import-errordetail>', '</import-status>\n  </export-errordetail>')
    stages = {e.stage for e in read_server_files([_write(tmp_path, "w.xml", writeback)]).export_errors()}
    assert stages == {"export", "writeback"}


def test_an_escrowed_export_is_a_pending_export_in_progress(tmp_path):
    escrowed = CSEXPORT.replace("unapplied-export>", "escrowed-export>")
    entra = next(o for o in read_server_files([_write(tmp_path, "e.xml", escrowed)]).objects() if o.connector == ENTRA)
    assert entra.pending is not None and entra.pending.in_progress
    assert entra.pending.describe().startswith("update (exported, awaiting confirmation)")


def test_the_scheduler_file_of_the_collect_script_gives_the_last_run(tmp_path):
    data = {"SyncCycleEnabled": True, "StagingModeEnabled": False, "LastRunStartTimeInUTC": "2026-11-30T08:00:00Z",
            "LastRunProfile": "contoso.com Delta Import", "LastRunResult": "completed-export-errors"}
    found = read_server_files([_write(tmp_path, "s.json", json.dumps(data))]).scheduler
    assert found is not None and found.last_run is not None and found.last_run.hour == 8
    assert (found.last_run_name, found.last_result) == ("contoso.com Delta Import", "completed-export-errors")


def test_a_gigabyte_line_in_a_disconnector_csv_stops_the_read_there(tmp_path):
    path = tmp_path / "AadDisconnectors.csv"
    with path.open("wb") as out:
        out.write(b'"UserPrincipalName","Mail","SourceAnchor","DistinguishedName","CsObjectId","ObjectType",'
                  b'"ConnectorId","CloudAnchor"\r\n"' + b"x" * 8192)
        out.truncate(1024 * 1024 * 1024)
    [read] = read_server_files([path]).files
    assert read.partial is not None and "a line over 1024 KB" in read.partial


def test_an_object_moved_since_is_found_by_its_anchor_not_its_stale_dn(tmp_path):
    from syncdash.model import DirectoryObject, ObjectKind

    index = read_server_files([_write(tmp_path, "x.xml", CSEXPORT)])
    moved = DirectoryObject(id="11111111-2222-3333-4444-555555555555", kind=ObjectKind.USER, display_name="Jane Doe",
                            immutable_id="MBvPQAIsrU+T/BU5Ksuxyw==", sync_enabled=True,
                            distinguished_name="CN=Jane Doe,OU=Old,DC=contoso,DC=com")
    facts = index.facts(moved, None, "jane.doe@contoso.com")
    assert facts.ad is not None and facts.ad.dn == AD_DN and not facts.filtered_out


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=12)
_KEYS = st.sampled_from(["ExportError", "Attributes", "Lineage", "SerializedXml", "ConnectedMVObjectId", "ObjectType",
                         "ErrorExtraDetails", "StatusInfo", "ProvisioningSteps", "SourceIdentity", "StartTime",
                         "NextSyncCycleStartTimeInUTC", "CurrentlyEffectiveSyncCycleInterval", "IsConnector"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=st.sampled_from([{"DistinguishedName": ENTRA_DN, "ConnectorId": "x"}, {"SyncCycleEnabled": True},
                              {"ProvisioningSteps": [], "SourceIdentity": {"Name": AD_DN}}]),
       extra=st.dictionaries(_KEYS, _JSON, max_size=5))
def test_any_cmdlet_json_is_read_or_refused_in_one_line(tmp_path, shape, extra):
    path = _write(tmp_path, "cmdlet.json", json.dumps({**extra, **shape}))
    try:
        read_server_files([path])
    except BadServerFile as refused:
        assert "\n" not in str(refused) and "cmdlet.json" in str(refused)
