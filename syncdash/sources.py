"""Which tenant a run reads, and how to reach it: the demo, a tenant file, a Graph URL or
a profile of the config file, all ending in the same msgraph-sdk client."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from syncdash.auth.credentials import DeviceCodePrompt, TokenListener
from syncdash.clouds import CLOUDS, Cloud
from syncdash.config import Profile
from syncdash.evidence import Evidence, EvidenceSource
from syncdash.graph.errors import ClientConfigError
from syncdash.graph.retry_after import ThrottleListener

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

    from syncdash.ad.live import LdapTarget
    from syncdash.emulator.tenant import TenantStore
    from syncdash.onprem import RawEntry
    from syncdash.server_index import ServerIndex

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


def _no_evidence() -> tuple[EvidenceSource, ...]:
    return ()


@dataclass(frozen=True)
class Source:
    """A tenant to read: ``key`` names its cache and saved ticks, ``connect`` builds the
    client (lazily: msgraph-sdk loads only when the first request is about to go), and
    ``evidence`` the sources beyond Graph (Connect Health), built as lazily."""

    key: str
    connect: Callable[[Hooks], GraphServiceClient] = field(compare=False)
    cloud: Cloud = CLOUDS["public"]
    profile: Profile | None = None
    evidence: Callable[[], tuple[EvidenceSource, ...]] = field(default=_no_evidence, compare=False)


class _Once:
    """The emulated tenant, built on first use and shared by Graph and Resource Manager."""

    def __init__(self, build: Callable[[], TenantStore]) -> None:
        self._build = build
        self._store: TenantStore | None = None

    def __call__(self) -> TenantStore:
        if self._store is None:
            self._store = self._build()
        return self._store


def demo_ad_entries(now: datetime | None = None) -> Iterator[tuple[str, RawEntry]]:
    """The demo's on-premises AD: an ldifde export written from the demo tenant as of
    ``now`` (default: now), read through the same LDIF reader an admin's export goes
    through."""
    import io

    from syncdash.ad.ldif import read_ldif
    from syncdash.emulator.scenarios.demo import build_demo_tenant
    from syncdash.emulator.scenarios.onprem_demo import ORIGIN, demo_ldif

    now = now or datetime.now(timezone.utc)
    stream = io.BytesIO(demo_ldif(build_demo_tenant(now), now).encode("utf-8"))
    return ((ORIGIN, entry) for entry in read_ldif(stream, ORIGIN))


def _demo_ad() -> EvidenceSource:
    from syncdash.ad.source import ActiveDirectory
    from syncdash.emulator.scenarios.onprem_demo import ORIGIN

    return ActiveDirectory(demo_ad_entries, (ORIGIN,), every=None)


def _demo_server() -> EvidenceSource:
    """The demo's Connect server: its files written from the demo tenant into a private
    temporary folder and read through the same readers an admin's files go through."""
    from syncdash.server.source import ServerEvidence

    def read() -> ServerIndex:
        import tempfile

        from syncdash.emulator.scenarios.demo import build_demo_tenant
        from syncdash.emulator.scenarios.server_demo import write_demo_server_files
        from syncdash.server.reading import read_server_files

        now = datetime.now(timezone.utc)
        with tempfile.TemporaryDirectory(prefix="syncdash-demo-server-") as folder:
            return read_server_files(write_demo_server_files(build_demo_tenant(now), now, Path(folder)))

    return ServerEvidence(read)


def with_server(source: Source, paths: Sequence[Path]) -> Source:
    """The Connect server's files (``--server-evidence``, or those imported for the
    tenant) beside the source's other evidence, in place of the demo's own."""
    from syncdash.server.source import NAME, from_files

    return _replacing(source, NAME, lambda: from_files(paths))


def with_ad(source: Source, ad: Callable[[], EvidenceSource]) -> Source:
    """On-premises AD read beside the source's other evidence (``--ad-url``,
    ``--ad-export``, a profile's ``ad`` table), in place of the demo's own."""
    from syncdash.ad.source import NAME

    return _replacing(source, NAME, ad)


def _emulated_health(tenant: Callable[[], TenantStore]) -> tuple[EvidenceSource, ...]:
    from syncdash.emulator.arm_adapter import EMULATED_ARM_URL, emulated_session
    from syncdash.emulator.health import HealthEmulator
    from syncdash.health.client import ResourceManager
    from syncdash.health.source import ConnectHealth

    return (ConnectHealth(lambda: ResourceManager(EMULATED_ARM_URL, session=emulated_session(HealthEmulator(tenant())))),)


def health_url(source: Source, url: str) -> Source:
    """``--health-url``: Connect Health read from another Resource Manager base. A loopback
    one (an emulator) gets no token; any other only the profile's, and only when it is
    the profile's own cloud's Resource Manager."""
    from urllib.parse import urlsplit

    from syncdash.graph.client import is_loopback, normalise_base_url

    base = normalise_base_url(url)
    if is_loopback(base):
        return _replace_health(source, lambda: _health(base, None, None))
    profile = source.profile
    own = profile.cloud.resource_manager if profile else None
    if profile is None or own is None or urlsplit(base).hostname != urlsplit(own).hostname:
        raise ClientConfigError(f"{url} is not the Resource Manager of the profile's cloud: its token is sent nowhere else")
    return _replace_health(source, lambda: _health(base, profile, _data_dir()))


def _graph_url_health() -> tuple[EvidenceSource, ...]:
    """Another Graph (an emulator, a test) is never paired with the cloud's own Resource
    Manager: Connect Health is read there only from ``--health-url``."""
    from syncdash.health.source import off

    return (_Off(off("not read with --graph-url unless --health-url names its Resource Manager")),)


def without_health(source: Source, reason: str) -> Source:
    from syncdash.health.source import off

    return _replace_health(source, lambda: _Off(off(reason)))


def _replace_health(source: Source, health: Callable[[], EvidenceSource]) -> Source:
    """The source with another Connect Health in place of its own, its other evidence kept."""
    from syncdash.health.source import NAME

    return _replacing(source, NAME, health, first=True)


def _replacing(source: Source, name: str, build: Callable[[], EvidenceSource], *, first: bool = False) -> Source:
    """The source with ``build``'s evidence in place of its own source called ``name``
    (first in the order, or last), its other evidence kept; built as lazily."""
    from dataclasses import replace

    others = source.evidence

    def evidence() -> tuple[EvidenceSource, ...]:
        kept = tuple(e for e in others() if e.name != name)
        return (build(), *kept) if first else (*kept, build())

    return replace(source, evidence=evidence)


def export_entries(paths: Sequence[Path]) -> Iterator[tuple[str, RawEntry]]:
    """The entries of ldifde/csvde exports, each with the file it came from."""
    from syncdash.ad.exports import read_exports

    return ((str(path), entry) for path, entry in read_exports(paths))


def live_entries(targets: Sequence[LdapTarget]) -> Iterator[tuple[str, RawEntry]]:
    """The entries of live directories (one target a forest, read in turn), each with its URL."""
    from syncdash.ad.live import read_directory

    for target in targets:
        yield from ((target.url, entry) for entry in read_directory(target))


def ad_exports(paths: Sequence[Path]) -> Callable[[], EvidenceSource]:
    """``--ad-export``: on-premises AD from ldifde/csvde files, read once."""
    def build() -> EvidenceSource:
        from syncdash.ad.source import ActiveDirectory

        return ActiveDirectory(lambda: export_entries(paths), tuple(str(p) for p in paths), every=None)

    return build


def ad_live(targets: Sequence[LdapTarget], every: float) -> Callable[[], EvidenceSource]:
    """``--ad-url`` or a profile's ``ad.url``: on-premises AD read live, again at most
    every ``every`` seconds."""
    def build() -> EvidenceSource:
        from syncdash.ad.source import ActiveDirectory

        return ActiveDirectory(lambda: live_entries(targets), tuple(target.url for target in targets), every=every)

    return build


def _data_dir() -> Path:
    from syncdash.store import default_data_dir

    return default_data_dir()


def _health(base: str, profile: Profile | None, data_dir: Path | None) -> EvidenceSource:
    from syncdash.health.client import ResourceManager
    from syncdash.health.source import ConnectHealth

    def manager() -> ResourceManager:
        if profile is None or data_dir is None:
            return ResourceManager(base)
        from syncdash.auth.credentials import ThreadedCredential, build_credential

        # silent only: the dashboard's one sign-in prompt is Graph's; a token for Resource
        # Manager comes from the same sign-in's cache, or the source says it has none
        credential = build_credential(profile, data_dir=data_dir, interactive=False)
        return ResourceManager(base, credential=ThreadedCredential(credential, profile.name),
                               scope=profile.cloud.arm_scope)

    return ConnectHealth(manager)


def _profile_health(profile: Profile, data_dir: Path) -> tuple[EvidenceSource, ...]:
    from syncdash.health.source import off

    if not profile.health:
        return (_Off(off("turned off in the profile (health = false)")),)
    if profile.cloud.resource_manager is None:
        return (_Off(off("the profile's custom cloud names no resource_manager")),)
    return (_health(profile.cloud.resource_manager, profile, data_dir),)


class _Off:
    """A source the admin turned off: said so, never read."""

    name = "connect-health"

    def __init__(self, evidence: Evidence) -> None:
        self._evidence = evidence

    async def read(self, now: datetime) -> Evidence:
        return self._evidence


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
    shared = _Once(store)
    return Source(_emulated_key("demo", permissions), lambda hooks: _emulated(shared, hooks, permissions),
                  evidence=lambda: (*_emulated_health(shared), _demo_ad(), _demo_server()))


def tenant_file(path: Path, permissions: str | None = None) -> Source:
    from syncdash.emulator.tenant import TenantStore

    check_permissions(permissions)
    store = TenantStore(path=path)  # read now: a bad file is a usage error before anything starts
    return Source(_emulated_key(f"file:{path.resolve()}", permissions),
                  lambda hooks: _emulated(lambda: store, hooks, permissions),
                  evidence=lambda: _emulated_health(lambda: store))


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
        return Source(f"url:{url}", lambda hooks: _client(url, None, data_dir, hooks), evidence=_graph_url_health)
    return Source(f"url:{url}:{profile.name}", lambda hooks: _client(url, profile, data_dir, hooks),
                  profile.cloud, profile, evidence=_graph_url_health)


def from_profile(profile: Profile, data_dir: Path) -> Source:
    return Source(f"profile:{profile.name}:{profile.tenant or ''}",
                  lambda hooks: _client(profile.cloud.graph_url, profile, data_dir, hooks), profile.cloud, profile,
                  evidence=lambda: _profile_health(profile, data_dir))


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
