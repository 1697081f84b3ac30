"""Creating files that no other local user can redirect, read or pre-empt.

Why: on a shared jump host another user may be able to write the folder syncdash writes
into (``/tmp``, a team share, the current directory). A name syncdash would open with
O_CREAT|O_TRUNC, or a link on the way to it, then lets them receive the tenant report or
plant data syncdash reads back. So every file syncdash writes is

- created under an unpredictable name (``secrets.token_hex``) with
  O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600: nothing planted there is ever opened;
- in a folder reached through no symbolic link owned by another user, and not writable by
  every user unless sticky (``/tmp``);
- moved onto its name with ``os.replace``, which replaces a directory entry and never
  writes through it; a name that already is a symbolic link, or a file of another user,
  is refused rather than replaced.

Refusals are :class:`UnsafePath`, an OSError whose ``strerror`` is a one-line reason and
``filename`` the path, so the callers' existing one-line OSError messages word them.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterable
from typing import BinaryIO
from pathlib import Path

#: O_NOFOLLOW and O_CLOEXEC where the platform has them (not on Windows).
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW
#: As the kernel's limit: a loop of links ends in an error, not a hang.
_MAX_LINKS = 40


class UnsafePath(OSError):
    """A path syncdash refuses to write or read through; ``strerror`` says why in one line."""

    def __init__(self, path: os.PathLike[str] | str, reason: str, code: int = errno.EPERM) -> None:
        super().__init__(code, reason, os.fspath(path))

    def __str__(self) -> str:  # the callers word OSError from filename and strerror; this is for the rest
        return f"syncdash: refusing to write {self.filename}: {self.strerror}"


def _uid() -> int | None:
    return os.geteuid() if hasattr(os, "geteuid") else None


def _trusted(owner: int) -> bool:
    """Whether a link or folder owned by ``owner`` may be relied on: the user's or root's."""
    uid = _uid()
    return uid is None or owner in (uid, 0)


def resolve(path: Path) -> Path:
    """``path`` with every symbolic link resolved, refusing one owned by another user.

    The kernel follows a link whoever planted it; resolving step by step lets syncdash
    check each link's owner first. The part of the path that does not exist yet is kept
    as given. Raises :class:`UnsafePath`.
    """
    pending = list(Path(os.path.abspath(path)).parts)
    current, pending = Path(pending[0]), pending[1:]
    followed = 0
    while pending:
        candidate = current / pending.pop(0)
        try:
            info = os.lstat(candidate)
        except FileNotFoundError:
            return candidate.joinpath(*pending)
        if not stat.S_ISLNK(info.st_mode):
            current = candidate
            continue
        if not _trusted(info.st_uid):
            raise UnsafePath(path, f"{candidate} is a symbolic link owned by another user")
        followed += 1
        if followed > _MAX_LINKS:
            raise UnsafePath(path, "too many symbolic links", errno.ELOOP)
        target = Path(os.readlink(candidate))
        if target.is_absolute():
            current = Path(target.parts[0])
            pending = list(target.parts[1:]) + pending
        else:
            pending = list(target.parts) + pending
    return current


def _check_folder(folder: Path, shown: Path, *, private: bool) -> None:
    """Refuse a folder others could swap files in. A ``private`` one (syncdash's own,
    made 0700 next) must be the user's; any other must not be writable by every user
    unless sticky, as ``/tmp`` is, where nobody may rename or delete another's file."""
    info = os.stat(folder)
    subject = "it" if os.path.abspath(shown) == str(folder) else f"its folder {folder}"
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafePath(shown, f"{subject} is not a folder", errno.ENOTDIR)
    uid = _uid()
    if private:
        if uid is not None and info.st_uid != uid:
            raise UnsafePath(shown, f"{subject} is owned by another user")
    elif info.st_mode & stat.S_IWOTH and not info.st_mode & stat.S_ISVTX:
        raise UnsafePath(shown, f"{subject} is writable by every user")


def check_existing(path: Path, shown: Path | None = None) -> bool:
    """Whether ``path`` exists; refuses a symbolic link, anything but a regular file, and a
    file owned by another user (then replacing it would hand them what they planted)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    shown = shown or path
    if stat.S_ISLNK(info.st_mode):
        raise UnsafePath(shown, "it is a symbolic link", errno.ELOOP)
    if not stat.S_ISREG(info.st_mode):
        raise UnsafePath(shown, "it is not a regular file", errno.EINVAL)
    uid = _uid()
    if uid is not None and info.st_uid != uid:
        raise UnsafePath(shown, "it is owned by another user")
    return True


def private_directory(directory: Path) -> Path:
    """Make (0700) or check a folder only the user may use: syncdash's cache, data and
    sign-in folders. Returns it with links resolved; refuses one owned by another user."""
    real = resolve(directory)
    real.mkdir(parents=True, exist_ok=True, mode=0o700)
    real = resolve(real)  # a link planted between the two looks is refused too
    _check_folder(real, directory, private=True)
    if hasattr(os, "getuid") and stat.S_IMODE(os.stat(real).st_mode) != 0o700:
        os.chmod(real, 0o700)
    return real


def create_exclusive(path: Path, mode: int = 0o600) -> int:
    """A descriptor on a new file at ``path``: never an existing file, never through a link."""
    return os.open(path, _CREATE, mode)


def write_atomically(path: Path, text: str | Iterable[str], *, mode: int = 0o600) -> None:
    """Write ``text`` (or its chunks, as they come: a large report is never held whole) to
    a new file of an unpredictable name beside ``path``, then move it onto ``path``:
    readers see the old file or the whole new one, and nothing another user planted is
    written through.

    Raises :class:`UnsafePath` (a symbolic link or another user's file at ``path``, an
    unsafe folder) or any other OSError, with the temporary file removed, for the caller
    to word in one line.
    """
    def write(handle: BinaryIO) -> None:
        for chunk in [text] if isinstance(text, str) else text:
            handle.write(chunk.encode("utf-8"))

    _replace_with(Path(path), write, mode)


def copy_atomically(source: BinaryIO, path: Path, times: tuple[float, float]) -> None:
    """``source`` copied to ``path`` as :func:`write_atomically` writes (a new file moved
    into place), with the access and modification ``times`` given: a file brought in
    keeps its own time."""
    _replace_with(Path(path), lambda handle: shutil.copyfileobj(source, handle, 1 << 20), 0o600, times)


def _replace_with(path: Path, write: Callable[[BinaryIO], None], mode: int,
                  times: tuple[float, float] | None = None) -> None:
    folder = resolve(path.parent)
    _check_folder(folder, path, private=False)
    target = folder / path.name
    check_existing(target, path)
    partial = folder / f".{path.name}.{secrets.token_hex(8)}.partial"
    descriptor = create_exclusive(partial, mode)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if times is not None:
            os.utime(partial, times)
        os.replace(partial, target)  # a link planted meanwhile is replaced, not written through
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def read_own(path: Path) -> str:
    """The text of a file of the user's, read without following a link at ``path``:
    a saved sign-in someone else planted or redirected is not believed."""
    descriptor = os.open(path, os.O_RDONLY | NOFOLLOW)
    with os.fdopen(descriptor, "r", encoding="utf-8") as handle:
        info = os.fstat(handle.fileno())
        uid = _uid()
        if not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid):
            raise UnsafePath(path, "it is not a file of the user's")
        return handle.read()


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
#: Opening a FIFO without O_NONBLOCK waits for a writer; on a regular file it changes nothing.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def open_regular(path: Path, shown: str, fail: type[Exception], what: str) -> BinaryIO:
    """A file an admin handed over, opened for reading only if it is a regular file.

    A FIFO would block the open (and then the read) until another process writes to it,
    and some devices act when opened, so the type is checked with ``os.stat`` first, and
    again on the open descriptor in case the path was swapped in between. Refusals raise
    ``fail`` with one line naming the file (``shown``, already made safe to print);
    ``what`` names what was expected instead of a folder."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise fail(f"{shown}: no such file") from None
    except OSError as error:
        raise fail(f"{shown}: {_one_line(error.strerror or error)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise fail(f"{shown}: a folder, not {what}")
    if not stat.S_ISREG(info.st_mode):
        raise fail(f"{shown}: not a regular file (a FIFO, device or socket); syncdash reads files only")
    try:
        descriptor = os.open(path, _OPEN_FLAGS | _NONBLOCK)
    except OSError as error:
        raise fail(f"{shown}: {_one_line(error.strerror or error)}") from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise fail(f"{shown}: not a regular file (it was replaced while being opened)")
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _one_line(text: object) -> str:
    return " ".join(str(text).split())
