"""The audit's rules (IdFix's successor), on on-premises objects built as the readers
build them, and the tenant side through the same index the report uses."""

from __future__ import annotations

import base64
import uuid

from syncdash.diagnose.audit import Audit, CloudSide
from syncdash.graph.index import DirectoryIndex
from syncdash.model import DirectoryObject, ObjectKind
from syncdash.onprem import ADObject

GUID_A, GUID_B = "6f9619ff-8b86-d011-b42d-00c04fc964ff", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"


def user(name: str, upn: str, *proxies: str, **extra) -> ADObject:  # type: ignore[no-untyped-def]
    extra.setdefault("sam_account_name", name.lower().replace(" ", "")[:20])
    return ADObject(f"CN={name},OU=Users,DC=contoso,DC=com", ObjectKind.USER, "test.ldf", upn=upn,
                    display_name=name, proxy_addresses=tuple(proxies), **extra)


def audited(*objects: ADObject, cloud: CloudSide | None = None) -> dict[str, list]:  # type: ignore[type-arg]
    audit = Audit(cloud)
    for obj in objects:
        audit.add(obj)
    return {a.holder.name: list(a.findings) for a in audit.results()}


def test_every_holder_of_a_duplicate_is_named_not_just_one_side():
    found = audited(user("Ann Lee", "ann@contoso.com", "SMTP:ann@contoso.com", "smtp:sales@contoso.com"),
                    user("Bob Stone", "bob@contoso.com", "smtp:SALES@contoso.com"),
                    ADObject("CN=Sales,OU=Groups,DC=contoso,DC=com", ObjectKind.GROUP, "test.ldf",
                             display_name="Sales", mail="sales@contoso.com"))
    assert set(found) == {"Ann Lee", "Bob Stone", "Sales"}
    for name, findings in found.items():
        (dup,) = [f for f in findings if f.code == "duplicate-in-ad"]
        others = {r.display_name for r in dup.related}
        assert others == {"Ann Lee", "Bob Stone", "Sales"} - {name}
        assert all(r.source == "ad" and r.distinguished_name for r in dup.related)
    assert found["Ann Lee"][0].powershell == ("Set-ADUser -Identity 'CN=Ann Lee,OU=Users,DC=contoso,DC=com' "
                                              "-Server 'contoso.com' -Remove @{proxyAddresses='smtp:sales@contoso.com'}")
    assert found["Bob Stone"][0].powershell.endswith("@{proxyAddresses='smtp:SALES@contoso.com'}")  # as Bob holds it
    assert found["Sales"][0].attribute == "mail"


def test_an_objects_own_repeats_are_not_duplicates_and_nicknames_only_warn():
    found = audited(user("Ann Lee", "ann@contoso.com", "SMTP:ann@contoso.com", mail="ANN@contoso.com",
                         mail_nickname="ann"),
                    user("Ann Long", "ann.long@contoso.com", mail_nickname="Ann"))
    assert [(f.code, f.severity.value, f.attribute) for f in found["Ann Lee"]] == [
        ("duplicate-in-ad", "warning", "mailNickname")]


def test_idfix_value_rules_on_ad_attributes_with_a_fix_to_review():
    found = audited(user("Cara Diaz", "cara diaz@contoso.com"), user("Dan Long", "d" * 65 + "@contoso.com"),
                    user("Eve Tooling", "eve@contoso.com", sam_account_name="eve.tooling.account.x"),
                    user("Fay Smtp", "fay@contoso.com", "smtp:fay@@contoso.com"))
    codes = {name: {(f.code, f.attribute) for f in findings} for name, findings in found.items()}
    assert ("invalid-characters", "userPrincipalName") in codes["Cara Diaz"]
    assert ("value-too-long", "userPrincipalName") in codes["Dan Long"]
    assert ("value-too-long", "sAMAccountName") in codes["Eve Tooling"]
    assert ("invalid-format", "proxyAddresses") in codes["Fay Smtp"]
    upn = next(f for f in found["Cara Diaz"] if f.code == "invalid-characters")
    assert upn.powershell == ("Set-ADUser -Identity 'CN=Cara Diaz,OU=Users,DC=contoso,DC=com' -Server 'contoso.com' "
                              "-Replace @{userPrincipalName='<new userPrincipalName>'}")


def _anchor(guid: str) -> str:
    return base64.b64encode(uuid.UUID(guid).bytes_le).decode()


def _cloud(*objects: DirectoryObject, verified: tuple[str, ...] = ("contoso.com",)) -> CloudSide:
    index = DirectoryIndex(objects)
    return CloudSide(index.holders, index.anchored, verified, "contoso.onmicrosoft.com")


def test_a_value_a_different_cloud_object_holds_will_conflict_but_the_own_copy_never_does():
    own = DirectoryObject("c1", ObjectKind.USER, "Ann Lee", user_principal_name="ann@contoso.com",
                          proxy_addresses=("SMTP:ann@contoso.com",), sync_enabled=True, immutable_id=_anchor(GUID_A))
    other = DirectoryObject("c2", ObjectKind.USER, "Desk", user_principal_name="desk@contoso.com",
                            proxy_addresses=("SMTP:desk@contoso.com", "smtp:help@contoso.com"), sync_enabled=True,
                            immutable_id=_anchor(GUID_B))
    sid_group = DirectoryObject("c3", ObjectKind.GROUP, "Sales", mail="sales@contoso.com",
                                proxy_addresses=("SMTP:sales@contoso.com",), sync_enabled=True,
                                security_identifier="S-1-5-21-1-2-3-1105")
    cloud = _cloud(own, other, sid_group)
    found = audited(user("Ann Lee", "ann@contoso.com", "SMTP:ann@contoso.com", "smtp:help@contoso.com",
                         object_guid=GUID_A),
                    ADObject("CN=Sales,OU=Groups,DC=contoso,DC=com", ObjectKind.GROUP, "t", display_name="Sales",
                             mail="sales@contoso.com", object_sid="S-1-5-21-1-2-3-1105"),
                    cloud=cloud)
    assert list(found) == ["Ann Lee"]  # the group's own copy is recognised by its SID
    (conflict,) = found["Ann Lee"]
    assert conflict.code == "will-conflict-in-cloud" and conflict.value == "smtp:help@contoso.com"
    assert [(r.id, r.source) for r in conflict.related] == [("c2", "graph")]


def test_a_cloud_only_holder_of_an_unsynced_users_upn_is_a_soft_match_warning():
    cloud_only = DirectoryObject("c9", ObjectKind.USER, "Sam Rivera", user_principal_name="sam@contoso.com",
                                 proxy_addresses=("SMTP:sam@contoso.com",))
    found = audited(user("Sam Rivera", "sam@contoso.com", object_guid=GUID_A), cloud=_cloud(cloud_only))
    (soft,) = found["Sam Rivera"]
    assert soft.code == "will-conflict-in-cloud" and soft.severity.value == "warning" and "soft-match" in soft.message


def test_an_unverified_upn_suffix_is_found_only_with_the_tenant():
    lab = user("Lab Admin", "labadmin@contoso.local")
    assert audited(lab) == {}
    found = audited(lab, cloud=_cloud())
    assert [f.code for f in found["Lab Admin"]] == ["unverified-upn-domain"]
    assert "contoso.onmicrosoft.com" in found["Lab Admin"][0].message


def test_any_character_in_a_value_is_audited_and_an_object_read_twice_is_not_its_own_duplicate():
    """AD values may hold control characters (the audit's own separators among them); an
    overlapping base DN or one export given twice reads an object twice."""
    odd = user("Odd\x00Name", "odd@contoso.com", "smtp:shared\x01x@contoso.com", object_guid=GUID_A)
    other = user("Other", "other@contoso.com", "smtp:SHARED\x01X@contoso.com", object_guid=GUID_B)
    found = audited(odd, odd, other)
    assert set(found) == {"Odd\x00Name", "Other"}  # read back whole, each once
    (dup,) = [f for f in found["Odd\x00Name"] if f.code == "duplicate-in-ad"]
    assert dup.value == "smtp:shared\x01x@contoso.com" and [r.display_name for r in dup.related] == ["Other"]


def test_too_many_addresses_suggests_no_command():
    many = user("Info Desk", "info@contoso.com", *(f"smtp:a{i}@contoso.com" for i in range(301)))
    (finding,) = [f for f in audited(many)["Info Desk"] if f.code == "too-many-proxy-addresses"]
    assert finding.powershell is None
