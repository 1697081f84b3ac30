"""The audit of a large directory: an ldifde export of N objects (1,000,000 by default,
three values each: UPN, mail, a proxy address; one in a thousand shares an address with
another, one in a thousand has a space in its UPN) audited end to end by the installed
command — parse, every rule, duplicate detection, JSON written — in its own process, so
the peak RSS is the audit's alone.

Run: ``python tests/benchmarks/bench_audit.py [--objects 1000000]``. Goal (issue 17):
under 60 s on 2 cores and under 1 GB peak RSS. Not part of the normal test run.
"""

from __future__ import annotations

import argparse
import base64
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path


def write_export(path: Path, objects: int) -> None:
    with path.open("w", encoding="ascii", newline="\r\n") as out:
        for i in range(objects):
            guid = base64.b64encode(uuid.UUID(int=i + 1).bytes_le).decode()
            upn = f"user {i}@contoso.com" if i % 1000 == 7 else f"user{i}@contoso.com"
            proxy = f"smtp:shared{i // 1000}@contoso.com" if i % 1000 in (3, 4) else f"SMTP:user{i}@contoso.com"
            out.write(f"\ndn: CN=User {i:07d},OU=Staff,OU=Europe,DC=contoso,DC=com\nchangetype: add\n"
                      f"objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\n"
                      f"objectGUID:: {guid}\nsAMAccountName: user{i}\ndisplayName: User {i}\n"
                      f"userPrincipalName: {upn}\nmail: user{i}@contoso.com\nproxyAddresses: {proxy}\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        export, result = Path(folder) / "big.ldf", Path(folder) / "audit.json"
        write_export(export, args.objects)
        size = export.stat().st_size
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "syncdash", "audit", "--ad-export", str(export), "--format",
                              "json", "--output", str(result), "--quiet"], capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        summary = json.loads(result.read_text())["summary"]
    print(f"{args.objects:,} objects ({size / 1e6:.0f} MB LDIF): {elapsed:.1f} s, peak RSS {peak:.0f} MB, "
          f"exit {run.returncode}, {summary['objectsWithFindings']:,} objects with findings {summary['findings']}")


if __name__ == "__main__":
    main()
