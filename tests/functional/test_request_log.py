"""``--log FILE``: every Graph request as a line, directory data only at debug level."""

from __future__ import annotations

import logging
import re
import stat

from factories import conflict, tenant, user

from syncdash.cli import main
from syncdash.emulator.faults import Faults
from syncdash.graph.scan import scan_fast

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (INFO|WARNING) (GET|POST) /v1\.0/\S+ (\d{3} )?.*\d\.\d{3} s")


def test_info_logs_each_request_without_directory_values(tmp_path):
    log = tmp_path / "requests.log"
    assert main(["--log", str(log), "--demo", "check", "alex.wilber@contoso.com"]) == 1
    lines = log.read_text().splitlines()
    assert len(lines) >= 5 and all(LINE.match(line) for line in lines), lines
    assert any(line.startswith(tuple("0123456789")) and " GET /v1.0/users?… 200 " in line for line in lines)
    assert "alex.wilber" not in log.read_text() and "filter" not in log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_debug_adds_query_strings_one_line_each_whatever_the_value(tmp_path):
    log = tmp_path / "requests.log"
    assert main(["--log", str(log), "--log-level", "debug", "--demo", "check", "x\n2026-01-01 INFO forged@contoso.com"]) == 1
    text = log.read_text()
    assert "$filter=" in text and "forged@contoso.com" in text
    assert all(LINE.match(line) for line in text.splitlines()), "a value's line break forged a log line"


def test_a_second_run_appends(tmp_path):
    log = tmp_path / "requests.log"
    main(["--log", str(log), "--demo", "report", "--output", str(tmp_path / "one")])
    first = len(log.read_text().splitlines())
    logging.getLogger("syncdash").handlers.clear()
    main(["--log", str(log), "--demo", "report", "--output", str(tmp_path / "two")])
    assert len(log.read_text().splitlines()) == 2 * first


def test_a_log_file_that_cannot_be_opened_is_a_one_line_error(tmp_path, capsys):
    assert main(["--log", str(tmp_path / "missing" / "requests.log"), "--demo", "report"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No such file or directory" in err


async def test_throttled_attempts_and_their_retries_are_separate_lines(connect, caplog):
    data = tenant(users=[user("Ann", "ann@contoso.com", onPremisesProvisioningErrors=[conflict("UserPrincipalName", "ann@contoso.com")])])
    connected = connect(data, Faults(throttle_rate=0.5, retry_after="0.05", seed=3))
    with caplog.at_level(logging.INFO, logger="syncdash.graph.requests"):
        await scan_fast(connected.client)
    statuses = [r.getMessage().split()[2] for r in caplog.records]
    assert "429" in statuses and "200" in statuses
    assert any("(retry-after 0.05)" in r.getMessage() for r in caplog.records)
    assert len(caplog.records) == len(connected.emulator.requests)
