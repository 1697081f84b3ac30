"""The headless commands are for scripts and jump hosts: they load no Textual (its import
alone costs a start-up's worth of time and memory a cron job never uses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("argv", [["--demo", "report", "--format", "json"], ["--demo", "check", "Ann Lee"],
                                  ["--demo", "report", "--format", "csv"]], ids=["report", "check", "csv"])
def test_report_and_check_load_no_textual(tmp_path, argv):
    script = ("import json, sys\nfrom syncdash.cli import main\n"
              f"code = main({argv!r})\n"
              "print(json.dumps([code, sorted(m for m in sys.modules if m.split('.')[0] == 'textual')]), "
              "file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "c"),
                               "XDG_DATA_HOME": str(tmp_path / "d"), "PYTHONPATH": str(ROOT)})
    code, textual = json.loads(done.stderr.strip().splitlines()[-1])
    assert code in (0, 1), done.stderr  # clear or problems found: the command ran
    assert textual == [], f"{argv[1]} loaded {textual[:5]}"
