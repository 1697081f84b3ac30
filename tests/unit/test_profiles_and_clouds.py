"""Profiles, their precedence, and every cloud's endpoints."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncdash.clouds import CLOUDS, custom_cloud
from syncdash.config import DEFAULT_CLIENT_ID, ConfigError, load_config, select_profile
from syncdash.model import DirectoryObject, ObjectKind
from syncdash.portal import admin_center_link


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("cloud", "authority", "graph", "scope"),
    [
        ("public", "login.microsoftonline.com", "https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/.default"),
        ("usgov", "login.microsoftonline.us", "https://graph.microsoft.us/v1.0", "https://graph.microsoft.us/.default"),
        ("usgov-dod", "login.microsoftonline.us", "https://dod-graph.microsoft.us/v1.0", "https://dod-graph.microsoft.us/.default"),
        ("china", "login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/v1.0",
         "https://microsoftgraph.chinacloudapi.cn/.default"),
    ],
)
def test_every_cloud_sets_authority_graph_and_scope_together(cloud, authority, graph, scope):
    assert (CLOUDS[cloud].authority, CLOUDS[cloud].graph_url, CLOUDS[cloud].scope) == (authority, graph, scope)


def test_a_custom_cloud_takes_both_urls_and_the_links_follow_the_cloud(tmp_path):
    config = load_config(write(tmp_path, """
[profiles.ussec]
tenant = "agency.example"
cloud = "custom"
authority = "https://login.sec.example"
graph_url = "https://graph.sec.example/v1.0/"
"""), required=True)
    profile = select_profile(config, None, {})
    assert profile.cloud.authority == "login.sec.example"
    assert profile.cloud.graph_url == "https://graph.sec.example/v1.0"
    assert profile.cloud.scope == "https://graph.sec.example/.default"
    user = DirectoryObject(id="42", kind=ObjectKind.USER, display_name="Ann")
    assert admin_center_link(user, CLOUDS["usgov"]).startswith("https://entra.microsoft.us/")
    assert admin_center_link(user, CLOUDS["china"]).startswith("https://entra.microsoftonline.cn/")
    assert admin_center_link(user, custom_cloud("login.x", "https://graph.x/v1.0", "https://portal.x")).startswith(
        "https://portal.x/")


def test_profiles_defaults_and_selection(tmp_path):
    config = load_config(write(tmp_path, """
default_profile = "fabrikam"
[profiles.contoso]
tenant = "contoso.onmicrosoft.com"
[profiles.fabrikam]
tenant = "fabrikam.onmicrosoft.com"
cloud = "usgov"
auth = "azure-cli"
refresh = 120
"""), required=True)
    assert select_profile(config, None, {}).name == "fabrikam"
    contoso = select_profile(config, "contoso", {})
    assert (contoso.tenant, contoso.client_id, contoso.auth, contoso.cloud.name) == (
        "contoso.onmicrosoft.com", DEFAULT_CLIENT_ID, "device-code", "public")
    with pytest.raises(ConfigError, match=r"unknown profile 'nope' \(profiles: contoso, fabrikam\)"):
        select_profile(config, "nope", {})


def test_environment_overrides_the_file(tmp_path):
    config = load_config(write(tmp_path, '[profiles.contoso]\ntenant = "contoso.onmicrosoft.com"\n'), required=True)
    env = {"SYNCDASH_TENANT_ID": "11111111-1111-1111-1111-111111111111", "SYNCDASH_CLOUD": "china",
           "SYNCDASH_AUTH": "browser", "SYNCDASH_CLIENT_ID": "my-app", "AZURE_TENANT_ID": "ignored"}
    profile = select_profile(config, None, env)
    assert (profile.tenant, profile.cloud.name, profile.auth, profile.client_id) == (
        "11111111-1111-1111-1111-111111111111", "china", "browser", "my-app")


def test_azure_variables_apply_to_app_only_sign_in(tmp_path):
    config = load_config(write(tmp_path, '[profiles.app]\nauth = "client-secret"\n'), required=True)
    env = {"AZURE_TENANT_ID": "t-from-env", "AZURE_CLIENT_ID": "app-from-env"}
    assert (select_profile(config, None, env).tenant, select_profile(config, None, env).client_id) == (
        "t-from-env", "app-from-env")
    delegated = load_config(write(tmp_path, '[profiles.me]\ntenant = "contoso.com"\n'), required=True)
    assert select_profile(delegated, None, env).tenant == "contoso.com"


def test_no_profile_and_no_environment_is_none(tmp_path):
    assert select_profile(load_config(tmp_path / "missing.toml", required=False), None, {}) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[profiles.x]\nauth = "password"\n', "'auth' is 'password'; allowed: device-code, browser"),
        ('[profiles.x]\ncloud = "mars"\n', "'cloud' is 'mars'; allowed: public, usgov, usgov-dod, china, custom"),
        ('[profiles.x]\ncloud = "custom"\nauthority = "https://login.x"\n', "needs both 'authority' and 'graph_url'"),
        ('[profiles.x]\nclient_secret = "hunter2"\n', "secrets never go in the config file"),
        ('[profiles.x]\ncolour = "red"\n', "unknown key 'colour'"),
        ('[profiles.x]\nrefresh = 0\n', "'refresh' must be a number of seconds"),
        ('default_profile = "y"\n[profiles.x]\n', "default_profile 'y' is not a profile (profiles: x)"),
        ('[profiles.x]\ntoken_cache = "disk"\n', "'token_cache' is 'disk'; allowed: auto, memory, unencrypted-file"),
        ("theme = [1]\n", "'theme' must be a non-empty string"),
        ('[keys]\n"app.quit" = 3\n', "[keys] 'app.quit' must be a string of keys"),
        ('[profiles."../../x"]\n', "profile name '../../x': use letters, digits"),
    ],
)
def test_invalid_config_names_file_key_and_what_is_allowed(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, required=True)
    assert words in str(caught.value) and str(path) in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_env_overrides_apply_to_the_profile_the_run_started_with_not_to_palette_switches(tmp_path, monkeypatch):
    from syncdash.cli import _profile_source, build_parser

    config = load_config(write(tmp_path, '[profiles.a]\ntenant = "a.com"\n[profiles.b]\ntenant = "b.com"\n'), required=True)
    monkeypatch.setenv("SYNCDASH_TENANT_ID", "env.com")
    monkeypatch.setenv("SYNCDASH_CLOUD", "china")
    assert select_profile(config, "a").tenant == "env.com"
    switched, _ = _profile_source(config, "b", build_parser().parse_args([]))()
    assert (switched.profile.tenant, switched.cloud.name) == ("b.com", "public")


def test_the_dashboard_refreshes_every_5_s_on_the_demo_60_s_on_a_tenant_unless_told(tmp_path):
    from syncdash.cli import _profile_source, build_parser
    from syncdash.config import resolve_settings

    def refresh_interval(args, config, profile):  # type: ignore[no-untyped-def]
        return resolve_settings(config, profile, refresh=args.refresh, demo=args.demo).refresh

    config = load_config(write(tmp_path, """
[profiles.contoso]
tenant = "contoso.onmicrosoft.com"
[profiles.fabrikam]
tenant = "fabrikam.onmicrosoft.com"
refresh = 120
"""), required=True)
    parse = build_parser().parse_args
    assert refresh_interval(parse(["--demo"]), config, None) == 5
    assert refresh_interval(parse([]), config, select_profile(config, "contoso", {})) == 60
    assert refresh_interval(parse([]), config, select_profile(config, "fabrikam", {})) == 120
    assert refresh_interval(parse(["--refresh", "30"]), config, select_profile(config, "fabrikam", {})) == 30
    # a switch in the palette resolves by the same rule: fabrikam's own, then the file's
    # default for contoso (not fabrikam's 120 carried over)
    assert _profile_source(config, "fabrikam", parse([]))()[1].refresh == 120
    assert _profile_source(config, "contoso", parse([]))()[1].refresh == 60
    assert _profile_source(config, "contoso", parse(["--refresh", "15"]))()[1].refresh == 15
