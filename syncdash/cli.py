"""The ``syncdash`` command: argument parsing, headless commands, and the dashboard's start."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from syncdash.cli_errors import StdoutClosed, discard_stdout, error, standard_streams
from syncdash.cli_output import UsageError, write_output
from syncdash.cli_parser import build_parser
from syncdash.heap import resume_after_start_up

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

    from syncdash.config import Config, Settings
    from syncdash.model import AdminWork
    from syncdash.sources import Source

#: Exit codes shared by every command: scripts and monitoring rely on them.
EXIT_CLEAR, EXIT_PROBLEMS, EXIT_FAILURE = 0, 1, 2
#: Output read by programs, written as UTF-8 whatever the terminal's encoding.
MACHINE_FORMATS = ("json", "csv", "markdown")


def _config(args: argparse.Namespace) -> Config:
    import os

    from syncdash.config import config_path, load_config

    path = config_path(args.config)
    config = load_config(path, required=args.config is not None or "SYNCDASH_CONFIG" in os.environ)
    for warning in config.warnings:  # read once per run: said once, before anything else
        error(warning)
    return config


def resolve_source(args: argparse.Namespace, config: Config) -> Source:
    """The tenant the arguments (or the config's profiles) name, where its Connect Health
    is read (``--health-url``, ``--no-health``) and its on-premises AD (``--ad-url``,
    ``--ad-export``)."""
    from syncdash import sources

    from syncdash.cli_audit import ad_evidence

    source = _tenant_source(args, config)
    if getattr(args, "no_health", False):
        source = sources.without_health(source, "turned off for this run (--no-health)")
    elif getattr(args, "health_url", None):
        source = sources.health_url(source, args.health_url)
    ad = ad_evidence(args, source.profile) if args.command != "audit" else None  # the audit reads AD itself
    source = sources.with_ad(source, ad) if ad is not None else source
    if args.command in (None, "check", "report"):
        from syncdash.cli_server import with_server_evidence

        source = with_server_evidence(source, args)
    return source


def _tenant_source(args: argparse.Namespace, config: Config) -> Source:
    from syncdash import sources
    from syncdash.config import select_profile
    from syncdash.store import default_data_dir

    chosen = [flag for flag, on in (("--demo", args.demo), ("--tenant-file", args.tenant_file is not None),
                                    ("--graph-url", bool(args.graph_url))) if on]
    if len(chosen) > 1:
        raise UsageError("syncdash: choose one of --demo, --tenant-file and --graph-url")
    permissions = getattr(args, "permissions", None)
    if permissions is not None and not (args.demo or args.tenant_file is not None):
        raise UsageError("syncdash: --permissions applies to --demo and --tenant-file only")
    if args.demo:
        return sources.demo(permissions)
    if args.tenant_file is not None:
        return sources.tenant_file(args.tenant_file, permissions)
    named = getattr(args, "profile", None)
    if args.graph_url:
        # a loopback URL (an emulator) signs in only with a profile named for it: the default
        # profile's token must not go to whatever listens on a local port
        loopback = sources.is_loopback_url(args.graph_url)
        profile = select_profile(config, named) if named or not loopback else None
        return sources.graph_url(args.graph_url, profile, default_data_dir())
    profile = select_profile(config, named)
    if profile is None and config.profiles:
        raise UsageError(f"syncdash: {len(config.profiles)} profiles ({', '.join(sorted(config.profiles))}): "
                         "pick one with --profile NAME, or set default_profile in the config file")
    if profile is None:
        raise UsageError(sources.NO_TENANT)
    return sources.from_profile(profile, default_data_dir())


def _prompt(url: str, code: str, expires: datetime) -> None:
    error(f"to sign in, open {url} and enter the code {code} (valid until {expires:%H:%M})")


def _headless_client(source: Source) -> GraphServiceClient:
    from syncdash.sources import Hooks

    interactive = sys.stdin.isatty() and sys.stderr.isatty()
    return source.connect(Hooks(on_throttle=ThrottleNotice(), on_device_code=_prompt, interactive=interactive))


class ThrottleNotice:
    """One stderr line per throttling episode: requests throttled together, or retried
    through a storm, would otherwise print a line each."""

    def __init__(self) -> None:
        self._quiet_until = 0.0

    def __call__(self, seconds: float) -> None:
        import time

        now = time.monotonic()
        if now >= self._quiet_until:
            print(f"syncdash: throttled by Graph — resuming in {seconds:g} s", file=sys.stderr)
        self._quiet_until = max(self._quiet_until, now + seconds + 1.0)


async def _report(client: GraphServiceClient, source: Source, args: argparse.Namespace) -> int:
    """Every object in error, diagnosed, with the admin's ticks and notes of this tenant."""
    from syncdash.export import formats
    from syncdash.export.summary import summary_line
    from syncdash.model import SourceState
    from syncdash.pipeline import read_once

    view = await read_once(client, source.evidence())
    for status in view.status.sources:
        if status.state is SourceState.UNAVAILABLE:  # configured and wanted, but not read
            error(f"not read: {status.name}: {status.reason}")
    diagnoses = view.diagnoses(datetime.now(timezone.utc))
    for reason in view.unavailable:
        error(f"not checked: {reason}")
    work, history = _from_dashboard(source.key)
    summary = summary_line(view.in_error, history)
    chunks = formats.report_chunks(args.format, view.status, view.complete, len(diagnoses), diagnoses,
                                   work, _columns(args.output), summary)
    write_output(chunks, args.output, readable=args.format not in MACHINE_FORMATS)
    if len(diagnoses):
        return EXIT_PROBLEMS
    # nothing found, but a kind went unread: "clear" would be a guess, so exit as an auth failure
    return EXIT_CLEAR if view.complete else EXIT_FAILURE


async def _check(client: GraphServiceClient, source: Source, args: argparse.Namespace) -> int:
    from syncdash.export import formats
    from syncdash.export.records import NO_WORK
    from syncdash.pipeline import check_object

    outcome = await check_object(client, args.object, datetime.now(timezone.utc), source.evidence())
    if outcome.diagnosis is None:
        print(formats.several_matches(args.object, outcome.matches), file=sys.stderr)
        return EXIT_FAILURE
    obj = outcome.diagnosis.object
    if outcome.suggestions:
        print(formats.did_you_mean(args.object, outcome.suggestions), file=sys.stderr)
    work = _from_dashboard(source.key)[0].get(obj.id, NO_WORK) if obj is not None else NO_WORK
    if args.format == "json":
        write_output(formats.check_json(outcome.tenant, outcome.diagnosis, work), None)
    else:
        write_output(formats.check_text(outcome.tenant, outcome.diagnosis, encoding=sys.stdout.encoding or "ascii",
                                  work=work), None, readable=True)
    if outcome.diagnosis.all_clear:
        return EXIT_CLEAR
    return EXIT_PROBLEMS


def _columns(output: Path | None) -> int | None:
    """How wide a table may be: ``$COLUMNS``, else the terminal's width; written to a
    file or a pipe, a line a row (greppable)."""
    import os
    import shutil

    if output is None and (text := os.environ.get("COLUMNS", "")).isdigit() and int(text) >= 40:
        return int(text)
    return shutil.get_terminal_size().columns if output is None and sys.stdout.isatty() else None


def _from_dashboard(tenant_key: str) -> tuple[dict[str, AdminWork], list[int]]:
    """The ticks and notes the admin made in the dashboard for this tenant, and the daily
    counts of objects in error it kept (the summary's sparkline); nothing where the
    dashboard never ran (no store is made for them), and a one-line warning where the
    store cannot be opened: the output still comes."""
    import sqlite3

    from syncdash.store import Store, default_cache_dir, default_data_dir

    if not default_data_dir().exists():
        return {}, []
    try:
        store = Store(cache=default_cache_dir().exists())
    except (OSError, sqlite3.Error) as exc:  # files.UnsafePath is an OSError
        error(f"ticks and notes not read: {exc}")
        return {}, []
    try:
        return store.work(tenant_key), store.history(tenant_key)
    finally:
        store.close()


def _profile_source(config: Config, name: str, args: argparse.Namespace) -> Callable[[], tuple[Source, Settings]]:
    def make() -> tuple[Source, Settings]:
        from syncdash import sources
        from syncdash.config import resolve_settings, select_profile
        from syncdash.store import default_data_dir

        # the environment's overrides are for the profile the run started with: a profile
        # picked in the palette is the one the config file describes
        profile = select_profile(config, name, environ={})
        assert profile is not None
        settings = resolve_settings(config, profile, refresh=args.refresh, theme=args.theme)
        return sources.from_profile(profile, default_data_dir()), settings

    return make


def _dashboard(args: argparse.Namespace, config: Config) -> int:

    from syncdash.config import ConfigError, resolve_settings
    from syncdash.store import Store
    from syncdash.ui.app import SyncdashApp
    from syncdash.ui.bindings import binding_ids
    from syncdash.ui.themes import shipped_theme_dirs

    unknown = sorted(set(config.keys) - binding_ids()) if config.keys else []
    if unknown:
        raise ConfigError(f"{config.path}: [keys] {unknown[0]!r} is not a binding id (the help screen, ?, lists them)")
    source = resolve_source(args, config)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("syncdash: the dashboard needs a terminal; in scripts use `syncdash report` or `syncdash check`")
    settings = resolve_settings(config, source.profile, refresh=args.refresh, theme=args.theme, demo=args.demo)
    store = Store(cache=not args.no_cache, cache_days=config.cache_days)
    app = SyncdashApp(
        source.connect,
        tenant_key=source.key,
        store=store,
        refresh=settings.refresh,
        clock=lambda: datetime.now(timezone.utc),
        theme=settings.theme,
        keymap=config.keys,
        theme_dirs=[*shipped_theme_dirs(), (config.path or Path(".")).parent / "themes"],
        cloud=source.cloud,
        evidence=source.evidence,
        profiles={name: _profile_source(config, name, args) for name in config.profiles},
        on_first_frame=resume_after_start_up,
    )
    for notice in store.notices:
        error(notice)
    try:
        app.run(mouse=args.mouse)
    finally:
        store.close()
    return app.return_code or 0


def _clear_cache(args: argparse.Namespace, config: Config) -> int:
    from syncdash.store import Store

    source = resolve_source(args, config)
    store = Store(cache_days=config.cache_days)
    try:
        removed = store.clear_tenant(source.key)
    finally:
        store.close()
    print(f"syncdash: cleared {removed} cached item(s) of {source.key}; manual ticks and notes are kept")
    return EXIT_CLEAR


def main(argv: Sequence[str] | None = None) -> int:
    gc.disable()  # resumed at once for commands, after the first frame for the dashboard (heap)
    standard_streams()
    try:
        return _main(argv)
    finally:
        gc.enable()


def _run(args: argparse.Namespace) -> int:
    """The command the arguments name; its exit code."""
    if args.log is not None:
        from syncdash.graph.request_log import start_log

        start_log(args.log, args.log_level)
    config = _config(args)
    if args.command is None:
        return _dashboard(args, config)
    gc.enable()
    if args.command == "cache":
        return _clear_cache(args, config)
    if args.command == "collect-script":
        from syncdash.cli_server import run_collect_script

        return run_collect_script(args)
    if args.command == "import":
        from syncdash.cli_server import run_import

        return run_import(args, _tenant_source(args, config))
    if args.command in ("login", "logout", "whoami"):
        from syncdash import account

        return account.run(args.command, args, config)
    if args.command == "check" and not args.object.strip():
        raise UsageError("syncdash: check needs an object: its id, UPN, mail, proxy address, display name, "
                         "or (only on-premises) DN or objectGuid")
    if args.command == "audit":
        from syncdash.cli_audit import has_tenant_source, run_audit

        tenant = resolve_source(args, config) if has_tenant_source(args) else None
        return run_audit(args, None if tenant is None else lambda: _headless_client(tenant),
                         tenant.profile if tenant is not None else None)
    source = resolve_source(args, config)
    client = _headless_client(source)
    import asyncio

    if args.command == "check":
        return asyncio.run(_check(client, source, args))
    return asyncio.run(_report(client, source, args))


def _main(argv: Sequence[str] | None) -> int:
    import os

    from syncdash.config import ConfigError  # imported here, like all the rest, with collection paused
    from syncdash.emulator.tenant import TenantFileError
    from syncdash.graph.errors import ClientConfigError, GraphError
    from syncdash.onprem import BadExport, DirectoryUnreadable
    from syncdash.sync_server import BadServerFile

    os.umask(0o077)  # everything syncdash writes is its owner's alone, from the start
    import logging

    # azure-identity logs each failed token attempt as a warning, which Python's last-resort
    # handler would print before syncdash's own one-line explanation
    logging.getLogger("azure").addHandler(logging.NullHandler())
    args = build_parser().parse_args(argv)
    if getattr(args, "format", None) in MACHINE_FORMATS:
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]  # files for programs: UTF-8 always
    else:
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]  # a terminal shows what it can
    try:
        code = _run(args)
        sys.stdout.flush()  # a closed pipe shows here, not as a traceback at exit
        return code
    except UsageError as exc:
        error(str(exc), lines=True)
    except (ClientConfigError, TenantFileError, ConfigError, GraphError, StdoutClosed, BadExport,
            DirectoryUnreadable, BadServerFile) as exc:
        error(str(exc))
    except BrokenPipeError:  # stdout's reader left (`| head`): the output is cut short
        discard_stdout()
        error("standard output was closed before everything was written")
    except OSError as exc:
        error(f"{exc.filename}: {exc.strerror or exc}" if exc.filename else str(exc.strerror or exc))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: one line, unless --debug
        if args.debug:
            raise
        error(f"unexpected error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
    return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
