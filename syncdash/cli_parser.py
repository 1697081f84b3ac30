"""The ``syncdash`` command line: every option and command, and how each is read."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from syncdash import __version__


def _add_source_options(parser: argparse.ArgumentParser, *, in_command: bool) -> None:
    """The tenant to read, accepted before or after the command name.

    Inside a command the defaults are suppressed, or argparse would let the command's
    unset options overwrite what was given before it (``syncdash --demo report``).
    """
    defaults: dict[str, Any] = {"default": argparse.SUPPRESS} if in_command else {}
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--demo", action="store_true", help="use the built-in demo tenant (Contoso)", **defaults
    )
    source.add_argument(
        "--tenant-file", type=Path, metavar="FILE", help="emulate the tenant in FILE", **defaults
    )
    source.add_argument(
        "--graph-url", metavar="URL", help="Graph base URL (an emulator on loopback, or a cloud's Graph)", **defaults
    )
    parser.add_argument("--profile", metavar="NAME", help="tenant profile of the config file", **defaults)
    health = parser.add_mutually_exclusive_group()
    health.add_argument("--health-url", metavar="URL",
                        help="read Connect Health from this Resource Manager base (an emulator on loopback)", **defaults)
    health.add_argument("--no-health", action="store_true", help="read Graph only, not Connect Health", **defaults)
    parser.add_argument(
        "--permissions", metavar="SET",
        help="with --demo or --tenant-file: sign in with these permissions only — a preset (full, "
             "least-privilege, user-read, no-contacts, not-global-admin, app-only) or scopes, role:NAME, app-only",
        **defaults,
    )


def _add_ad_options(parser: argparse.ArgumentParser, *, in_command: bool) -> None:
    """Where on-premises AD is read: live (``--ad-url``) or from exports (``--ad-export``);
    accepted before or after the command name, as the tenant's options are."""
    defaults: dict[str, Any] = {"default": argparse.SUPPRESS} if in_command else {}
    lists: dict[str, Any] = {"default": argparse.SUPPRESS} if in_command else {"default": []}
    ad = parser.add_argument_group("on-premises AD (read only)")
    ad.add_argument("--ad-url", metavar="URL", **defaults,
                    help="a domain controller: ldaps://dc1.contoso.com (or ldap:// with --ad-starttls); a Global "
                         "Catalog (port 3269) reads every domain of the forest")
    ad.add_argument("--ad-user", metavar="USER", **defaults,
                    help="bind as USER (user@domain, DOMAIN\\user or a DN); the password comes from "
                         "SYNCDASH_AD_PASSWORD or a prompt, never from the command line")
    ad.add_argument("--ad-base", metavar="DN", action="append", **lists,
                    help="search under DN (repeatable; default: the server's default naming context)")
    ad.add_argument("--ad-ca-file", metavar="FILE", **defaults, help="the organisation's CA certificates (PEM) to verify the DC")
    ad.add_argument("--ad-starttls", action="store_true", **defaults, help="ldap:// upgraded with StartTLS")
    ad.add_argument("--ad-plain", action="store_true", **defaults,
                    help="allow ldap:// without TLS (the password would cross the network in clear)")
    ad.add_argument("--ad-kerberos", action="store_true", **defaults,
                    help="bind with the host's Kerberos ticket (SASL GSSAPI; pip install 'syncdash[kerberos]')")
    ad.add_argument("--ad-kerberos-host", metavar="NAME", **defaults,
                    help="the DC's own DNS name, as in its ldap/ servicePrincipalName, when the URL uses another")
    # before a command name one file a flag: several would swallow the command's name
    several: dict[str, Any] = {"nargs": "+", "action": "extend"} if in_command else {"action": "append"}
    ad.add_argument("--ad-export", metavar="FILE", type=Path, **several, **lists,
                    help="ldifde (LDIF) or csvde (CSV) exports, one or more (one per domain or forest; repeatable)")


def _add_server_options(parser: argparse.ArgumentParser, *, in_command: bool) -> None:
    """The Connect server's files for this run (else those imported for the tenant)."""
    several: dict[str, Any] = {"nargs": "+", "action": "extend"} if in_command else {"action": "append"}
    lists: dict[str, Any] = {"default": argparse.SUPPRESS} if in_command else {"default": []}
    parser.add_argument("--server-evidence", metavar="FILE", type=Path, **several, **lists,
                        help="the Connect server's files for this run: csexport XML, Get-ADSyncCSObject / "
                             "Get-ADSyncScheduler / Invoke-ADSyncSingleObjectSync JSON, disconnector CSV, or a folder "
                             "of them (see `syncdash collect-script`); repeatable")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 1 <= value <= 86400:
        raise argparse.ArgumentTypeError("a refresh interval is 1 to 86400 seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    from syncdash.clouds import CLOUD_NAMES
    from syncdash.config_keys import AUTH_MODES
    from syncdash.export import CHECK_FORMATS, REPORT_FORMATS

    parser = argparse.ArgumentParser(
        prog="syncdash",
        description="Find and diagnose Entra Connect directory-sync errors from Microsoft Graph.",
    )
    parser.add_argument("--version", action="version", version=f"syncdash {__version__}")
    _add_source_options(parser, in_command=False)
    _add_ad_options(parser, in_command=False)
    _add_server_options(parser, in_command=False)
    parser.add_argument("--refresh", type=_seconds, metavar="SECONDS",
                        help="dashboard refresh interval (default 60; 5 with --demo)")
    parser.add_argument("--theme", metavar="NAME", help="dashboard theme (also SYNCDASH_THEME)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="config file (also SYNCDASH_CONFIG)")
    parser.add_argument("--mouse", action="store_true", help="let the dashboard use the mouse")
    parser.add_argument("--no-cache", action="store_true", help="write no directory data to disk")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error")
    parser.add_argument("--log", type=Path, metavar="FILE",
                        help="append every Graph request (method, path, status, time) to FILE")
    parser.add_argument("--log-level", choices=("info", "debug"), default="info",
                        help="debug also logs query strings, which hold directory data (default info)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    report = commands.add_parser(
        "report", help="every object with sync errors, diagnosed (exit 0: none, 1: some, 2: failure)",
        description="Read the tenant once (Graph, and Connect Health where it is set up) and diagnose every "
                    "object with sync errors, with the ticks and notes made in the dashboard.",
        epilog="exit codes: 0 no object in error, 1 some, 2 failure (or nothing found while a kind could not "
               "be read)", formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_source_options(report, in_command=True)
    _add_ad_options(report, in_command=True)
    _add_server_options(report, in_command=True)
    report.add_argument("--format", choices=REPORT_FORMATS, default="table",
                        help="table (a terminal), json (scripts), csv (a finding per row; spreadsheet-safe), "
                             "markdown (a ticket); default table")
    report.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    check = commands.add_parser(
        "check", help="run the three recommended steps for one object (exit 0: clear, 1: problem, 2: failure)",
        description="The three steps of Microsoft's self-help article for one object: its sync errors, "
                    "duplicate attributes (and who else holds the value), and why it does not sync.",
        epilog="exit codes: 0 every step clear, 1 a problem or a check that could not run, 2 failure, a usage "
               "error, or several objects match", formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("object", metavar="OBJECT",
                       help="object id, UPN, mail or proxy address, display name, or (objects only on-premises) "
                            "DN or objectGuid")
    _add_source_options(check, in_command=True)
    _add_ad_options(check, in_command=True)
    _add_server_options(check, in_command=True)
    check.add_argument("--format", choices=CHECK_FORMATS, default="text",
                       help="text (a terminal or a ticket) or json (scripts); default text")
    from syncdash.export.audit_formats import AUDIT_FORMATS

    audit = commands.add_parser(
        "audit", help="check on-premises AD like IdFix, and against the tenant (exit 0: clean, 1: findings, 2: failure)",
        description="Read on-premises AD (live or from ldifde/csvde exports) and find what will fail to sync: "
                    "values Entra ID rejects (IdFix's rules), values two on-premises objects share, and — with a "
                    "tenant source (--demo, --tenant-file, --graph-url or --profile) — values a different cloud "
                    "object already holds and UPN suffixes the tenant has not verified. Nothing is written to AD.",
        epilog="exit codes: 0 nothing found, 1 findings, 2 failure or a usage error",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_source_options(audit, in_command=True)
    _add_ad_options(audit, in_command=True)
    audit.add_argument("--format", choices=AUDIT_FORMATS, default="text",
                       help="text (a terminal), json (scripts), csv (a finding per row), markdown (a ticket), "
                            "ps1 (a script of suggested fixes, every command commented out); default text")
    audit.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    audit.add_argument("--quiet", action="store_true", help="no progress on stderr")
    collect = commands.add_parser(
        "collect-script", help="print the PowerShell that collects the Connect server's evidence (run it there)",
        description="Print a read-only PowerShell script for the Entra Connect server: it writes the connector "
                    "spaces (csexport), the scheduler, the disconnectors and, for each --object, its CS object and "
                    "a single-object sync (-StagingMode: nothing exported) into one folder for `syncdash import`.")
    collect.add_argument("--object", metavar="DN", action="append", default=[],
                         help="an AD object to dry-run with Invoke-ADSyncSingleObjectSync (repeatable)")
    collect.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    imports = commands.add_parser(
        "import", help="attach the Connect server's files to the tenant (check, report and the dashboard use them)",
        description="Copy the Connect server's files (or a folder of them) into syncdash's data folder for the "
                    "tenant; later runs of check, report and the dashboard use them. Files older than 24 h are "
                    "shown as such.")
    imports.add_argument("paths", metavar="FOLDER|FILE", type=Path, nargs="*", help="files or folders to import")
    imports.add_argument("--list", action="store_true", help="list the tenant's imported files and their age")
    imports.add_argument("--forget", metavar="NAME", nargs="*",
                         help="remove the named imported files (all of them when none is named)")
    _add_source_options(imports, in_command=True)
    login = commands.add_parser("login", help="sign in (device code works over SSH) and remember the account")
    login.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS, help="profile to sign in to")
    login.add_argument("--tenant", help="tenant id or domain: creates the profile when it does not exist")
    login.add_argument("--cloud", choices=CLOUD_NAMES[:-1], help="national cloud of a new profile")
    login.add_argument("--auth", choices=AUTH_MODES, help="sign-in mode of a new profile")
    login.add_argument("--sync-settings", action="store_true",
                       help="also ask for OnPremDirectorySynchronization.Read.All (Global Administrators)")
    cache = commands.add_parser("cache", help="the cached directory data of a tenant")
    cache.add_argument("action", choices=("clear",), help="clear: remove the tenant's cached data (ticks stay)")
    _add_source_options(cache, in_command=True)
    for name, text in (("logout", "forget the account and its cached tokens"),
                       ("whoami", "account, tenant, cloud and the permissions granted")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS, help="profile")
    return parser
