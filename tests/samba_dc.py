"""A real Active Directory domain controller on loopback (Samba, provisioned per test
session) for the live AD reader's tests: LDAPS and StartTLS with the fixture's own CA,
a least-privileged reader account, and seeded objects with known values.

How it is built, and why:

* ``samba-tool domain provision`` into a temporary directory (realm CONTOSO.LOCAL,
  ``--dns-backend=NONE``, bound to ``lo`` only), then ``server services`` trimmed to
  what a DC needs without winbindd (Debian's ``samba`` package has none).
* TLS: a CA and a server certificate for ``localhost`` and 127.0.0.1 (deliberately not
  ::1, where the DC listens too: the host-name mismatch test) made here with
  ``cryptography``; smb.conf's ``tls keyfile/certfile/cafile`` point at them, so tests
  verify the server exactly as syncdash does in production. A second CA that signed
  nothing is the "wrong organisation CA" for the verification-failure tests.
* Exchange attributes: Samba's schema (4.17) has ``proxyAddresses`` and
  ``mS-DS-ConsistencyGuid`` (both on ``top``) but not ``mailNickname`` or
  ``targetAddress``, which a real AD gets from Exchange's schema extension. The
  fixture adds them as Exchange does: attributeSchema entries with Exchange's
  attributeID, syntax, range and schemaIDGUID (ms-Exch-Mail-Nickname
  1.2.840.113556.1.2.447, ms-Exch-Target-Address 1.2.840.113556.1.2.352, both
  Unicode strings, single-valued), added to the mayContain of ``mailRecipient``,
  the auxiliary class of user, group and contact. Written with ``ldbadd``/``ldbmodify``
  on the offline sam.ldb with ``dsdb:schema update allowed=true``.
* Seeding: one offline ``ldbadd`` of an LDIF (the named objects, 2,500 filler users in
  one transaction, the reader account with its password) before the DC starts: a few
  tenths of a second, where 2,500 LDAP adds take much longer.
* Ports 389/636 are fixed, so only one DC can run per machine: a lock file serializes
  DCs across processes (two pytest runs), and within a process one DC is shared by
  every module that asks (``shared_dc``). Tests using it carry
  ``@pytest.mark.xdist_group("samba")`` so xdist sends them to one worker.
"""

from __future__ import annotations

import base64
import datetime
import fcntl
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

REALM = "CONTOSO.LOCAL"
DOMAIN = "CONTOSO"
BASE_DN = "DC=contoso,DC=local"
OU_DN = f"OU=Syncdash,{BASE_DN}"
FILLER_OU_DN = f"OU=Filler,{OU_DN}"
SCHEMA_DN = f"CN=Schema,CN=Configuration,{BASE_DN}"
ADMIN_PASSWORD = "Adm1n-Syncdash-Fixture!"
ADMIN_DN = f"CN=Administrator,CN=Users,{BASE_DN}"
READER_SAM = "syncdash-reader"
READER_DN = f"CN={READER_SAM},CN=Users,{BASE_DN}"
READER_UPN = f"{READER_SAM}@contoso.local"
READER_PASSWORD = "Read-0nly-Syncdash!"
LDAPS_URL = "ldaps://localhost"
LDAP_URL = "ldap://localhost"
#: The DC's own DNS name (``--host-name=dc1`` in the realm): its LDAP service principal
#: is ldap/DC_HOST_NAME, which no resolver here knows (/etc/hosts is left alone).
DC_HOST_NAME = "dc1.contoso.local"
FILLER_COUNT = 2500
#: Eve Anchor's mS-DS-ConsistencyGuid (stored as its bytes_le, as AD holds GUIDs).
EVE_GUID = uuid.UUID("6f9619ff-8b86-d011-b42d-00c04fc964ff")
LONG_LOCAL_PART = "d" * 65

#: userAccountControl: NORMAL_ACCOUNT | PASSWD_NOTREQD (enabled, no password set), and
#: NORMAL_ACCOUNT | ACCOUNTDISABLE.
ENABLED_NO_PASSWORD = 544
DISABLED = 514


@dataclass(frozen=True)
class Seeded:
    """One seeded object and the values a reader should find on it."""

    cn: str
    kind: str  # "user" | "group" | "contact", as syncdash.model.ObjectKind's values
    sam: str | None = None
    upn: str | None = None
    mail: str | None = None
    proxy_addresses: tuple[str, ...] = ()
    display_name: str | None = None
    given_name: str | None = None
    surname: str | None = None
    mail_nickname: str | None = None
    target_address: str | None = None
    user_account_control: int | None = None
    consistency_guid: uuid.UUID | None = None

    @property
    def dn(self) -> str:
        return f"CN={self.cn},{OU_DN}"


def _user(cn: str, sam: str, upn: str, **values: object) -> Seeded:
    values.setdefault("user_account_control", ENABLED_NO_PASSWORD)
    values.setdefault("display_name", cn)
    return Seeded(cn, "user", sam, upn, **values)  # type: ignore[arg-type]


ANN = _user("Ann Lee", "alee", "alee@contoso.com", mail="ann.lee@contoso.com", given_name="Ann", surname="Lee",
            proxy_addresses=("SMTP:ann.lee@contoso.com", "smtp:sales@contoso.com"))
BOB = _user("Bob Stone", "bstone", "bstone@contoso.com", mail="bob.stone@contoso.com",
            proxy_addresses=("SMTP:bob.stone@contoso.com", "smtp:sales@contoso.com"))
CARA = _user("Cara Diaz", "cdiaz", "cara diaz@contoso.com", mail="cara.diaz@contoso.com")
DAN = _user("Dan Long", "dlong", f"{LONG_LOCAL_PART}@contoso.com")
OLD = _user("Old Account", "oldacct", "old.account@contoso.com", user_account_control=DISABLED)
EVE = _user("Eve Anchor", "eanchor", "eve.anchor@contoso.com", consistency_guid=EVE_GUID)
ZOE = _user("Zoë Müller", "zmuller", "zoe.muller@contoso.com")
PARTNER = Seeded("Partner Contact", "contact", mail="partner@fabrikam.com", display_name="Partner Contact",
                 target_address="SMTP:partner@fabrikam.com", proxy_addresses=("SMTP:partner@fabrikam.com",))
SALES = Seeded("Sales Team", "group", sam="salesteam", mail="sales-team@contoso.com", mail_nickname="salesteam",
               proxy_addresses=("SMTP:sales-team@contoso.com",))
SEEDED = (ANN, BOB, CARA, DAN, OLD, EVE, ZOE, PARTNER, SALES)


def filler_upn(number: int) -> str:
    return f"filler{number:04d}@contoso.com"


@dataclass(frozen=True)
class SambaDC:
    """A running DC: where to reach it, how to sign in, which CA to trust."""

    directory: Path
    ca_file: str
    untrusted_ca_file: str
    ldaps_url: str = LDAPS_URL
    ldap_url: str = LDAP_URL
    base_dn: str = BASE_DN
    admin_user: str = ADMIN_DN
    admin_password: str = ADMIN_PASSWORD
    reader_user: str = READER_UPN
    reader_dn: str = READER_DN
    reader_password: str = READER_PASSWORD
    #: Seconds from ``samba-tool domain provision`` to LDAPS answering.
    startup_seconds: float = 0.0
    seeded: tuple[Seeded, ...] = field(default=SEEDED)
    realm: str = REALM
    host_name: str = DC_HOST_NAME

    @property
    def sam_ldb(self) -> Path:
        """The DC's own database, which ``ldbsearch`` exports as LDIF."""
        return self.directory / "dc" / "private" / "sam.ldb"


# -- TLS --------------------------------------------------------------------------------

def _write_certificates(tls: Path) -> tuple[Path, Path, Path, Path]:
    """(ca.pem, key.pem, cert.pem, untrusted-ca.pem)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Syncdash tests"),
                          x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def authority(common: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (x509.CertificateBuilder().subject_name(name(common)).issuer_name(name(common))
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=7))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        return key, cert

    ca_key, ca_cert = authority("Syncdash test CA")
    _, untrusted_cert = authority("Some other organisation's CA")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    server = (x509.CertificateBuilder().subject_name(name("localhost")).issuer_name(ca_cert.subject)
              .public_key(key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=7))
              .add_extension(x509.SubjectAlternativeName([
                  x509.DNSName("localhost"), x509.DNSName("dc1.contoso.local"),
                  x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                  critical=False)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True)
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
              .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
              .sign(ca_key, hashes.SHA256()))
    tls.mkdir(mode=0o700)
    paths = (tls / "ca.pem", tls / "key.pem", tls / "cert.pem", tls / "untrusted-ca.pem")
    paths[0].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    paths[1].chmod(0o600)  # Samba refuses a key file others can read
    paths[2].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[3].write_bytes(untrusted_cert.public_bytes(serialization.Encoding.PEM))
    return paths


# -- LDIF -------------------------------------------------------------------------------

def _line(name: str, value: str | bytes) -> str:
    """RFC 2849: base64 (``::``) for anything that is not a plain ASCII SAFE-STRING."""
    if isinstance(value, str):
        if value.isascii() and value.isprintable() and value == value.strip() and not value.startswith((":", "<")):
            return f"{name}: {value}"
        value = value.encode("utf-8")
    return f"{name}:: {base64.b64encode(value).decode('ascii')}"


def _record(dn: str, attributes: list[tuple[str, str | bytes]]) -> str:
    return "\n".join([_line("dn", dn), *(_line(name, value) for name, value in attributes)]) + "\n\n"


def _seeded_record(item: Seeded) -> str:
    classes = {"user": "user", "group": "group", "contact": "contact"}[item.kind]
    attributes: list[tuple[str, str | bytes]] = [("objectClass", classes)]
    for name, value in (("sAMAccountName", item.sam), ("userPrincipalName", item.upn), ("mail", item.mail),
                        ("displayName", item.display_name), ("givenName", item.given_name), ("sn", item.surname),
                        ("mailNickname", item.mail_nickname), ("targetAddress", item.target_address)):
        if value is not None:
            attributes.append((name, value))
    attributes += [("proxyAddresses", address) for address in item.proxy_addresses]
    if item.user_account_control is not None:
        attributes.append(("userAccountControl", str(item.user_account_control)))
    if item.consistency_guid is not None:
        attributes.append(("mS-DS-ConsistencyGuid", item.consistency_guid.bytes_le))
    return _record(item.dn, attributes)


_SCHEMA_LDIF = f"""\
dn: CN=ms-Exch-Mail-Nickname,{SCHEMA_DN}
objectClass: top
objectClass: attributeSchema
cn: ms-Exch-Mail-Nickname
attributeID: 1.2.840.113556.1.2.447
attributeSyntax: 2.5.5.12
oMSyntax: 64
isSingleValued: TRUE
rangeLower: 1
rangeUpper: 64
searchFlags: 5
lDAPDisplayName: mailNickname
schemaIDGUID: bf9679b3-0de6-11d0-a285-00aa003049e2
attributeSecurityGUID: e48d0154-bcf8-11d1-8702-00c04fb96050
isMemberOfPartialAttributeSet: TRUE
showInAdvancedViewOnly: TRUE

dn: CN=ms-Exch-Target-Address,{SCHEMA_DN}
objectClass: top
objectClass: attributeSchema
cn: ms-Exch-Target-Address
attributeID: 1.2.840.113556.1.2.352
attributeSyntax: 2.5.5.12
oMSyntax: 64
isSingleValued: TRUE
rangeLower: 1
rangeUpper: 1123
searchFlags: 1
lDAPDisplayName: targetAddress
schemaIDGUID: f0f8ff9f-1191-11d0-a060-00aa006c33ed
attributeSecurityGUID: e48d0154-bcf8-11d1-8702-00c04fb96050
isMemberOfPartialAttributeSet: TRUE
showInAdvancedViewOnly: TRUE
"""

_SCHEMA_MODIFY_LDIF = f"""\
dn: CN=Mail-Recipient,{SCHEMA_DN}
changetype: modify
add: mayContain
mayContain: mailNickname
mayContain: targetAddress
"""

#: The LDAP service principals a DC registers for itself (Samba's dnsupdate service does it
#: from private/spn_update_list; that service does not run here): Kerberos clients ask the
#: KDC for a ticket to ldap/dc1.contoso.local, which without them it does not know.
_SPN_LDIF = f"""\
dn: CN=DC1,OU=Domain Controllers,{BASE_DN}
changetype: modify
add: servicePrincipalName
servicePrincipalName: ldap/{DC_HOST_NAME}
servicePrincipalName: ldap/{DC_HOST_NAME}/{REALM.lower()}
servicePrincipalName: ldap/{DC_HOST_NAME}/{DOMAIN}
servicePrincipalName: ldap/DC1
"""


def _seed_ldif() -> str:
    parts = [
        _record(OU_DN, [("objectClass", "organizationalUnit")]),
        _record(FILLER_OU_DN, [("objectClass", "organizationalUnit")]),
        *(_seeded_record(item) for item in SEEDED),
        # A normal domain user: Domain Users can read every attribute syncdash asks for.
        _record(READER_DN, [("objectClass", "user"), ("sAMAccountName", READER_SAM), ("userPrincipalName", READER_UPN),
                            ("userAccountControl", "512"),  # enabled, with a password (AD's quoted UTF-16LE form)
                            ("unicodePwd", f'"{READER_PASSWORD}"'.encode("utf-16-le"))]),
    ]
    for number in range(1, FILLER_COUNT + 1):
        sam = f"filler{number:04d}"
        parts.append(_record(f"CN={sam},{FILLER_OU_DN}", [
            ("objectClass", "user"), ("sAMAccountName", sam), ("userPrincipalName", filler_upn(number)),
            ("userAccountControl", str(ENABLED_NO_PASSWORD))]))
    return "".join(parts)


# -- the DC -----------------------------------------------------------------------------

def _run(command: list[str], log: IO[str]) -> None:
    log.write(f"$ {' '.join(command)}\n")
    log.flush()
    done = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, timeout=300)
    if done.returncode:
        raise RuntimeError(f"{command[0]} exited {done.returncode}: see {log.name}")


def _configure(conf: Path, directory: Path, tls: tuple[Path, Path, Path, Path]) -> None:
    ca, key, cert, _ = tls
    lines = []
    for line in conf.read_text().splitlines():
        setting = line.strip().partition("=")[0].strip()
        if setting in ("server services", "log file"):
            continue
        lines.append(line)
        if line.strip() == "[global]":
            lines += [
                "\tserver services = rpc, ldap, cldap, kdc, drepl",
                f"\tlog file = {directory / 'log' / 'samba.log'}",
                f"\tpid directory = {directory / 'run'}",
                f"\tncalrpc dir = {directory / 'run' / 'ncalrpc'}",
                f"\twinbindd socket directory = {directory / 'run' / 'winbindd'}",
                "\ttls enabled = yes",
                f"\ttls keyfile = {key}",
                f"\ttls certfile = {cert}",
                f"\ttls cafile = {ca}",
                # As Windows AD does: a SASL (Kerberos) bind over TLS needs no SASL signing or
                # sealing of its own (AD even refuses them inside TLS). Samba before 4.20
                # requires them unless told this; simple binds still need TLS either way.
                "\tldap server require strong auth = allow_sasl_over_tls",
            ]
    conf.write_text("\n".join(lines) + "\n")
    for sub in ("log", "run"):
        (directory / sub).mkdir(exist_ok=True)


def connection(ca_file: str, user: str = READER_UPN, password: str = READER_PASSWORD) -> Any:
    """A bound ldap3 connection over verified LDAPS, independent of syncdash's reader
    (for the fixture's own checks and for tests that look at the DC behind its back)."""
    import ldap3

    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=ca_file)
    server = ldap3.Server("localhost", port=636, use_ssl=True, tls=tls, get_info=ldap3.NONE, connect_timeout=2)
    with warnings.catch_warnings():  # ldap3 checks the host name with ssl.match_hostname, deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        return ldap3.Connection(server, user, password, receive_timeout=5, raise_exceptions=True, auto_bind=True)


def _ldaps_answers(ca_file: str) -> bool:
    """The DC is up when a verified LDAPS simple bind as the reader succeeds."""
    from ldap3.core.exceptions import LDAPException

    try:
        connection(ca_file).unbind()
        return True
    except LDAPException:
        return False


def _port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the DC's process group (``samba`` forks a "samba: root process"), then
    SIGKILL if it has not gone within ten seconds."""
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            continue
        try:  # the leader is gone: any child left in the group still gets the signal
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        break


def _skip_unless_possible() -> None:
    missing = [tool for tool in ("samba", "samba-tool", "ldbadd", "ldbmodify") if shutil.which(tool) is None
               and not Path("/usr/sbin", tool).exists()]
    if missing:
        pytest.skip(f"a Samba AD DC needs {', '.join(missing)}: apt-get install samba ldb-tools")
    if os.geteuid() != 0:
        pytest.skip("a Samba AD DC must run as root (it binds ports 389 and 636)")


_PID_FILE = Path(tempfile.gettempdir()) / "syncdash-samba-dc.pid"


def _stop_stale_dc() -> None:
    """A DC left running by a run that was killed before its teardown (we hold the
    lock, so its owner is gone): recognised by its PID file and its program."""
    try:
        pid = int(_PID_FILE.read_text())
        program = os.readlink(f"/proc/{pid}/exe")  # its command line reads "samba: root process"
    except (OSError, ValueError):
        return
    if Path(program).name == "samba":
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    _PID_FILE.unlink(missing_ok=True)


@contextmanager
def _machine_lock(timeout: float = 900.0) -> Iterator[None]:
    """One DC per machine: another pytest run's DC holds 389/636 until it ends."""
    path = Path(tempfile.gettempdir()) / "syncdash-samba-dc.lock"
    with open(path, "a") as lock:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"another Samba DC on this machine held {path} for {timeout:.0f} s")
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def running_dc(directory: Path, startup_timeout: float = 120.0) -> Iterator[SambaDC]:
    """Provision, seed and start a DC in ``directory``; stop it on exit."""
    _skip_unless_possible()
    with _machine_lock():
        _stop_stale_dc()
        for port in (389, 636):
            if _port_in_use(port):
                pytest.fail(f"port {port} on 127.0.0.1 is in use by something else: a Samba DC needs it")
        started = time.monotonic()
        target = directory / "dc"
        tls = _write_certificates(directory / "tls")
        sam = str(target / "private" / "sam.ldb")
        schema_update = "--option=dsdb:schema update allowed=true"
        with open(directory / "setup.log", "w") as log:
            _run(["samba-tool", "domain", "provision", f"--targetdir={target}", f"--realm={REALM}",
                  f"--domain={DOMAIN}", "--server-role=dc", "--dns-backend=NONE", f"--adminpass={ADMIN_PASSWORD}",
                  "--use-rfc2307", "--option=interfaces=lo", "--option=bind interfaces only=yes",
                  "--host-name=dc1"], log)
            (directory / "schema.ldif").write_text(_SCHEMA_LDIF)
            (directory / "schema-modify.ldif").write_text(_SCHEMA_MODIFY_LDIF)
            (directory / "seed.ldif").write_text(_seed_ldif(), encoding="utf-8")
            _run(["ldbadd", "-H", sam, schema_update, str(directory / "schema.ldif")], log)
            _run(["ldbmodify", "-H", sam, schema_update, str(directory / "schema-modify.ldif")], log)
            _run(["ldbadd", "-H", sam, str(directory / "seed.ldif")], log)
            (directory / "spn.ldif").write_text(_SPN_LDIF)
            _run(["ldbmodify", "-H", sam, str(directory / "spn.ldif")], log)
        conf = target / "etc" / "smb.conf"
        _configure(conf, target, tls)
        samba = shutil.which("samba") or "/usr/sbin/samba"
        with open(directory / "samba.out", "wb") as out:
            process = subprocess.Popen([samba, "-i", "-M", "single", "-s", str(conf)], stdout=out,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        _PID_FILE.write_text(str(process.pid))
        try:
            deadline = time.monotonic() + startup_timeout
            while not _ldaps_answers(str(tls[0])):
                if process.poll() is not None:
                    pytest.fail(f"samba exited {process.returncode} before LDAPS answered:\n"
                                f"{_tail(directory / 'samba.out')}")
                if time.monotonic() > deadline:
                    pytest.fail(f"LDAPS did not answer within {startup_timeout:.0f} s:\n"
                                f"{_tail(directory / 'samba.out')}")
                time.sleep(0.2)
            yield SambaDC(directory, str(tls[0]), str(tls[3]), startup_seconds=time.monotonic() - started)
        finally:
            _stop(process)
            _PID_FILE.unlink(missing_ok=True)


# -- Kerberos (the DC's KDC on 127.0.0.1:88) -------------------------------------------

@dataclass(frozen=True)
class KerberosClient:
    """A krb5.conf naming the DC's KDC and a credential cache of its own, both in a
    temporary directory: set ``env`` (KRB5_CONFIG, KRB5CCNAME) and MIT Kerberos and
    GSSAPI use them instead of /etc/krb5.conf and the user's cache."""

    config: Path
    ccache: Path

    @property
    def env(self) -> dict[str, str]:
        return {"KRB5_CONFIG": str(self.config), "KRB5CCNAME": f"FILE:{self.ccache}"}


def kerberos_client(dc: SambaDC, directory: Path) -> KerberosClient:
    """A client of the DC's realm with an empty cache (no ticket until ``kinit``). The
    KDC is named by address (no DNS SRV records), and host names are taken as given
    (no forward or reverse canonicalization), so ldap/HOST is exactly the name asked."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "krb5.conf"
    config.write_text(f"""\
[libdefaults]
\tdefault_realm = {dc.realm}
\tdns_lookup_realm = false
\tdns_lookup_kdc = false
\tdns_canonicalize_hostname = false
\trdns = false
\tudp_preference_limit = 0

[realms]
\t{dc.realm} = {{
\t\tkdc = 127.0.0.1:88
\t}}

[domain_realm]
\t.{dc.realm.lower()} = {dc.realm}
\t{dc.realm.lower()} = {dc.realm}
""")
    return KerberosClient(config, directory / "ccache")


def kinit(client: KerberosClient, principal: str = f"{READER_SAM}@{REALM}", password: str = READER_PASSWORD,
          lifetime: str | None = None) -> None:
    """A ticket-granting ticket for ``principal`` in the client's cache (MIT ``kinit``
    reads the password from standard input when that is not a terminal); ``lifetime``
    as kinit's ``-l`` takes it ("5s")."""
    command = ["kinit", *(["-l", lifetime] if lifetime else []), principal]
    done = subprocess.run(command, input=f"{password}\n", capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, **client.env})
    if done.returncode:
        raise RuntimeError(f"kinit {principal} exited {done.returncode}: {(done.stderr or done.stdout).strip()}")


_shared: list[SambaDC] = []
_users: list[int] = [0]
_stack = ExitStack()


@contextmanager
def shared_dc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SambaDC]:
    """The process's one DC: started by the first session fixture that asks, stopped
    when the last one lets go (two modules' fixtures must not start two DCs)."""
    if not _shared:
        _shared.append(_stack.enter_context(running_dc(tmp_path_factory.mktemp("samba"))))
    _users[0] += 1
    try:
        yield _shared[0]
    finally:
        _users[0] -= 1
        if _users[0] == 0:
            _shared.clear()
            _stack.close()
