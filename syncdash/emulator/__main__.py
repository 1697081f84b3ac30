"""``python -m syncdash.emulator TENANT.json --port 8765``: a fake Graph on loopback.

``--scopes least-privilege`` (or a list such as ``User.Read.All,role:Global Reader``)
serves the tenant as that token would see it: 403s and nulls where Graph gives them.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from syncdash.emulator.faults import Faults
from syncdash.emulator.permissions import PRESETS, Grants
from syncdash.emulator.server import make_server
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantFileError, TenantStore


class _ScopesAction(argparse.Action):
    """Reads ``--scopes`` as soon as argparse meets it, so a bad value is the one line of
    error whatever else is wrong or missing on the command line."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        try:
            setattr(namespace, self.dest, Grants.parse(str(values)))
        except ValueError as exc:
            parser.exit(2, f"syncdash.emulator: --scopes: {exc}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m syncdash.emulator",
        description="Serve a tenant file (or the demo tenant) as Microsoft Graph on 127.0.0.1.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("tenant_file", nargs="?", type=Path, help="tenant JSON file")
    source.add_argument("--demo", action="store_true", help="serve the built-in demo tenant")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--throttle-rate", type=float, default=0.0, help="share of requests answered 429")
    parser.add_argument("--retry-after", default="1", help="Retry-After value sent with 429s")
    parser.add_argument("--empty-pages", action="store_true", help="insert empty pages in listings")
    parser.add_argument("--scopes", action=_ScopesAction, default=None, metavar="TEXT",
                        help="what the token may read: a preset (" + ", ".join(PRESETS) + ") or scopes, "
                             "role:NAME and app-only, comma-separated (default: the tenant file's, else full)")
    parser.add_argument("--contacts-delta-latest", action="store_true",
                        help="accept $deltatoken=latest on contacts (undocumented; refused by default)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.demo:
            from syncdash.emulator.scenarios.demo import build_demo_tenant

            store = TenantStore(build_demo_tenant(datetime.now(timezone.utc)))
        else:
            store = TenantStore(path=args.tenant_file)
    except TenantFileError as exc:
        print(f"syncdash.emulator: {exc}", file=sys.stderr)
        return 2
    faults = Faults(
        latency=args.latency,
        throttle_rate=args.throttle_rate,
        retry_after=args.retry_after,
        empty_pages=args.empty_pages,
    )
    try:
        emulator = GraphEmulator(store, faults, grants=args.scopes, contacts_delta_latest=args.contacts_delta_latest)
        server = make_server(emulator, args.port)
    except OSError as exc:
        print(f"syncdash.emulator: cannot listen on port {args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    print(server.base_url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
