"""Where tokens are kept: the platform's encrypted cache, memory, or (opted in) a file.

On Linux the encrypted cache needs libsecret and a running secret service, which an SSH
session on a jump host rarely has. Then tokens stay in memory for the session, unless
the profile asks for ``token_cache = "unencrypted-file"``: a plain file only its owner
can read, whose place syncdash names.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from syncdash.config import Profile

if TYPE_CHECKING:
    from azure.identity import TokenCachePersistenceOptions

#: azure-identity keeps CAE and non-CAE tokens apart, in files with these suffixes.
SUFFIXES = (".cae", ".nocae")


def cache_name(profile: Profile) -> str:
    return f"syncdash-{profile.name}"


def cache_files(profile: Profile) -> list[Path]:
    """The files azure-identity uses for this profile's persistent cache on Linux/macOS."""
    base = Path(os.path.expanduser("~")) / ".IdentityService"
    return [base / (cache_name(profile) + suffix) for suffix in SUFFIXES]


def encrypted_cache_available() -> bool:
    """Whether the platform can encrypt a token cache (DPAPI, Keychain, or libsecret)."""
    if sys.platform.startswith(("win", "darwin")):
        return True
    try:
        import msal_extensions

        probe = Path(os.path.expanduser("~")) / ".IdentityService" / "syncdash-probe"
        msal_extensions.LibsecretPersistence(str(probe), "syncdash-probe", {"probe": "syncdash"})
    except Exception:  # msal-extensions raises whatever gi/libsecret raise: all mean "no"
        return False
    return True


def persistence(profile: Profile) -> TokenCachePersistenceOptions | None:
    """Cache options for azure-identity, or None to keep tokens in memory only."""
    from azure.identity import TokenCachePersistenceOptions

    if profile.token_cache == "memory" or profile.app_only:
        return None
    if profile.token_cache == "unencrypted-file":
        for path in cache_files(profile):  # created owner-only before azure-identity writes
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            os.chmod(path, 0o600)
        return TokenCachePersistenceOptions(name=cache_name(profile), allow_unencrypted_storage=True)
    if encrypted_cache_available():
        return TokenCachePersistenceOptions(name=cache_name(profile))
    return None


def _empty_persistent_caches(profile: Profile) -> None:
    """Overwrite the profile's tokens wherever azure-identity keeps them — the secret service,
    the macOS Keychain, a DPAPI file on Windows — through azure-identity's own choice of
    store: on those platforms the files under ~/.IdentityService are only change markers."""
    try:
        from azure.identity._persistent_cache import _get_persistence  # no public API empties a cache
    except ImportError:
        return
    for suffix in SUFFIXES:
        try:
            store = _get_persistence(allow_unencrypted=profile.token_cache == "unencrypted-file",
                                     account_name="MSALCache", cache_name=cache_name(profile) + suffix)
            store.save("{}")
        except Exception:  # no such store on this platform (e.g. no secret service): nothing was kept there
            continue


def remove_cache(profile: Profile) -> list[Path]:
    """Forget the profile's cached tokens: emptied in their store, then the files removed."""
    _empty_persistent_caches(profile)
    removed = []
    for path in cache_files(profile):
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            continue
    return removed
