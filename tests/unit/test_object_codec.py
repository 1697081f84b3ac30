"""The cached error list round-trips every field of every object, and a planted or
damaged entry is refused, never half-believed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

import pytest

from syncdash.model import (
    ConflictProperty,
    DirectoryObject,
    ObjectKind,
    ProvisioningError,
    ServiceError,
    ServiceErrorKind,
)
from syncdash.object_codec import BadObject, decode_object, encode_object
from syncdash.store_codec import UnreadableEntry, decode, encode

WHEN = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
FULL = DirectoryObject(
    id="1", kind=ObjectKind.GROUP, display_name="Ann \x1b[31m", user_principal_name=None, mail="a@contoso.com",
    mail_nickname="a", proxy_addresses=("SMTP:a@contoso.com", "smtp:b@contoso.com"), account_enabled=None,
    sync_enabled=False, last_sync=WHEN, immutable_id="abc==", distinguished_name="CN=A", sam_account_name="a",
    security_identifier="S-1", on_premises_upn="a@contoso.com", on_premises_domain="contoso", on_premises_netbios="C",
    provisioning_errors=(ProvisioningError("PropertyConflict", ConflictProperty.PROXY_ADDRESS, "ProxyAddresses",
                                           "smtp:b@contoso.com", WHEN),),
    service_errors=(ServiceError("exchange/X", None, False, "<x/>", "used", ("EmailAddresses",),
                                 ServiceErrorKind.DUPLICATE_VALUE, "smtp:b@contoso.com"),),
    deleted=WHEN,
)


def test_every_field_survives_a_round_trip_through_json():
    assert decode_object(json.loads(json.dumps(encode_object(FULL)))) == FULL
    assert decode(json.loads(json.dumps(encode((FULL, FULL))))) == (FULL, FULL)


@pytest.mark.parametrize("damage", [
    lambda a: a[:-1],                      # a field missing
    lambda a: [7, *a[1:]],                 # an id that is not text
    lambda a: [*a[:1], "printer", *a[2:]],  # an unknown kind
    lambda a: [*a[:6], "SMTP:x", *a[7:]],   # proxy addresses not a list
    lambda a: [*a[:9], "yesterday", *a[10:]],  # a date that is not one
    lambda a: [*a[:17], [["PropertyConflict", "Nickname", "x", "y", None]], *a[18:]],  # unknown property
])
def test_a_damaged_array_is_refused(damage):
    with pytest.raises(BadObject):
        decode_object(damage(encode_object(FULL)))
    with pytest.raises(UnreadableEntry):
        decode({"$": "O", "v": damage(encode_object(FULL))})


MIRROR_LIKE = {"@t": "Mirror", "kinds": [
    {"kind": "user", "link": "https://graph/delta?$deltatoken=x", "linked_at": 1.5,
     "raw": {str(i): {"id": str(i), "displayName": f"王小明 \"{i}\"\n", "hash": hashlib.sha256(str(i).encode()).hexdigest(), "proxyAddresses": [f"SMTP:{i}@c.com"],
                      "onPremisesSyncEnabled": i % 2 == 0, "n": None, "x": {}, "y": []} for i in range(2_000)}},
    {"kind": "group", "link": "", "linked_at": 0, "raw": {}},
]}


@pytest.mark.parametrize("value", [MIRROR_LIKE, {1: "a", "b": [[], {}, [1, 2.5, True, None]]}, [], "", 0, None],
                         ids=["mirror", "odd-keys", "empty-list", "empty-string", "zero", "null"])
def test_the_cache_gives_back_what_it_stored(tmp_path, value):
    """Large values are written in parts (so that no thread holds the others for the
    whole encoding); what comes back is what plain JSON would have given."""
    import diskcache

    from syncdash.store_codec import JSONDisk

    with diskcache.Cache(str(tmp_path), disk=JSONDisk) as cache:
        cache.set("key", value)
        assert cache.get("key") == json.loads(json.dumps(value))
