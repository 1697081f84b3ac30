"""Graph and the network failing on purpose: the dashboard stays up with the last good
list marked stale and says what is wrong; ``report`` and ``check`` exit 2 with the reason."""

from __future__ import annotations

import datetime as dt
import ssl
from datetime import datetime, timezone

import pytest

from conftest import settle
from syncdash.cli import main
from syncdash.emulator.scenarios.demo import build_demo_tenant
from syncdash.emulator.faults import Faults
from syncdash.emulator.server import make_server
from syncdash.emulator.service import GraphEmulator
from syncdash.emulator.tenant import TenantStore

FAULTS = {
    "DNS failure": ({"network": "dns"}, "DNS lookup failed"),
    "TLS failure": ({"network": "tls"}, "certificate is not trusted"),
    "connection refused": ({"network": "refused"}, "refused"),
    "timeout": ({"network": "timeout"}, "no answer in time"),
    "5xx burst": ({"server_error_rate": 1.0, "retry_after": "0.05"}, "503"),
    "malformed JSON": ({"malformed_rate": 1.0}, "not valid JSON"),
    "connection closed mid-answer": ({"drop_rate": 1.0}, "tenant not reachable"),
}


def _status(app) -> str:  # type: ignore[no-untyped-def]
    return app.query_one("StatusBar").shown.plain


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
async def test_the_dashboard_rides_out_each_fault_and_recovers(dashboard, fault):
    knobs, words = FAULTS[fault]
    made = dashboard()
    app = made.app
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        for name, value in knobs.items():
            setattr(made.emulator.faults, name, value)
        await pilot.press("r")
        await settle(pilot)
        assert len(app.query_one("ErrorList").rows) == 29, "the last good list was lost"
        assert "stale" in _status(app) and words in _status(app), _status(app)
        assert "Contoso" in _status(app), "the last good tenant status was blanked"
        made.emulator.faults = Faults()
        await pilot.press("r")
        await settle(pilot)
        assert "stale" not in _status(app) and "live" in _status(app)


def _self_signed(directory) -> ssl.SSLContext:  # type: ignore[no-untyped-def]
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    return context


def test_a_real_untrusted_certificate_is_one_line_and_exit_two(tmp_path, capsys):
    """A real TLS handshake against a self-signed loopback server: what an admin behind a
    TLS-inspecting proxy meets."""
    import threading

    server = make_server(GraphEmulator(TenantStore(build_demo_tenant(datetime.now(timezone.utc)))))
    # the handshake in each connection's own thread: a failed one must not block accept()
    server.socket = _self_signed(tmp_path).wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        code = main(["report", "--graph-url", f"https://127.0.0.1:{server.server_address[1]}/v1.0"])
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "certificate is not trusted" in err and "SSL_CERT_FILE" in err


@pytest.mark.parametrize("fault", ["5xx burst", "malformed JSON", "connection closed mid-answer"])
def test_report_and_check_exit_two_with_the_reason(capsys, fault):
    from syncdash.emulator.server import serving

    knobs, words = FAULTS[fault]
    emulator = GraphEmulator(TenantStore(build_demo_tenant(datetime.now(timezone.utc))), Faults(**knobs))
    with serving(emulator) as url:
        for command in (["report"], ["check", "alex.wilber@contoso.com"]):
            assert main([*command, "--graph-url", url]) == 2
            lines = capsys.readouterr().err.splitlines()
            assert words in lines[-1] and "Traceback" not in lines
            # retries through the burst: at most one "throttled" line before the reason
            assert len(lines) <= 2 and all("resuming in" in line for line in lines[:-1])
