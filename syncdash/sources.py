"""Which tenant a run reads, and how to reach it: the demo, a tenant file, a Graph URL or
a profile of the config file, all ending in the same msgraph-sdk client."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from syncdash.auth.credentials import DeviceCodePrompt, TokenListener
from syncdash.clouds import CLOUDS, Cloud
from syncdash.config import Profile
from syncdash.graph.errors import ClientConfigError
from syncdash.graph.retry_after import ThrottleListener

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

    from syncdash.emulator.tenant import TenantStore

#: Host of the in-process emulator: the reserved ``.invalid`` TLD never resolves, so no
#: request could leave the machine even if the emulator's transport were missing.
EMULATED_GRAPH_URL = "https://graph.emulator.invalid/v1.0"

NO_TENANT = (
    "syncdash: no tenant configured. Try the demo: `syncdash --demo`\n"
    "Connect your tenant: `syncdash login --tenant contoso.onmicrosoft.com` (see README, Connect your tenant)"
)


@dataclass(frozen=True)
class Hooks:
    """What the client tells its user while it works: throttling, a device code to enter,
    each new token (to read its granted permissions)."""

    on_throttle: ThrottleListener | None = None
    on_device_code: DeviceCodePrompt | None = None
    on_token: TokenListener | None = None
    #: False where no one can answer a prompt (scripts, no terminal): fail, never wait.
    interactive: bool = True


@dataclass(frozen=True)
class Source:
    """A tenant to read: ``key`` names its cache and saved ticks, ``connect`` builds the
    client (lazily: msgraph-sdk loads only when the first request is about to go)."""

    key: str
    connect: Callable[[Hooks], GraphServiceClient] = field(compare=False)
    cloud: Cloud = CLOUDS["public"]
    profile: Profile | None = None


def _emulated(tenant: Callable[[], TenantStore], hooks: Hooks, permissions: str | None) -> GraphServiceClient:
    from syncdash.emulator.permissions import grants_from_text
    from syncdash.emulator.service import GraphEmulator
    from syncdash.emulator.transport import EmulatorTransport
    from syncdash.graph.client import build_client

    store = tenant()
    grants = grants_from_text(permissions) if permissions else None
    return build_client(EMULATED_GRAPH_URL, transport=EmulatorTransport(GraphEmulator(store, grants=grants)),
                        on_throttle=hooks.on_throttle)


def check_permissions(text: str | None) -> None:
    """A ``--permissions`` value is checked before anything starts (a usage error)."""
    if text is not None:
        from syncdash.emulator.permissions import grants_from_text

        try:
            grants_from_text(text)
        except ValueError as exc:
            raise ClientConfigError(f"--permissions: {exc}") from None


def _emulated_key(key: str, permissions: str | None) -> str:
    """Each permission set its own cache: a list read with more rights must not show as
    the cached list of a sign-in with fewer."""
    return f"{key}:as:{permissions}" if permissions else key


def demo(permissions: str | None = None) -> Source:
    def store() -> TenantStore:
        from syncdash.emulator.scenarios.demo import build_demo_tenant
        from syncdash.emulator.scenarios.living import mutate_demo_tenant
        from syncdash.emulator.tenant import TenantStore

        rng = random.Random(0)
        return TenantStore(
            build_demo_tenant(datetime.now(timezone.utc)),
            mutate=lambda tenant: mutate_demo_tenant(tenant, rng, datetime.now(timezone.utc)),
        )

    check_permissions(permissions)
    return Source(_emulated_key("demo", permissions), lambda hooks: _emulated(store, hooks, permissions))


def tenant_file(path: Path, permissions: str | None = None) -> Source:
    from syncdash.emulator.tenant import TenantStore

    check_permissions(permissions)
    store = TenantStore(path=path)  # read now: a bad file is a usage error before anything starts
    return Source(_emulated_key(f"file:{path.resolve()}", permissions),
                  lambda hooks: _emulated(lambda: store, hooks, permissions))


def is_loopback_url(url: str) -> bool:
    from syncdash.graph.client import is_loopback, normalise_base_url

    return is_loopback(normalise_base_url(url))


def graph_url(url: str, profile: Profile | None, data_dir: Path) -> Source:
    """Any Graph URL: loopback ones (an emulator) need no sign-in, others a profile's —
    whose token is sent only to its own cloud's Graph host."""
    from urllib.parse import urlsplit

    from syncdash.graph.client import is_loopback, normalise_base_url

    url = normalise_base_url(url)
    loopback = is_loopback(url)
    if not loopback and profile is None:
        raise ClientConfigError(f"{url} needs a sign-in: add a profile (`syncdash login`) or use --profile")
    if profile is not None and not loopback:
        host, own = urlsplit(url).hostname, urlsplit(profile.cloud.graph_url).hostname
        if host != own:
            raise ClientConfigError(
                f"{url} is not the Graph of profile {profile.name!r} ({own}): its token is sent nowhere else"
            )
    if profile is None:
        return Source(f"url:{url}", lambda hooks: _client(url, None, data_dir, hooks))
    return Source(f"url:{url}:{profile.name}", lambda hooks: _client(url, profile, data_dir, hooks),
                  profile.cloud, profile)


def from_profile(profile: Profile, data_dir: Path) -> Source:
    return Source(f"profile:{profile.name}:{profile.tenant or ''}",
                  lambda hooks: _client(profile.cloud.graph_url, profile, data_dir, hooks), profile.cloud, profile)


def _client(url: str, profile: Profile | None, data_dir: Path, hooks: Hooks) -> GraphServiceClient:
    from syncdash.graph.client import build_client

    if profile is None:
        return build_client(url, on_throttle=hooks.on_throttle)
    from syncdash.auth import records
    from syncdash.auth.credentials import INTERACTIVE_MODES, ThreadedCredential, build_credential

    credential = build_credential(profile, data_dir=data_dir, prompt=hooks.on_device_code,
                                  interactive=hooks.interactive)
    remember = None
    if hooks.interactive and profile.auth in INTERACTIVE_MODES and records.usable_record(data_dir, profile) is None:
        remember = lambda record: records.save_record(data_dir, profile.name, record)  # noqa: E731
    return build_client(url, ThreadedCredential(credential, profile.name, hooks.on_token, remember),
                        on_throttle=hooks.on_throttle)
