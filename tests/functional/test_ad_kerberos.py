"""Kerberos sign-in (SASL GSSAPI) to the live AD reader, against the Samba DC's own KDC:
the least-privileged reader's ticket from ``kinit``, no password handed to syncdash, TLS
verified all the same, and what an admin sees when the ticket or the DC's name is wrong.

Each test has its own krb5.conf (the KDC on 127.0.0.1) and credential cache in a
temporary directory, named by KRB5_CONFIG and KRB5CCNAME: /etc/krb5.conf and the
user's own cache are never read or written.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import samba_dc
from samba_dc import FILLER_COUNT, READER_SAM, REALM, SEEDED, KerberosClient, SambaDC, shared_dc

from syncdash.ad.live import LdapFailure, LdapTarget, read_directory

pytestmark = pytest.mark.xdist_group("samba")


_MISSING = ("the gssapi package: apt-get install libkrb5-dev, then pip install -e '.[kerberos]'"
            if importlib.util.find_spec("gssapi") is None
            else "kinit to get a ticket with: apt-get install krb5-user" if shutil.which("kinit") is None else None)
#: Skipped before the DC starts, with what to install.
needs_kerberos = pytest.mark.skipif(_MISSING is not None, reason=f"Kerberos binds need {_MISSING}")


@pytest.fixture(scope="session")
def dc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SambaDC]:
    with shared_dc(tmp_path_factory) as running:
        yield running


@pytest.fixture
def kerberos(dc: SambaDC, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KerberosClient:
    """This process uses the DC's realm and an empty cache of its own: no ticket yet."""
    client = samba_dc.kerberos_client(dc, tmp_path / "krb5")
    for name, value in client.env.items():
        monkeypatch.setenv(name, value)
    return client


@pytest.fixture
def ticket(kerberos: KerberosClient) -> KerberosClient:
    """The reader's ticket-granting ticket, as an admin gets it with ``kinit``."""
    samba_dc.kinit(kerberos)
    return kerberos


def _target(dc: SambaDC, **settings: Any) -> LdapTarget:
    """Kerberos over verified LDAPS; ldap/dc1.contoso.local is the DC's service principal,
    localhost (the URL's host) is not."""
    return replace(LdapTarget(dc.ldaps_url, (), kerberos=True, ca_file=dc.ca_file, kerberos_host=dc.host_name),
                   **settings)


def _fails(target: LdapTarget) -> str:
    with pytest.raises(LdapFailure) as raised:
        list(read_directory(target))
    return str(raised.value)


def _tickets(client: KerberosClient) -> str:
    return subprocess.run(["klist"], capture_output=True, text=True, timeout=30, env=client.env, check=True).stdout


def _one_line_without_gssapi_noise(message: str) -> None:
    assert "\n" not in message and "Traceback" not in message
    assert "Major (" not in message and "Minor (" not in message and "GSSError" not in message


@needs_kerberos
@pytest.mark.parametrize("how", ["ldaps", "starttls"])
def test_the_readers_ticket_reads_the_whole_domain_without_a_password(dc: SambaDC, ticket: KerberosClient,
                                                                      how: str) -> None:
    target = _target(dc) if how == "ldaps" else _target(dc, url=dc.ldap_url, start_tls=True)
    assert target.user is None and target.password is None
    pages: list[int] = []
    entries = list(read_directory(target, pages))
    dns = {dn for dn, _ in entries}
    assert len(entries) >= FILLER_COUNT + len(SEEDED)
    assert {seeded.dn for seeded in SEEDED} <= dns
    assert len(pages) >= 3  # paged at 1,000 as with a simple bind
    # Signed in by Kerberos, as the reader: its cache now holds a ticket for the DC's LDAP service.
    tickets = _tickets(ticket)
    assert f"Default principal: {READER_SAM}@{REALM}" in tickets
    assert f"ldap/{dc.host_name}@{REALM}" in tickets


@needs_kerberos
def test_kerberos_still_verifies_the_dcs_certificate(dc: SambaDC, ticket: KerberosClient) -> None:
    message = _fails(_target(dc, ca_file=dc.untrusted_ca_file))
    assert "could not be verified" in message and "ca_file" in message
    assert f"ldap/{dc.host_name}" not in _tickets(ticket)  # refused before any ticket was used


@needs_kerberos
def test_no_ticket_says_run_kinit(dc: SambaDC, kerberos: KerberosClient) -> None:
    message = _fails(_target(dc))
    assert message.startswith("Kerberos sign-in to ldaps://localhost:636 failed: there is no Kerberos ticket")
    assert "kinit" in message
    assert str(kerberos.ccache) in message  # the cache that was looked in
    _one_line_without_gssapi_noise(message)


@needs_kerberos
def test_an_expired_ticket_says_kinit_again(dc: SambaDC, kerberos: KerberosClient) -> None:
    samba_dc.kinit(kerberos, lifetime="5s")
    deadline = time.monotonic() + 60
    while subprocess.run(["klist", "-s"], env=kerberos.env, timeout=30).returncode == 0:  # until it has expired
        assert time.monotonic() < deadline, "the 5-second ticket never expired"
        time.sleep(0.5)
    message = _fails(_target(dc))
    assert "expired" in message and "kinit again" in message
    _one_line_without_gssapi_noise(message)


@needs_kerberos
@pytest.mark.parametrize("host", [None, "dc2.contoso.local"])
def test_a_name_the_kdc_does_not_know_says_set_kerberos_host(dc: SambaDC, ticket: KerberosClient,
                                                            host: str | None) -> None:
    """By default the service is ldap/<the URL's host>: localhost is not the DC's name."""
    message = _fails(_target(dc, kerberos_host=host))
    asked = host or "localhost"
    assert message.startswith("Kerberos sign-in to ldaps://localhost:636 failed: "
                              f"the KDC knows no service ldap/{asked} (Server not found in Kerberos database)")
    assert "kerberos_host" in message and "servicePrincipalName" in message
    _one_line_without_gssapi_noise(message)


@pytest.fixture
def no_gssapi(monkeypatch: pytest.MonkeyPatch) -> None:
    """This host as one without gssapi (nor winkerberos), whether it has it or not."""
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *rest: None if name in ("gssapi", "winkerberos") else real(name, *rest))


def test_without_gssapi_the_refusal_says_what_to_install(no_gssapi: None) -> None:
    """Where gssapi is installed (CI) this is the only way to see what a host without it shows."""
    with pytest.raises(LdapFailure, match="pip install gssapi") as raised:
        read_directory(LdapTarget("ldaps://localhost", (), kerberos=True))  # refused on the call, before connecting
    assert "\n" not in str(raised.value)


@needs_kerberos
def test_audit_signs_in_with_the_admins_ticket_from_the_command_line(dc: SambaDC, ticket: KerberosClient,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """``syncdash audit --ad-url … --ad-kerberos --ad-kerberos-host …``: no user, no
    password, the whole domain audited."""
    import json

    from syncdash.cli import main

    code = main(["audit", "--ad-url", dc.ldaps_url, "--ad-kerberos", "--ad-kerberos-host", dc.host_name,
                 "--ad-ca-file", dc.ca_file, "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1 and result["summary"]["objectsRead"] >= FILLER_COUNT + len(SEEDED)
