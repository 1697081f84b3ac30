"""The installed ``syncdash --demo`` in a real terminal: tmux at 80×24, keys sent with
send-keys, the screen read with capture-pane (xterm-256color, then plain xterm)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from factories import DEMO_IN_ERROR as HEALTH_IN_ERROR
from factories import DEMO_SERVER_IN_ERROR

#: `syncdash --demo` reads every source: Graph, Connect Health, AD and the server files.
IN_ERROR = HEALTH_IN_ERROR + DEMO_SERVER_IN_ERROR

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")


class Terminal:
    def __init__(self, session: str, socket: Path, status_file: Path):
        self.session = session
        self.socket = socket
        self.status_file = status_file

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", str(self.socket), *args], capture_output=True, text=True, timeout=20)
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def wait_for(self, text: str, timeout: float = 40.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def exit_status(self, timeout: float = 15.0) -> str:
        """syncdash's exit status, written by the shell that runs it, or "" if it did not
        end (tmux's own pane status is unreliable once the pty closes before the exit)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status_file.exists() and (status := self.status_file.read_text().strip()):
                return status
            time.sleep(0.2)
        return ""

    def syncdash_pid(self) -> int:
        shell = self.tmux("list-panes", "-t", self.session, "-F", "#{pane_pid}").split()[0]
        return int(subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()[0])



def launch(tmp_path: Path, term: str, size: tuple[int, int] = (80, 24), **extra_env: str) -> Terminal:
    """The installed ``syncdash --demo`` in a detached tmux session (80×24 unless asked)."""
    executable = Path(sys.executable).parent / "syncdash"
    command = str(executable) if executable.exists() else f"{sys.executable} -m syncdash"
    socket = tmp_path / "tmux.sock"
    env = {
        "TERM": term,
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
        **extra_env,
    }
    environment = " ".join(f"{key}='{value}'" for key, value in env.items())
    status_file = tmp_path / "status"
    wrapper = tmp_path / "run.sh"
    wrapper.write_text(f'"$@"\necho $? > {status_file}\nsleep 30\n')
    subprocess.run(
        ["tmux", "-S", str(socket), "-f", "/dev/null", "new-session", "-d", "-s", "sd", "-x", str(size[0]), "-y", str(size[1]),
         f"env -i {environment} sh {wrapper} {command} --demo --refresh 3600"],
        check=True, timeout=20,
    )
    return Terminal("sd", socket, status_file)


@pytest.fixture(params=["xterm-256color", "xterm"])
def terminal(request, tmp_path):  # type: ignore[no-untyped-def]
    term = launch(tmp_path, request.param)
    yield term
    subprocess.run(["tmux", "-S", str(term.socket), "kill-server"], capture_output=True, timeout=20)


def test_the_demo_runs_in_a_real_terminal(terminal):
    screen = terminal.wait_for("complete")
    assert "Contoso" in screen and f"Objects with sync errors ({IN_ERROR}/{IN_ERROR})" in screen
    assert "KIND" in screen and "Quit" in screen
    lines = screen.splitlines()
    assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)

    terminal.keys("/")
    terminal.keys("-l", "wilber")
    screen = terminal.wait_for(f"(2/{IN_ERROR})")
    assert "Alex Wilber" in screen
    terminal.keys("Escape")
    terminal.wait_for(f"({IN_ERROR}/{IN_ERROR})")

    terminal.keys("Tab")
    screen = terminal.wait_for("Identity")
    assert "On-premises" in screen or "userPrincipalName" in screen
    terminal.keys("Tab")
    terminal.wait_for("Step 1: Check for synchronization errors")

    terminal.keys("?")
    terminal.wait_for("syncdash keys")
    terminal.keys("Escape")
    terminal.wait_for("Step 1: Check")

    terminal.keys("Escape", "s")  # one burst, as a quick hand over SSH sends it: back to the list, sorted
    terminal.wait_for("sorted by KIND")

    terminal.keys("q")
    assert terminal.exit_status() == "0", "syncdash did not exit on q"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_the_first_hour_reads_well_at_both_sizes(tmp_path, size):
    """What an admin does first, in a real terminal at the two sizes admins use: the
    summary over the list, a suggestion broken only where PowerShell allows, and the
    side-by-side view."""
    columns, rows = size
    term = launch(tmp_path, "xterm-256color", size)
    try:
        screen = term.wait_for("complete")
        lines = screen.splitlines()
        assert len(lines) <= rows and all(len(line) <= columns for line in lines)
        assert "proxy" in screen and "▇" in screen  # the summary bars
        term.keys("/")
        term.keys("-l", "isaiah.langer")
        term.wait_for(f"(1/{IN_ERROR})")
        term.keys("Enter", "Tab", "Tab")
        term.wait_for("Checklist:")
        for _ in range(12):  # down the checklist to a finding with a suggestion
            if "suggestion:" in (screen := term.screen()):
                break
            term.keys("j")
            time.sleep(0.3)
        screen = term.wait_for("suggestion:")
        suggestion = screen[screen.index("suggestion:"):].splitlines()
        assert any(line.rstrip(" │").endswith("`") for line in suggestion)  # continued, as PowerShell reads it
        assert any("'smtp:isaiah@contoso.com'" in line for line in suggestion)  # the string whole
        term.keys("v")
        screen = term.wait_for("side by side")
        assert "Isaiah Brooks" in screen and "isaiah.langer@contoso.com" in screen
        term.keys("Escape", "q")
        assert term.exit_status() == "0"
    finally:
        subprocess.run(["tmux", "-S", str(term.socket), "kill-server"], capture_output=True, timeout=20)


def test_a_dropped_ssh_session_ends_the_dashboard_cleanly(terminal):
    """SIGHUP is handled: the app exits through its own shutdown (workers cancelled,
    terminal modes restored) with status 129, instead of dying of the signal."""
    import signal

    terminal.wait_for("complete")
    os.kill(terminal.syncdash_pid(), signal.SIGHUP)
    status = terminal.exit_status()
    assert status, f"syncdash kept running after SIGHUP; the screen was:\n{terminal.screen()}"
    assert status == "129", f"exit status {status}: killed by the signal instead of exiting cleanly"


def test_ctrl_c_in_a_real_terminal_quits_with_the_terminal_restored(terminal):
    terminal.wait_for("complete")
    terminal.keys("n")
    terminal.wait_for("Ctrl+S save")
    terminal.keys("C-c")
    status = terminal.exit_status()
    assert status == "0", f"Ctrl+C ended syncdash with status {status!r}; the screen was:\n{terminal.screen()}"
    modes = terminal.tmux("display-message", "-p", "-t", terminal.session, "#{alternate_on} #{mouse_any_flag}")
    assert modes.split() == ["0", "0"], f"terminal modes left on: {modes!r}"


def _cells(line: str) -> list[tuple[str, int | None, int | None]]:
    """(character, foreground, background) of each cell of a ``capture-pane -e`` line,
    colours as 16-colour indexes (None: the terminal's default)."""
    import re

    cells, fg, bg = [], None, None
    for escape, char in re.findall(r"(\x1b\[[0-9;]*m)|(.)", line):
        if char:
            cells.append((char, fg, bg))
            continue
        codes = [int(c) for c in escape[2:-1].split(";") if c] or [0]
        for code in codes:
            if code == 0:
                fg = bg = None
            elif 30 <= code <= 37 or 90 <= code <= 97:
                fg = code - 30 if code < 90 else code - 82
            elif 40 <= code <= 47 or 100 <= code <= 107:
                bg = code - 40 if code < 100 else code - 92
            elif code == 39:
                fg = None
            elif code == 49:
                bg = None
    return cells


def test_with_no_color_on_a_16_colour_terminal_the_marks_stay_visible(tmp_path):
    term = launch(tmp_path, "xterm", NO_COLOR="1")
    try:
        term.wait_for("complete")
        term.keys("Tab")
        term.keys("Tab")
        term.wait_for("Step 1")
        screen = term.tmux("capture-pane", "-p", "-e", "-t", term.session)
        marks = [(char, fg, bg) for line in screen.splitlines() for char, fg, bg in _cells(line) if char in "✓✗"]
        assert marks, screen
        assert all(fg != bg for _, fg, bg in marks), f"a mark is drawn in its background's colour: {marks}"
    finally:
        subprocess.run(["tmux", "-S", str(term.socket), "kill-server"], capture_output=True, timeout=20)


def test_syncdash_theme_in_the_environment_chooses_the_theme_and_it_is_remembered(tmp_path):
    from syncdash.store import Store

    term = launch(tmp_path, "xterm-256color", SYNCDASH_THEME="high-contrast")
    try:
        term.wait_for("complete")
        term.keys("q")
        assert term.exit_status() == "0"
    finally:
        subprocess.run(["tmux", "-S", str(term.socket), "kill-server"], capture_output=True, timeout=20)
    store = Store(tmp_path / "cache" / "syncdash", tmp_path / "data" / "syncdash")
    try:
        assert store.preference("theme") == "high-contrast"
    finally:
        store.close()
