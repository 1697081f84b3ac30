"""The ``syncdash`` command: argument parsing, headless commands, and the dashboard's start."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from syncdash import __version__
from syncdash.config import ConfigError
from syncdash.emulator.tenant import TenantFileError
from syncdash.graph.errors import ClientConfigError, GraphError

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

    from syncdash.graph.retry_after import ThrottleListener

#: Exit codes shared by every command: scripts and monitoring rely on them.
EXIT_CLEAR, EXIT_PROBLEMS, EXIT_FAILURE = 0, 1, 2

#: Host of the in-process emulator: the reserved ``.invalid`` TLD never resolves, so no
#: request could leave the machine even if the emulator's transport were missing.
EMULATED_GRAPH_URL = "https://graph.emulator.invalid/v1.0"

NO_SOURCE = (
    "syncdash: no tenant to read.\n"
    "Try the demo tenant with `syncdash --demo`, or point at a tenant file with "
    "`--tenant-file FILE` or an emulator with `--graph-url http://127.0.0.1:PORT/v1.0`."
)


class UsageError(Exception):
    """Bad input from the admin: one line on stderr, exit 2."""


def _add_source_options(parser: argparse.ArgumentParser, *, in_command: bool) -> None:
    """The tenant to read, accepted before or after the command name.

    Inside a command the defaults are suppressed, or argparse would let the command's
    unset options overwrite what was given before it (``syncdash --demo report``).
    """
    defaults = {"default": argparse.SUPPRESS} if in_command else {}
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--demo", action="store_true", help="use the built-in demo tenant (Contoso)", **defaults
    )
    source.add_argument(
        "--tenant-file", type=Path, metavar="FILE", help="emulate the tenant in FILE", **defaults
    )
    source.add_argument(
        "--graph-url", metavar="URL", help="Graph base URL (e.g. an emulator on loopback)", **defaults
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 1 <= value <= 86400:
        raise argparse.ArgumentTypeError("a refresh interval is 1 to 86400 seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    from syncdash.export.formats import CHECK_FORMATS, REPORT_FORMATS

    parser = argparse.ArgumentParser(
        prog="syncdash",
        description="Find and diagnose Entra Connect directory-sync errors from Microsoft Graph.",
    )
    parser.add_argument("--version", action="version", version=f"syncdash {__version__}")
    _add_source_options(parser, in_command=False)
    parser.add_argument("--refresh", type=_seconds, metavar="SECONDS",
                        help="dashboard refresh interval (default 60; 5 with --demo)")
    parser.add_argument("--theme", metavar="NAME", help="dashboard theme (also SYNCDASH_THEME)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="config file (also SYNCDASH_CONFIG)")
    parser.add_argument("--mouse", action="store_true", help="let the dashboard use the mouse")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    report = commands.add_parser(
        "report", help="every object with sync errors, diagnosed (exit 0: none, 1: some, 2: failure)"
    )
    _add_source_options(report, in_command=True)
    report.add_argument("--format", choices=REPORT_FORMATS, default="table")
    report.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    check = commands.add_parser(
        "check", help="run the three recommended steps for one object (exit 0: clear, 1: problem, 2: failure)"
    )
    check.add_argument("object", metavar="OBJECT", help="object id, UPN, mail or proxy address, or display name")
    _add_source_options(check, in_command=True)
    check.add_argument("--format", choices=CHECK_FORMATS, default="text")
    return parser


def _demo_client() -> GraphServiceClient:
    import random

    from syncdash.emulator.demo import build_demo_tenant, mutate_demo_tenant

    from syncdash.emulator.service import GraphEmulator
    from syncdash.emulator.tenant import TenantStore
    from syncdash.emulator.transport import EmulatorTransport
    from syncdash.graph.client import build_client

    rng = random.Random(0)
    store = TenantStore(
        build_demo_tenant(datetime.now(timezone.utc)),
        mutate=lambda tenant: mutate_demo_tenant(tenant, rng, datetime.now(timezone.utc)),
    )
    return build_client(EMULATED_GRAPH_URL, transport=EmulatorTransport(GraphEmulator(store)))


def connect(args: argparse.Namespace, on_throttle: ThrottleListener | None = None) -> GraphServiceClient:
    """The Graph client for the tenant the arguments name."""
    from syncdash.graph.client import build_client, is_loopback

    if args.demo + (args.tenant_file is not None) + bool(args.graph_url) > 1:
        raise UsageError("syncdash: choose one of --demo, --tenant-file and --graph-url")
    if args.demo:
        return _demo_client()
    if args.tenant_file is not None:
        from syncdash.emulator.service import GraphEmulator
        from syncdash.emulator.tenant import TenantStore
        from syncdash.emulator.transport import EmulatorTransport

        store = TenantStore(path=args.tenant_file)
        return build_client(EMULATED_GRAPH_URL, transport=EmulatorTransport(GraphEmulator(store)))
    if args.graph_url:
        if not is_loopback(args.graph_url):
            raise UsageError(
                f"syncdash: {args.graph_url} needs a sign-in, which this version cannot do yet; "
                "use a loopback emulator URL or --demo"
            )
        return build_client(args.graph_url, on_throttle=on_throttle or _say_throttled)
    raise UsageError(NO_SOURCE)


def _say_throttled(seconds: float) -> None:
    print(f"syncdash: throttled by Graph, retrying in {seconds:g} s", file=sys.stderr)


def _write(text: str, output: Path | None) -> None:
    """To stdout, or to a file that is replaced whole only once the text is complete."""
    from syncdash.files import write_atomically

    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        write_atomically(output, text)
    except OSError as exc:
        raise UsageError(f"syncdash: cannot write {output}: {exc.strerror or exc}") from None


async def _report(client: GraphServiceClient, args: argparse.Namespace) -> int:
    from syncdash.checks import diagnose_tenant
    from syncdash.export import formats

    outcome = await diagnose_tenant(client, datetime.now(timezone.utc))
    for reason in outcome.unavailable:
        print(f"syncdash: not checked: {reason}", file=sys.stderr)
    parts = (outcome.tenant, outcome.complete, outcome.diagnoses)
    render = {
        "table": lambda: formats.report_table(*parts),
        "json": lambda: formats.report_json(*parts),
        "csv": lambda: formats.report_csv(outcome.diagnoses),
        "markdown": lambda: formats.report_markdown(*parts),
    }[args.format]
    _write(render(), args.output)
    return EXIT_PROBLEMS if outcome.diagnoses else EXIT_CLEAR


async def _check(client: GraphServiceClient, args: argparse.Namespace) -> int:
    from syncdash.checks import check_object
    from syncdash.export import formats
    from syncdash.sanitize import safe_text

    outcome = await check_object(client, args.object, datetime.now(timezone.utc))
    if outcome.diagnosis is None:
        lines = [f"syncdash: {len(outcome.matches)} objects match {safe_text(args.object)!r}; name one:"]
        lines += [f"  {o.kind.value:8} {o.id}  {safe_text(o.display_name)}  {safe_text(o.identity)}"
                  for o in outcome.matches]
        print("\n".join(lines), file=sys.stderr)
        return EXIT_FAILURE
    if args.format == "json":
        _write(formats.check_json(outcome.tenant, outcome.diagnosis), None)
    else:
        unicode = (sys.stdout.encoding or "").lower().replace("-", "") in ("utf8", "utf8sig")
        _write(formats.check_text(outcome.tenant, outcome.diagnosis, unicode=unicode), None)
    if outcome.diagnosis.all_clear:
        return EXIT_CLEAR
    return EXIT_PROBLEMS


def _source_key(args: argparse.Namespace) -> str:
    """Which tenant the cache and the admin's ticks belong to."""
    if args.demo:
        return "demo"
    if args.tenant_file is not None:
        return f"file:{args.tenant_file.resolve()}"
    if args.graph_url:
        return f"url:{args.graph_url.rstrip('/')}"
    raise UsageError(NO_SOURCE)


def _dashboard(args: argparse.Namespace) -> int:
    import os

    from syncdash.config import config_path, load_config
    from syncdash.store import Store
    from syncdash.ui.app import SyncdashApp
    from syncdash.ui.themes import shipped_theme_dirs

    key = _source_key(args)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("syncdash: the dashboard needs a terminal; in scripts use `syncdash report` or `syncdash check`")
    path = config_path(args.config)
    config = load_config(path, required=args.config is not None or "SYNCDASH_CONFIG" in os.environ)
    store = Store()
    app = SyncdashApp(
        lambda on_throttle: connect(args, on_throttle),
        tenant_key=key,
        store=store,
        refresh=args.refresh or config.refresh or (5.0 if args.demo else 60.0),
        clock=lambda: datetime.now(timezone.utc),
        theme=args.theme or os.environ.get("SYNCDASH_THEME") or config.theme,
        keymap=config.keys,
        theme_dirs=[*shipped_theme_dirs(), path.parent / "themes"],
    )
    try:
        app.run(mouse=args.mouse)
    finally:
        store.close()
    return app.return_code or 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "format", "text") == "text":
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]
    try:
        if args.command is None:
            return _dashboard(args)
        client = connect(args)
        if args.command == "check":
            return asyncio.run(_check(client, args))
        return asyncio.run(_report(client, args))
    except (UsageError, ClientConfigError, TenantFileError, ConfigError) as exc:
        message = str(exc)
        print(message if message.startswith("syncdash:") else f"syncdash: {message}", file=sys.stderr)
    except GraphError as exc:
        print(f"syncdash: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
