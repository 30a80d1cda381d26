"""Fixtures: the Caffesta emulator on a free loopback port, reset before every test."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
EMULATOR = REPO / "emulator" / "caffesta_emulator.py"
STAGED_LIBRARY = REPO / "build" / "stage" / "lib" / "libcaffesta.so.1"
API_KEY = "0123456789abcdef0123456789abcdef"
BINDING_DIR = str(HERE.parent)

# The suite tests the staged library unless CAFFESTA_LIBRARY names another one.
if not os.environ.get("CAFFESTA_LIBRARY") and STAGED_LIBRARY.exists():
    os.environ["CAFFESTA_LIBRARY"] = str(STAGED_LIBRARY)

# The binding's own sources, not an installed copy, are what the suite tests.
sys.path.insert(0, BINDING_DIR)

import caffesta  # noqa: E402


class Emulator:
    """A running emulator process and its admin API (/__emulator/...)."""

    def __init__(self, extra_args: Optional[List[str]] = None, api_key: str = API_KEY) -> None:
        if not EMULATOR.exists():
            raise RuntimeError("the emulator is missing: %s" % EMULATOR)
        self.api_key = api_key
        self.process = subprocess.Popen(
            [sys.executable, str(EMULATOR), "--host", "127.0.0.1", "--port", "0",
             "--db", ":memory:", "--api-key", api_key] + (extra_args or []),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError("the emulator did not start: %r %s"
                               % (line, self.process.stderr.read() if self.process.stderr else ""))
        self.url = line[len("listening on "):]
        # The admin API always speaks plain HTTP semantics; over TLS we skip it.
        self.admin_url = self.url if self.url.startswith("http://") else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        assert self.admin_url is not None, "no admin API over TLS in these tests"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.admin_url + "/__emulator/" + path, data=data,
                                     method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as answer:
            return json.loads(answer.read().decode("utf-8"))

    def reset(self) -> None:
        self.admin("POST", "reset")

    def fault(self, kind: str, path_prefix: str = "/a/v1.0/", **spec: Any) -> None:
        self.admin("POST", "faults", dict(spec, kind=kind, path_prefix=path_prefix))

    def requests(self) -> List[Dict[str, Any]]:
        return self.admin("GET", "requests")

    def stats(self) -> Dict[str, int]:
        return self.admin("GET", "stats")

    def config(self, **values: Any) -> None:
        self.admin("POST", "config", values)


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[Emulator]:
    emu = Emulator()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def emulator(emulator_process: Emulator) -> Emulator:
    """The shared emulator, reset: seed data only, no faults, empty request log."""
    emulator_process.reset()
    return emulator_process


@pytest.fixture
def client(emulator: Emulator) -> Iterator["caffesta.Client"]:
    with caffesta.Client("demo", API_KEY, base_url=emulator.url) as c:
        yield c


def closed_port() -> int:
    """A loopback port that nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def product(ref_code: str, **fields: Any) -> Dict[str, Any]:
    """A valid product body (docs/api.md, Products) for the emulator's seed ids."""
    body: Dict[str, Any] = {
        "ref_code": ref_code, "name": "Товар " + ref_code, "type": "product", "measure": "pcs",
        "cancellation_type": 1, "for_sale": True, "use_discounts": True, "caf_tax_id": 1,
        "category_ref_code": "test-category", "workspace_ref_code": "test-bar",
        "prices": [{"caf_shop_id": 2, "caf_storage_id": 1, "price": 2.5, "self_cost": 1.0}],
    }
    body.update(fields)
    return body


def wait_until(predicate: Any, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
