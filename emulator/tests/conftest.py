"""Starts the emulator as a subprocess on a free port and talks to it with http.client."""

import http.client
import json
import os
import select
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR_DIR = os.path.dirname(HERE)
# The thin entry point; `python3 -m caffesta_emulator` with EMULATOR_DIR on the path is the same.
EMULATOR = os.path.join(EMULATOR_DIR, "caffesta_emulator.py")
if EMULATOR_DIR not in sys.path:  # tests that look inside import the package
    sys.path.insert(0, EMULATOR_DIR)
# The docs' own examples: the repository's copy, refreshed from the final docs.
SAMPLES = os.environ.get("CAFFESTA_SAMPLES") or os.path.join(HERE, "..", "..", "Tests", "samples")
API_KEY = "5f4dcc3b5aa765d61d8327deb882cf99"
SEED_PRODUCTS = 7  # products in the seed


class Emulator:
    """A running emulator process and a small client for it."""

    def __init__(self, *extra, db=":memory:", api_key=API_KEY, scheme="http"):
        self.api_key = api_key
        self.proc = subprocess.Popen(
            [sys.executable, EMULATOR, "--host", "127.0.0.1", "--port", "0", "--db", db,
             "--api-key", api_key, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.line = read_line(self.proc, 15)
        prefix = "listening on %s://127.0.0.1:" % scheme
        assert self.line.startswith(prefix), (self.line, self.proc.stderr.read1(4096))
        self.host = "127.0.0.1"
        self.port = int(self.line[len(prefix):])
        self.url = "%s://127.0.0.1:%d" % (scheme, self.port)

    def stop(self, timeout=10):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode

    # ---- client --------------------------------------------------------------------------

    def conn(self, timeout=30):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def raw(self, method, path, body=None, headers=None, key=True, timeout=30):
        """→ (status, headers dict with lowercased names, body bytes)."""
        h = {"Content-Type": "application/json"}
        if key is True:
            h["X-API-KEY"] = self.api_key
        elif key:
            h["X-API-KEY"] = key
        h.update(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body, ensure_ascii=False)
        if isinstance(body, str):
            body = body.encode("utf-8")
        c = self.conn(timeout)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            c.close()

    def call(self, method, path, body=None, **kw):
        """An API call under /a/v1.0 → (status, parsed JSON)."""
        status, _, data = self.raw(method, "/a/v1.0" + path, body, **kw)
        return status, json.loads(data) if data else None

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body, **kw):
        return self.call("PUT", path, body, **kw)

    def admin(self, method, path, body=None):
        status, _, data = self.raw(method, "/__emulator/" + path, body, key=False)
        out = json.loads(data)
        assert status == 200, (status, out)
        return out

    def reset(self):
        assert self.admin("POST", "reset") == {"ok": True}

    def stats(self):
        return self.admin("GET", "stats")

    def fault(self, kind, path_prefix="/a/v1.0/", **params):
        body = {"kind": kind, "path_prefix": path_prefix}
        body.update(params)
        assert self.admin("POST", "faults", body) == {"ok": True}


def read_line(proc, timeout):
    """The first stdout line of proc, waiting at most timeout seconds."""
    deadline = time.monotonic() + timeout
    buf = b""
    fd = proc.stdout.fileno()
    while not buf.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("no 'listening on' line within %ss: %r" % (timeout, buf))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            chunk = os.read(fd, 1)
            if not chunk:
                raise AssertionError("the emulator exited: %r %r" % (buf, proc.stderr.read()))
            buf += chunk
    return buf.decode().strip()


def load_sample(name):
    if SAMPLES is None:
        pytest.skip("Tests/samples not found (set CAFFESTA_SAMPLES)")
    with open(os.path.join(SAMPLES, name), encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def emu_process():
    e = Emulator()
    yield e
    assert e.stop() == 0


@pytest.fixture
def emu(emu_process):
    """The module's emulator, back in its seed state."""
    emu_process.reset()
    return emu_process


def ok_data(resp):
    status, body = resp
    assert status == 200, body
    assert body["success"] is True, body
    assert "error" not in (body.get("data") or {}) if isinstance(body.get("data"), dict) else True
    return body.get("data")


def api_error(resp):
    status, body = resp
    assert status == 200, body
    assert body["success"] is False, body
    return body["data"]["error"]
