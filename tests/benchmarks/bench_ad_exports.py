"""Reading AD exports: entries per second for an ldifde (LDIF) and a csvde (CSV) export of
100,000 users (~8 lines each in LDIF), and the process's peak memory, which should stay
flat however large the file (the readers stream).

Run: ``python tests/benchmarks/bench_ad_exports.py [--entries 100000] [--runs 3]``. The
files are written to a temporary folder first; the figure is the best of the runs, the
reading of each file through ``read_export`` (detection included, ``ad_object`` not).
Not part of the normal test run. Goal: >= 20,000 entries/s (200,000 entries in ~10 s).
"""

from __future__ import annotations

import argparse
import base64
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

from syncdash.ad.exports import read_export


def write_ldif(path: Path, entries: int) -> None:
    with path.open("w", encoding="ascii", newline="\r\n") as out:
        for i in range(entries):
            guid = base64.b64encode(uuid.UUID(int=i + 1).bytes_le).decode()
            out.write(f"\ndn: CN=User {i:06d},OU=Staff,OU=Europe,DC=contoso,DC=com\nchangetype: add\n"
                      f"objectClass: top\nobjectClass: user\nobjectGUID:: {guid}\n"
                      f"userPrincipalName: user{i}@contoso.com\nmail: user{i}@contoso.com\n"
                      f"proxyAddresses: SMTP:user{i}@contoso.com\n")


def write_csv(path: Path, entries: int) -> None:
    with path.open("w", encoding="utf-8", newline="\r\n") as out:
        out.write("DN,objectClass,objectGUID,userPrincipalName,mail,proxyAddresses\n")
        for i in range(entries):
            out.write(f'"CN=User {i:06d},OU=Staff,OU=Europe,DC=contoso,DC=com",top;user,'
                      f"X'{uuid.UUID(int=i + 1).bytes_le.hex()}',user{i}@contoso.com,user{i}@contoso.com,"
                      f"SMTP:user{i}@contoso.com;smtp:user{i}@contoso.mail.onmicrosoft.com\n")


def rate(path: Path, runs: int) -> tuple[int, float]:
    best = float("inf")
    count = 0
    for _ in range(runs):
        started = time.perf_counter()
        count = sum(1 for _ in read_export(path))
        best = min(best, time.perf_counter() - started)
    return count, best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    print(f"Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        kinds = (("ldifde (LDIF)", "export.ldf", write_ldif), ("csvde (CSV)", "export.csv", write_csv))
        for label, name, write in kinds:
            path = Path(folder) / name
            write(path, options.entries)
            count, seconds = rate(path, options.runs)
            print(f"| {label} | {count:,} entries, {path.stat().st_size / 1e6:.1f} MB | {seconds:.2f} s | "
                  f"{count / seconds:,.0f} entries/s |")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(f"peak RSS of the process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
