"""A hostile Graph on loopback, with a second listener on another port recording every
Authorization header it receives: links and redirects off Graph's base are never
followed (the token never leaves), and answers that never end or never stop growing end
the read with one line instead of running forever."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from hostile_server import Listener, Reply, listening

from syncdash.graph.client import build_client
from syncdash.graph.collections import LIVE
from syncdash.graph.errors import GraphError, Throttled
from syncdash.graph.lookup import holders_batched
from syncdash.graph.mirror import KindMirror, Mirror, refresh
from syncdash.model import ObjectKind

TOKEN = "eyJ0eXAi.secret-token.sig"
class Credential:
    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(TOKEN, int(time.time()) + 3600)

    async def close(self) -> None:
        pass


def _json(body: Any, status: int = 200, **headers: str) -> Reply:
    return status, headers, json.dumps(body).encode()


def _user(n: int) -> dict[str, Any]:
    return {"id": f"u{n}", "displayName": f"User {n}", "userPrincipalName": f"u{n}@contoso.com",
            "onPremisesSyncEnabled": True,
            "onPremisesProvisioningErrors": [{"category": "PropertyConflict", "propertyCausingError": "ProxyAddress",
                                              "value": f"smtp:dup{n}@contoso.com"}]}


@pytest.fixture
def elsewhere() -> Iterator[Listener]:
    """The second listener: a service on another port of the same host."""
    with listening(lambda path, body, me: _json({"value": [_user(666)]})) as other:
        yield other


def _client(url: str):  # type: ignore[no-untyped-def]
    return build_client(f"{url}/v1.0", Credential())


async def _list_users(url: str) -> list:
    found = []
    async for page in LIVE[0].list(_client(url)):
        found += page
    return found


@pytest.mark.parametrize("place", ["other port", "other scheme", "other host", "path outside the version",
                                   "dot segments", "user info"])
async def test_a_next_link_off_graph_is_never_followed_and_the_token_stays(elsewhere, place):

    def reply(path: str, body: bytes, me: Listener) -> Reply:
        link = {"other port": f"{elsewhere.url}/v1.0/users?page=2",
                "other scheme": me.url.replace("http://", "https://") + "/v1.0/users?page=2",
                "other host": f"http://localhost:{me.url.rsplit(':', 1)[1]}/v1.0/users?page=2",
                "path outside the version": f"{me.url}/beta/users?page=2",
                "dot segments": f"{me.url}/v1.0/%2e%2e/evil?page=2",
                "user info": me.url.replace("http://", "http://eve@") + "/v1.0/users?page=2"}[place]
        return _json({"value": [_user(1)], "@odata.nextLink": link})

    with listening(reply) as graph:
        with pytest.raises(GraphError, match="links outside Graph") as caught:
            await _list_users(graph.url)
    assert len(graph.seen) == 1 and elsewhere.seen == []
    assert "\n" not in str(caught.value) and str(caught.value).startswith("Graph users: ")


async def test_a_redirect_to_another_port_is_not_followed(elsewhere):
    def reply(path: str, body: bytes, me: Listener) -> Reply:
        return 302, {"Location": f"{elsewhere.url}/v1.0/users"}, b""

    with listening(reply) as graph:
        with pytest.raises(GraphError):
            await _list_users(graph.url)
    assert elsewhere.seen == []


async def test_a_batch_steps_next_link_off_graph_is_never_followed(elsewhere):
    def reply(path: str, body: bytes, me: Listener) -> Reply:
        steps = [{"id": f"0.{i}", "status": 200, "headers": {},
                  "body": {"value": [], "@odata.nextLink": f"{elsewhere.url}/v1.0/users?x=1"}} for i in range(3)]
        return _json({"responses": steps})

    with listening(reply) as graph:
        with pytest.raises(GraphError, match="links outside Graph"):
            await holders_batched(_client(graph.url), ["ann@contoso.com"])
    assert elsewhere.seen == []


async def test_a_delta_link_off_graph_is_never_kept_and_a_planted_one_never_followed(elsewhere):
    def reply(path: str, body: bytes, me: Listener) -> Reply:
        if "delta" in path:
            return _json({"value": [], "@odata.deltaLink": f"{elsewhere.url}/v1.0/users/delta()?$deltatoken=x"})
        return _json({"value": [_user(1)]})

    mirror = Mirror()
    with listening(reply) as graph:
        with pytest.raises(GraphError, match="links outside Graph"):
            await refresh(_client(graph.url), mirror)
        assert ObjectKind.USER not in mirror.kinds  # nothing off-base reaches the cache
        # a cache file edited by someone else: its link is checked again before use
        planted = Mirror({kind: KindMirror(kind, {}, f"{elsewhere.url}/v1.0/{c.resource}/delta()?t=1", time.time())
                          for kind, c in zip(ObjectKind, LIVE)})
        with pytest.raises(GraphError, match="links outside Graph"):
            await refresh(_client(graph.url), planted)
    assert elsewhere.seen == []


async def test_a_page_linking_to_itself_ends_the_listing_at_once():
    def reply(path: str, body: bytes, me: Listener) -> Reply:
        return _json({"value": [_user(1)], "@odata.nextLink": f"{me.url}/v1.0/users?page=again"})

    with listening(reply) as graph:
        with pytest.raises(GraphError, match="links back to a page it already read"):
            await _list_users(graph.url)
    assert len(graph.seen) <= 3


async def test_an_object_sent_again_on_a_later_page_counts_once():
    def reply(path: str, body: bytes, me: Listener) -> Reply:
        if "page=2" in path:
            return _json({"value": [_user(1), _user(2)]})
        return _json({"value": [_user(1)], "@odata.nextLink": f"{me.url}/v1.0/users?page=2"})

    with listening(reply) as graph:
        assert [obj.id for obj in await _list_users(graph.url)] == ["u1", "u2"]


async def test_endless_pages_stop_at_the_page_limit(monkeypatch):
    from syncdash.graph import fetch

    monkeypatch.setattr(fetch, "MAX_PAGES", 25)
    counter = iter(range(10**9))

    def reply(path: str, body: bytes, me: Listener) -> Reply:
        n = next(counter)
        return _json({"value": [_user(n)], "@odata.nextLink": f"{me.url}/v1.0/users?page={n + 1}"})

    with listening(reply) as graph:
        with pytest.raises(GraphError, match="more than 25 pages"):
            await _list_users(graph.url)
    assert len(graph.seen) == 25


async def test_a_gzip_bomb_is_refused_not_inflated():
    bomb = gzip.compress(b'{"value": [' + b" " * (80 * 1024 * 1024) + b"]}", compresslevel=9)
    assert len(bomb) < 200_000

    def reply(path: str, body: bytes, me: Listener) -> Reply:
        return 200, {"Content-Encoding": "gzip"}, bomb

    with listening(reply) as graph:
        with pytest.raises(GraphError, match="expands beyond 64 MB"):
            await _list_users(graph.url)


async def test_a_gzipped_answer_within_limits_is_read():
    def reply(path: str, body: bytes, me: Listener) -> Reply:
        return 200, {"Content-Encoding": "gzip"}, gzip.compress(json.dumps({"value": [_user(7)]}).encode())

    with listening(reply) as graph:
        assert [obj.id for obj in await _list_users(graph.url)] == ["u7"]


async def test_a_huge_retry_after_is_an_outage_not_a_freeze():
    calls = []

    def reply(path: str, body: bytes, me: Listener) -> Reply:
        calls.append(path)
        return _json({"error": {"code": "TooManyRequests", "message": "slow down"}}, 429, **{"Retry-After": "1e9"})

    with listening(reply) as graph:
        client = _client(graph.url)
        for _ in range(2):  # the second read is not held behind the first one's wait
            with pytest.raises(Throttled, match=r"wait until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(an outage\?\)"):
                await asyncio.wait_for(_list_users_with(client), timeout=30)
    assert len(calls) == 2


async def _list_users_with(client) -> list:  # type: ignore[no-untyped-def]
    return [obj async for page in LIVE[0].list(client) for obj in page]


async def test_an_http_date_retry_after_holds_the_clients_other_requests():
    from email.utils import format_datetime
    from datetime import datetime, timedelta, timezone

    state = {"throttled": False, "resumed_at": None}

    def reply(path: str, body: bytes, me: Listener) -> Reply:
        if not state["throttled"]:
            state["throttled"] = True
            state["until"] = datetime.now(timezone.utc) + timedelta(seconds=2)
            return _json({"error": {"code": "TooManyRequests", "message": "wait"}}, 429,
                         **{"Retry-After": format_datetime(state["until"], usegmt=True)})
        state.setdefault("first_after", datetime.now(timezone.utc))
        return _json({"value": [_user(1)]})

    with listening(reply) as graph:
        found = await _list_users(graph.url)
    assert [o.id for o in found] == ["u1"]
    # the retry went out no earlier than the date (to the second: HTTP-dates have no fraction)
    assert state["first_after"] >= state["until"].replace(microsecond=0)


async def test_the_dashboard_survives_a_retry_after_of_years_and_r_tries_again(dashboard):
    from conftest import settle

    from syncdash.emulator.faults import Faults

    made = dashboard()
    app = made.app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        made.emulator.faults = Faults(throttle_rate=1.0, retry_after="1e9")
        await pilot.press("r")
        await settle(pilot)  # returns: no request is held for 31 years
        status = app.query_one("StatusBar").shown.plain
        assert "stale" in status and "next try" in status
        assert len(app.query_one("ErrorList").rows) == 29
        made.emulator.faults = Faults()
        made.emulator._throttled_until = 0.0  # the emulated tenant recovers
        await pilot.press("r")
        await settle(pilot)
        assert "live" in app.query_one("StatusBar").shown.plain
