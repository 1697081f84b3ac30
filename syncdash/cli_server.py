"""The Connect server's files on the command line: ``--server-evidence`` for one run,
``import`` to attach them to a tenant, and ``collect-script`` to produce them."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from syncdash.cli_output import UsageError, write_output

if TYPE_CHECKING:
    from syncdash.sources import Source

#: Exit codes as every command's.
EXIT_CLEAR = 0


def with_server_evidence(source: Source, args: argparse.Namespace) -> Source:
    """The run's server files: ``--server-evidence`` (each checked now, so a wrong file is
    a one-line error before anything is read), else the files imported for the tenant."""
    from syncdash import sources
    from syncdash.server.imported import imported_paths
    from syncdash.server.reading import expand, file_kind
    from syncdash.store import default_data_dir

    given = getattr(args, "server_evidence", None) or []
    if given:
        files = expand(given)
        if not files:
            raise UsageError("syncdash: --server-evidence names no file (the folders are empty)")
        for path in files:
            file_kind(path)
        return sources.with_server(source, given)
    imported = imported_paths(default_data_dir(), source.key)
    return sources.with_server(source, imported) if imported else source


def run_import(args: argparse.Namespace, source: Source) -> int:
    """``syncdash import``: attach files, list them, or forget them."""
    from syncdash.sanitize import safe_line
    from syncdash.server.imported import forget, import_files, listing
    from syncdash.store import default_data_dir
    from syncdash.sync_server import evidence_age

    data_dir, now = default_data_dir(), datetime.now(timezone.utc)
    chosen = [flag for flag, on in (("FOLDER|FILE", bool(args.paths)), ("--list", args.list),
                                    ("--forget", args.forget is not None)) if on]
    if len(chosen) != 1:
        raise UsageError("syncdash: import takes files or folders, --list, or --forget [NAME ...] (one of them)")
    tenant = safe_line(source.key)
    if args.list:
        entries = listing(data_dir, source.key)
        if not entries:
            print(f"syncdash: no server files imported for {tenant}")
        for entry in entries:
            print(f"{safe_line(entry.name)}\t{safe_line(entry.kind)}\t{entry.as_of:%Y-%m-%d %H:%M} UTC\t"
                  f"{evidence_age(entry.as_of, now)}"
                  f"\t{entry.size:,} bytes")
        return EXIT_CLEAR
    if args.forget is not None:
        gone = forget(data_dir, source.key, args.forget)
        print(f"syncdash: forgot {len(gone)} server file(s) of {tenant}")
        return EXIT_CLEAR
    for entry in import_files(data_dir, source.key, args.paths, now):
        print(f"imported {safe_line(entry.name)} ({entry.kind}, {entry.as_of:%Y-%m-%d %H:%M} UTC, "
              f"{evidence_age(entry.as_of, now)}) for {tenant}")
    return EXIT_CLEAR


def run_collect_script(args: argparse.Namespace) -> int:
    from syncdash import __version__
    from syncdash.export.collect_script import BadObjectName, collect_script

    try:
        script = collect_script(args.object, datetime.now(timezone.utc), __version__)
    except BadObjectName as exc:
        raise UsageError(f"syncdash: {exc}") from None
    output: Path | None = args.output
    if output is not None or not sys.stdout.isatty():
        # a byte-order mark: Windows PowerShell 5.1 reads a .ps1 without one as ANSI, where
        # the UTF-8 bytes of a DN's letter could read as a quote that ends its string
        script = "\ufeff" + script
    write_output([script], output)
    return EXIT_CLEAR
