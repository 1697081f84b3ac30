"""Odds and ends an admin would notice: escaping, display safety, URLs, Retry-After."""

from __future__ import annotations

import pytest

from syncdash.graph.client import build_client, is_loopback, normalise_base_url
from syncdash.graph.errors import ClientConfigError
from syncdash.graph.holding import holds_value, split_address
from syncdash.graph.odata import equals, has_proxy_address
from syncdash.graph.retry_after import parse_retry_after
from syncdash.model import DirectoryObject, ObjectKind
from syncdash.sanitize import safe_text, truncate


def test_odata_literals_double_single_quotes():
    assert equals("mail", "o'brien@x.com") == "mail eq 'o''brien@x.com'"
    assert has_proxy_address("smtp:'';drop") == "proxyAddresses/any(p:p eq 'smtp:'''';drop')"


@pytest.mark.parametrize(("header", "wait"), [("2", 2.0), ("2.128", 2.128), (" 0.5 ", 0.5), ("soon", None), ("-1", None), (None, None)])
def test_retry_after_reads_decimals(header, wait):
    assert parse_retry_after(header) == wait


def test_control_and_bidi_characters_are_made_visible():
    hostile = "Ann\x1b[31mRed\x9b2J\u202egnp.exe\x00\x07"
    cleaned = safe_text(hostile)
    assert "\x1b" not in cleaned and "\x9b" not in cleaned and "\u202e" not in cleaned and "\x00" not in cleaned
    assert cleaned.startswith("Ann\ufffd[31mRed")
    assert safe_text("a\nb\tc") == "a b c"
    assert truncate("abcdef", 4) == "abc…" and truncate("abc", 4) == "abc"


@pytest.mark.parametrize(("url", "loopback"), [("http://127.0.0.1:8765/v1.0", True), ("http://[::1]/v1.0", True),
                                               ("http://localhost/v1.0", True), ("https://graph.microsoft.com/v1.0", False)])
def test_loopback_detection(url, loopback):
    assert is_loopback(url) is loopback


def test_base_urls_lose_their_trailing_slash_and_plain_http_must_be_local():
    assert normalise_base_url("https://graph.microsoft.us/v1.0/") == "https://graph.microsoft.us/v1.0"
    with pytest.raises(ClientConfigError, match="loopback"):
        normalise_base_url("http://graph.example.com/v1.0")
    with pytest.raises(ClientConfigError, match="not a Graph URL"):
        normalise_base_url("graph.microsoft.com")


def test_a_real_tenant_is_never_called_without_a_credential():
    with pytest.raises(ClientConfigError, match="sign-in"):
        build_client("https://graph.microsoft.com/v1.0")


def test_address_prefixes_and_holder_matching():
    assert split_address("SMTP:Ann@x.com") == ("smtp", "Ann@x.com")
    assert split_address("ann@x.com") == (None, "ann@x.com")
    holder = DirectoryObject(id="1", kind=ObjectKind.GROUP, display_name="G", proxy_addresses=("SMTP:Sales@X.com", "x500:/o=x"))
    assert holds_value(holder, "smtp:sales@x.com") and holds_value(holder, "SALES@x.com")
    assert holds_value(holder, "X500:/O=X") and not holds_value(holder, "other@x.com")


@pytest.mark.parametrize(("header", "wait"), [("2.128", 2.128), ("7", 7.0), ("0.5", 0.5)])
def test_the_sdks_retry_handler_waits_what_retry_after_says(header, wait):
    """Through kiota's own delay computation: a decimal its stock handler cannot read
    would get a random backoff instead."""
    import httpx

    from syncdash.graph.retry import RetryAfterHandler

    response = httpx.Response(429, headers={"Retry-After": header})
    assert RetryAfterHandler().get_delay_time(1, response, 1.0) == pytest.approx(wait)
