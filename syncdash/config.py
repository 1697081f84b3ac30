"""The admin's config file (TOML): named tenant profiles, theme, refresh, key remaps.

```toml
default_profile = "contoso"
theme = "high-contrast"
refresh = 120

[keys]                       # binding id = keys (the help screen, ?, lists every id)
"app.quit" = "ctrl+q"

[profiles.contoso]
tenant = "contoso.onmicrosoft.com"   # tenant id or a verified domain
auth = "device-code"                 # device-code | browser | azure-cli | client-secret | certificate | managed-identity
cloud = "public"                     # public | usgov | usgov-dod | china | custom
```

Environment variables override the file: ``SYNCDASH_TENANT_ID``, ``SYNCDASH_CLIENT_ID``,
``SYNCDASH_AUTH``, ``SYNCDASH_CLOUD``, and for app-only sign-in the standard
``AZURE_TENANT_ID`` / ``AZURE_CLIENT_ID``. Secrets never live in this file.

The file decides which tenant is read, how syncdash signs in and where tokens go, so one
that others can write (or that another user owns) is used only with a warning. Which
keys there are, and what each allows, is described once in :mod:`syncdash.config_keys`.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from syncdash.clouds import CLOUDS, Cloud, custom_cloud
from syncdash.config_keys import (APP_ONLY, AUTH_MODES, DEFAULT_CLIENT_ID, PROFILE, SECRET_KEYS, TOP, ConfigError,
                                  one_of, read_table)
from syncdash.toml_files import TomlError, read_toml

__all__ = ["APP_ONLY", "AUTH_MODES", "DEFAULT_CLIENT_ID", "Config", "ConfigError", "Profile", "Settings", "TomlError",
           "config_path", "load_config", "read_toml", "resolve_settings", "select_profile"]


@dataclass(frozen=True, slots=True)
class ADSettings:
    """A profile's ``ad`` table (config_keys.AD): live DCs, or exports."""

    url: tuple[str, ...] | None = None
    base: tuple[str, ...] | None = None
    user: str | None = None
    bind: str = "simple"
    kerberos_host: str | None = None
    ca_file: Path | None = None
    starttls: bool = False
    exports: tuple[Path, ...] | None = None
    every: float = 900.0


@dataclass(frozen=True, slots=True)
class Profile:
    """One tenant and how to sign in to it."""

    name: str
    tenant: str | None = None
    client_id: str = DEFAULT_CLIENT_ID
    auth: str = "device-code"
    cloud: Cloud = CLOUDS["public"]
    refresh: float | None = None
    theme: str | None = None
    token_cache: str = "auto"
    client_secret_file: Path | None = None
    certificate_path: Path | None = None
    #: Read Connect Health (Azure Resource Manager) as well as Graph.
    health: bool = True
    #: On-premises AD to read beside the tenant ([profiles.NAME.ad]).
    ad: ADSettings | None = None

    @property
    def app_only(self) -> bool:
        return self.auth in APP_ONLY


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None
    theme: str | None = None
    refresh: float | None = None
    keys: dict[str, str] = field(default_factory=dict)
    default_profile: str | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)
    #: Cached directory data older than this many days is dropped.
    cache_days: float = 7.0
    #: One line each, for the admin (a file others can change): shown once, at start.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Settings:
    """What the dashboard runs with, resolved by :func:`resolve_settings` alone, at start-up
    and at every profile switch alike."""

    refresh: float
    theme: str | None


def resolve_settings(config: Config, profile: Profile | None, *, refresh: float | None = None,
                     theme: str | None = None, demo: bool = False,
                     environ: Mapping[str, str] = os.environ) -> Settings:
    """The run's own choice (--refresh, --theme or SYNCDASH_THEME), else the profile's, else
    the config file's. The refresh is else 5 s for the demo (its tenant changes every few
    seconds) and 60 s for a real tenant, which Graph throttles. A profile that sets none
    gets the config file's, never the previously shown profile's."""
    return Settings(
        refresh or (profile and profile.refresh) or config.refresh or (5.0 if demo else 60.0),
        theme or environ.get("SYNCDASH_THEME") or (profile and profile.theme) or config.theme,
    )


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir("syncdash"))


def config_path(explicit: Path | None) -> Path:
    """``--config``, else ``SYNCDASH_CONFIG``, else config.toml in the config dir."""
    if explicit is not None:
        return explicit
    env = os.environ.get("SYNCDASH_CONFIG")
    return Path(env) if env else config_dir() / "config.toml"


def parse_profile(name: str, data: Any, where: str) -> Profile:
    where = f"{where}: profiles.{name}"
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a profile is a table of settings")
    secrets = sorted(set(data) & set(SECRET_KEYS))
    if secrets:
        raise ConfigError(
            f"{where}: '{secrets[0]}' is not allowed: secrets never go in the config file "
            "(use client_secret_file, certificate_path or AZURE_CLIENT_SECRET)"
        )
    values = read_table(data, PROFILE, where)
    if values["ad"] is not None:
        settings = ADSettings(**values["ad"])
        if bool(settings.url) == bool(settings.exports):
            raise ConfigError(f"{where}.ad: give 'url' (live) or 'exports', one of the two")
        values["ad"] = settings
    authority, graph_url, portal = values.pop("authority"), values.pop("graph_url"), values.pop("portal")
    resource_manager = values.pop("resource_manager")
    cloud_name = values.pop("cloud")
    if cloud_name == "custom":
        if not authority or not graph_url:
            raise ConfigError(f"{where}: cloud = \"custom\" needs both 'authority' and 'graph_url'")
        cloud = custom_cloud(authority, graph_url, portal, resource_manager)
    elif authority or graph_url or resource_manager:
        raise ConfigError(f"{where}: 'authority', 'graph_url' and 'resource_manager' are only for cloud = \"custom\"")
    else:
        cloud = CLOUDS[cloud_name]
    return Profile(name=name, cloud=cloud, **values)


def _ownership_warnings(path: Path, info: os.stat_result) -> tuple[str, ...]:
    """Whoever can change this file, or replace it in its folder, chooses the tenant, the
    sign-in and the Graph URL."""
    if not hasattr(os, "geteuid"):  # Windows: ACLs, not modes
        return ()
    if info.st_uid != os.geteuid():
        return ((f"{path}: warning: owned by another user (uid {info.st_uid}), who decides which tenant and "
                 "sign-in syncdash uses; use a config file of your own"),)
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return ((f"{path}: warning: writable by group or others (mode {stat.S_IMODE(info.st_mode):o}), who could "
                 f"change which tenant and sign-in syncdash uses; chmod go-w {path}"),)
    folder = path.absolute().parent
    try:
        held = os.stat(folder)
    except OSError:
        return ()
    # a sticky folder (/tmp) lets no one else replace a file they do not own
    if held.st_uid not in (os.geteuid(), 0) or (held.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
                                                 and not held.st_mode & stat.S_ISVTX):
        return ((f"{path}: warning: its folder {folder} can be changed by another user, who could replace the "
                 f"file and so choose the tenant and sign-in; keep the config in a folder only you can write"),)
    return ()


def load_config(path: Path, *, required: bool) -> Config:
    """The config at ``path``; a missing default file is an empty config."""
    try:
        data, info = read_toml(path)
    except FileNotFoundError:
        if required:
            raise ConfigError(f"{path}: no such config file") from None
        return Config(path=path)
    except TomlError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config ({exc})") from None
    values = read_table(data, TOP, str(path))
    for name in values["profiles"]:
        if not PROFILE_NAME.fullmatch(name):
            raise ConfigError(f"{path}: profile name {name!r}: use letters, digits, '.', '_' and '-' (it names files)")
    profiles = {name: parse_profile(name, value, str(path)) for name, value in values["profiles"].items()}
    default = values["default_profile"]
    if default is not None and default not in profiles:
        raise ConfigError(f"{path}: default_profile {default!r} is not a profile ({_names(profiles)})")
    return Config(path, values["theme"], values["refresh"], values["keys"], default, profiles, values["cache_days"],
                  _ownership_warnings(path, info))


#: Profile names become file names (saved sign-in, token cache): nothing that leaves a folder.
PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _names(profiles: Mapping[str, Profile]) -> str:
    return "profiles: " + ", ".join(sorted(profiles)) if profiles else "no profiles are configured"


def select_profile(config: Config, name: str | None, environ: Mapping[str, str] = os.environ) -> Profile | None:
    """The profile to use: ``--profile``, else ``default_profile``, else the only one,
    else one made from the environment alone; environment variables override its fields."""
    if name is not None:
        if name not in config.profiles:
            raise ConfigError(f"syncdash: unknown profile {name!r} ({_names(config.profiles)})")
        profile: Profile | None = config.profiles[name]
    elif config.default_profile is not None:
        profile = config.profiles[config.default_profile]
    elif len(config.profiles) == 1:
        profile = next(iter(config.profiles.values()))
    elif environ.get("SYNCDASH_TENANT_ID") or environ.get("SYNCDASH_AUTH") in APP_ONLY:
        profile = Profile(name="environment")
    else:
        return None
    assert profile is not None
    where = f"environment ({profile.name})"
    changes: dict[str, Any] = {}
    if environ.get("SYNCDASH_AUTH"):
        changes["auth"] = one_of(*AUTH_MODES)(environ["SYNCDASH_AUTH"], where, "SYNCDASH_AUTH")
    if environ.get("SYNCDASH_CLOUD"):
        cloud = one_of(*CLOUDS)(environ["SYNCDASH_CLOUD"], where, "SYNCDASH_CLOUD")
        changes["cloud"] = CLOUDS[cloud]
    app_only = changes.get("auth", profile.auth) in APP_ONLY
    tenant = environ.get("SYNCDASH_TENANT_ID") or (environ.get("AZURE_TENANT_ID") if app_only else None)
    client = environ.get("SYNCDASH_CLIENT_ID") or (environ.get("AZURE_CLIENT_ID") if app_only else None)
    if tenant:
        changes["tenant"] = tenant
    if client:
        changes["client_id"] = client
    return replace(profile, **changes)
