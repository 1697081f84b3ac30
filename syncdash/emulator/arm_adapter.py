"""The Resource Manager emulator inside the client's process: a ``requests`` transport
adapter, which azure-core's requests transport sends through like any other (no socket,
so the demo needs no port and no network)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.response import HTTPResponse

from syncdash.emulator.health import HealthEmulator

#: Host of the in-process Resource Manager: ``.invalid`` never resolves, so no request
#: could leave the machine even if the adapter were missing.
EMULATED_ARM_URL = "https://management.emulator.invalid"


class EmulatorAdapter(HTTPAdapter):
    def __init__(self, emulator: HealthEmulator) -> None:
        super().__init__()
        self.emulator = emulator

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None, verify: Any = True,
             cert: Any = None, proxies: Mapping[str, str] | None = None) -> requests.Response:
        headers = {name: value if isinstance(value, str) else value.decode("latin-1")
                   for name, value in request.headers.items()}
        body = request.body if isinstance(request.body, bytes) else b""  # reads only: GETs carry none
        answer = self.emulator.handle(request.method or "GET", request.url or "", headers, 0.0, body)
        raw = HTTPResponse(body=io.BytesIO(answer.body), headers=answer.headers, status=answer.status,
                           preload_content=False, decode_content=False)
        return self.build_response(request, raw)


def emulated_session(emulator: HealthEmulator) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy settings from the environment for an in-process service
    session.mount(EMULATED_ARM_URL + "/", EmulatorAdapter(emulator))
    return session
