"""Read on-premises AD live over LDAP (ldap3), for the same audit an ldifde export feeds.

Read-only by construction (a ``read_only`` connection that only searches). TLS is always
verified, chain and host name, because a simple bind sends the password; clear text
needs an explicit opt-in. Every failure an admin can meet becomes one ``LdapFailure``
line saying what to change: never a traceback, never the password.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import ldap3
from ldap3.core import exceptions as ldap_errors

from syncdash.onprem import AD_ATTRIBUTES, AD_FILTER, DirectoryUnreadable, RawEntry

log = logging.getLogger(__name__)

#: An unreachable DC fails within this many seconds, not after the OS's minutes.
CONNECT_TIMEOUT = 10.0
#: One page of 1,000 entries comes back in well under a second from a healthy DC.
RECEIVE_TIMEOUT = 120  # an int: ldap3 packs it into SO_RCVTIMEO
_PAGED_RESULTS = "1.2.840.113556.1.4.319"
_PORTS = {"ldaps": 636, "ldap": 389}


@dataclass(frozen=True)
class LdapTarget:
    """Where and how to read AD.

    A global catalog (ports 3268/3269) answers for every domain of the forest, but
    only with the attributes in the partial attribute set: mS-DS-ConsistencyGuid is
    not in it by default (nor proxyAddresses without Exchange), so read a DC of each
    domain when source anchors matter. With ``global_catalog`` and no base DN the
    search starts at the root of the forest (base ``""``).

    ``kerberos`` signs in with the host's ticket (``kinit``; SASL GSSAPI, over verified TLS
    still) for ldap/``kerberos_host``: the DC's DNS name as in its servicePrincipalName; the
    URL's host by default (set it when the URL is an IP address, an alias or a tunnel)."""

    url: str
    base_dns: tuple[str, ...]
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    start_tls: bool = False
    allow_plain: bool = False
    kerberos: bool = False
    kerberos_host: str | None = None
    page_size: int = 1000
    global_catalog: bool = False


class LdapFailure(DirectoryUnreadable):
    """one-line, admin-readable reason (never a traceback, never the password)"""


class _VerifyingTls(ldap3.Tls):
    """ldap3's own Tls turns the context's host-name check off, checks afterwards with
    ``ssl.match_hostname`` (removed in Python 3.12) and sends no SNI; this one wraps the
    socket with a context that verifies chain and name during the handshake."""

    def __init__(self, context: ssl.SSLContext, host: str) -> None:
        super().__init__(validate=ssl.CERT_REQUIRED)
        self._context = context
        self._host = host

    def wrap_socket(self, connection: Any, do_handshake: bool = False) -> None:
        connection.socket = self._context.wrap_socket(connection.socket, server_side=False,
                                                      server_hostname=self._host)


@dataclass(frozen=True)
class _Endpoint:
    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def _endpoint(url: str) -> _Endpoint:
    """The URL's parts; its text is never echoed whole (it could carry user:password@)."""
    try:
        parts = urlsplit(url.strip())
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError as error:
        raise LdapFailure(f"the LDAP URL is not valid ({error})") from None
    if scheme not in _PORTS:
        raise LdapFailure(f"the LDAP URL must start with ldaps:// or ldap://, not {scheme or 'nothing'}")
    if parts.username or parts.password:
        raise LdapFailure("put the user name in the user setting, not in the LDAP URL")
    if not host:
        raise LdapFailure("the LDAP URL names no server")
    if parts.path not in ("", "/") or parts.query:
        raise LdapFailure("the LDAP URL takes a server only: give the base DN separately")
    return _Endpoint(scheme, host, port or _PORTS[scheme])


def _tls_context(target: LdapTarget) -> ssl.SSLContext:
    """Verifies chain and host name (the default context's settings, stated, not assumed)."""
    try:
        context = ssl.create_default_context(cafile=target.ca_file)
    except OSError as error:  # a missing file, or one that holds no PEM certificate (SSLError)
        raise LdapFailure(f"cannot read ca_file {target.ca_file}: {error.strerror or error}") from None
    context.check_hostname, context.verify_mode = True, ssl.CERT_REQUIRED
    return context


def _refuse_before_connecting(target: LdapTarget, endpoint: _Endpoint) -> None:
    if endpoint.scheme == "ldap" and not (target.start_tls or target.allow_plain):
        raise LdapFailure(f"refusing {endpoint} without TLS: the password and every attribute would cross the "
                          "network in clear; use ldaps://, or start_tls, or allow_plain to accept that")
    if endpoint.scheme == "ldaps" and target.start_tls:
        raise LdapFailure("start_tls is for ldap:// URLs: ldaps:// is encrypted already")
    if target.page_size < 1:
        raise LdapFailure(f"page_size must be at least 1, not {target.page_size}")
    if target.kerberos:
        if not any(importlib.util.find_spec(name) for name in ("gssapi", "winkerberos")):
            raise LdapFailure("Kerberos sign-in needs the optional gssapi package: pip install gssapi "
                              "(it builds on the system's Kerberos libraries)")
    elif not target.user:
        raise LdapFailure("no user to sign in with: give a user and password, or use Kerberos")
    elif not target.password:
        raise LdapFailure(f"no password for {target.user}")


def _reason(error: BaseException) -> str:
    """ldap3 merges the socket's exception into its own class: ask that, not the text."""
    if isinstance(error, TimeoutError):
        return "no answer (timed out)"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (nothing listens on that port)"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return " ".join(str(error).split()) or type(error).__name__


#: Server answers an admin can act on: (exception, what to say). {who} signs in, {base} was searched.
_ANSWERS: tuple[tuple[type[Exception], str], ...] = (
    (ldap_errors.LDAPInvalidCredentialsResult, "{endpoint} rejected the credentials of {who} (invalidCredentials): "
     "check the user name (user@domain, DOMAIN\\user or a DN) and the password"),
    (ldap_errors.LDAPStrongerAuthRequiredResult, "{endpoint} requires an encrypted connection "
     "(strongerAuthRequired): use ldaps:// or start_tls"),
    (ldap_errors.LDAPNoSuchObjectResult, "the base DN {base!r} does not exist on {endpoint} (noSuchObject)"),
    (ldap_errors.LDAPInsufficientAccessRightsResult, "{who} may not read {base!r} on {endpoint} "
     "(insufficientAccessRights)"),
    (ldap_errors.LDAPSizeLimitExceededResult, "{endpoint} stopped the search at its size limit "
     "(sizeLimitExceeded): lower page_size to the DC's MaxPageSize (1000 by default)"),
    (ldap_errors.LDAPAdminLimitExceededResult, "{endpoint} stopped the search at an administrative limit "
     "(adminLimitExceeded): lower page_size, or search smaller base DNs (one OU each)"),
    (ldap_errors.LDAPTimeLimitExceededResult, "{endpoint} stopped the search at its time limit "
     "(timeLimitExceeded): search smaller base DNs (one OU each) or a less busy DC"),
)


def _explain(error: Exception, target: LdapTarget, endpoint: _Endpoint, base: str | None) -> str:
    if isinstance(error, (ssl.SSLCertVerificationError, ldap_errors.LDAPCertificateError)) \
            or "CERTIFICATE_VERIFY_FAILED" in str(error):
        found = re.search(r"certificate verify failed: ([^(]+)", str(error))
        detail = getattr(error, "verify_message", None) or (found.group(1).strip() if found else "rejected")
        trust = f"the ca_file {target.ca_file}" if target.ca_file else "the system's trust store"
        return (f"the certificate of {endpoint} could not be verified ({detail}): {trust} does not vouch for it; "
                "set ca_file to the PEM file of the CA that issued the DC's certificate")
    who = "the Kerberos ticket" if target.kerberos else target.user
    for kind, answer in _ANSWERS:
        if isinstance(error, kind):
            return answer.format(endpoint=endpoint, who=who, base=base)
    if isinstance(error, ldap_errors.LDAPOperationResult):
        return f"{endpoint} refused: {error.description} ({(error.message or '').strip() or 'no detail'})"
    if isinstance(error, ldap_errors.LDAPSocketOpenError):
        if "invalid server address" in str(error):  # ldap3's words for a name that does not resolve
            return f"cannot connect to {endpoint}: the name {endpoint.host} does not resolve"
        return f"cannot connect to {endpoint}: {_reason(error)}"
    if isinstance(error, ldap_errors.LDAPStartTLSError):
        return f"StartTLS with {endpoint} failed: {_reason(error)}"
    if isinstance(error, ldap_errors.LDAPCommunicationError):
        return f"the connection to {endpoint} broke: {_reason(error)}"
    return f"{endpoint}: {type(error).__name__}: {_reason(error)}"


_KERBEROS_HINTS = (  # GSSAPI's words (lower case) that need a hint; the others say enough ("Clock skew too great")
    (("missingcredentials", "no kerberos credentials", "no credentials cache"), "there is no Kerberos ticket "
     "({detail}): run kinit as the account that reads AD first (KRB5CCNAME names its cache)"),
    (("expired",), "the Kerberos ticket has expired ({detail}): run kinit again"),
    (("not found in kerberos database",), "the KDC knows no service ldap/{host} ({detail}): set kerberos_host to "
     "the DC's own DNS name, as in its servicePrincipalName"),
)


def _kerberos_failure(error: BaseException | None, target: LdapTarget, endpoint: _Endpoint) -> str | None:
    while error is not None and type(error).__module__.partition(".")[0] not in ("gssapi", "winkerberos"):
        error = error.__context__
    if error is None:
        return None
    text = " ".join(str(error).split())
    detail = text.rpartition("Minor (")[2].partition("): ")[2].strip() or text  # the mechanism's own words
    said, host = f"{type(error).__name__} {text}".lower(), target.kerberos_host or endpoint.host
    hint = next((hint for words, hint in _KERBEROS_HINTS if any(word in said for word in words)), "{detail}")
    return f"Kerberos sign-in to {endpoint} failed: " + hint.format(detail=detail, host=host)


def _connect(target: LdapTarget, endpoint: _Endpoint, context: ssl.SSLContext | None) -> Any:
    tls = _VerifyingTls(context, endpoint.host) if context is not None else None
    server = ldap3.Server(endpoint.host, port=endpoint.port, use_ssl=endpoint.scheme == "ldaps", tls=tls,
                          get_info=ldap3.NONE, connect_timeout=CONNECT_TIMEOUT)
    if target.kerberos:
        sign_in: dict[str, Any] = {"authentication": ldap3.SASL, "sasl_mechanism": ldap3.KERBEROS,
                                   "sasl_credentials": (target.kerberos_host or endpoint.host,)}
    else:
        sign_in = {"authentication": ldap3.SIMPLE, "user": target.user, "password": target.password}
    connection = ldap3.Connection(server, auto_bind=ldap3.AUTO_BIND_NONE, read_only=True, auto_referrals=False,
                                  raise_exceptions=True, receive_timeout=RECEIVE_TIMEOUT,
                                  return_empty_attributes=False, **sign_in)
    connection.open()
    if target.start_tls:
        connection.start_tls()
    try:
        bound = connection.bind()
    except Exception as error:  # GSSAPI's (gssapi's, winkerberos's) error, or the DC's answer to ldap3's abort after it
        if not target.kerberos or (failure := _kerberos_failure(error, target, endpoint)) is None:
            raise
        raise LdapFailure(failure) from None
    if not bound:
        raise ldap_errors.LDAPBindError(connection.result.get("description", "bind failed"))
    return connection


def _base_dns(connection: Any, target: LdapTarget) -> tuple[str, ...]:
    if target.base_dns:
        return target.base_dns
    if target.global_catalog:
        return ("",)
    connection.search("", "(objectClass=*)", ldap3.BASE, attributes=["defaultNamingContext"])
    found = [value for entry in connection.response or []
             for value in entry.get("raw_attributes", {}).get("defaultNamingContext", [])]
    if not found:
        raise LdapFailure(f"{connection.server.host} names no defaultNamingContext in its RootDSE: give the base DN")
    return (found[0].decode("utf-8"),)


def _pages(connection: Any, base: str, target: LdapTarget, endpoint: _Endpoint) -> Iterator[list[RawEntry]]:
    """One search request per page, the next sent only after this page is handed on."""
    cookie: bytes | None = None
    while True:
        connection.search(base, AD_FILTER, ldap3.SUBTREE, attributes=list(AD_ATTRIBUTES),
                          paged_size=target.page_size, paged_cookie=cookie, paged_criticality=True)
        if connection.result.get("result") == 10:  # referral: the base DN is another domain's
            where = ", ".join(connection.result.get("referrals") or []) or "another server"
            raise LdapFailure(f"{endpoint} does not hold {base!r}: it refers to {where}; point the URL at a DC "
                              "of that domain, or at a global catalog")
        yield [(entry["dn"], {name: list(values) for name, values in entry["raw_attributes"].items() if values})
               for entry in connection.response or [] if entry.get("type") == "searchResEntry"]
        control = (connection.result.get("controls") or {}).get(_PAGED_RESULTS) or {}
        cookie = (control.get("value") or {}).get("cookie")
        if not cookie:
            return


def read_directory(target: LdapTarget, pages: list[int] | None = None) -> Iterator[RawEntry]:
    """Every user, group and contact under each base DN (``AD_FILTER``, ``AD_ATTRIBUTES``),
    raw, as ``(dn, {attribute: [bytes, ...]})``: one paged request in flight at a time, so
    a directory of any size streams in ``page_size`` steps, as AD's MaxPageSize expects.
    ``pages`` gets each page's entry count (the requests made).

    Settings that cannot work (a clear-text URL without the opt-in, no credentials, an
    unreadable ca_file) raise ``LdapFailure`` on this call, before any connection; what
    the network or the DC refuses raises it while iterating."""
    endpoint = _endpoint(target.url)
    _refuse_before_connecting(target, endpoint)
    context = _tls_context(target) if endpoint.scheme == "ldaps" or target.start_tls else None
    log.info("reading AD from %s as %s", endpoint, "Kerberos" if target.kerberos else target.user)
    return _read(target, endpoint, context, pages)


def _read(target: LdapTarget, endpoint: _Endpoint, context: ssl.SSLContext | None,
          pages: list[int] | None) -> Iterator[RawEntry]:
    connection: Any = None
    base: str | None = None
    try:
        connection = _connect(target, endpoint, context)
        for base in _base_dns(connection, target):
            for page in _pages(connection, base, target, endpoint):
                if pages is not None:
                    pages.append(len(page))
                yield from page
    except (ldap_errors.LDAPException, OSError, ValueError) as error:  # OSError: one ldap3 let through as is
        message = " ".join(_explain(error, target, endpoint, base).split())
        if target.password:  # belt and braces: no server's or library's words carry it out
            message = message.replace(target.password, "********")
        raise LdapFailure(message) from None
    finally:
        if connection is not None:
            with contextlib.suppress(ldap_errors.LDAPException, OSError):
                connection.unbind()
