"""Graph JSON into the model: the shapes Microsoft's own samples show, and bad data."""

from __future__ import annotations

from datetime import timezone

import pytest

from syncdash.graph.parse import directory_object, timestamp
from syncdash.graph.xml_detail import read_error_detail
from syncdash.model import ConflictProperty, ObjectKind


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2017-01-01T00:01:31.6341616+03:00", "2016-12-31T21:01:31.634161+00:00"),
        ("2020-01-31T17:45:18.00", "2020-01-31T17:45:18+00:00"),  # docs sample: no zone
        ("2026-11-24T10:15:03Z", "2026-11-24T10:15:03+00:00"),
    ],
)
def test_timestamps_become_aware_utc(raw, iso):
    moment = timestamp(raw)
    assert moment.tzinfo is timezone.utc and moment.isoformat() == iso


@pytest.mark.parametrize("raw", [None, "", "yesterday", 12, "9999-99-99T00:00:00Z"])
def test_unreadable_timestamps_are_none(raw):
    assert timestamp(raw) is None


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [("ProxyAddress", ConflictProperty.PROXY_ADDRESS), ("ProxyAddresses", ConflictProperty.PROXY_ADDRESS),
     ("userprincipalname", ConflictProperty.USER_PRINCIPAL_NAME), ("SipProxyAddress", ConflictProperty.OTHER)],
)
def test_property_spellings_are_normalised(spelling, expected):
    raw = {"id": "1", "onPremisesProvisioningErrors": [
        {"@odata.type": "#microsoft.graph.onPremisesProvisioningError", "category": "PropertyConflict",
         "propertyCausingError": spelling, "value": "SMTP:a@b.c"}]}
    error = directory_object(raw, ObjectKind.USER).provisioning_errors[0]
    assert error.property is expected and error.property_raw == spelling and error.value == "SMTP:a@b.c"


def test_wrong_types_are_tolerated_not_fatal():
    raw = {"id": "1", "displayName": None, "proxyAddresses": "smtp:a@b.c", "onPremisesSyncEnabled": "yes",
           "onPremisesProvisioningErrors": [None, 3, {"value": 5}], "serviceProvisioningErrors": {}}
    obj = directory_object(raw, ObjectKind.GROUP)
    assert obj.display_name == "" and obj.proxy_addresses == () and obj.sync_enabled is None
    assert [(e.category, e.value) for e in obj.provisioning_errors] == [("Unreadable", "3"), ("", "")]
    assert obj.has_errors  # a malformed error entry is still an error, shown with what could be read
    assert obj.service_errors == ()


def test_an_error_list_that_is_not_a_list_is_shown_not_dropped():
    obj = directory_object({"id": "1", "serviceProvisioningErrors": "Exchange: mailbox on hold"}, ObjectKind.USER)
    assert obj.has_errors
    assert obj.service_errors[0].service_instance == "Unreadable"
    assert obj.service_errors[0].detail_xml == '"Exchange: mailbox on hold"'


def test_resolved_service_errors_do_not_put_an_object_on_the_list():
    raw = {"id": "1", "serviceProvisioningErrors": [
        {"createdDateTime": "2020-01-31T17:45:18.00", "isResolved": True, "serviceInstance": "exchange/x", "errorDetail": ""}]}
    assert not directory_object(raw, ObjectKind.USER).has_errors


def test_service_error_summary_reads_exchange_error_records():
    xml = ('<ServiceInstance Name="exchange/NAMPRD09"><ObjectErrors><ErrorRecord><ErrorCode>ExA77C31</ErrorCode>'
           "<ErrorParameters><ErrorParameter>EmailAddresses</ErrorParameter></ErrorParameters>"
           "<ErrorDescription>The value is used by another\n   recipient object.</ErrorDescription>"
           "</ErrorRecord></ObjectErrors></ServiceInstance>")
    assert read_error_detail(xml)[0] == "ExA77C31: The value is used by another recipient object."
    raw = {"id": "1", "serviceProvisioningErrors": [
        {"createdDateTime": "2026-01-31T17:45:18Z", "isResolved": False, "serviceInstance": "exchange/NAMPRD09", "errorDetail": xml}]}
    assert directory_object(raw, ObjectKind.USER).service_errors[0].parameters == ("EmailAddresses",)


@pytest.mark.parametrize(
    "xml",
    [
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        "<x><unclosed></x>",
    ],
)
def test_hostile_or_broken_xml_is_never_expanded(xml):
    summary, _ = read_error_detail(xml)
    assert summary.startswith("unreadable error detail")
    assert "root:" not in summary and "aaaa" not in summary
