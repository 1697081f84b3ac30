"""Fixtures that put the real msgraph-sdk in front of the emulated tenant, two ways."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest

from syncdash.emulator.faults import Faults
from syncdash.emulator.server import serving
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantStore
from syncdash.emulator.transport import EmulatorTransport
from syncdash.graph.client import build_client


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
