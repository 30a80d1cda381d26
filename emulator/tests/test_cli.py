"""The command line: start, the one 'listening on' line, defaults, stop, persistence, HTTPS."""

import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time

import pytest

from conftest import EMULATOR, Emulator, ok_data, read_line


def test_help():
    out = subprocess.run([sys.executable, EMULATOR, "--help"], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0
    for flag in ("--host", "--port", "--db", "--api-key", "--delay-ms", "--tls-cert",
                 "--tls-key", "--verbose"):
        assert flag in out.stdout


def test_starts_with_defaults_and_prints_one_line():
    env = dict(os.environ)
    env.pop("CAFFESTA_API_KEY", None)
    proc = subprocess.Popen([sys.executable, EMULATOR, "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    try:
        line = read_line(proc, 15)
        assert line.startswith("listening on http://127.0.0.1:")
        port = int(line.rsplit(":", 1)[1])
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/a/v1.0/storage/test",
                  headers={"X-API-KEY": "0123456789abcdef0123456789abcdef"})
        assert c.getresponse().status == 200
        c.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert out == b""  # nothing after the one line
    assert err == b""  # quiet without --verbose


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signals_stop_it_cleanly(sig):
    e = Emulator()
    e.get("/storage/test")
    keep = e.conn()
    keep.request("GET", "/a/v1.0/storage/test", headers={"X-API-KEY": e.api_key})
    keep.getresponse().read()  # an idle keep-alive connection must not block the stop
    t = time.monotonic()
    e.proc.send_signal(sig)
    assert e.proc.wait(10) == 0
    assert time.monotonic() - t < 5
    assert e.proc.stderr.read() == b""
    keep.close()
    e.stop()


def test_file_database_keeps_state_across_restarts(tmp_path):
    db = str(tmp_path / "caffesta.db")
    e = Emulator(db=db)
    pid = ok_data(e.post("/product/", {"ref_code": "persist", "name": "Сохранённый"}))["id"]
    inv = ok_data(e.post("/storage/invoices", {
        "number": "1", "date": "2024-01-01 10:00", "storage": {"caf_id": 1},
        "items": [{"amount": 3, "product_code": "persist"}]}))["id"]
    e.put("/storage/invoices/%d" % inv, {"action": "wire"})
    ts = e.get("/draft/get_updates/2")[1]["data"]["products"]
    assert e.stop() == 0
    e = Emulator(db=db)
    try:
        assert ok_data(e.get("/product/by_ref_code/persist"))["id"] == pid
        assert {r["id"]: r["balance"] for r in e.get("/draft/store/1")[1]}[pid] == "3"
        assert e.get("/draft/get_updates/2")[1]["data"]["products"] == ts
        # new ids continue after the old ones
        assert ok_data(e.post("/product/", {"ref_code": "p2", "name": "x"}))["id"] > pid
        e.reset()
        assert e.get("/product/by_ref_code/persist")[0] == 404
    finally:
        e.stop()


def test_a_database_of_something_else_is_left_alone(tmp_path):
    import sqlite3
    db = tmp_path / "other.db"
    con = sqlite3.connect(str(db))
    con.execute("CREATE TABLE something_else (x)")
    con.commit()
    con.close()
    out = subprocess.run([sys.executable, EMULATOR, "--port", "0", "--db", str(db)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "something else" in out.stderr and out.stdout == ""
    con = sqlite3.connect(str(db))
    assert con.execute("SELECT name FROM sqlite_master").fetchall() == [("something_else",)]
    con.close()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    out = subprocess.run([sys.executable, EMULATOR, "--port", "0", "--db", str(junk)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "cannot use --db" in out.stderr


def test_missing_certificate_is_a_clear_error(tmp_path):
    out = subprocess.run([sys.executable, EMULATOR, "--port", "0", "--tls-cert",
                          str(tmp_path / "no.pem"), "--tls-key", str(tmp_path / "no.key")],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "--tls-cert" in out.stderr


def test_delay_flag():
    e = Emulator("--delay-ms", "200")
    try:
        t = time.monotonic()
        e.get("/storage/test")
        assert time.monotonic() - t >= 0.2
        assert e.admin("GET", "config")["delay_ms"] == 200
    finally:
        e.stop()


def test_verbose_logs_requests_to_stderr():
    e = Emulator("--verbose")
    e.get("/storage/test")
    e.proc.send_signal(signal.SIGTERM)
    e.proc.wait(10)
    assert b"/a/v1.0/storage/test" in e.proc.stderr.read()
    e.stop()


def test_bad_flags_exit_with_usage():
    out = subprocess.run([sys.executable, EMULATOR, "--tls-cert", "x.pem"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "--tls-key" in out.stderr


def test_port_in_use_fails():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    try:
        out = subprocess.run([sys.executable, EMULATOR, "--port", str(port)],
                             capture_output=True, timeout=30)
        assert out.returncode == 1 and out.stdout == b"" and b"cannot listen" in out.stderr
    finally:
        s.close()


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    d = tmp_path_factory.mktemp("tls")
    key, crt = str(d / "key.pem"), str(d / "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return crt, key


def test_https(cert):
    crt, key = cert
    e = Emulator("--tls-cert", crt, "--tls-key", key, scheme="https")
    try:
        assert e.line.startswith("listening on https://127.0.0.1:")
        ctx = ssl.create_default_context(cafile=crt)
        c = http.client.HTTPSConnection("127.0.0.1", e.port, context=ctx, timeout=10)
        for _ in range(3):  # keep-alive over TLS
            c.request("GET", "/a/v1.0/storage/test", headers={"X-API-KEY": e.api_key})
            r = c.getresponse()
            assert r.status == 200 and json.loads(r.read())["data"]["id"] == "test"
        c.close()
        # an untrusting client fails the handshake; the server keeps serving
        bad = http.client.HTTPSConnection("127.0.0.1", e.port, timeout=10,
                                          context=ssl.create_default_context())
        with pytest.raises(ssl.SSLError):
            bad.request("GET", "/a/v1.0/storage/test")
        bad.close()
        # a plain-HTTP client on the TLS port does not break it either
        plain = socket.create_connection(("127.0.0.1", e.port), timeout=10)
        plain.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            plain.recv(100)
        except OSError:
            pass
        plain.close()
        c = http.client.HTTPSConnection("127.0.0.1", e.port, context=ctx, timeout=10)
        c.request("POST", "/__emulator/faults", body=json.dumps(
            {"kind": "status", "status": 503, "path_prefix": "/a/"}))
        assert c.getresponse().read() == b'{"ok":true}'
        c.request("GET", "/a/v1.0/storage/test", headers={"X-API-KEY": e.api_key})
        assert c.getresponse().status == 503
        c.close()
    finally:
        assert e.stop() == 0


def test_ipv6_loopback():
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        s = socket.socket(socket.AF_INET6)
        s.bind(("::1", 0))
        s.close()
    except OSError:
        pytest.skip("no IPv6 loopback")
    proc = subprocess.Popen([sys.executable, EMULATOR, "--host", "::1", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = read_line(proc, 15)
        assert line.startswith("listening on http://[::1]:")
        port = int(line.rsplit(":", 1)[1])
        c = http.client.HTTPConnection("::1", port, timeout=10)
        c.request("GET", "/__emulator/stats")
        assert c.getresponse().status == 200  # ::1 counts as loopback
        c.close()
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_the_package_runs_alone_with_python_m(tmp_path):
    """The package is self-contained (the CLI ships it in the wheel): a copy of it alone, in an
    empty folder, starts with `python3 -m caffesta_emulator` and serves its seed."""
    from conftest import EMULATOR_DIR
    shutil.copytree(os.path.join(EMULATOR_DIR, "caffesta_emulator"),
                    str(tmp_path / "caffesta_emulator"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.Popen([sys.executable, "-m", "caffesta_emulator", "--port", "0",
                             "--api-key", "k" * 32], cwd=str(tmp_path), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = read_line(proc, 15)
        port = int(line.rsplit(":", 1)[1])
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/a/v1.0/draft/get_products0/2/0/0", headers={"X-API-KEY": "k" * 32})
        r = c.getresponse()
        assert r.status == 200 and len(json.loads(r.read())["data"]) == 7  # the seed
        c.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    assert proc.returncode == 0
