"""Starting under odd conditions: standard streams closed, config and theme files that are
huge, nested thousands deep or inject CSS, a config others can write, a ``--log`` path
that is a symlink or someone else's file, and ``auth = "azure-cli"`` (one ``az`` process
per token, not per request). Each ends in one line and a clean exit, or a working start."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import azure.identity
import pytest
from azure.core.credentials import AccessToken
from conftest import FROZEN_NOW, settle
from factories import conflict, tenant, user

from syncdash.cli import main
from syncdash.config import ConfigError, load_config
from syncdash.emulator.server import serving
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantStore
from syncdash.ui.themes import load_themes, shipped_theme_dirs

ROOT = Path(__file__).resolve().parents[2]


# -- closed standard streams ----------------------------------------------------------
def _shell(redirections: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """``python -m syncdash ARGV`` with the shell's ``redirections`` (``>&-`` closes)."""
    command = f'exec "$0" -m syncdash "$@" {redirections}'
    return subprocess.run(["sh", "-c", command, sys.executable, *argv], check=False, cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_closed_stdout_is_one_line_and_exit_2_never_a_traceback():
    done = _shell(">&-", "--demo", "report")
    assert done.returncode == 2, done.stderr
    assert done.stderr == "syncdash: standard output is closed; nothing was written\n"


def test_closed_stdout_does_not_matter_when_nothing_goes_to_it(tmp_path):
    done = _shell(">&-", "--demo", "report", "--output", str(tmp_path / "report.txt"))
    assert done.returncode == 1 and done.stderr == ""  # the demo has sync errors: exit 1
    assert "objects with sync errors" in (tmp_path / "report.txt").read_text()


def test_closed_stdin_runs_headless_commands_and_refuses_the_dashboard():
    done = _shell("<&-", "--demo", "report")
    assert done.returncode == 1 and "objects with sync errors" in done.stdout and done.stderr == ""
    done = _shell("<&-", "--demo")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "needs a terminal" in done.stderr


# -- config and theme files -----------------------------------------------------------
DEEP = {
    "arrays": "a = " + "[" * 5000 + "]" * 5000 + "\n",
    "inline tables": "a = " + "{b = " * 5000 + "1" + "}" * 5000 + "\n",
    "a dotted key": "a" + ".b" * 5000 + " = 1\n",
    "table headers": "[" + ".".join(["t"] * 5000) + "]\nx = 1\n",
}


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_a_config_nested_thousands_deep_is_one_line_naming_the_file(tmp_path, capsys, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    assert main(["--config", str(path), "--demo", "report"]) == 2
    err = capsys.readouterr().err
    assert err == f"syncdash: {path}: nested too deeply (more than 32 levels)\n"


def test_a_config_over_a_megabyte_is_refused_unread_and_a_real_one_still_loads(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("# padding\n" * 200_000)
    with pytest.raises(ConfigError, match=r"config\.toml: larger than 1 MB"):
        load_config(path, required=True)
    path.write_text('[profiles.a]\ntenant = "a.example"  # [not] {a} "table"\nrefresh = 1.5\n[keys]\n"app.quit" = "ctrl+q"\n')
    assert load_config(path, required=True).profiles["a"].tenant == "a.example"


BAD_THEMES = {
    "deep": ('name = "deep"\nprimary = "#336699"\nx = ' + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    "css": ('name = "css"\nprimary = "#336699"\n[variables]\n"border" = "red; } Screen { display: none; } X {"\n',
            "'border'"),
    "css-name": ('name = "css-name"\nprimary = "#336699"\n[variables]\n"x; } Screen { display: none" = "red"\n',
                 "variable name"),
    "style": ('name = "style"\nprimary = "#336699"\n[variables]\n"link-style" = "#ff0000"\n', "not a text style"),
    "colour": ('name = "colour"\nprimary = "#336699"\n[variables]\n"border" = "bold"\n', "not a colour"),
}


@pytest.mark.parametrize("name", BAD_THEMES)
def test_a_theme_nested_deep_or_injecting_css_is_named_and_skipped(tmp_path, name):
    text, words = BAD_THEMES[name]
    (tmp_path / f"{name}.toml").write_text(text)
    (tmp_path / "good.toml").write_text('name = "good"\nprimary = "#336699"\n[variables]\n'
                                        '"border" = "#112233 50%"\n"link-style" = "not underline"\n')
    themes, problems = load_themes([tmp_path])
    assert [theme.name for theme in themes] == ["good"]
    assert len(problems) == 1 and f"{name}.toml" in problems[0] and words in problems[0], problems


@pytest.mark.parametrize("name", ["deep", "css"])
async def test_the_dashboard_starts_past_a_broken_theme_and_says_so(tmp_path, name):
    from syncdash.emulator.scenarios.demo import build_demo_tenant
    from syncdash.emulator.transport import EmulatorTransport
    from syncdash.graph.client import build_client
    from syncdash.store import Store
    from syncdash.ui.app import SyncdashApp

    themes = tmp_path / "themes"
    themes.mkdir()
    (themes / f"{name}.toml").write_text(BAD_THEMES[name][0])
    emulator = GraphEmulator(TenantStore(build_demo_tenant(FROZEN_NOW)))
    store = Store(tmp_path / "cache", tmp_path / "data")
    app = SyncdashApp(
        lambda hooks: build_client("https://graph.emulator.invalid/v1.0", transport=EmulatorTransport(emulator)),
        tenant_key="test", store=store, refresh=3600, clock=lambda: FROZEN_NOW, theme=name,
        theme_dirs=[*shipped_theme_dirs(), themes],
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.theme == "syncdash-dark" and app.query_one("ErrorList").rows
        shown = [n.message for n in app._notifications]
        assert any(f"{name}.toml" in message for message in shown), shown
    store.close()


# -- a config file others can change --------------------------------------------------
def _config(tmp_path: Path, mode: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('theme = "ansi"\n')
    path.chmod(mode)
    return path


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX modes and owners")
def test_a_config_others_can_write_is_used_with_one_warning(tmp_path, capsys):
    path = _config(tmp_path, 0o666)
    assert main(["--config", str(path), "--demo", "report", "--output", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"syncdash: {path}: warning: writable by group or others")
    path.chmod(0o600)
    assert main(["--config", str(path), "--demo", "report", "--output", str(tmp_path / "r")]) == 1
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX modes and owners")
def test_a_config_of_another_user_is_used_with_one_warning(tmp_path, capsys, monkeypatch):
    path = _config(tmp_path, 0o644)
    monkeypatch.setattr(os, "geteuid", lambda: path.stat().st_uid + 1)  # as if another user ran syncdash
    assert main(["--config", str(path), "--demo", "report", "--output", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"syncdash: {path}: warning: owned by another user")


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX modes and owners")
def test_a_config_in_a_folder_others_can_write_is_used_with_one_warning(tmp_path, capsys):
    """Another user could not edit the file, but could replace it."""
    folder = tmp_path / "shared"
    folder.mkdir()
    path = _config(folder, 0o600)
    folder.chmod(0o777)
    assert main(["--config", str(path), "--demo", "report", "--output", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"its folder {folder} can be changed by another user" in err
    folder.chmod(0o1777)  # sticky, as /tmp: no one replaces a file they do not own
    assert main(["--config", str(path), "--demo", "report", "--output", str(tmp_path / "r")]) == 1
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX")
def test_a_fifo_in_place_of_the_config_is_refused_at_once(tmp_path, capsys):
    """Opening a FIFO to read it waits for a writer: start-up would hang with no word."""
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    assert main(["--config", str(path), "--demo", "report", "--output", str(tmp_path / "r")]) == 2
    assert capsys.readouterr().err == f"syncdash: {path}: not a regular file\n"


# -- the request log file -------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="POSIX")
def test_a_symlinked_log_is_refused_and_its_target_untouched(tmp_path, capsys):
    target = tmp_path / "victim"
    target.write_text("precious\n")
    link = tmp_path / "requests.log"
    link.symlink_to(target)
    assert main(["--log", str(link), "--demo", "report", "--output", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err == f"syncdash: {link}: a symbolic link: give the log file itself\n"
    assert target.read_text() == "precious\n" and not (tmp_path / "r").exists()


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX modes")
def test_an_existing_world_readable_log_becomes_owner_only_and_keeps_its_lines(tmp_path):
    log = tmp_path / "requests.log"
    log.write_text("an earlier line\n")
    log.chmod(0o644)
    assert main(["--log", str(log), "--demo", "report", "--output", str(tmp_path / "r")]) == 1
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    lines = log.read_text().splitlines()
    assert lines[0] == "an earlier line" and len(lines) > 1


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX owners")
def test_a_log_owned_by_another_user_is_refused(tmp_path, capsys, monkeypatch):
    log = tmp_path / "requests.log"
    log.write_text("")
    monkeypatch.setattr(os, "geteuid", lambda: log.stat().st_uid + 1)
    assert main(["--log", str(log), "--demo", "report", "--output", str(tmp_path / "r")]) == 2
    assert capsys.readouterr().err == (f"syncdash: {log}: owned by another user: syncdash logs only to a file "
                                       "of yours\n")


# -- azure-cli sign-in ----------------------------------------------------------------
def test_azure_cli_runs_once_per_token_not_once_per_request(tmp_path, monkeypatch, capsys):
    calls: list[tuple[str, ...]] = []
    token = "header.eyJ1cG4iOiAiYWRtaW5AY29udG9zby5jb20ifQ.signature"

    class AzureCli:  # stands in for `az account get-access-token`, one process per call
        def __init__(self, **kwargs: object) -> None:
            pass

        def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
            calls.append(scopes)
            return AccessToken(token, int(time.time()) + 3600)

    monkeypatch.setattr(azure.identity, "AzureCliCredential", AzureCli)
    config = tmp_path / "config.toml"
    config.write_text('[profiles.p]\ntenant = "contoso.com"\nauth = "azure-cli"\n')
    data = tenant(users=[user("Ann Lee", "ann@contoso.com",
                              onPremisesProvisioningErrors=[conflict("ProxyAddress", "smtp:x@contoso.com")])])
    emulator = GraphEmulator(TenantStore(data), token=token)
    with serving(emulator) as url:
        assert main(["--config", str(config), "report", "--graph-url", url, "--profile", "p"]) == 1, \
            capsys.readouterr().err
    assert len(emulator.requests) > 3 and all(r.status != 401 for r in emulator.requests)
    assert len(calls) == 1


def test_a_reused_token_is_asked_for_again_near_its_expiry_or_after_a_claims_challenge():
    from syncdash.auth.credentials import REUSE_MARGIN, ReusedTokenCredential

    now = [1000.0]
    issued: list[AccessToken] = []

    class Cli:
        def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
            issued.append(AccessToken(f"t{len(issued)}", int(now[0]) + 3600))
            return issued[-1]

    credential = ReusedTokenCredential(Cli(), clock=lambda: now[0])
    first = credential.get_token("https://graph.microsoft.com/.default")
    assert credential.get_token("https://graph.microsoft.com/.default") is first
    assert credential.get_token("https://graph.microsoft.us/.default") is not first  # another scope
    now[0] += 3600 - REUSE_MARGIN
    renewed = credential.get_token("https://graph.microsoft.com/.default")
    assert renewed is not first
    challenged = credential.get_token("https://graph.microsoft.com/.default", claims='{"access_token":{}}')
    assert challenged is not renewed
    assert credential.get_token("https://graph.microsoft.com/.default") is not renewed  # the refused one is gone
    assert len(issued) == 5
