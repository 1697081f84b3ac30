"""``syncdash login``, ``logout`` and ``whoami``: the account side of a profile.

What these print quotes the identity service (a token's claims, a sign-in record's
account name) and the config file: every line goes out through :func:`_say`, which lets
no control character through, whatever a claim holds.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import datetime
from typing import Any

from syncdash.auth import cache, records
from syncdash.auth.credentials import DELEGATED_SCOPES, INTERACTIVE_MODES, SYNC_SETTINGS_SCOPE, auth_error, build_credential
from syncdash.auth.tokens import token_info
from syncdash.clouds import CLOUDS
from syncdash.config import Config, ConfigError, Profile, select_profile
from syncdash.sanitize import safe_text
from syncdash.store import default_data_dir

_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def _say(text: str) -> None:
    """Lines for the admin; line breaks are syncdash's own, escapes never pass."""
    print(safe_text(text, single_line=False), flush=True)


def _prompt(url: str, code: str, expires: datetime) -> None:
    print(safe_text(f"To sign in, open {url} and enter the code {code} (valid until {expires:%H:%M})."),
          file=sys.stderr, flush=True)


def _profile(args: argparse.Namespace, config: Config) -> Profile:
    profile = select_profile(config, getattr(args, "profile", None))
    if profile is None:
        raise ConfigError("syncdash: no profile yet: `syncdash login --tenant contoso.onmicrosoft.com` creates one")
    return profile


def _add_profile(args: argparse.Namespace, config: Config) -> Profile:
    """A new profile from ``login --tenant``, appended to the config file."""
    name = getattr(args, "profile", None) or "default"
    if not _NAME.match(name):
        raise ConfigError(f"syncdash: profile names use letters, digits, '-' and '_' (not {name!r})")
    if not _TENANT.match(args.tenant):
        raise ConfigError(f"syncdash: {args.tenant!r} is not a tenant id or domain")
    if config.path is None:
        raise ConfigError("syncdash: no config file path")
    lines = [f"\n[profiles.{name}]", f"tenant = {json.dumps(args.tenant)}"]
    if args.cloud:
        lines.append(f"cloud = {json.dumps(args.cloud)}")
    if args.auth:
        lines.append(f"auth = {json.dumps(args.auth)}")
    config.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with config.path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    _say(f"Added profile {name!r} to {config.path}.")
    return Profile(name=name, tenant=args.tenant, cloud=CLOUDS[args.cloud or "public"], auth=args.auth or "device-code")


def login(args: argparse.Namespace, config: Config) -> int:
    name = getattr(args, "profile", None)
    if args.tenant and (name or "default") not in config.profiles and not (name is None and config.profiles):
        profile = _add_profile(args, config)
    else:
        profile = _profile(args, config)
        if args.tenant and args.tenant != profile.tenant:
            raise ConfigError(f"syncdash: profile {profile.name!r} already names tenant {profile.tenant!r}")
    data_dir = default_data_dir()
    credential = build_credential(profile, data_dir=data_dir, prompt=_prompt, interactive=True)
    scope = profile.cloud.scope
    origin = scope.removesuffix("/.default")
    try:
        if profile.auth in INTERACTIVE_MODES:
            wanted = [*DELEGATED_SCOPES, *([SYNC_SETTINGS_SCOPE] if args.sync_settings else [])]
            record = credential.authenticate(scopes=[f"{origin}/{s}" for s in wanted], enable_cae=True)
            records.save_record(data_dir, profile.name, record)
            _say(f"Signed in as {record.username} to tenant {record.tenant_id} ({profile.cloud.name} cloud), "
                 f"profile {profile.name!r}.")
        else:
            info = token_info(credential.get_token(scope, enable_cae=True).token)
            _say(f"Signed in as app {info.app or profile.client_id} to tenant {info.tenant} "
                 f"({profile.cloud.name} cloud), profile {profile.name!r}.")
    except Exception as exc:  # azure-identity's errors are many types; each becomes one line
        from azure.core.exceptions import ClientAuthenticationError

        if isinstance(exc, ClientAuthenticationError):
            raise auth_error(exc, profile.name) from None
        raise
    _say(_cache_note(profile))
    return 0


def _cache_note(profile: Profile) -> str:
    if profile.app_only:
        return "App-only tokens are kept in memory and fetched again on each run."
    if profile.token_cache == "unencrypted-file":
        where = ", ".join(str(p) for p in cache.cache_files(profile))
        return f"Tokens are cached UNENCRYPTED (readable by you only) in {where}."
    if profile.token_cache == "auto" and cache.encrypted_cache_available():
        return "Tokens are cached in the platform's encrypted store."
    return ("No encrypted token store here (no secret service, as usual over SSH): tokens stay in memory, so each "
            "run signs in once. token_cache = \"unencrypted-file\" in the profile opts in to a file cache.")


def logout(args: argparse.Namespace, config: Config) -> int:
    profile = _profile(args, config)
    removed = [records.delete_record(default_data_dir(), profile.name), *cache.remove_cache(profile)]
    gone = [str(path) for path in removed if path is not None]
    _say(f"Signed out of profile {profile.name!r}" + (f"; removed {', '.join(gone)}." if gone else "; nothing was saved."))
    return 0


def whoami(args: argparse.Namespace, config: Config) -> int:
    profile = _profile(args, config)
    credential = build_credential(profile, data_dir=default_data_dir(), prompt=_prompt,
                                  interactive=sys.stdin.isatty() and sys.stderr.isatty())
    try:
        token: Any = credential.get_token(profile.cloud.scope, enable_cae=True)
    except Exception as exc:  # as in login
        from azure.core.exceptions import ClientAuthenticationError

        if isinstance(exc, ClientAuthenticationError):
            raise auth_error(exc, profile.name) from None
        raise
    info = token_info(token.token)
    who = f"app {info.app}" if info.app_only else (info.account or "unknown account")
    _say(f"profile   {profile.name}\naccount   {who}\ntenant    {info.tenant or profile.tenant}\n"
         f"cloud     {profile.cloud.name} ({profile.cloud.graph_url})")
    _say(f"{'roles' if info.app_only else 'scopes'}    {' '.join(info.scopes) or '(none)'}")
    for permission, what in info.missing.items():
        _say(f"missing   {permission}: {what} will show as unknown")
    return 0


def run(command: str, args: argparse.Namespace, config: Config) -> int:
    return {"login": login, "logout": logout, "whoami": whoami}[command](args, config)

