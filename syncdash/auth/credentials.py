"""azure-identity credentials for each sign-in mode, and a wrapper that keeps them off
the event loop.

azure-identity's device-code and browser credentials are synchronous, and kiota calls
``get_token`` on the event loop: a prompt (or a refresh-token round trip) would freeze
the dashboard. :class:`ThreadedCredential` runs every ``get_token`` in a thread, one at a
time, so three concurrent listings cause one prompt, not three.

azure-identity's AzureCliCredential keeps no token: every ``get_token`` runs ``az account
get-access-token``, a new process taking about a second, and kiota asks for a token on
every request. :class:`ReusedTokenCredential` hands the same token out until shortly
before it expires — in memory only, like every token syncdash holds.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from syncdash.auth import cache, records
from syncdash.config import DEFAULT_CLIENT_ID, Profile
from syncdash.graph.errors import AuthenticationFailed, ClientConfigError

#: Shows a device code: (verification URL, user code, expiry). Called from a thread.
DeviceCodePrompt = Callable[[str, str, datetime], None]
#: Told each new access token, to read its granted scopes (never to keep it).
TokenListener = Callable[[str], None]

#: Read-only delegated scopes ``login`` asks consent for (later tokens use
#: ``<graph>/.default``, i.e. whatever was consented). Never a write permission.
DELEGATED_SCOPES = ("User.Read.All", "Group.Read.All", "OrgContact.Read.All", "Domain.Read.All",
                    "Organization.Read.All")
#: Modes that sign a person in, keep a saved record and can prompt.
INTERACTIVE_MODES = ("device-code", "browser")
#: Optional (``login --sync-settings``): readable only by Global Administrators.
SYNC_SETTINGS_SCOPE = "OnPremDirectorySynchronization.Read.All"


#: A reused token is given out only while it has this many seconds left: a request (and
#: its retries through a throttling storm) must reach Graph before it expires.
REUSE_MARGIN = 300.0


class ReusedTokenCredential:
    """A sync credential whose tokens are reused until ``expires_on`` minus REUSE_MARGIN.

    Tokens are keyed by the scopes and options asked for (tenant, CAE). A claims
    challenge means Graph refused the token in hand, so it drops every kept token and
    asks the wrapped credential afresh.
    """

    def __init__(self, credential: Any, clock: Callable[[], float] = time.time) -> None:
        self._credential = credential
        self._clock = clock
        self._tokens: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        key = (scopes, tuple(sorted((name, repr(value)) for name, value in kwargs.items())))
        with self._lock:
            if kwargs.get("claims"):
                self._tokens.clear()
            token = self._tokens.get(key)
            if token is None or token.expires_on - REUSE_MARGIN <= self._clock():
                token = self._credential.get_token(*scopes, **kwargs)
                self._tokens[key] = token
            return token

    def close(self) -> None:
        self._tokens.clear()
        close = getattr(self._credential, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> ReusedTokenCredential:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _identity() -> Any:
    """azure.identity, looked up at call time (tests put fakes for the identity service in it)."""
    return importlib.import_module("azure.identity")


def _secret(profile: Profile) -> str:
    secret = os.environ.get("AZURE_CLIENT_SECRET")
    if secret:
        return secret
    if profile.client_secret_file is None:
        raise ClientConfigError(
            f"profile {profile.name!r}: client-secret sign-in needs AZURE_CLIENT_SECRET or client_secret_file"
        )
    try:
        return profile.client_secret_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ClientConfigError(f"{profile.client_secret_file}: cannot read the client secret ({exc.strerror})") from None


def build_credential(
    profile: Profile,
    *,
    data_dir: Path,
    prompt: DeviceCodePrompt | None = None,
    interactive: bool = True,
) -> Any:
    """The credential for a profile. With ``interactive`` False no prompt is ever shown:
    a missing sign-in fails at once instead of waiting on a terminal nobody watches."""
    identity = _identity()
    authority = profile.cloud.authority
    if profile.auth in INTERACTIVE_MODES and not profile.tenant:
        raise ClientConfigError(f"profile {profile.name!r}: set 'tenant' (a tenant id or domain) to sign in")
    common: dict[str, Any] = {"authority": authority}
    if profile.cloud.name == "custom":
        # MSAL would validate an authority it does not know against the public cloud's
        # discovery endpoint, which an air-gapped cloud (usnat, ussec) cannot reach
        common["disable_instance_discovery"] = True
    if profile.auth in INTERACTIVE_MODES:
        options = cache.persistence(profile)
        if options is not None:
            common["cache_persistence_options"] = options
        record = records.usable_record(data_dir, profile)
        if record is not None:
            common["authentication_record"] = record
        common["disable_automatic_authentication"] = not interactive
        if profile.auth == "device-code":
            return identity.DeviceCodeCredential(
                client_id=profile.client_id, tenant_id=profile.tenant, prompt_callback=prompt, **common
            )
        return identity.InteractiveBrowserCredential(client_id=profile.client_id, tenant_id=profile.tenant, **common)
    if profile.auth == "azure-cli":  # one `az` process per token, not per request
        cli = identity.AzureCliCredential(tenant_id=profile.tenant) if profile.tenant else identity.AzureCliCredential()
        return ReusedTokenCredential(cli)
    if profile.auth == "managed-identity":
        client = None if profile.client_id == DEFAULT_CLIENT_ID else profile.client_id
        return identity.ManagedIdentityCredential(client_id=client) if client else identity.ManagedIdentityCredential()
    if not profile.tenant or profile.client_id == DEFAULT_CLIENT_ID:
        raise ClientConfigError(
            f"profile {profile.name!r}: app-only sign-in needs 'tenant' and the app's own 'client_id' "
            "(or AZURE_TENANT_ID and AZURE_CLIENT_ID)"
        )
    if profile.auth == "client-secret":
        return identity.ClientSecretCredential(profile.tenant, profile.client_id, _secret(profile), **common)
    path = os.environ.get("AZURE_CLIENT_CERTIFICATE_PATH") or profile.certificate_path
    if not path:
        raise ClientConfigError(
            f"profile {profile.name!r}: certificate sign-in needs certificate_path or AZURE_CLIENT_CERTIFICATE_PATH"
        )
    password = os.environ.get("AZURE_CLIENT_CERTIFICATE_PASSWORD")
    return identity.CertificateCredential(profile.tenant, profile.client_id, certificate_path=str(path),
                                          password=password, **common)


def auth_error(exc: Exception, profile: str) -> AuthenticationFailed:
    """azure-identity's errors as one actionable line (their messages run to pages)."""
    from azure.identity import CredentialUnavailableError

    if type(exc).__name__ == "AuthenticationRequiredError":
        return AuthenticationFailed(
            f"not signed in to profile {profile!r}: run `syncdash login --profile {profile}` (without an encrypted "
            "token cache a sign-in lasts one run: see \"Unattended runs\" in the README)"
        )
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, CredentialUnavailableError):
        return AuthenticationFailed(f"sign-in unavailable: {first}")
    return AuthenticationFailed(f"sign-in failed: {first}")


#: Keeps the record of a sign-in made outside ``login`` (the dashboard's first prompt).
#: What it returns (the file it wrote) is ignored.
RecordKeeper = Callable[[Any], object]


class ThreadedCredential:
    """An async credential over a sync one: each ``get_token`` in a thread, one at a time.

    With ``remember``, the first token comes from ``authenticate`` rather than a plain
    ``get_token``, so the sign-in's record can be saved: without one azure-identity cannot
    find the cached tokens next run and would prompt again.
    """

    def __init__(self, credential: Any, profile: str, on_token: TokenListener | None = None,
                 remember: RecordKeeper | None = None):
        self._credential = credential
        self._profile = profile
        self._on_token = on_token
        self._remember = remember
        self._lock: asyncio.Lock | None = None

    def _sign_in_and_remember(self, scopes: tuple[str, ...], kwargs: dict[str, Any]) -> None:
        record = self._credential.authenticate(scopes=list(scopes), enable_cae=kwargs.get("enable_cae", False))
        remember, self._remember = self._remember, None  # only once signed in: a failed try asks again
        if remember is not None:
            try:
                remember(record)
            except OSError:  # an unsafe or full data folder: the sign-in works, it is just not saved
                pass

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.exceptions import ClientAuthenticationError

        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            try:
                if self._remember is not None:
                    await asyncio.to_thread(self._sign_in_and_remember, scopes, kwargs)
                token = await asyncio.to_thread(self._credential.get_token, *scopes, **kwargs)
            except ClientAuthenticationError as exc:
                raise auth_error(exc, self._profile) from None
        if self._on_token is not None:
            self._on_token(token.token)
        return token

    async def close(self) -> None:
        close = getattr(self._credential, "close", None)
        if close is not None:
            await asyncio.to_thread(close)

    async def __aenter__(self) -> ThreadedCredential:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
