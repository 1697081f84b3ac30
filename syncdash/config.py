"""The admin's config file (TOML): theme, refresh interval and key remaps.

```toml
theme = "high-contrast"
refresh = 120

[keys]            # binding id = keys (see the help screen, ?, for every id)
"app.quit" = "ctrl+q"
"list.down" = "down,j,ctrl+n"
```
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

ALLOWED_KEYS = ("theme", "refresh", "keys")


class ConfigError(ValueError):
    """One line naming the file, the key and what is allowed."""


@dataclass(frozen=True, slots=True)
class Config:
    theme: str | None = None
    refresh: float | None = None
    keys: dict[str, str] = field(default_factory=dict)


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir("syncdash"))


def config_path(explicit: Path | None) -> Path:
    """``--config``, else ``SYNCDASH_CONFIG``, else config.toml in the config dir."""
    if explicit is not None:
        return explicit
    env = os.environ.get("SYNCDASH_CONFIG")
    return Path(env) if env else config_dir() / "config.toml"


def load_config(path: Path, *, required: bool) -> Config:
    """The config at ``path``; a missing default file is an empty config."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise ConfigError(f"{path}: no such config file") from None
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - set(ALLOWED_KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} (allowed: {', '.join(ALLOWED_KEYS)})")
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise ConfigError(f"{path}: 'theme' must be a theme name (a string)")
    refresh = data.get("refresh")
    if refresh is not None and (isinstance(refresh, bool) or not isinstance(refresh, (int, float)) or refresh < 1):
        raise ConfigError(f"{path}: 'refresh' must be a number of seconds, at least 1")
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in keys.items()):
        raise ConfigError(f"{path}: [keys] maps binding ids to key strings, e.g. \"app.quit\" = \"ctrl+q\"")
    return Config(theme=theme, refresh=float(refresh) if refresh is not None else None, keys=dict(keys))
