"""Signing in: each mode's credential, saved sign-ins, token caches, the device-code
dialog, and proof that no token is ever written. azure-identity's credential classes
are replaced by fakes of the identity service: no test reaches a Microsoft endpoint."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import stat
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import azure.identity
import pytest
from azure.core.credentials import AccessToken
from azure.identity import AuthenticationRecord
from factories import conflict, tenant, user

from conftest import FROZEN_NOW, settle
from syncdash.auth import cache, records
from syncdash.auth.credentials import ThreadedCredential, build_credential
from syncdash.cli import main
from syncdash.config import Profile
from syncdash.emulator.server import serving
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantStore
from syncdash.emulator.transport import EmulatorTransport
from syncdash.graph.client import build_client
from syncdash.graph.errors import ClientConfigError
from syncdash.store import Store

SECRET_PART = "PLANTEDSIGNATUREc2VjcmV0LWRvLW5vdC13cml0ZQ"
CLAIMS = {"upn": "admin@contoso.com", "tid": "11111111-2222-3333-4444-555555555555",
          "scp": "User.Read.All Group.Read.All Domain.Read.All"}


def _jwt(claims: dict) -> str:
    encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")  # noqa: E731
    return f"{encode({'alg': 'RS256'})}.{encode(claims)}.{SECRET_PART}"


TOKEN = _jwt(CLAIMS)


class FakeCredential:
    """Stands in for every azure-identity credential class; records how it was built."""

    built: list[tuple[str, dict]] = []
    prompt_delay = 0.0
    prompts = 0
    asked: list[str] = []
    #: The token the identity service issues at a sign-in (rotated to revoke the old one).
    issued = TOKEN

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        FakeCredential.built.append((self.kind, kwargs))

    kind = "fake"

    def _sign_in(self) -> None:
        prompt = self.kwargs.get("prompt_callback")
        if prompt:
            FakeCredential.prompts += 1
            prompt("https://microsoft.com/devicelogin", "CODE-1234", datetime.now(timezone.utc) + timedelta(minutes=15))
            time.sleep(FakeCredential.prompt_delay)  # the admin typing the code on another device
        self.signed_in = True  # like azure-identity's cache: one prompt per sign-in
        self.token = FakeCredential.issued

    def authenticate(self, *, scopes, **kwargs):
        FakeCredential.asked = list(scopes)
        self._sign_in()
        return AuthenticationRecord(CLAIMS["tid"], self.kwargs.get("client_id", ""),
                                    self.kwargs.get("authority", "login.microsoftonline.com"), "home-account", CLAIMS["upn"])

    def get_token(self, *scopes, **kwargs):
        if getattr(self, "signed_in", False) or "authentication_record" in self.kwargs:
            return AccessToken(getattr(self, "token", TOKEN), int(time.time()) + 3600)
        if self.kwargs.get("disable_automatic_authentication"):
            from azure.identity import AuthenticationRequiredError

            raise AuthenticationRequiredError(scopes)
        self._sign_in()
        return AccessToken(self.token, int(time.time()) + 3600)


def _fake(kind: str) -> type:
    return type(kind, (FakeCredential,), {"kind": kind})


@pytest.fixture
def fake_identity(monkeypatch):
    FakeCredential.built = []
    FakeCredential.prompt_delay = 0.0
    FakeCredential.prompts = 0
    FakeCredential.issued = TOKEN
    for kind in ("DeviceCodeCredential", "InteractiveBrowserCredential", "AzureCliCredential",
                 "ManagedIdentityCredential", "ClientSecretCredential", "CertificateCredential"):
        monkeypatch.setattr(azure.identity, kind, _fake(kind))
    return FakeCredential


@pytest.mark.parametrize(
    ("auth", "kind", "expected"),
    [
        ("device-code", "DeviceCodeCredential", {"tenant_id": "contoso.com", "authority": "login.microsoftonline.us"}),
        ("browser", "InteractiveBrowserCredential", {"tenant_id": "contoso.com", "authority": "login.microsoftonline.us"}),
        ("azure-cli", "AzureCliCredential", {"tenant_id": "contoso.com"}),
        ("managed-identity", "ManagedIdentityCredential", {}),
    ],
)
def test_each_delegated_mode_builds_its_credential(fake_identity, tmp_path, auth, kind, expected):
    from syncdash.clouds import CLOUDS

    profile = Profile(name="p", tenant="contoso.com", auth=auth, cloud=CLOUDS["usgov"])
    build_credential(profile, data_dir=tmp_path, prompt=None, interactive=False)
    built_kind, kwargs = fake_identity.built[-1]
    assert built_kind == kind
    assert expected.items() <= kwargs.items()
    if auth in ("device-code", "browser"):
        assert kwargs["disable_automatic_authentication"] is True and kwargs["client_id"] == Profile("x").client_id


def test_app_only_modes_take_secrets_from_the_environment_or_files(fake_identity, tmp_path, monkeypatch):
    profile = Profile(name="app", tenant="contoso.com", client_id="app-id", auth="client-secret")
    with pytest.raises(ClientConfigError, match="AZURE_CLIENT_SECRET or client_secret_file"):
        build_credential(profile, data_dir=tmp_path)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "from-env")
    build_credential(profile, data_dir=tmp_path)
    assert fake_identity.built[-1][0] == "ClientSecretCredential"
    monkeypatch.delenv("AZURE_CLIENT_SECRET")
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n")
    credential = build_credential(Profile(name="app", tenant="contoso.com", client_id="app-id", auth="client-secret",
                                          client_secret_file=secret_file), data_dir=tmp_path)
    assert credential.args == ("contoso.com", "app-id", "from-file")
    certificate = Profile(name="c", tenant="contoso.com", client_id="app-id", auth="certificate",
                          certificate_path=tmp_path / "cert.pem")
    build_credential(certificate, data_dir=tmp_path)
    assert fake_identity.built[-1][1]["certificate_path"] == str(tmp_path / "cert.pem")
    with pytest.raises(ClientConfigError, match="the app's own 'client_id'"):
        build_credential(Profile(name="x", tenant="contoso.com", auth="client-secret"), data_dir=tmp_path)


def test_the_real_credential_classes_build_without_a_network(tmp_path):
    credential = build_credential(Profile(name="p", tenant="contoso.com"), data_dir=tmp_path, interactive=False)
    assert type(credential).__name__ == "DeviceCodeCredential"


def test_login_saves_the_record_that_later_runs_reuse(fake_identity, capsys):
    assert main(["login", "--tenant", "contoso.onmicrosoft.com"]) == 0
    out = capsys.readouterr()
    assert "Signed in as admin@contoso.com" in out.out and "CODE-1234" in out.err
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "syncdash" / "config.toml"
    assert 'tenant = "contoso.onmicrosoft.com"' in config.read_text()
    record_file = Path(os.environ["XDG_DATA_HOME"]) / "syncdash" / "auth" / "default.json"
    assert stat.S_IMODE(record_file.stat().st_mode) == 0o600
    fake_identity.built = []
    build_credential(Profile(name="default", tenant="contoso.onmicrosoft.com"),
                     data_dir=record_file.parent.parent, interactive=False)
    assert fake_identity.built[-1][1]["authentication_record"].username == "admin@contoso.com"


def test_a_record_of_another_app_or_cloud_is_not_used(fake_identity, tmp_path):
    """azure-identity would take the client id and authority from the record, silently
    ignoring a profile changed since the sign-in."""
    profile = Profile(name="p", tenant="contoso.com")
    records.save_record(tmp_path, "p", AuthenticationRecord(CLAIMS["tid"], "other-app", "login.microsoftonline.com",
                                                            "home", CLAIMS["upn"]))
    build_credential(profile, data_dir=tmp_path, interactive=False)
    assert "authentication_record" not in fake_identity.built[-1][1]
    records.save_record(tmp_path, "p", AuthenticationRecord(CLAIMS["tid"], profile.client_id, "login.microsoftonline.com",
                                                            "home", CLAIMS["upn"]))
    build_credential(profile, data_dir=tmp_path, interactive=False)
    assert fake_identity.built[-1][1]["authentication_record"].client_id == profile.client_id


def test_a_sign_in_outside_login_is_remembered_for_the_next_run(fake_identity, tmp_path):
    from syncdash import sources
    from syncdash.graph.tenant import tenant_status

    emulator = GraphEmulator(TenantStore(_tenant()), token=TOKEN)
    profile = Profile(name="p", tenant="contoso.com")
    codes: list[str] = []
    with serving(emulator) as url:
        for _ in range(2):  # two runs of the dashboard, say
            client = sources.graph_url(url, profile, tmp_path).connect(
                sources.Hooks(on_device_code=lambda _url, code, _expires: codes.append(code)))
            assert asyncio.run(tenant_status(client)).name == "Contoso"
    assert codes == ["CODE-1234"] and fake_identity.prompts == 1
    assert records.usable_record(tmp_path, profile).username == CLAIMS["upn"]


def test_a_custom_cloud_signs_in_without_asking_the_public_cloud(fake_identity, tmp_path):
    from syncdash.clouds import custom_cloud

    cloud = custom_cloud("https://login.microsoftonline.scloud", "https://graph.microsoft.scloud/v1.0")
    build_credential(Profile(name="p", tenant="contoso.com", cloud=cloud), data_dir=tmp_path, interactive=False)
    assert fake_identity.built[-1][1]["disable_instance_discovery"] is True
    build_credential(Profile(name="p", tenant="contoso.com"), data_dir=tmp_path, interactive=False)
    assert "disable_instance_discovery" not in fake_identity.built[-1][1]  # known clouds keep MSAL's validation


def test_whoami_names_account_tenant_cloud_and_permissions(fake_identity, capsys):
    main(["login", "--tenant", "contoso.onmicrosoft.com"])
    capsys.readouterr()
    assert main(["whoami"]) == 0
    out = capsys.readouterr().out
    assert "account   admin@contoso.com" in out and "cloud     public" in out
    assert "User.Read.All" in out and "missing   OrgContact.Read.All" in out
    assert "Organization.Read.All" in out.split("missing", 1)[1]  # the sync status needs it
    assert TOKEN not in out and SECRET_PART not in out


def test_login_asks_for_organization_read_and_nothing_that_writes(fake_identity, capsys):
    main(["login", "--tenant", "contoso.onmicrosoft.com"])
    asked = [scope.rsplit("/", 1)[1] for scope in FakeCredential.asked]
    assert "Organization.Read.All" in asked and {"User.Read.All", "Group.Read.All", "OrgContact.Read.All"} <= set(asked)
    assert not any("Write" in scope for scope in asked)


def test_without_a_terminal_nothing_waits_for_a_sign_in(fake_identity, capsys):
    (Path(os.environ["XDG_CONFIG_HOME"]) / "syncdash").mkdir(parents=True)
    (Path(os.environ["XDG_CONFIG_HOME"]) / "syncdash" / "config.toml").write_text(
        '[profiles.p]\ntenant = "contoso.com"\n')
    assert main(["whoami"]) == 2
    assert "run `syncdash login --profile p`" in capsys.readouterr().err


def test_logout_forgets_the_record_and_cached_tokens(fake_identity, capsys):
    main(["login", "--tenant", "contoso.onmicrosoft.com"])
    profile = Profile(name="default", tenant="contoso.onmicrosoft.com", token_cache="unencrypted-file")
    cache.persistence(profile)
    assert all(path.exists() for path in cache.cache_files(profile))
    capsys.readouterr()
    assert main(["logout"]) == 0
    assert "removed" in capsys.readouterr().out
    assert records.load_record(Path(os.environ["XDG_DATA_HOME"]) / "syncdash", "default") is None
    assert not any(path.exists() for path in cache.cache_files(profile))


def test_the_unencrypted_token_cache_is_opt_in_and_owner_only():
    automatic = cache.persistence(Profile(name="a"))
    if cache.encrypted_cache_available():
        assert automatic is not None and not automatic.allow_unencrypted_storage
    else:
        assert automatic is None  # memory only: nothing on disk unless asked for
    assert cache.persistence(Profile(name="m", token_cache="memory")) is None
    opted = Profile(name="o", token_cache="unencrypted-file")
    options = cache.persistence(opted)
    assert options.allow_unencrypted_storage is True
    for path in cache.cache_files(opted):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def _tenant() -> dict:
    return tenant(users=[user("Ann Lee", "ann@contoso.com",
                              onPremisesProvisioningErrors=[conflict("ProxyAddress", "smtp:x@contoso.com")])])


async def _dashboard_run(url: str) -> None:
    from syncdash import sources
    from syncdash.store import default_data_dir
    from syncdash.ui.app import SyncdashApp

    source = sources.graph_url(url, Profile(name="default", tenant="contoso.onmicrosoft.com"), default_data_dir())
    store = Store()
    app = SyncdashApp(source.connect, tenant_key=source.key, store=store, refresh=3600, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert [row.cells[1] for row in app.query_one("ErrorList").rows] == ["Ann Lee"]
        await pilot.press("tab", "tab", "space", "n", *"note", "ctrl+s")
    store.close()


def test_no_file_syncdash_writes_and_no_message_it_prints_holds_the_token(fake_identity, capsys, tmp_path):
    emulator = GraphEmulator(TenantStore(_tenant()), token=TOKEN)
    exports = tmp_path / "exports"
    exports.mkdir()
    with serving(emulator) as url:
        assert main(["login", "--tenant", "contoso.onmicrosoft.com"]) == 0
        log = ["--log", str(exports / "requests.log"), "--log-level", "debug"]
        for fmt in ("table", "json", "csv", "markdown"):
            assert main([*log, "report", "--graph-url", url, "--profile", "default", "--format", fmt,
                         "--output", str(exports / fmt)]) == 1
        assert main([*log, "check", "ann@contoso.com", "--graph-url", url, "--profile", "default",
                     "--format", "json"]) == 1
        assert main([*log, "whoami"]) == 0
        asyncio.run(_dashboard_run(url))  # its cache and data land in the same home
    printed = capsys.readouterr()
    written = [p for root in (Path(os.environ["HOME"]), exports) for p in root.rglob("*") if p.is_file()]
    assert written, "nothing was written: the scan would prove nothing"
    assert "GET /v1.0/users" in (exports / "requests.log").read_text()
    for path in written:
        data = path.read_bytes()
        assert TOKEN.encode() not in data and SECRET_PART.encode() not in data, path
    assert SECRET_PART not in printed.out + printed.err
    assert emulator.count("/users") > 0 and all(r.status != 401 for r in emulator.requests)


def _device_code_dashboard(emulator: GraphEmulator, store: Store, data_dir: Path):  # type: ignore[no-untyped-def]
    """The dashboard signed in by device code (a fake identity service) to ``emulator``."""
    from syncdash.sources import Hooks
    from syncdash.ui.app import SyncdashApp

    profile = Profile(name="p", tenant="contoso.com")

    def connect(hooks: Hooks):  # type: ignore[no-untyped-def]
        credential = build_credential(profile, data_dir=data_dir, prompt=hooks.on_device_code, interactive=True)
        return build_client("https://graph.emulator.invalid/v1.0", ThreadedCredential(credential, "p", hooks.on_token),
                            transport=EmulatorTransport(emulator))

    return SyncdashApp(connect, tenant_key="t", store=store, refresh=3600, clock=lambda: FROZEN_NOW)


async def test_the_dashboard_answers_keys_while_a_device_code_sign_in_blocks(fake_identity, tmp_path):
    from syncdash.ui.screens.help import HelpScreen
    from syncdash.ui.screens.prompts import SignInScreen

    fake_identity.prompt_delay = 2.0
    emulator = GraphEmulator(TenantStore(_tenant()), token=TOKEN)
    store = Store(tmp_path / "c", tmp_path / "d")
    app = _device_code_dashboard(emulator, store, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(200):  # the dialog opens once the refresh worker asks for a token
            if isinstance(app.screen, SignInScreen):
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, SignInScreen)
        await pilot.press("c")
        assert app.clipboard == "CODE-1234"
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        # every key was handled while the sign-in still blocked (no token has arrived yet)
        assert app.permissions is None and fake_identity.prompts == 1, "keys waited for the sign-in"
        await settle(pilot)
        assert [row.cells[1] for row in app.query_one("ErrorList").rows] == ["Ann Lee"]
        assert app.permissions is not None and "User.Read.All" in app.permissions.scopes
        assert fake_identity.prompts == 1  # three listings at once, one sign-in
        assert not isinstance(app.screen, SignInScreen)
    store.close()


async def test_a_token_revoked_mid_session_asks_one_new_sign_in_then_goes_on(fake_identity, tmp_path):
    fake_identity.prompt_delay = 0.05
    emulator = GraphEmulator(TenantStore(_tenant()), token=TOKEN)
    store = Store(tmp_path / "c", tmp_path / "d")
    app = _device_code_dashboard(emulator, store, tmp_path)
    status = lambda: app.query_one("StatusBar").shown.plain  # noqa: E731
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert fake_identity.prompts == 1 and "live" in status()
        emulator.token = fake_identity.issued = _jwt({**CLAIMS, "rotated": True})  # the old token is revoked
        await pilot.press("r")
        await settle(pilot)
        await settle(pilot)
        assert fake_identity.prompts == 2, "not exactly one new sign-in"
        assert "live" in status() and "stale" not in status()
        assert [row.cells[1] for row in app.query_one("ErrorList").rows] == ["Ann Lee"]
        emulator.token = "revoked-again-and-no-sign-in-helps"
        await pilot.press("r")
        await settle(pilot)
        await settle(pilot)
        assert fake_identity.prompts == 3 and "stale" in status() and "sign in again" in status()
    store.close()
