"""Saved sign-ins (azure-identity AuthenticationRecord): who signed in where, never a token.

A record lets the next run find its tokens in the cache without asking again; it holds
the account name, tenant, authority and client id only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from syncdash.config import Profile
from syncdash.files import write_atomically

if TYPE_CHECKING:
    from azure.identity import AuthenticationRecord


def record_path(data_dir: Path, profile: str) -> Path:
    return data_dir / "auth" / f"{profile}.json"


def load_record(data_dir: Path, profile: str) -> AuthenticationRecord | None:
    """The saved record, or None when absent or unreadable (then the admin signs in)."""
    from azure.identity import AuthenticationRecord

    path = record_path(data_dir, profile)
    try:
        return AuthenticationRecord.deserialize(path.read_text(encoding="utf-8"))
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
    path = record_path(data_dir, profile)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomically(path, record.serialize(), mode=0o600)
    return path


def delete_record(data_dir: Path, profile: str) -> Path | None:
    path = record_path(data_dir, profile)
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    return path
