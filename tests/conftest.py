"""Fixtures that put the real msgraph-sdk in front of the emulated tenant, two ways."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest

from syncdash.emulator.faults import Faults
from syncdash.emulator.server import serving
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantStore
from syncdash.emulator.transport import EmulatorTransport
from syncdash.graph.client import build_client


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory, monkeypatch) -> None:
    """Every test gets its own home, config, cache and data dirs: nothing touches the
    real ones, and no test sees another's saved state or a real config file."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    for name in ("SYNCDASH_CONFIG", "SYNCDASH_TENANT_ID", "SYNCDASH_CLIENT_ID", "SYNCDASH_AUTH", "SYNCDASH_CLOUD",
                 "SYNCDASH_THEME", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def quiet_log():  # type: ignore[no-untyped-def]
    """``--log`` attaches a file to the ``syncdash`` logger for the process: detached after
    each test, so no test writes into another's log."""
    import logging

    yield
    logger = logging.getLogger("syncdash")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    logger.setLevel(logging.NOTSET)
    logger.propagate = True


@dataclass
class Connected:
    emulator: GraphEmulator
    client: Any


@pytest.fixture(params=["in-process", "loopback"])
def connect(request: pytest.FixtureRequest) -> Iterator[Callable[..., Connected]]:
    """``connect(tenant, faults=None)`` → the SDK client and the emulator behind it,
    once through the in-process transport and once over loopback HTTP."""
    with ExitStack() as stack:

        def make(tenant: dict[str, Any], faults: Faults | None = None) -> Connected:
            emulator = GraphEmulator(TenantStore(tenant), faults)
            if request.param == "in-process":
                client = build_client(
                    "https://graph.emulator.invalid/v1.0", transport=EmulatorTransport(emulator)
                )
            else:
                client = build_client(stack.enter_context(serving(emulator)))
            return Connected(emulator, client)

        yield make


FROZEN_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


@dataclass
class Dashboard:
    app: Any
    emulator: GraphEmulator
    store: Any


def _demo_ad() -> Any:
    """The demo's AD export (written for the frozen demo tenant), as the demo reads it."""
    from syncdash.ad.source import ActiveDirectory
    from syncdash.emulator.scenarios.onprem_demo import ORIGIN
    from syncdash.sources import demo_ad_entries

    return ActiveDirectory(lambda: demo_ad_entries(FROZEN_NOW), (ORIGIN,), every=None)


def _demo_server(folder: Any) -> Any:
    """The demo's Connect server files (written for the frozen demo tenant), read as an
    admin's are."""
    from syncdash.emulator.scenarios.demo import build_demo_tenant
    from syncdash.emulator.scenarios.server_demo import write_demo_server_files
    from syncdash.server.source import from_files

    folder.mkdir(exist_ok=True)
    return from_files(write_demo_server_files(build_demo_tenant(FROZEN_NOW), FROZEN_NOW, folder))


@pytest.fixture
def dashboard(tmp_path) -> Callable[..., Dashboard]:
    """``dashboard(tenant=None, faults=None, theme=None, store_dir=None)`` → an unstarted
    SyncdashApp on the demo tenant (or ``tenant``) with a frozen clock and its own store."""
    from syncdash.emulator.scenarios.demo import build_demo_tenant
    from syncdash.store import Store
    from syncdash.ui.app import SyncdashApp
    from syncdash.ui.themes import shipped_theme_dirs

    def make(tenant: dict[str, Any] | None = None, faults: Faults | None = None, theme: str | None = None,
             store_dir: Any = None, keymap: dict[str, str] | None = None, profiles: Any = None,
             on_first_frame: Any = None, emulator: GraphEmulator | None = None, health: bool = False,
             ad: bool = False, server: bool = False) -> Dashboard:
        if emulator is None:  # another run of the app against the same tenant reuses one
            emulator = GraphEmulator(TenantStore(tenant if tenant is not None else build_demo_tenant(FROZEN_NOW)),
                                     faults)
        base = store_dir or tmp_path
        store = Store(base / "cache", base / "data")

        def connect(hooks):  # type: ignore[no-untyped-def]
            return build_client("https://graph.emulator.invalid/v1.0", transport=EmulatorTransport(emulator),
                                on_throttle=hooks.on_throttle)

        def evidence():  # type: ignore[no-untyped-def]  # Connect Health on the same tenant
            from syncdash.emulator.arm_adapter import EMULATED_ARM_URL, emulated_session
            from syncdash.emulator.health import HealthEmulator
            from syncdash.health.client import ResourceManager
            from syncdash.health.source import ConnectHealth

            session = emulated_session(HealthEmulator(emulator.store))
            health_source = ConnectHealth(lambda: ResourceManager(EMULATED_ARM_URL, session=session))
            sources = (health_source, _demo_ad()) if ad else (health_source,) if health else ()
            return (*sources, _demo_server(tmp_path / "server-files")) if server else sources

        app = SyncdashApp(connect, tenant_key="test", store=store, refresh=3600, clock=lambda: FROZEN_NOW,
                          theme=theme, keymap=keymap, theme_dirs=shipped_theme_dirs(), profiles=profiles,
                          on_first_frame=on_first_frame, evidence=evidence if health or ad or server else None)
        return Dashboard(app, emulator, store)

    return make


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Until every worker of the app has ended (one replaced by a newer one ends
    cancelled), then one more pause for the screen to catch up."""
    from textual.worker import WorkerCancelled, WorkerFailed

    while running := [w for w in pilot.app.workers if not w.is_finished]:
        for worker in running:
            try:
                await worker.wait()
            except (WorkerCancelled, WorkerFailed):
                pass
    await pilot.pause()
    app = pilot.app
    for _ in range(100):  # the workers' last messages may still be in flight on a busy machine
        loading = any(getattr(widget, "running", False) for widget in app.query("ChecklistPane"))
        if not app.state.freshness.scanning and not loading:
            break
        await pilot.pause(0.05)
    await pilot.pause()


def checklist_lines(app) -> str:  # type: ignore[no-untyped-def]
    """The checklist pane's options as plain text, each as it reads on a wide screen."""
    import io

    from rich.console import Console

    console = Console(width=400, file=io.StringIO(), color_system=None, legacy_windows=False)
    for option in app.query_one("ChecklistPane").options:
        console.print(option.prompt)
    return "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())


async def choose(app, pilot, scenario: str) -> None:  # type: ignore[no-untyped-def]
    """Choose the demo object of ``scenario`` (by its UPN or mail in the list) and wait."""
    from syncdash.emulator.scenarios.demo import DEMO_SCENARIOS
    from syncdash.ui.widgets.error_list import ErrorList

    row = next(r for r in app.query_one(ErrorList).rows if r.cells[2] == DEMO_SCENARIOS[scenario])
    app.jump_to(row.id)
    await settle(pilot)
