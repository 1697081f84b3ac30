"""The config file's one description: every key it names is checked with a one-line
error, reaches the profile, and is documented in the README exactly as described."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from syncdash.config import ConfigError, Profile, load_config
from syncdash.config_keys import AD, PROFILE, TOP, reference

ROOT = Path(__file__).resolve().parents[2]
#: The keys that make up the profile's ``cloud`` rather than a field of their own.
CLOUD_PARTS = {"cloud", "authority", "graph_url", "portal", "resource_manager"}


def _load(tmp_path: Path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, required=True)


def test_the_readme_documents_every_key_as_described():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for keys in (TOP, PROFILE, AD):
        assert "\n".join(reference(keys)) in readme


def test_every_profile_key_reaches_the_profile_and_every_field_has_a_key():
    assert {f.name for f in fields(Profile)} - {"name"} == {key.name for key in PROFILE} - CLOUD_PARTS | {"cloud"}


@pytest.mark.parametrize("key", [key.name for key in PROFILE])
def test_a_wrong_value_for_any_profile_key_is_one_line_naming_it(tmp_path, key):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, f"[profiles.p]\n{key} = [1, 2]\n")
    message = str(caught.value)
    assert f"'{key}'" in message and "\n" not in message and str(tmp_path) in message


@pytest.mark.parametrize("key", [key.name for key in TOP if key.name not in ("profiles", "keys")])
def test_a_wrong_value_for_any_top_level_key_is_one_line_naming_it(tmp_path, key):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, f"{key} = [1, 2]\n")
    assert f"'{key}'" in str(caught.value)


def test_absent_keys_take_the_described_defaults(tmp_path):
    config = _load(tmp_path, "[profiles.p]\ntenant = \"contoso.com\"\n")
    profile = config.profiles["p"]
    for key in PROFILE:
        if key.name not in CLOUD_PARTS and key.name != "tenant":
            assert getattr(profile, key.name) == key.default, key.name
    assert profile.cloud.name == "public" and config.cache_days == 7.0


def test_a_path_key_is_expanded_and_an_unknown_key_lists_the_allowed(tmp_path):
    config = _load(tmp_path, "[profiles.p]\nauth = \"certificate\"\ncertificate_path = \"~/app.pem\"\n")
    assert config.profiles["p"].certificate_path == Path("~/app.pem").expanduser()
    with pytest.raises(ConfigError, match=r"unknown key 'tenat' \(allowed: tenant, client_id, auth"):
        _load(tmp_path, "[profiles.p]\ntenat = \"x\"\n")


def test_a_profiles_ad_table_reads_live_dcs_or_exports_never_both(tmp_path):
    config = _load(tmp_path, "[profiles.p]\n[profiles.p.ad]\nurl = [\"ldaps://dc1.contoso.com\", "
                             "\"ldaps://dc1.fabrikam.com\"]\nuser = \"audit@contoso.com\"\nca_file = \"~/ca.pem\"\n")
    ad = config.profiles["p"].ad
    assert ad is not None and ad.url == ("ldaps://dc1.contoso.com", "ldaps://dc1.fabrikam.com")
    assert ad.ca_file == Path("~/ca.pem").expanduser() and ad.bind == "simple" and ad.every == 900.0
    with pytest.raises(ConfigError, match="one of the two"):
        _load(tmp_path, "[profiles.p.ad]\nurl = \"ldaps://dc1\"\nexports = [\"a.ldf\"]\n")
    with pytest.raises(ConfigError, match=r"unknown key 'password'"):
        _load(tmp_path, "[profiles.p.ad]\nurl = \"ldaps://dc1\"\npassword = \"x\"\n")
