"""The live AD reader against a real Samba AD DC on loopback: what an admin pointing
syncdash at their DC would see, including every way that can go wrong."""

from __future__ import annotations

import base64
import math
import socket
import traceback
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import ldap3
import pytest
import samba_dc
from samba_dc import (
    BASE_DN, DOMAIN, EVE, EVE_GUID, FILLER_COUNT, OLD, OU_DN, READER_SAM, SEEDED, ZOE, SambaDC, filler_upn,
    shared_dc,
)

from syncdash.ad.live import LdapFailure, LdapTarget, read_directory
from syncdash.model import ObjectKind
from syncdash.onprem import ADObject, RawEntry, ad_object

pytestmark = pytest.mark.xdist_group("samba")


@pytest.fixture(scope="session")
def dc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SambaDC]:
    with shared_dc(tmp_path_factory) as running:
        yield running


@pytest.fixture
def target(dc: SambaDC) -> LdapTarget:
    """The least-privileged reader over verified LDAPS, the whole domain."""
    return LdapTarget(dc.ldaps_url, (), dc.reader_user, dc.reader_password, ca_file=dc.ca_file)


@pytest.fixture(scope="session")
def whole_domain(dc: SambaDC) -> tuple[list[RawEntry], list[int]]:
    pages: list[int] = []
    target = LdapTarget(dc.ldaps_url, (), dc.reader_user, dc.reader_password, ca_file=dc.ca_file)
    return list(read_directory(target, pages)), pages


def _objects(entries: list[RawEntry]) -> dict[str, ADObject]:
    found = {}
    for entry in entries:
        read = ad_object(entry, "ldaps://localhost")
        assert read is not None, entry[0]
        found[read.distinguished_name] = read
    return found


def _fails(target: LdapTarget) -> LdapFailure:
    with pytest.raises(LdapFailure) as raised:
        list(read_directory(target))
    return raised.value


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_every_seeded_object_reads_back_with_its_values(whole_domain: tuple[list[RawEntry], list[int]]) -> None:
    objects = _objects(whole_domain[0])
    for seeded in SEEDED:
        read = objects[seeded.dn]
        assert read.kind == ObjectKind(seeded.kind), seeded.cn
        assert read.upn == seeded.upn, seeded.cn
        assert read.mail == seeded.mail, seeded.cn
        assert sorted(read.proxy_addresses) == sorted(seeded.proxy_addresses), seeded.cn
        assert read.sam_account_name == seeded.sam, seeded.cn
        assert read.display_name == seeded.display_name, seeded.cn
        assert read.mail_nickname == seeded.mail_nickname, seeded.cn
        assert read.target_address == seeded.target_address, seeded.cn
        assert read.object_guid is not None, seeded.cn
        assert read.disabled == (seeded is OLD), seeded.cn
        if seeded.kind != "contact":
            assert read.object_sid is not None and read.object_sid.startswith("S-1-5-21-"), seeded.cn
        assert read.when_changed is not None, seeded.cn
    # Bob's secondary address duplicates Ann's: both come through as AD holds them.
    assert "smtp:sales@contoso.com" in objects[SEEDED[0].dn].proxy_addresses
    assert "smtp:sales@contoso.com" in objects[SEEDED[1].dn].proxy_addresses
    assert (objects[SEEDED[0].dn].given_name, objects[SEEDED[0].dn].surname) == ("Ann", "Lee")


def test_the_consistency_guid_is_the_source_anchor(whole_domain: tuple[list[RawEntry], list[int]]) -> None:
    objects = _objects(whole_domain[0])
    eve = objects[EVE.dn]
    assert eve.consistency_guid == str(EVE_GUID)
    assert eve.source_anchor == base64.b64encode(EVE_GUID.bytes_le).decode("ascii")
    raw = dict(whole_domain[0])[EVE.dn]
    assert raw["mS-DS-ConsistencyGuid"] == [EVE_GUID.bytes_le]  # raw bytes, as AD holds them
    ann = objects[SEEDED[0].dn]  # no consistency GUID: the anchor is objectGUID's
    assert ann.consistency_guid is None and ann.source_anchor is not None


def test_non_ascii_names_come_through(whole_domain: tuple[list[RawEntry], list[int]]) -> None:
    zoe = _objects(whole_domain[0])[ZOE.dn]
    assert zoe.distinguished_name == "CN=Zoë Müller,OU=Syncdash,DC=contoso,DC=local"
    assert zoe.display_name == zoe.name == "Zoë Müller"


def test_users_groups_and_contacts_only_never_computers(dc: SambaDC,
                                                       whole_domain: tuple[list[RawEntry], list[int]]) -> None:
    with samba_dc.connection(dc.ca_file) as behind_its_back:  # the DC's account exists, and is a user too
        behind_its_back.search(BASE_DN, "(&(objectClass=user)(objectClass=computer))", attributes=["cn"])
        computers = [entry["dn"] for entry in behind_its_back.response if entry["type"] == "searchResEntry"]
    assert f"CN=DC1,OU=Domain Controllers,{BASE_DN}" in computers
    entries = whole_domain[0]
    classes = {value.lower() for _, attributes in entries for value in attributes["objectClass"]}
    assert b"computer" not in classes
    dns = [dn for dn, _ in entries]
    assert not [dn for dn in dns if dn.upper().startswith("CN=DC1,")]  # the DC's own computer account
    assert all(dn.lower().endswith(BASE_DN.lower()) for dn in dns)  # the Configuration referral not followed
    objects = _objects(entries)
    upns = {read.upn for read in objects.values()}
    assert {filler_upn(number) for number in range(1, FILLER_COUNT + 1)} <= upns
    assert f"{READER_SAM}@contoso.local" in upns
    assert any(read.kind is ObjectKind.GROUP and read.sam_account_name == "Domain Users" for read in objects.values())


def test_pages_of_at_most_page_size_one_request_each(whole_domain: tuple[list[RawEntry], list[int]]) -> None:
    entries, pages = whole_domain
    assert len(entries) >= len(SEEDED) + FILLER_COUNT
    assert sum(pages) == len(entries)
    assert len(pages) >= 3
    assert all(count <= 1000 for count in pages)
    assert pages[:-1] == [1000] * (len(pages) - 1)
    assert len(pages) == math.ceil(len(entries) / 1000)


def test_a_small_page_size_is_honoured(dc: SambaDC, target: LdapTarget) -> None:
    pages: list[int] = []
    entries = list(read_directory(replace(target, base_dns=(OU_DN,), page_size=4), pages))
    assert len(entries) == len(SEEDED) + FILLER_COUNT
    assert max(pages) == 4 and len(pages) >= math.ceil(len(entries) / 4)


def test_empty_base_dns_read_the_default_naming_context(dc: SambaDC, target: LdapTarget,
                                                        whole_domain: tuple[list[RawEntry], list[int]]) -> None:
    explicit = list(read_directory(replace(target, base_dns=(dc.base_dn,))))
    assert {dn for dn, _ in explicit} == {dn for dn, _ in whole_domain[0]}


def test_several_base_dns_are_read_in_turn(dc: SambaDC, target: LdapTarget) -> None:
    pages: list[int] = []
    entries = list(read_directory(replace(target, base_dns=(EVE.dn, ZOE.dn)), pages))
    assert [dn for dn, _ in entries] == [EVE.dn, ZOE.dn]
    assert pages == [1, 1]


@pytest.mark.parametrize("user", ["upn", "dn", "down-level"])
def test_the_reader_signs_in_by_any_name_admins_use(dc: SambaDC, target: LdapTarget, user: str) -> None:
    name = {"upn": dc.reader_user, "dn": dc.reader_dn, "down-level": f"{DOMAIN}\\{READER_SAM}"}[user]
    entries = list(read_directory(replace(target, user=name, base_dns=(EVE.dn,))))
    assert [dn for dn, _ in entries] == [EVE.dn]


def test_start_tls_on_port_389(dc: SambaDC, target: LdapTarget) -> None:
    entries = list(read_directory(replace(target, url=dc.ldap_url, start_tls=True, base_dns=(OU_DN,))))
    assert len(entries) == len(SEEDED) + FILLER_COUNT


def test_reading_writes_nothing(dc: SambaDC, target: LdapTarget) -> None:
    def highest_usn() -> str:
        with samba_dc.connection(dc.ca_file) as connection:
            connection.search("", "(objectClass=*)", ldap3.BASE, attributes=["highestCommittedUSN"])
            return str(connection.response[0]["raw_attributes"]["highestCommittedUSN"][0])

    list(read_directory(replace(target, base_dns=(EVE.dn,))))  # a first sign-in may record the logon
    before = highest_usn()
    assert len(list(read_directory(target))) > FILLER_COUNT
    assert highest_usn() == before


def test_plain_ldap_is_refused_before_connecting() -> None:
    target = LdapTarget("ldap://127.0.0.1", (), "someone@contoso.local", "a password")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        with pytest.raises(LdapFailure) as raised:
            read_directory(replace(target, url=f"ldap://127.0.0.1:{port}"))  # refused on the call itself
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody knocked
    message = str(raised.value)
    assert "TLS" in message and "allow_plain" in message and "start_tls" in message


def test_plain_ldap_with_the_opt_in_reaches_the_dc_which_wants_tls(dc: SambaDC, target: LdapTarget) -> None:
    failure = _fails(replace(target, url=dc.ldap_url, allow_plain=True))
    assert "strongerAuthRequired" in str(failure)


def test_a_wrong_password_names_the_credentials_never_the_password(target: LdapTarget) -> None:
    wrong = "Wr0ng-but-Secret-Passw0rd"
    failure = _fails(replace(target, password=wrong))
    message = str(failure)
    assert "credentials" in message and "invalidCredentials" in message
    assert target.user is not None and target.user in message
    everything = "".join(traceback.format_exception(failure)) + repr(failure) + repr(replace(target, password=wrong))
    assert wrong not in everything
    assert "\n" not in message


def test_an_untrusted_certificate_says_so_and_points_at_ca_file(dc: SambaDC, target: LdapTarget) -> None:
    message = str(_fails(replace(target, ca_file=dc.untrusted_ca_file)))
    assert "certificate" in message and "ca_file" in message
    assert dc.untrusted_ca_file in message


def test_the_system_trust_store_does_not_trust_the_test_ca(target: LdapTarget) -> None:
    message = str(_fails(replace(target, ca_file=None)))
    assert "certificate" in message and "ca_file" in message


def test_a_certificate_for_another_name_is_refused(target: LdapTarget) -> None:
    """The server's certificate names localhost and 127.0.0.1, not ::1: ldap3 alone
    would not check the name at all."""
    message = str(_fails(replace(target, url="ldaps://[::1]")))
    if "cannot connect" in message:
        pytest.skip(f"no IPv6 loopback here: {message}")
    assert "certificate" in message and "::1" in message and "ca_file" in message


def test_a_missing_ca_file_is_named(target: LdapTarget) -> None:
    message = str(_fails(replace(target, ca_file="/nonexistent/ca.pem")))
    assert "ca_file" in message and "/nonexistent/ca.pem" in message


def test_a_missing_base_dn_is_named(target: LdapTarget) -> None:
    missing = f"OU=Nowhere,{BASE_DN}"
    message = str(_fails(replace(target, base_dns=(missing,))))
    assert missing in message and "noSuchObject" in message


def test_a_closed_port_fails_to_connect(target: LdapTarget) -> None:
    message = str(_fails(replace(target, url=f"ldaps://127.0.0.1:{_closed_port()}")))
    assert message.startswith("cannot connect to ldaps://127.0.0.1:")


def test_a_server_that_never_answers_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connected, then silence (a hung DC, a firewall that swallows TLS): the wait is
    bounded by the receive timeout, here shortened to a second."""
    import syncdash.ad.live as live

    monkeypatch.setattr(live, "RECEIVE_TIMEOUT", 1)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the kernel completes the connection; nobody ever speaks
        url = f"ldaps://127.0.0.1:{silent.getsockname()[1]}"
        message = str(_fails(LdapTarget(url, (), "someone@contoso.local", "a password")))
    assert message.startswith(f"cannot connect to {url}") and "timed out" in message


def test_audit_reads_the_live_dc_and_names_every_holder(dc: SambaDC, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """What an admin runs against their DC: the least-privileged reader, verified LDAPS,
    the password from the environment, the whole domain audited."""
    import json

    from samba_dc import ANN, BOB, CARA, DAN

    from syncdash.cli import main

    monkeypatch.setenv("SYNCDASH_AD_PASSWORD", dc.reader_password)
    code = main(["audit", "--ad-url", dc.ldaps_url, "--ad-user", dc.reader_user, "--ad-ca-file", dc.ca_file,
                 "--format", "json"])
    out = capsys.readouterr().out
    result = json.loads(out)
    assert code == 1 and dc.reader_password not in out
    assert result["sources"][0] == {"name": "ad", "origin": dc.ldaps_url, "state": "read",
                                    "objects": result["summary"]["objectsRead"]}
    assert result["summary"]["objectsRead"] >= FILLER_COUNT + len(SEEDED)
    by_dn = {o["distinguishedName"]: o for o in result["objects"]}
    for holder, other in ((ANN, BOB), (BOB, ANN)):
        shared = [f for f in by_dn[holder.dn]["findings"] if f["code"] == "duplicate-in-ad"]
        assert [(f["value"].lower(), [r["distinguishedName"] for r in f["related"]]) for f in shared] == [
            ("smtp:sales@contoso.com", [other.dn])]
    assert "invalid-characters" in {f["code"] for f in by_dn[CARA.dn]["findings"]}
    assert "value-too-long" in {f["code"] for f in by_dn[DAN.dn]["findings"]}


def test_an_ldif_made_by_the_dc_reads_as_the_live_directory_does(dc: SambaDC, target: LdapTarget,
                                                                  tmp_path: Path) -> None:
    """ldbsearch's LDIF of the seeded OU (the server's own writer: base64 GUIDs and SIDs,
    folded lines, non-ASCII names) gives the objects the live read gives."""
    import shutil
    import subprocess

    from syncdash.ad.exports import read_export
    from syncdash.onprem import AD_ATTRIBUTES

    if shutil.which("ldbsearch") is None:
        pytest.skip("ldbsearch is not installed (.ci/run installs ldb-tools)")
    export = tmp_path / "seeded.ldif"
    with export.open("wb") as out:
        subprocess.run(["ldbsearch", "-H", str(dc.sam_ldb), "-b", OU_DN,
                        "(|(objectClass=user)(objectClass=group)(objectClass=contact))", *AD_ATTRIBUTES],
                       stdout=out, check=True, timeout=60)
    exported = _objects([entry for entry in read_export(export) if "OU=Filler" not in entry[0]])
    live = _objects([entry for entry in read_directory(replace(target, base_dns=(OU_DN,)))
                     if "OU=Filler" not in entry[0]])
    assert set(exported) == set(live) and len(live) == len(SEEDED)
    for dn, obj in live.items():
        assert replace(exported[dn], origin=obj.origin) == obj


async def test_a_profiles_ad_table_reads_the_live_dc_as_evidence(dc: SambaDC, monkeypatch: pytest.MonkeyPatch) -> None:
    """``[profiles.NAME.ad] url/user/ca_file``: the dashboard's and report's AD source,
    the password from the environment (never the file)."""
    import argparse
    from datetime import datetime, timezone

    from syncdash.cli_audit import ad_evidence
    from syncdash.config import ADSettings, Profile
    from syncdash.model import SourceState

    monkeypatch.setenv("SYNCDASH_AD_PASSWORD", dc.reader_password)
    profile = Profile("contoso", ad=ADSettings(url=(dc.ldaps_url,), user=dc.reader_user, ca_file=Path(dc.ca_file)))
    args = argparse.Namespace(ad_export=[], ad_url=None)
    build = ad_evidence(args, profile)
    assert build is not None
    evidence = await build().read(datetime.now(timezone.utc))
    assert evidence.status.state is SourceState.READ and evidence.directory is not None
    assert evidence.directory.count >= FILLER_COUNT + len(SEEDED)
    assert evidence.status.detail == f"{dc.ldaps_url}: {evidence.directory.count} objects"
    assert dc.reader_password not in repr(evidence.status)
