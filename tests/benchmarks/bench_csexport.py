"""Reading a csexport file: a 500 MB AD connector-space export (objects with a
synchronized hologram of ~1.3 KB, one in twenty with a pending export, one in a hundred
with an export error) read through ``read_server_files``, detection and the index
included; and the process's peak memory, which stays bounded however large the file
(it is parsed as a stream, each object dropped once read; what stays is one compact
record an object).

Run: ``python tests/benchmarks/bench_csexport.py [--megabytes 500]``. Not part of the
normal test run. Goal: 500 MB in under 30 s.
"""

from __future__ import annotations

import argparse
import base64
import resource
import tempfile
import time
import uuid
from pathlib import Path

from syncdash.server.reading import read_server_files

_HOLOGRAM = "".join(f'<attr name="extensionAttribute{n}" type="string" multivalued="false"><value>value {n} of'
                    f' the object, padding the hologram as a real one is padded</value></attr>' for n in range(1, 13))


def _object(i: int) -> str:
    dn = f"CN=User {i:07d},OU=Staff,OU=Europe,DC=contoso,DC=com"
    guid = base64.b64encode(uuid.UUID(int=i + 1).bytes_le).decode()
    pending = (f'<unapplied-export><delta operation="update" dn="{dn}"><attr name="title" type="string" '
               'multivalued="false" operation="replace"><value>Engineer</value></attr></delta></unapplied-export>'
               if i % 20 == 0 else "")
    error = ('<export-errordetail first-occurred="2026-11-28 10:00:00.000" date-occurred="2026-11-30 10:00:00.000" '
             'retry-count="3" error-type="permission-issue"><export-status><cd-error><error-code>8344</error-code>'
             '<error-literal>Insufficient access rights.</error-literal></cd-error></export-status>'
             '</export-errordetail>' if i % 100 == 0 else "")
    return (f'<cs-object cs-dn="{dn}" id="{{{uuid.UUID(int=i + 7)}}}" object-type="user">{pending}'
            f'<synchronized-hologram><entry dn="{dn}"><anchor encoding="base64">{guid}</anchor>'
            f'<primary-objectclass>user</primary-objectclass><attr name="userPrincipalName" type="string" '
            f'multivalued="false"><value>user{i}@contoso.com</value></attr>{_HOLOGRAM}</entry>'
            f'</synchronized-hologram>{error}<connector>1</connector><connector-state>normal</connector-state>'
            f'<mv-link lineage-type="join-rules">{{{uuid.UUID(int=i + 99)}}}</mv-link></cs-object>')


def write_csexport(path: Path, megabytes: int) -> int:
    """A file of at least ``megabytes`` MB on one line, as csexport writes it; returns its objects."""
    limit, written, count = megabytes * 1024 * 1024, 0, 0
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?><cs-objects>')
        while written < limit:
            chunk = "".join(_object(count + n) for n in range(1000))
            out.write(chunk)
            written += len(chunk)
            count += 1000
        out.write("</cs-objects>")
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "csexport-contoso.com.xml"
        count = write_csexport(path, args.megabytes)
        size = path.stat().st_size / (1024 * 1024)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        index = read_server_files([path])
        elapsed = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert index.count == count, (index.count, count)
        print(f"{size:.0f} MB, {count:,} objects: read in {elapsed:.1f} s ({size / elapsed:.0f} MB/s, "
              f"{count / elapsed:,.0f} objects/s); peak RSS {peak:.0f} MB (before reading {before:.0f} MB); "
              f"{len(index.export_errors()):,} errors")


if __name__ == "__main__":
    main()
