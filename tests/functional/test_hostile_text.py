"""Whatever answers at the Graph URL writes text syncdash prints: an error's code and
message, a Retry-After header, a nextLink's path, a token's claims. A hostile answer
(a proxy, a server on a loopback port) must not forge a line, set the window title or
blank the screen through the CLI's stderr, the dashboard's notifications, the request
log, ``whoami`` or a report on a terminal."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import azure.identity
import httpx
import pytest
from azure.core.credentials import AccessToken
from conftest import settle
from factories import conflict, tenant, user
from hostile_server import Listener, listening

from syncdash.cli import main
from syncdash.emulator.answers import Answer
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantStore
from syncdash.graph.errors import GraphError, raise_for_response, unreachable

#: Anything a terminal acts on, reorders or breaks a line at.
UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: An OSC title, a clear screen, a carriage return and a newline each forging a verdict,
#: an 8-bit CSI and a bidi override.
HOSTILE = ("\x1b]0;pwned\x07\x1b[2J\x1b[H\rsyncdash: all clear\nsyncdash: all clear\r\n"
           "\x9b2J\u202eevil\x00\x7f")
HOSTILE_BODY = json.dumps({"error": {"code": "Evil\x1b[31mCode\nsyncdash: all clear", "message": HOSTILE}}).encode()


Responder = Callable[[str], tuple[int, dict[str, str], bytes]]


def _batch(request: bytes, answer: Responder) -> tuple[int, dict[str, str], bytes]:
    """A $batch answered item by item, as ``answer`` answers each item's own GET."""
    items = []
    for item in json.loads(request)["requests"]:
        status, headers, body = answer("/v1.0" + item["url"])
        items.append({"id": item["id"], "status": status, "headers": headers, "body": json.loads(body)})
    return 200, {}, json.dumps({"responses": items}).encode()


@contextmanager
def hostile_graph(answer: Responder, *, batch_too: bool = False) -> Iterator[str]:
    """A Graph base URL on loopback whose every GET is answered by ``answer(path)``; a
    $batch POST too (``batch_too``), or else item by item."""

    def reply(path: str, body: bytes, me: Listener) -> tuple[int, dict[str, str], bytes]:
        if body and not batch_too:
            return _batch(body, answer)
        return answer(path)

    with listening(reply) as server:
        yield f"{server.url}/v1.0"


def _clean(text: str) -> None:
    for line in text.splitlines():
        assert not UNSAFE.search(line), repr(line)
        assert not line.startswith("syncdash: all clear"), "a forged line"


@pytest.mark.parametrize("status", [500, 400])
def test_a_hostile_graph_error_is_one_safe_line_on_stderr(capsys, status):
    with hostile_graph(lambda path: (status, {}, HOSTILE_BODY), batch_too=status == 500) as url:
        code = main(["report", "--graph-url", url])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    _clean(err)
    assert err.startswith("syncdash: ") and all(line.startswith("syncdash: ") for line in err.splitlines())
    if status == 500:  # the whole read failed: one line, quoting Graph's words made inert
        assert err.count("\n") == 1 and "HTTP 500" in err and "pwned" in err


def test_graph_errors_are_made_safe_where_they_are_built():
    request = httpx.Request("GET", "https://graph.microsoft.com/v1.0/users")
    for status in (400, 404, 409, 429, 500, 503):
        response = httpx.Response(status, content=HOSTILE_BODY, request=request,
                                  headers={"retry-after": "1\x1b[2J"})
        with pytest.raises(GraphError) as caught:
            raise_for_response(response, "users")
        assert not UNSAFE.search(str(caught.value)) and not UNSAFE.search(caught.value.code or "")
    huge = json.dumps({"error": {"code": "X", "message": "A" * 1_000_000}}).encode()
    with pytest.raises(GraphError) as caught:
        raise_for_response(httpx.Response(500, content=huge, request=request), "users")
    assert len(str(caught.value)) < 400  # one line a screen can show
    fault = unreachable(httpx.ConnectError(f"proxy said: {HOSTILE}"), "users")
    assert not UNSAFE.search(str(fault)) and "proxy said" in str(fault)
    assert not UNSAFE.search(str(GraphError(f"anything built from Graph text: {HOSTILE}")))


class HostileEmulator(GraphEmulator):
    """The emulated tenant, but every answer is a hostile error."""

    def fault_for(self, arrived: float) -> Answer | None:
        return Answer(500, HOSTILE_BODY, {"content-type": "application/json"})


async def test_the_dashboard_notifies_a_hostile_error_as_safe_text(dashboard):
    board = dashboard(emulator=HostileEmulator(TenantStore(tenant())))
    async with board.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        shown = [n.message for n in board.app._notifications]
        assert any("HTTP 500" in message for message in shown), shown
        for message in shown:
            assert not UNSAFE.search(message), repr(message)
        problem = board.app.state.freshness.problem or ""
        assert "pwned" in problem and not UNSAFE.search(problem)
    board.store.close()


def _paged(base: str) -> Callable[[str], tuple[int, dict[str, str], bytes]]:
    """Every listing's first page links to a path whose encoded bytes are a forged log
    line and escapes; every answer carries a Retry-After that is not a number."""
    forged = "/v1.0/users/%1b%5d0%3btitle%07%0d%0a2026-01-01T00:00:00Z%20INFO%20GET%20/v1.0/forged%20200%201.000%20s"

    def answer(path: str) -> tuple[int, dict[str, str], bytes]:
        headers = {"retry-after": "0.000\x1b]0;pwned\x07\x1b[2J"}  # HTTP allows any byte but NUL, CR, LF
        if "forged" in path:
            return 200, headers, b'{"value": []}'
        return 200, headers, json.dumps({"value": [], "@odata.nextLink": f"{base}{forged}"}).encode()

    return answer


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (INFO|WARNING) (GET|POST) /v1\.0/\S+ ")


def test_a_hostile_next_link_or_retry_after_forges_no_log_line(tmp_path, capsys):
    log = tmp_path / "requests.log"
    box: dict[str, str] = {}
    with hostile_graph(lambda path: _paged(box["base"])(path)) as url:
        box["base"] = url.removesuffix("/v1.0")
        main(["--log", str(log), "report", "--graph-url", url])
    capsys.readouterr()
    lines = log.read_text(encoding="utf-8").splitlines()
    assert any("title" in line for line in lines), "the hostile page was never requested"
    assert any("retry-after" in line and "pwned" in line for line in lines)
    for line in lines:
        assert LOG_LINE.match(line) and not UNSAFE.search(line), repr(line)
    assert not any(line.split(" ", 3)[3].startswith("/v1.0/forged") for line in lines), "a forged line"


async def test_the_request_log_quotes_header_and_path_after_decoding(tmp_path):
    """Through an in-process transport, where a header may hold any character at all."""
    import logging

    from syncdash.graph.client import build_client
    from syncdash.graph.fetch import get_json
    from syncdash.graph.request_log import start_log

    class Transport(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={"value": []}, request=request,
                                  headers={"retry-after": "1\r\n2026-01-01T00:00:00Z INFO forged\x1b]0;t\x07"})

    log = tmp_path / "requests.log"
    start_log(log, "info")
    client = build_client("https://graph.emulator.invalid/v1.0", transport=Transport())
    await get_json(client.users, "users")
    logging.getLogger("syncdash").handlers[-1].flush()
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines and all(LOG_LINE.match(line) and not UNSAFE.search(line) for line in lines), lines


def _jwt(claims: dict) -> str:
    encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
    return f"{encode({'alg': 'RS256'})}.{encode(claims)}.signature"


def test_whoami_shows_hostile_token_claims_as_safe_text(monkeypatch, capsys):
    claims = {"upn": f"admin@contoso.com{HOSTILE}", "tid": "\x1b]0;tenant\x07t", "app_displayname": HOSTILE,
              "scp": "User.Read.All \x1b[2JGroup.Read.All \x9b2J"}

    class Cli:
        def __init__(self, **kwargs: object) -> None:
            pass

        def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
            return AccessToken(_jwt(claims), int(time.time()) + 3600)

    monkeypatch.setattr(azure.identity, "AzureCliCredential", Cli)
    config = Path.home() / "config.toml"
    config.write_text('[profiles.p]\ntenant = "contoso.com"\nauth = "azure-cli"\n')
    assert main(["--config", str(config), "whoami"]) == 0
    out, err = capsys.readouterr()
    _clean(out + err)
    assert "admin@contoso.com" in out and "User.Read.All" in out


def test_reports_on_a_terminal_pass_no_control_character(tmp_path, capsys):
    evil = user(f"Eve{HOSTILE}", "eve@contoso.com",
                onPremisesProvisioningErrors=[conflict("ProxyAddress", f"smtp:eve{HOSTILE}@contoso.com")])
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(tenant(users=[evil])), encoding="utf-8")
    for fmt in ("table", "csv", "markdown", "json"):
        assert main(["report", "--tenant-file", str(path), "--format", fmt]) == 1
        out = capsys.readouterr().out.replace("\r\n", "\n")  # CSV's own line ends (RFC 4180)
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out), (fmt, out)
    assert main(["report", "--tenant-file", str(path), "--format", "json"]) == 1
    value = json.loads(capsys.readouterr().out)["objects"][0]["displayName"]
    assert value == f"Eve{HOSTILE}"  # JSON escapes what it would have left raw: the value is intact
