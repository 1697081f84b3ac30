"""Scale and freshness figures against the emulator with 50 ms of latency per request.

Run: ``python tests/benchmarks/bench_scale.py [--users 10000 100000] [--plain-max 20000]``.
Prints a markdown table; not part of the normal test run. Every figure goes through the
real msgraph-sdk. The listings talk to the emulator in a separate process over loopback,
so the service's own work runs beside the client, as Graph's does; the plain-SDK script
is run only up to ``--plain-max`` users (it spends minutes in model parsing).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from syncdash.emulator.faults import Faults
from syncdash.emulator.scenarios.generate import generate_tenant
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantStore
from syncdash.emulator.transport import EmulatorTransport
from syncdash.graph.client import build_client
from syncdash.graph.lookup import holders_batched
from syncdash.graph.mirror import Mirror, refresh

LATENCY = 0.05
URL = "https://graph.emulator.invalid/v1.0"


def tenant(users: int) -> dict:
    return generate_tenant(users=users, groups=users // 10, contacts=users // 20, errors=users // 50, seed=1,
                           now=datetime.now(timezone.utc))


def client_for(emulator: GraphEmulator):  # type: ignore[no-untyped-def]
    return build_client(URL, transport=EmulatorTransport(emulator))


async def plain_sdk(client) -> int:  # type: ignore[no-untyped-def]
    """How the SDK's docs suggest it: PageIterator, default page size, models parsed."""
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph_core.tasks import PageIterator

    fields = ["id", "displayName", "onPremisesProvisioningErrors", "serviceProvisioningErrors"]
    found = 0
    for builder in (client.users, client.groups, client.contacts):
        params = type(builder).__dict__[f"{type(builder).__name__}GetQueryParameters"](select=fields)
        first = await builder.get(request_configuration=RequestConfiguration(query_parameters=params))
        items: list = []

        def keep(item, items: list = items) -> bool:  # type: ignore[no-untyped-def]
            items.append(item)
            return True

        await PageIterator(first, client.request_adapter).iterate(keep)
        found += sum(1 for item in items if item.on_premises_provisioning_errors or item.service_provisioning_errors)
    return found


def lower_bound(users: int) -> float:
    """Kinds page in parallel: the longest kind's pages one after another, plus the
    one "latest" request before them."""
    pages = max(math.ceil(users / 999), math.ceil(users // 10 / 999), math.ceil(users // 20 / 999))
    return (1 + pages) * LATENCY


class LoopbackEmulator:
    """``python -m syncdash.emulator`` in its own process, on a free loopback port."""

    def __init__(self, data: dict, directory: Path):
        import json

        path = directory / "tenant.json"
        path.write_text(json.dumps(data))
        self.process = subprocess.Popen([sys.executable, "-m", "syncdash.emulator", str(path), "--port", "0",
                                         "--latency", str(LATENCY)], stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()  # type: ignore[union-attr]

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


async def scale_row(users: int, plain_max: int) -> list[str]:
    data = tenant(users)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        server = LoopbackEmulator(data, Path(tmp))
        try:
            started = time.perf_counter()
            update = await refresh(build_client(server.url), Mirror())
            cold = time.perf_counter() - started
            plain_text = "not run"
            if users <= plain_max:
                started = time.perf_counter()
                await plain_sdk(build_client(server.url))
                plain_text = f"{time.perf_counter() - started:.1f} s"
        finally:
            server.close()
    bound = lower_bound(users)
    rows.append(f"| {users:,} | complete listing, cold (loopback emulator) | {cold:.2f} s ({update.requests} requests) "
                f"| {bound:.2f} s | {cold / bound:.2f}× | {plain_text} |")
    emulator = GraphEmulator(TenantStore(data), Faults(latency=LATENCY))
    client = client_for(emulator)
    mirror = Mirror()
    await refresh(client, mirror)
    for item in data["users"][:20]:
        item["displayName"] += " (changed)"
    emulator.store.touch()
    before = emulator.count()
    started = time.perf_counter()
    await refresh(client, mirror)
    rows.append(f"| {users:,} | refresh with 20 changes | {time.perf_counter() - started:.2f} s "
                f"({emulator.count() - before} requests) | | | |")
    values = [user["userPrincipalName"] for user in data["users"][:500]]
    lookup = GraphEmulator(TenantStore(data), Faults(latency=LATENCY))
    started = time.perf_counter()
    await holders_batched(client_for(lookup), values)
    rows.append(f"| {users:,} | holders of 500 values ($batch) | {time.perf_counter() - started:.2f} s "
                f"({lookup.count()} requests, {lookup.batch_items} items) | {math.ceil(500 / 20)} requests | | |")
    return rows


async def throttling_row(users: int) -> str:
    emulator = GraphEmulator(TenantStore(tenant(users)),
                             Faults(latency=LATENCY, throttle_rate=0.3, retry_after="0.35", seed=3))
    started = time.perf_counter()
    await refresh(client_for(emulator), Mirror())
    elapsed = time.perf_counter() - started
    throttled = sum(1 for r in emulator.requests if r.status == 429)
    return (f"| {users:,} | 30 % of requests 429 (Retry-After 0.35) | {elapsed:.2f} s, {throttled} throttled, "
            f"{emulator.early_requests} sent before their wait | waits alone ≥ {throttled * 0.35 / 3:.2f} s | | |")


def report_memory(users: int) -> str:
    """Peak RSS of a ``syncdash report`` process reading a loopback emulator."""
    from bench_errors import report_peak

    with tempfile.TemporaryDirectory() as tmp:
        server = LoopbackEmulator(tenant(users), Path(tmp))
        try:
            elapsed, peak = report_peak(server.url, "json", Path(tmp) / "r.json")
        finally:
            server.close()
    return f"| {users:,} | `syncdash report` peak memory | {peak} MB, {elapsed:.1f} s | < 400 MB | | |"


def warm_start(users: int) -> str:
    """The dashboard's first frame listing a 100k tenant's errors from the cached mirror,
    in tmux: a first run fills the cache; the timed runs must show the list before Graph
    (a loopback emulator, 50 ms per request) has answered anything."""
    import re
    import statistics

    from bench_ui import RUNS, time_to_text

    dashboard = Path(sys.executable).parent / "syncdash"
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        server = LoopbackEmulator(tenant(users), home)
        try:
            command = f"{dashboard} --graph-url {server.url} --refresh 3600"
            _, screen = time_to_text(command, "complete", home, timeout=600)
            listed = re.search(r"Objects with sync errors \((\d+)/", screen)
            marker = f"Objects with sync errors ({listed.group(1) if listed else ''}"
            seconds = statistics.median(time_to_text(command, marker, home)[0] for _ in range(RUNS))
            demo = statistics.median(time_to_text(f"{dashboard} --demo --refresh 3600", "KIND", home)[0]
                                     for _ in range(RUNS))
        finally:
            server.close()
        cache = sum(f.stat().st_size for f in (home / "c").rglob("*") if f.is_file()) / 1e6
    return (f"| {users:,} | warm start: first frame listing the errors, mirror cached ({cache:.0f} MB) "
            f"| {seconds:.2f} s | < 1.5 × the demo's {demo:.2f} s | {seconds / demo:.1f}× | |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--plain-max", type=int, default=20_000)
    args = parser.parse_args()
    print(f"Latency {LATENCY * 1000:.0f} ms per request; tenants: users + 10 % groups + 5 % contacts, 2 % in error.\n")
    print("| users | measure | syncdash | lower bound / goal | ratio | plain msgraph-sdk script |")
    print("|---|---|---|---|---|---|")
    for users in args.users:
        for row in asyncio.run(scale_row(users, args.plain_max)):
            print(row, flush=True)
    print(asyncio.run(throttling_row(min(args.users))), flush=True)
    print(report_memory(max(args.users)), flush=True)
    print(warm_start(max(args.users)), flush=True)
    print(f"\nbenchmark process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
