"""Graph-layer figures: request counts and times for the fast path and the full scan.

Run: ``python tests/benchmarks/bench_graph.py [--users 20000] [--latency 0.0]``.
Prints a markdown table; not part of the normal test run (times vary, counts do not).
Every figure goes through the real msgraph-sdk against the in-process emulator.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from datetime import datetime, timezone

from syncdash.emulator.scenarios.demo import build_demo_tenant
from syncdash.emulator.faults import Faults
from syncdash.emulator.scenarios.generate import generate_tenant
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantStore
from syncdash.emulator.transport import EmulatorTransport
from syncdash.graph.client import build_client
from syncdash.pipeline import read_once
from syncdash.graph.scan import scan_fast
from syncdash.model import ScanResult

FIRST_REQUEST = """
import asyncio, time
started = time.perf_counter()
from syncdash.emulator.scenarios.demo import build_demo_tenant
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantStore
from syncdash.emulator.transport import EmulatorTransport
from datetime import datetime, timezone
emulator = GraphEmulator(TenantStore(build_demo_tenant(datetime.now(timezone.utc))))
ready = time.perf_counter()
from syncdash.graph.client import build_client
from syncdash.graph.tenant import tenant_status
client = build_client("https://graph.emulator.invalid/v1.0", transport=EmulatorTransport(emulator))
built = time.perf_counter()
asyncio.run(tenant_status(client))
first = time.perf_counter()
asyncio.run(tenant_status(client))
second = time.perf_counter()
print(f"{built - ready:.3f} {first - built:.3f} {second - first:.3f}")
"""


async def report_scan(client) -> ScanResult:  # type: ignore[no-untyped-def]
    """What ``report`` reads: the tenant status beside a complete listing of every kind."""
    view = await read_once(client)
    return ScanResult(view.in_error, view.complete)


async def measure(name: str, tenant: dict, latency: float) -> list[str]:
    rows = []
    for label, scan in (("fast path (filter)", scan_fast), ("full scan (report)", report_scan)):
        emulator = GraphEmulator(TenantStore(tenant), Faults(latency=latency))
        client = build_client("https://graph.emulator.invalid/v1.0", transport=EmulatorTransport(emulator))
        started = time.perf_counter()
        result = await scan(client)
        elapsed = time.perf_counter() - started
        rows.append(f"| {name} | {label} | {emulator.count()} | {len(result.objects)} | "
                    f"{'yes' if result.complete else 'no'} | {elapsed:.2f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    now = datetime.now(timezone.utc)
    demo = build_demo_tenant(now)
    big = generate_tenant(users=args.users, groups=args.users // 10, contacts=args.users // 20,
                          errors=args.users // 50, seed=1, now=now)
    print(f"Emulator latency per request: {args.latency * 1000:.0f} ms\n")
    print("| tenant | listing | requests | objects in error | complete | seconds |")
    print("|---|---|---|---|---|---|")
    for name, tenant in (("demo", demo), (f"generated {args.users:,} users", big)):
        for row in asyncio.run(measure(name, tenant, args.latency)):
            print(row)
    out = subprocess.run([sys.executable, "-c", FIRST_REQUEST], capture_output=True, text=True, check=True)
    build, first, second = out.stdout.split()
    print(f"\nFresh process: SDK import + client build {build} s, first request {first} s, "
          f"next request {second} s")


if __name__ == "__main__":
    main()
