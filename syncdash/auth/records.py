"""Saved sign-ins (azure-identity AuthenticationRecord): who signed in where, never a token.

A record lets the next run find its tokens in the cache without asking again; it holds
the account name, tenant, authority and client id only. It is written like every file
syncdash writes (``files``: a folder only the user can use, O_EXCL|O_NOFOLLOW 0600), and
read only from a file of the user's reached through no link: a planted record could name
another account for the next sign-in.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from syncdash.config import Profile
from syncdash.files import private_directory, read_own, write_atomically

if TYPE_CHECKING:
    from azure.identity import AuthenticationRecord


def record_path(data_dir: Path, profile: str) -> Path:
    return data_dir / "auth" / f"{profile}.json"


def load_record(data_dir: Path, profile: str) -> AuthenticationRecord | None:
    """The saved record, or None when absent or unreadable (then the admin signs in)."""
    from azure.identity import AuthenticationRecord

    path = record_path(data_dir, profile)
    try:
        return AuthenticationRecord.deserialize(read_own(path))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def matches(record: AuthenticationRecord, profile: Profile) -> bool:
    """Whether the record was made by the profile's app in the profile's cloud: azure-identity
    would otherwise take both from the record and ignore a changed profile."""
    return (record.client_id == profile.client_id
            and record.authority.casefold().rstrip("/") == profile.cloud.authority.casefold().rstrip("/"))


def usable_record(data_dir: Path, profile: Profile) -> AuthenticationRecord | None:
    """The saved record if it belongs to this profile's app and cloud, else None."""
    record = load_record(data_dir, profile.name)
    return record if record is not None and matches(record, profile) else None


def save_record(data_dir: Path, profile: str, record: AuthenticationRecord) -> Path:
    """Save the record; OSError (UnsafePath: a link or another user's file or folder on
    the way) propagates for the caller to word."""
    path = record_path(data_dir, profile)
    private_directory(path.parent)
    write_atomically(path, record.serialize(), mode=0o600)
    return path


def delete_record(data_dir: Path, profile: str) -> Path | None:
    path = record_path(data_dir, profile)
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    return path
