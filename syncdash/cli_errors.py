"""How the ``syncdash`` command fails: one safe line on stderr, exit 2, never a traceback,
even with a standard stream closed (``<&-``, ``>&-``) or a reader gone (``| head``).

Kept apart from :mod:`syncdash.cli` (argument parsing and commands) so that each stays
small; nothing here knows a command.
"""

from __future__ import annotations

import sys

from syncdash.sanitize import safe_text


class StdoutClosed(OSError):
    """Standard output is closed (``>&-``): what was to be printed went nowhere."""

    def __str__(self) -> str:
        return str(self.strerror)


class _ClosedStdout:
    """Stands in for a closed stdout: writing to it is an error, since a report written to
    nowhere must not look like success, while a run that prints nothing (``--output``) works."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        import errno

        raise StdoutClosed(errno.EBADF, "standard output is closed; nothing was written")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def reconfigure(self, **options: object) -> None:
        pass


def standard_streams() -> None:
    """A closed stdin, stdout or stderr (``<&-``, ``>&-``) leaves its descriptor free and
    Python's stream None. The first file opened later (the log, the cache) would take the
    descriptor, and what a child process (``az``) writes there would land in it: each is
    held on /dev/null. Then stdin reads as empty (no terminal: nothing prompts), stderr
    discards, and stdout refuses writes."""
    import os

    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            os.set_inheritable(fd, True)
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115  # lives as long as the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()


def error(message: str, *, lines: bool = False) -> None:
    """One line on stderr, starting ``syncdash:``, with nothing in it that acts on a
    terminal: messages quote config values, OS errors and (through GraphError, already
    made safe) Graph's answers. ``lines`` keeps syncdash's own line breaks (usage help)."""
    message = message if message.startswith("syncdash:") else f"syncdash: {message}"
    text = "\n".join(safe_text(line) for line in message.split("\n")) if lines else safe_text(message)
    try:
        print(text, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr itself is gone: there is no one left to tell
        pass


def discard_stdout() -> None:
    """After a broken pipe: what is still buffered goes to /dev/null, or flushing it at
    exit would raise again, as a traceback-like "Exception ignored" message."""
    import os

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass
