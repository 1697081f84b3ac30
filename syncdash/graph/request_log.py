"""Every request sent to Graph, for ``--log FILE``: method, path, status and time.

Each attempt is a line (the middleware sits next to the transport, so a throttled request
and its retry are two lines). Query strings carry directory data — filter values, names,
addresses — so they are written only at DEBUG level; paths hold nothing but resource
names and object ids. Headers are never written: the Authorization header is a token.

What the log quotes from Graph's side (a nextLink's path, a Retry-After value) is written
by whoever answers: each is made one safe line *after* percent-decoding, or ``%1b`` and
``%0a`` would come back to life as an escape and a forged line. The file itself is opened
so that neither a planted symlink nor another user's file can receive it, and is owner-only
even when it already existed with looser permissions.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import stat
import time
from pathlib import Path
from urllib.parse import unquote

import httpx
from kiota_http.middleware.middleware import BaseMiddleware

from syncdash.sanitize import safe_line, safe_text

LOG = logging.getLogger("syncdash.graph.requests")
#: Longest quoted header value: Retry-After is a number; anything longer is not one.
HEADER_LIMIT = 40


def _target(request: httpx.Request) -> str:
    path = safe_text(request.url.path)  # httpx has already percent-decoded it
    query = request.url.query.decode("ascii", "replace")
    if query and LOG.isEnabledFor(logging.DEBUG):
        return f"{path}?{safe_text(unquote(query))}"  # a value's line break must not forge a line
    return f"{path}?…" if query else path


class RequestLog(BaseMiddleware):
    async def send(self, request: httpx.Request, transport: httpx.AsyncBaseTransport) -> httpx.Response:
        if not LOG.isEnabledFor(logging.INFO):
            return await super().send(request, transport)
        started = time.perf_counter()
        try:
            response = await super().send(request, transport)
        except httpx.HTTPError as exc:
            LOG.warning("%s %s failed after %.3f s: %s", request.method, _target(request),
                        time.perf_counter() - started, type(exc).__name__)
            raise
        wait = response.headers.get("retry-after")
        LOG.info("%s %s %d %.3f s%s", request.method, _target(request), response.status_code,
                 time.perf_counter() - started, f" (retry-after {safe_line(wait, HEADER_LIMIT)})" if wait else "")
        return response


class _OneLineFormatter(logging.Formatter):
    """Each record exactly one line, whatever a message (or a traceback) holds: defence in
    depth for anything logged without going through ``_target``."""

    def format(self, record: logging.LogRecord) -> str:
        return safe_text(super().format(record))


def open_private_append(path: Path) -> io.TextIOWrapper:
    """``path`` opened for appending, owner-only, refusing what could redirect the log.

    O_NOFOLLOW refuses a symlink planted at the path (on a shared jump host, another user
    could point it at a file of yours, or at one they read); a file owned by someone else
    is refused as well; a file of yours that others could read is made 0600 first.
    Raises OSError, carrying the path, with a one-line reason.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    if not hasattr(os, "O_NOFOLLOW") and path.is_symlink():  # Windows: no O_NOFOLLOW
        raise OSError(errno.ELOOP, "a symbolic link: give the log file itself", str(path))
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP or (exc.errno == errno.EMLINK and path.is_symlink()):  # EMLINK: FreeBSD
            raise OSError(errno.ELOOP, "a symbolic link: give the log file itself", str(path)) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            raise OSError(errno.EPERM, "owned by another user: syncdash logs only to a file of yours", str(path))
        if hasattr(os, "fchmod") and stat.S_IMODE(info.st_mode) & 0o077:
            os.fchmod(fd, 0o600)
        return os.fdopen(fd, "a", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


class _PrivateFileHandler(logging.FileHandler):
    """A FileHandler whose file is opened by :func:`open_private_append`."""

    def _open(self) -> io.TextIOWrapper:
        return open_private_append(Path(self.baseFilename))


def start_log(path: Path, level: str) -> None:
    """Only syncdash's own loggers write to the file: azure-identity's can carry sign-in
    details. Lines are appended, in UTC."""
    handler = _PrivateFileHandler(path, encoding="utf-8")
    formatter = _OneLineFormatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    logger = logging.getLogger("syncdash")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if level == "debug" else logging.INFO)
    logger.propagate = False
