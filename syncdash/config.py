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
that others can write (or that another user owns) is used only with a warning. Its TOML,
like a theme's, is parsed within limits: tomllib recurses once per level of nesting, and
a few thousand levels end in a RecursionError instead of a message naming the file.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from syncdash.clouds import CLOUD_NAMES, CLOUDS, Cloud, custom_cloud

#: Microsoft Graph Command Line Tools: a public client every tenant can consent to, so no
#: app registration is needed.
DEFAULT_CLIENT_ID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
AUTH_MODES = ("device-code", "browser", "azure-cli", "client-secret", "certificate", "managed-identity")
APP_ONLY = ("client-secret", "certificate", "managed-identity")
#: auto: the platform's encrypted cache where there is one, else memory for the session.
TOKEN_CACHES = ("auto", "memory", "unencrypted-file")
TOP_KEYS = ("default_profile", "theme", "refresh", "keys", "profiles", "cache_days")
PROFILE_KEYS = ("tenant", "client_id", "auth", "cloud", "authority", "graph_url", "portal", "refresh", "theme",
                "token_cache", "client_secret_file", "certificate_path")
SECRET_KEYS = ("client_secret", "secret", "password", "certificate_password")
#: Far beyond any real config or theme file, far below what hurts to parse.
MAX_TOML_BYTES = 1_000_000
#: Levels of tables and arrays (and parts of one dotted key): real files use three.
MAX_TOML_DEPTH = 32


class ConfigError(ValueError):
    """One line naming the file, the key and what is allowed."""


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


def _refresh(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= 86400:
        raise ConfigError(f"{where}: 'refresh' must be a number of seconds from 1 to 86400")
    return float(value)


def _choice(value: Any, allowed: tuple[str, ...], where: str, key: str) -> str:
    if value not in allowed:
        raise ConfigError(f"{where}: '{key}' is {value!r}; allowed: {', '.join(allowed)}")
    return str(value)


def _string(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(f"{where}: '{key}' must be a non-empty string")
    return value


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
    unknown = sorted(set(data) - set(PROFILE_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(PROFILE_KEYS)})")
    cloud_name = _choice(data.get("cloud", "public"), CLOUD_NAMES, where, "cloud")
    authority, graph_url = _string(data, "authority", where), _string(data, "graph_url", where)
    if cloud_name == "custom":
        if not authority or not graph_url:
            raise ConfigError(f"{where}: cloud = \"custom\" needs both 'authority' and 'graph_url'")
        cloud = custom_cloud(authority, graph_url, _string(data, "portal", where))
    elif authority or graph_url:
        raise ConfigError(f"{where}: 'authority' and 'graph_url' are only for cloud = \"custom\"")
    else:
        cloud = CLOUDS[cloud_name]
    paths = {key: Path(value).expanduser() for key in ("client_secret_file", "certificate_path")
             if (value := _string(data, key, where))}
    return Profile(
        name=name,
        tenant=_string(data, "tenant", where),
        client_id=_string(data, "client_id", where) or DEFAULT_CLIENT_ID,
        auth=_choice(data.get("auth", "device-code"), AUTH_MODES, where, "auth"),
        cloud=cloud,
        refresh=_refresh(data.get("refresh"), where),
        theme=_string(data, "theme", where),
        token_cache=_choice(data.get("token_cache", "auto"), TOKEN_CACHES, where, "token_cache"),
        client_secret_file=paths.get("client_secret_file"),
        certificate_path=paths.get("certificate_path"),
    )


class TomlError(ValueError):
    """A TOML file syncdash will not use: one line saying why (the caller names the file)."""


#: What can hide a bracket, a brace or a dot from the nesting scan (strings, comments),
#: then the characters that open, close or separate levels.
_TOML_TOKENS = re.compile(r'''"""(?:\\.|[^\\])*?"""|\'\'\'.*?\'\'\'|"(?:\\.|[^"\\\n])*"|'[^'\n]*'|\#[^\n]*|[][{}=,\n.]''',
                          re.DOTALL)


def _nested_too_deeply(text: str, limit: int) -> bool:
    """Whether brackets and braces nest, or one dotted key has parts, beyond ``limit``:
    found by a flat scan, before tomllib recurses into them (or, for a long dotted key,
    spends quadratic time on it)."""
    depth = dots = 0
    for match in _TOML_TOKENS.finditer(text):
        token = match.group()
        if token == "[" or token == "{":
            depth += 1
            if depth > limit:
                return True
        elif token == "]" or token == "}":
            depth = max(depth - 1, 0)
        if token == ".":
            dots += 1
            if dots >= limit:
                return True
        elif token in ("[", "]", "{", "}", "=", ",", "\n"):
            dots = 0
    return False


def _data_depth(data: object) -> int:
    """How deeply ``data`` nests, without recursion (table headers nest without brackets)."""
    deepest, pending = 0, [(data, 0)]
    while pending:
        value, depth = pending.pop()
        deepest = max(deepest, depth)
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
    return deepest


def read_toml(path: Path) -> tuple[dict[str, Any], os.stat_result]:
    """The TOML table in ``path`` and the file's status, within size and nesting limits.

    Raises FileNotFoundError, OSError or UnicodeDecodeError for a file that cannot be
    read, and TomlError for one that is not TOML or is too large or too deeply nested.
    """
    # non-blocking: a FIFO planted in the file's place would otherwise hold start-up
    # until someone writes to it
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise TomlError("not a regular file")
        raw = handle.read(MAX_TOML_BYTES + 1)
    if len(raw) > MAX_TOML_BYTES:
        raise TomlError(f"larger than {MAX_TOML_BYTES // 1_000_000} MB")
    text = raw.decode("utf-8")
    too_deep = f"nested too deeply (more than {MAX_TOML_DEPTH} levels)"
    if _nested_too_deeply(text, MAX_TOML_DEPTH):
        raise TomlError(too_deep)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(f"not valid TOML ({exc})") from None
    except RecursionError:  # the scan missed a way to nest: still one line, never a traceback
        raise TomlError(too_deep) from None
    if _data_depth(data) > MAX_TOML_DEPTH:
        raise TomlError(too_deep)
    return data, info


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
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} (allowed: {', '.join(TOP_KEYS)})")
    theme = _string(data, "theme", str(path))
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise ConfigError(f"{path}: [keys] maps binding ids to key strings, e.g. \"app.quit\" = \"ctrl+q\"")
    for binding_id, key in keys.items():
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(f"{path}: [keys] {binding_id!r} must be a string of keys, e.g. \"ctrl+q\" or \"down,j\"")
    profiles_data = data.get("profiles", {})
    if not isinstance(profiles_data, dict):
        raise ConfigError(f"{path}: [profiles.NAME] tables hold the profiles")
    for name in profiles_data:
        if not PROFILE_NAME.fullmatch(name):
            raise ConfigError(f"{path}: profile name {name!r}: use letters, digits, '.', '_' and '-' (it names files)")
    profiles = {name: parse_profile(name, value, str(path)) for name, value in profiles_data.items()}
    default = _string(data, "default_profile", str(path))
    if default is not None and default not in profiles:
        raise ConfigError(f"{path}: default_profile {default!r} is not a profile ({_names(profiles)})")
    days = data.get("cache_days", 7.0)
    if isinstance(days, bool) or not isinstance(days, (int, float)) or not 0 < days <= 30:
        raise ConfigError(f"{path}: 'cache_days' must be a number of days from more than 0 to 30")
    return Config(path, theme, _refresh(data.get("refresh"), str(path)), dict(keys), default, profiles, float(days),
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
        changes["auth"] = _choice(environ["SYNCDASH_AUTH"], AUTH_MODES, where, "SYNCDASH_AUTH")
    if environ.get("SYNCDASH_CLOUD"):
        cloud = _choice(environ["SYNCDASH_CLOUD"], tuple(CLOUDS), where, "SYNCDASH_CLOUD")
        changes["cloud"] = CLOUDS[cloud]
    app_only = changes.get("auth", profile.auth) in APP_ONLY
    tenant = environ.get("SYNCDASH_TENANT_ID") or (environ.get("AZURE_TENANT_ID") if app_only else None)
    client = environ.get("SYNCDASH_CLIENT_ID") or (environ.get("AZURE_CLIENT_ID") if app_only else None)
    if tenant:
        changes["tenant"] = tenant
    if client:
        changes["client_id"] = client
    return replace(profile, **changes)
