"""Connect Health at scale: 10,000 export errors across the six buckets, half on objects
Graph has (joined by sourceAnchor) and half on objects it does not.

Run: ``python tests/benchmarks/bench_health.py [--errors 10000]``. Prints the requests
sent (against the limit ⌈n/page⌉ + one per bucket + 3 that issue 16 sets; listV2 is one
page by the spec) and the CPU time the read and the join add to a refresh. Not part of
the normal test run; the Resource Manager is the in-process emulator, through the real
azure-core pipeline.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from datetime import datetime, timezone

from syncdash.emulator.arm_adapter import EMULATED_ARM_URL, emulated_session
from syncdash.emulator.health import PAGE, HealthEmulator
from syncdash.emulator.scenarios.generate import generate_tenant
from syncdash.emulator.tenant import TenantStore
from syncdash.evidence import attach
from syncdash.graph.parse import directory_object
from syncdash.health.client import ResourceManager
from syncdash.health.source import ConnectHealth
from syncdash.model import ObjectKind

BUCKETS = {"DuplicateAttributeError": "AttributeValueMustBeUnique", "DataMismatch": "InvalidSoftMatch",
           "DataValidationError": "IdentityDataValidationFailed", "LargeAttribute": "LargeObject",
           "FederatedDomainChange": "FederatedDomainChangeError", "Others": "DeletingCloudOnlyObjectNotAllowed"}


def health_tenant(errors: int) -> dict:
    now = datetime.now(timezone.utc)
    data = generate_tenant(users=errors, groups=10, contacts=10, errors=10, seed=3, now=now)
    synced = [u for u in data["users"] if u.get("onPremisesImmutableId")]
    exported: dict[str, list[dict]] = {bucket: [] for bucket in BUCKETS}
    for i in range(errors):
        bucket = list(BUCKETS)[i % len(BUCKETS)]
        user = synced[i % len(synced)] if i % 2 == 0 else None
        upn = user["userPrincipalName"] if user else f"absent{i}@contoso.com"
        incoming = {"displayName": user["displayName"] if user else f"Absent {i}", "userPrincipalName": upn,
                    "sourceAnchor": user["onPremisesImmutableId"] if user else f"anchor{i}==",
                    "distinguishedName": f"CN=Object {i},OU=Users,DC=contoso,DC=com", "objectGuid": f"guid-{i}",
                    "objectType": "User"}
        exported[bucket].append({"type": BUCKETS[bucket], "attributeName": "ProxyAddresses",
                                 "attributeValue": f"smtp:value{i}@contoso.com", "timeOccurred": now.isoformat(),
                                 "timeFirstOccurred": now.isoformat(), "dn": incoming["distinguishedName"],
                                 "incomingObject": incoming, "existingObject": None})
    data["connectHealth"] = {"services": [{"serviceName": "sync", "type": "AadSyncService"}],
                             "exportErrors": exported, "exportStatus": [{"endTime": now.isoformat()}], "alerts": []}
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--errors", type=int, default=10_000)
    count = parser.parse_args().errors
    data = health_tenant(count)
    objects = [directory_object(raw, ObjectKind.USER) for raw in data["users"]]
    emulator = HealthEmulator(TenantStore(data))
    source = ConnectHealth(lambda: ResourceManager(EMULATED_ARM_URL, session=emulated_session(emulator)))
    started, cpu = time.perf_counter(), time.process_time()
    evidence = asyncio.run(source.read(datetime.now(timezone.utc)))
    read_wall, read_cpu = time.perf_counter() - started, time.process_time() - cpu
    cpu = time.process_time()
    joined = attach(objects, evidence.export_errors)
    join_cpu = time.process_time() - cpu
    limit = math.ceil(count / PAGE) + len(BUCKETS) + 3
    print(f"| export errors | {len(evidence.export_errors):,} |")
    print(f"| requests | {len(emulator.requests)} (limit {limit}) |")
    print(f"| read: wall / CPU (client and in-process emulator) | {read_wall:.2f} s / {read_cpu:.2f} s |")
    print(f"| join to {len(objects):,} objects (CPU) | {join_cpu:.3f} s; {len(joined) - len(objects):,} not in Entra |")


if __name__ == "__main__":
    main()
