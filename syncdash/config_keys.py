"""Every key the config file may hold, described once: its kind, its default and what it
is for. The loader checks a table against this description, the profile is built from
it, and the README's reference table is printed from it — so a new key cannot be
accepted without being validated and documented (tests compare them)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syncdash.clouds import CLOUD_NAMES

#: Microsoft Graph Command Line Tools: a public client every tenant can consent to, so no
#: app registration is needed.
DEFAULT_CLIENT_ID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
AUTH_MODES = ("device-code", "browser", "azure-cli", "client-secret", "certificate", "managed-identity")
APP_ONLY = ("client-secret", "certificate", "managed-identity")
#: auto: the platform's encrypted cache where there is one, else memory for the session.
TOKEN_CACHES = ("auto", "memory", "unencrypted-file")
#: Refused in a profile, with a pointer to where a secret belongs.
SECRET_KEYS = ("client_secret", "secret", "password", "certificate_password")


class ConfigError(ValueError):
    """One line naming the file, the key and what is allowed."""


#: Checks one value (``where`` names the file and table, ``key`` the key) and returns it
#: as syncdash uses it; raises ConfigError with one line saying what is allowed.
Check = Callable[[Any, str, str], Any]


def text(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: '{key}' must be a non-empty string")
    return value


def path(value: Any, where: str, key: str) -> Path:
    return Path(text(value, where, key)).expanduser()


def one_of(*allowed: str) -> Check:
    def check(value: Any, where: str, key: str) -> str:
        if value not in allowed:
            raise ConfigError(f"{where}: '{key}' is {value!r}; allowed: {', '.join(allowed)}")
        return str(value)

    check.__doc__ = "one of " + ", ".join(allowed)
    return check


def number(low: float, high: float, unit: str, *, above_low: bool = False) -> Check:
    """A number of ``unit`` from ``low`` (excluded with ``above_low``) to ``high``."""
    def check(value: Any, where: str, key: str) -> float:
        low_ok = isinstance(value, (int, float)) and (value > low if above_low else value >= low)
        if isinstance(value, bool) or not low_ok or not value <= high:
            lowest = f"more than {low:g}" if above_low else f"{low:g}"
            raise ConfigError(f"{where}: '{key}' must be a number of {unit} from {lowest} to {high:g}")
        return float(value)

    check.__doc__ = f"{unit}, {'>' if above_low else ''}{low:g}–{high:g}"
    return check


def boolean(value: Any, where: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: '{key}' must be true or false")
    return value


def key_table(value: Any, where: str, key: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [keys] maps binding ids to key strings, e.g. \"app.quit\" = \"ctrl+q\"")
    for binding_id, keys in value.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(f"{where}: [keys] {binding_id!r} must be a string of keys, e.g. \"ctrl+q\" or \"down,j\"")
    return dict(value)


def table(value: Any, where: str, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}.NAME] tables hold the {key}")
    return value


def texts(value: Any, where: str, key: str) -> tuple[str, ...]:
    """One string or a list of them (several forests, several base DNs)."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values:
        raise ConfigError(f"{where}: '{key}' must be a string or a list of strings")
    return tuple(text(item, where, key) for item in values)


def paths(value: Any, where: str, key: str) -> tuple[Path, ...]:
    return tuple(Path(item).expanduser() for item in texts(value, where, key))


def ad_table(value: Any, where: str, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: '{key}' must be a table: [profiles.NAME.ad] with url, base, user, ca_file, …")
    return read_table(value, AD, f"{where}.ad")


text.__doc__ = "string"
texts.__doc__ = "string or list of strings"
paths.__doc__ = "file path or list of them"
ad_table.__doc__ = "table (keys below)"
boolean.__doc__ = "true or false"
path.__doc__ = "file path (~ allowed)"
key_table.__doc__ = "table: binding id = keys"
table.__doc__ = "tables"


@dataclass(frozen=True, slots=True)
class Key:
    """One key of a table: how it is checked, its default when absent, what it is for."""

    name: str
    check: Check
    default: Any
    about: str


SECONDS = number(1, 86400, "seconds")

#: The file's top level.
TOP = (
    Key("default_profile", text, None, "the profile used without --profile"),
    Key("theme", text, None, "theme name, when neither --theme nor SYNCDASH_THEME names one"),
    Key("refresh", SECONDS, None, "seconds between refreshes (default 60; the demo 5)"),
    Key("cache_days", number(0, 30, "days", above_low=True), 7.0, "cached directory data older than this is dropped"),
    Key("keys", key_table, {}, "key remaps: binding id (as ? lists them) = keys"),
    Key("profiles", table, {}, "[profiles.NAME]: one tenant each, with the keys below"),
)

#: One ``[profiles.NAME]`` table.
PROFILE = (
    Key("tenant", text, None, "tenant id or a verified domain"),
    Key("client_id", text, DEFAULT_CLIENT_ID, "app (client) id; default Microsoft Graph Command Line Tools"),
    Key("auth", one_of(*AUTH_MODES), "device-code", "how to sign in"),
    Key("cloud", one_of(*CLOUD_NAMES), "public", "national cloud; custom needs authority and graph_url"),
    Key("authority", text, None, "sign-in authority of a custom cloud"),
    Key("graph_url", text, None, "Graph base URL of a custom cloud, e.g. https://graph.example.gov/v1.0"),
    Key("portal", text, None, "admin center of a custom cloud (for the o key's links)"),
    Key("resource_manager", text, None, "Azure Resource Manager URL of a custom cloud (for Connect Health)"),
    Key("health", boolean, True, "read Connect Health through Resource Manager too (false: Graph only)"),
    Key("ad", ad_table, None, "[profiles.NAME.ad]: on-premises AD read beside the tenant (keys below)"),
    Key("refresh", SECONDS, None, "this tenant's refresh, over the top-level one"),
    Key("theme", text, None, "this tenant's theme, over the top-level one"),
    Key("token_cache", one_of(*TOKEN_CACHES), "auto", "where delegated tokens are kept"),
    Key("client_secret_file", path, None, "file holding the client secret (auth = client-secret)"),
    Key("certificate_path", path, None, "PEM or PKCS#12 certificate (auth = certificate)"),
)


#: One ``[profiles.NAME.ad]`` table: where on-premises AD is read, live or from exports.
AD = (
    Key("url", texts, None, "domain controllers or Global Catalogs (ldaps://…), one per forest"),
    Key("base", texts, None, "base DNs to search (default: each server's default naming context)"),
    Key("user", text, None, "bind account (user@domain, DOMAIN\\user or a DN); password: SYNCDASH_AD_PASSWORD or a prompt"),
    Key("bind", one_of("simple", "kerberos"), "simple", "simple (user and password, over TLS) or kerberos (the host's ticket)"),
    Key("kerberos_host", text, None, "with kerberos: the DC's DNS name in its ldap/ SPN, when url uses another"),
    Key("ca_file", path, None, "the organisation's CA certificates (PEM) that verify the DCs"),
    Key("starttls", boolean, False, "ldap:// upgraded with StartTLS instead of ldaps://"),
    Key("exports", paths, None, "ldifde/csvde exports to read instead of a live DC"),
    Key("every", SECONDS, 900.0, "seconds between live reads in the dashboard"),
)


def read_table(data: Mapping[str, Any], keys: tuple[Key, ...], where: str) -> dict[str, Any]:
    """Every key of ``keys``: checked when present, its default when absent; an unknown
    key is an error naming the allowed ones."""
    names = [key.name for key in keys]
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(names)})")
    return {key.name: key.default if data.get(key.name) is None else key.check(data[key.name], where, key.name)
            for key in keys}


def reference(keys: tuple[Key, ...]) -> list[str]:
    """A markdown table of ``keys`` (the README's reference is this, checked by a test)."""
    lines = ["| key | value | default | what for |", "|---|---|---|---|"]
    for key in keys:
        default = "" if key.default in (None, {}) else f"`{key.default:g}`" if isinstance(key.default, float) \
            else f"`{key.default}`"
        lines.append(f"| `{key.name}` | {key.check.__doc__} | {default} | {key.about} |")
    return lines
