"""``syncdash audit``: on-premises AD read once (live or from exports), checked object by
object, and written in the format asked for; the tenant read beside it when a tenant
source is named, for the values a different cloud object already holds."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from syncdash.cli_errors import error
from syncdash.cli_output import UsageError, write_output
from syncdash.onprem import ADObject, RawEntry

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

    from syncdash.ad.live import LdapTarget
    from syncdash.config import ADSettings, Profile
    from syncdash.diagnose.audit import AuditedObject, CloudSide
    from syncdash.evidence import EvidenceSource

EXIT_CLEAR, EXIT_FINDINGS = 0, 1
PASSWORD_VARIABLE = "SYNCDASH_AD_PASSWORD"
#: How many entries set aside are listed by name (the rest are counted).
LISTED_BAD_ENTRIES = 5


def has_tenant_source(args: argparse.Namespace) -> bool:
    """A tenant named on the command line; a configured default profile is not read
    unasked (it may mean a sign-in), so an audit of exports stays offline."""
    return bool(getattr(args, "demo", False) or getattr(args, "tenant_file", None)
                or getattr(args, "graph_url", None) or getattr(args, "profile", None))


def _password(user: str | None) -> str | None:
    if user is None:
        return None
    if PASSWORD_VARIABLE in os.environ:
        return os.environ[PASSWORD_VARIABLE]
    if not sys.stdin.isatty():
        raise UsageError(f"syncdash: --ad-user needs a password: set {PASSWORD_VARIABLE} (no terminal to ask on)")
    return getpass.getpass(f"password for {user}: ")


def ldap_target(args: argparse.Namespace) -> LdapTarget:
    from syncdash.ad.live import LdapTarget

    return LdapTarget(url=args.ad_url, base_dns=tuple(args.ad_base), user=args.ad_user,
                      password=_password(args.ad_user), ca_file=args.ad_ca_file, start_tls=args.ad_starttls,
                      allow_plain=args.ad_plain, kerberos=args.ad_kerberos, kerberos_host=args.ad_kerberos_host,
                      global_catalog=_global_catalog(args.ad_url))


def profile_targets(settings: ADSettings) -> list[LdapTarget]:
    """A profile's forests (``[profiles.NAME.ad] url``), one bind password for all."""
    from syncdash.ad.live import LdapTarget

    kerberos = settings.bind == "kerberos"
    password = None if kerberos else _password(settings.user)
    return [LdapTarget(url=url, base_dns=settings.base or (), user=None if kerberos else settings.user,
                       password=password, ca_file=str(settings.ca_file) if settings.ca_file else None,
                       start_tls=settings.starttls, kerberos=kerberos, kerberos_host=settings.kerberos_host,
                       global_catalog=_global_catalog(url))
            for url in settings.url or ()]


def _global_catalog(url: str) -> bool:
    """A Global Catalog answers on 3268 (3269 with TLS): the whole forest from one search."""
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).port in (3268, 3269)
    except ValueError:  # a bad port: live.py refuses the URL with its own message
        return False


def _where_ad_is(args: argparse.Namespace,
                 profile: Profile | None) -> tuple[Sequence[Path], list[LdapTarget]] | None:
    """Exports, or live targets, to read AD from: the arguments', else the profile's
    ``ad`` table; None when neither names AD."""
    if args.ad_export and args.ad_url:
        raise UsageError("syncdash: choose --ad-url or --ad-export, not both")
    if args.ad_export:
        return args.ad_export, []
    if args.ad_url:
        return (), [ldap_target(args)]
    settings = profile.ad if profile is not None else None
    if settings is None:
        return None
    return (settings.exports, []) if settings.exports else ((), profile_targets(settings))


def ad_evidence(args: argparse.Namespace, profile: Profile | None) -> Callable[[], EvidenceSource] | None:
    """On-premises AD as the run's evidence (``check``, ``report``, the dashboard)."""
    from syncdash import sources

    where = _where_ad_is(args, profile)
    if where is None:
        return None
    from syncdash.ad.source import LIVE_EVERY

    exports, targets = where
    every = profile.ad.every if profile is not None and profile.ad is not None else LIVE_EVERY
    return sources.ad_exports(exports) if exports else sources.ad_live(targets, every)


def _entries(args: argparse.Namespace, profile: Profile | None) -> tuple[str, Iterator[tuple[str, RawEntry]]]:
    """Where AD is read from (for the sources line) and its entries, each with its origin."""
    where = _where_ad_is(args, profile)
    if where is None and getattr(args, "demo", False):
        from syncdash.emulator.scenarios.onprem_demo import ORIGIN
        from syncdash.sources import demo_ad_entries

        return ORIGIN, demo_ad_entries()
    if where is None:
        raise UsageError("syncdash: audit reads on-premises AD: give --ad-url URL (live) or --ad-export FILE "
                         "(ldifde/csvde exports), a profile with an ad table, or --demo")
    from syncdash.sources import export_entries, live_entries

    exports, targets = where
    if exports:
        return ", ".join(str(p) for p in exports), export_entries(exports)
    return ", ".join(t.url for t in targets), live_entries(targets)


def _cloud_side(connect: Callable[[], GraphServiceClient]) -> tuple[CloudSide, str]:
    from syncdash.diagnose.audit import CloudSide
    from syncdash.pipeline import read_once

    view = asyncio.run(read_once(connect()))
    for reason in view.unavailable:
        error(f"not checked: {reason}")
    status = view.status
    return CloudSide(view.index.holders, view.index.anchored, status.verified_domains,
                     status.initial_domain), status.name if isinstance(status.name, str) else "the tenant"


class Progress:
    """One rewritten stderr line while a terminal watches: objects read, rate, findings."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._start = self._shown = time.monotonic()

    def __call__(self, read: int, findings: int, *, last: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not last and now - self._shown < 0.2):
            return
        self._shown = now
        rate = read / max(now - self._start, 1e-6)
        sys.stderr.write(f"\r\033[K{read:,} objects read · {rate:,.0f}/s · {findings:,} findings")
        if last:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _audited(objects: Iterable[ADObject], cloud: CloudSide | None,
             progress: Progress) -> tuple[list[AuditedObject], int]:
    from syncdash.diagnose.audit import Audit

    audit = Audit(cloud)
    for obj in objects:
        audit.add(obj)
        if audit.read % 256 == 0:
            progress(audit.read, audit.findings)
    results = audit.results()
    progress(audit.read, audit.findings, last=True)
    return results, audit.read


def run_audit(args: argparse.Namespace, connect: Callable[[], GraphServiceClient] | None,
              profile: Profile | None = None) -> int:
    """``connect``: the tenant's client, when a tenant source was named; ``profile``: the
    profile named, whose ``ad`` table says where AD is when no option does."""
    from syncdash.ad.reading import ad_objects
    from syncdash.export.audit_formats import AuditSource, audit_chunks

    origin, entries = _entries(args, profile)
    sources = []
    cloud: CloudSide | None = None
    if connect is not None:
        cloud, tenant = _cloud_side(connect)
        sources.append(AuditSource("graph", tenant, "read"))
    else:
        sources.append(AuditSource("graph", "", "skipped", reason="no tenant source (--demo, --tenant-file, "
                                   "--graph-url or --profile): will-conflict-in-cloud and unverified-upn-domain "
                                   "not checked"))
    bad: list[str] = []
    progress = Progress(sys.stderr.isatty() and not args.quiet)
    results, read = _audited(ad_objects(entries, bad.append), cloud, progress)
    for line in bad[:LISTED_BAD_ENTRIES]:
        error(f"entry not read: {line}")
    if len(bad) > LISTED_BAD_ENTRIES:
        error(f"{len(bad) - LISTED_BAD_ENTRIES} more entries not read")
    sources.insert(0, AuditSource("ad", origin, "read", objects=read))
    write_output(audit_chunks(args.format, sources, results, read), args.output,
                 readable=args.format == "text")
    return EXIT_FINDINGS if results else EXIT_CLEAR


