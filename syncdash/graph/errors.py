"""Graph failures as exceptions whose message tells an administrator what to do.

Every message is made safe here, at construction: it quotes whatever answered at the Graph
URL (an error's code and message, a Retry-After, an OS or TLS error's text), and the CLI
prints it, the dashboard notifies it. A hostile answer must not be able to forge a line,
set the window title or blank the screen through any of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Protocol

from syncdash.graph.retry_after import MAX_HOLD, parse_retry_after
from syncdash.sanitize import safe_line, safe_text

if TYPE_CHECKING:
    import httpx

#: Longest quoted part of Graph's answer (its error message, code): one line on a screen.
DETAIL_LIMIT = 300

#: What a 403 on each resource most likely lacks (least privilege, read only).
REQUIRED_PERMISSION = {
    "users": "User.Read.All",
    "groups": "Group.Read.All",
    "contacts": "OrgContact.Read.All (delegated: and a directory role, e.g. Directory Readers, for the signed-in user)",
    "organization": "Organization.Read.All",
    "domains": "Domain.Read.All",
    "onPremisesSynchronization": (
        "OnPremDirectorySynchronization.Read.All, delegated, signed in as a Global Administrator"
    ),
    "deletedItems/microsoft.graph.user": "User.Read.All",
    "deletedItems/microsoft.graph.group": "Group.Read.All",
}


class ClientConfigError(ValueError):
    """The client cannot be built as asked (e.g. no credential for a remote URL)."""


class GraphError(Exception):
    """Base of every Graph failure; ``str()`` is the one line shown to the admin, made
    safe here so that no caller (CLI, dashboard, log) has to remember to."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(safe_text(message))
        self.status = status
        self.code = safe_line(code, DETAIL_LIMIT) if code else None


class TenantUnreachable(GraphError):
    """No HTTP answer at all: DNS, TLS, timeout or a dropped connection."""


#: Network faults, told apart by the text the OS and ssl module give them, each with the
#: admin's next step (the jump host's resolver, its proxy, a TLS-inspecting proxy's CA).
_NETWORK_FAULTS = (
    (("CERTIFICATE_VERIFY_FAILED", "SSL", "TLS"),
     "TLS failed: the certificate is not trusted (behind a TLS-inspecting proxy, point SSL_CERT_FILE at its CA)"),
    (("Name or service not known", "Temporary failure in name resolution", "nodename nor servname", "getaddrinfo"),
     "DNS lookup failed (check the host's resolver, or set HTTPS_PROXY)"),
    (("Connection refused", "All connection attempts failed", "Network is unreachable", "No route to host"),
     "the connection was refused or has no route (firewall or proxy: set HTTPS_PROXY)"),
)


def unreachable(exc: Exception, resource: str) -> TenantUnreachable:
    """A transport fault as the one line the admin reads."""
    import httpx

    text = str(exc)
    if isinstance(exc, httpx.TimeoutException):
        reason = "no answer in time (a slow link, or a proxy holding the connection)"
    else:  # the OS's or a proxy's words: quoted, never trusted
        reason = next((why for marks, why in _NETWORK_FAULTS if any(mark in text for mark in marks)),
                      f"the connection failed ({type(exc).__name__}: {safe_line(text, DETAIL_LIMIT) or 'no detail'})")
    return TenantUnreachable(f"Graph {safe_line(resource)}: tenant not reachable: {reason}")


class AuthenticationFailed(GraphError):
    """401: the token is missing, expired or revoked."""


class PermissionDenied(GraphError):
    """403: the signed-in identity may not read this resource."""


class Throttled(GraphError):
    """429 that outlasted every retry."""

    def __init__(self, message: str, *, retry_after: float | None):
        super().__init__(message, status=429, code="TooManyRequests")
        self.retry_after = retry_after


class UnsupportedQuery(GraphError):
    """400 Request_UnsupportedQuery: this tenant's Graph will not run that filter."""


class NotFound(GraphError):
    """404: no such object."""


class BadResponse(GraphError):
    """Graph answered, but not with the JSON it documents."""


#: Answers that say a part (one kind, one endpoint) is not available to this identity or
#: in this tenant: that part becomes unknown. Anything else (network, 5xx, broken JSON,
#: 401) fails the whole read, so that a dashboard keeps its last good state.
PART_UNAVAILABLE = (400, 403, 404)


def part_unavailable(exc: GraphError) -> bool:
    """Whether ``exc`` blanks only the part it came from (see PART_UNAVAILABLE)."""
    return exc.status in PART_UNAVAILABLE and not isinstance(exc, (AuthenticationFailed, Throttled))


class Answer(Protocol):
    """What raise_for_response reads of an answer: an httpx.Response, or one item of a
    ``$batch`` answer dressed as one."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def json(self) -> Any: ...


def _graph_error(response: Answer) -> tuple[str | None, str]:
    """Graph's ``{"error": {"code", "message"}}``, tolerating bodies that are not JSON,
    each part one safe, bounded line (whoever answered wrote them)."""
    try:
        error = response.json().get("error") or {}
        code, message = error.get("code"), error.get("message")
    except (ValueError, AttributeError):
        return None, ""
    code = safe_line(code, DETAIL_LIMIT) if isinstance(code, str) and code else None
    return code, safe_line(message if message else "", DETAIL_LIMIT).strip()


def raise_for_response(response: Answer, resource: str) -> None:
    """Turn a non-2xx Graph answer about ``resource`` into the matching GraphError."""
    status = response.status_code
    if status < 400:
        return
    code, detail = _graph_error(response)
    where = f"Graph {safe_line(resource)}"
    if status == 401:
        raise AuthenticationFailed(
            f"{where}: not signed in or the sign-in expired; sign in again", status=401, code=code
        )
    if status == 403:
        permission = REQUIRED_PERMISSION.get(resource, "a read permission for it")
        raise PermissionDenied(
            f"{where}: access denied; the app needs {permission}", status=403, code=code
        )
    if status == 404:
        raise NotFound(f"{where}: not found", status=404, code=code)
    if status == 429:
        wait = parse_retry_after(response.headers.get("retry-after"))  # a number, or None
        hint = f"try again in {wait:g} s" if wait is not None else "try again in a minute"
        if wait is not None and wait > MAX_HOLD:  # an outage: say until when, never sit it out
            until = datetime.now(timezone.utc) + timedelta(seconds=min(wait, 10 * 365 * 86400))
            hint = f"it asks to wait until {until:%Y-%m-%d %H:%M} UTC (an outage?); try again later"
        raise Throttled(f"{where}: Graph is throttling this app; {hint}", retry_after=wait)
    if status == 400 and code == "Request_UnsupportedQuery":
        raise UnsupportedQuery(f"{where}: query not supported here ({detail})", status=400, code=code)
    suffix = f": {detail}" if detail else ""
    raise GraphError(f"{where}: HTTP {status} {code or ''}{suffix}".rstrip(), status=status, code=code)


def parse_json(response: httpx.Response, resource: str) -> dict[str, Any]:
    """The body of a 2xx answer as a JSON object, or BadResponse."""
    try:
        body = json.loads(response.content)
    except ValueError as exc:  # json's text names a position, never the body
        raise BadResponse(f"Graph {resource}: the answer is not valid JSON ({exc})") from None
    if not isinstance(body, dict):
        raise BadResponse(f"Graph {resource}: expected a JSON object, got {type(body).__name__}")
    return body
