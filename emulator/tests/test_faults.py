"""The test switches: every fault kind, the request log, reset, config."""

import http.client
import json
import os
import socket
import time

import pytest

from conftest import SEED_PRODUCTS, ok_data

PRODUCT = {"ref_code": "f1", "name": "Fault"}


def raw_exchange(emu, request_bytes, timeout=10):
    """Sends raw bytes; → everything the server sent until it closed (or timeout)."""
    s = socket.create_connection((emu.host, emu.port), timeout=timeout)
    s.sendall(request_bytes)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    return data


def get_test(emu):
    return ("GET /a/v1.0/storage/test HTTP/1.1\r\nHost: x\r\nX-API-KEY: %s\r\n"
            "Connection: close\r\n\r\n"
            % emu.api_key).encode()


def test_status_fault_with_retry_after_then_normal(emu):
    emu.fault("status", "/a/v1.0/storage/test", status=429, retry_after=3, count=2)
    for _ in range(2):
        status, headers, data = emu.raw("GET", "/a/v1.0/storage/test")
        assert status == 429 and headers["retry-after"] == "3"
        assert json.loads(data) == {"success": False, "data": {"error": "Too Many Requests"}}
    assert emu.get("/storage/test")[0] == 200


@pytest.mark.parametrize("code", [500, 502, 503, 504, 418])
def test_status_fault_any_code(emu, code):
    emu.fault("status", "/a/v1.0/", status=code)
    status, headers, data = emu.raw("GET", "/a/v1.0/storage/test")
    assert status == code and "retry-after" not in headers
    assert json.loads(data)["success"] is False


def test_status_fault_is_applied_before_the_request(emu):
    emu.fault("status", "/a/v1.0/product", status=503)
    assert emu.post("/product/", PRODUCT)[0] == 503
    assert emu.get("/product/by_ref_code/f1")[0] == 404


def test_faults_match_path_prefix_and_method(emu):
    emu.fault("status", "/a/v1.0/product/by_ref_code/", status=500, method="PUT")
    assert emu.get("/product/by_ref_code/1")[0] == 200      # GET: not matched
    assert emu.get("/storage/test")[0] == 200               # other path: not matched
    assert emu.put("/product/by_ref_code/1", {"name": "x"})[0] == 500
    assert emu.put("/product/by_ref_code/1", {"name": "x"})[0] == 200  # count used up


def test_faults_queue_in_order_and_can_be_listed_and_cleared(emu):
    emu.fault("status", status=500)
    emu.fault("status", status=503)
    emu.fault("empty", count=5)
    armed = emu.admin("GET", "faults")
    assert [f["kind"] for f in armed] == ["status", "status", "empty"]
    assert emu.raw("GET", "/a/v1.0/storage/test")[0] == 500
    assert emu.raw("GET", "/a/v1.0/storage/test")[0] == 503
    assert emu.raw("GET", "/a/v1.0/storage/test")[2] == b""
    assert emu.admin("DELETE", "faults") == {"ok": True}
    assert emu.admin("GET", "faults") == []
    assert emu.get("/storage/test")[0] == 200


def test_prefix_matches_the_percent_encoded_or_decoded_path(emu):
    emu.fault("status", "/a/v1.0/product/by_ref_code/Пиво", status=500)
    assert emu.get("/product/by_ref_code/%D0%9F%D0%B8%D0%B2%D0%BE")[0] == 500
    emu.fault("status", "/a/v1.0/product/by_ref_code/%D0%9F", status=502)
    assert emu.get("/product/by_ref_code/%D0%9F%D0%B8%D0%B2%D0%BE")[0] == 502


def test_delay_fault(emu):
    emu.fault("delay", delay_ms=300)
    t = time.monotonic()
    assert emu.get("/storage/test")[0] == 200
    assert time.monotonic() - t >= 0.3
    t = time.monotonic()
    emu.get("/storage/test")
    assert time.monotonic() - t < 0.3


def test_html_faults(emu):
    emu.fault("html")
    status, headers, data = emu.raw("GET", "/a/v1.0/storage/test")
    assert status == 502 and headers["content-type"].startswith("text/html")
    assert data.startswith(b"<html>") and b"Bad Gateway" in data
    emu.fault("html", status=504)
    status, _, data = emu.raw("GET", "/a/v1.0/storage/test")
    assert status == 504 and b"Gateway Timeout" in data
    emu.fault("html200")
    status, headers, data = emu.raw("GET", "/a/v1.0/storage/test")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"<html>" in data


def test_empty_fault(emu):
    emu.fault("empty")
    status, headers, data = emu.raw("GET", "/a/v1.0/storage/test")
    assert status == 200 and headers["content-length"] == "0" and data == b""


def test_truncate_fault(emu):
    emu.fault("truncate")
    data = raw_exchange(emu, get_test(emu))
    head, _, body = data.partition(b"\r\n\r\n")
    length = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")][0]
                 .split(b":")[1])
    assert head.startswith(b"HTTP/1.1 200") and 0 < len(body) < length
    emu.fault("truncate")
    with pytest.raises(http.client.IncompleteRead):
        emu.raw("GET", "/a/v1.0/storage/test")


def test_close_fault_does_not_apply_the_request(emu):
    emu.fault("close", "/a/v1.0/product")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        emu.post("/product/", PRODUCT)
    assert emu.get("/product/by_ref_code/f1")[0] == 404
    assert raw_exchange(emu, get_test(emu)).startswith(b"HTTP/1.1 200")  # next one answers
    emu.fault("close")
    assert raw_exchange(emu, get_test(emu)) == b""


def test_reset_fault_sends_rst(emu):
    emu.fault("reset")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        emu.get("/storage/test")


def test_apply_then_close_fault_applies_the_write(emu):
    emu.fault("apply_then_close", "/a/v1.0/product", method="POST")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        emu.post("/product/", PRODUCT)
    assert ok_data(emu.get("/product/by_ref_code/f1"))["name"] == "Fault"


def test_trickle_fault(emu):
    emu.fault("trickle", delay_ms=2)
    t = time.monotonic()
    status, _, data = emu.raw("GET", "/a/v1.0/storage/test")
    elapsed = time.monotonic() - t
    assert status == 200 and json.loads(data) == {"success": True, "data": {"id": "test"}}
    assert elapsed >= 0.002 * 150  # ~200 bytes of head and body, one at a time


def test_hang_fault_keeps_the_socket_open(emu):
    emu.fault("hang", delay_ms=5000)
    t = time.monotonic()
    with pytest.raises((socket.timeout, TimeoutError)):
        emu.get("/storage/test", timeout=0.3)
    assert time.monotonic() - t < 2
    emu.fault("hang", delay_ms=300)
    t = time.monotonic()
    assert raw_exchange(emu, get_test(emu)) == b""  # closed, unanswered, after delay_ms
    assert 0.25 <= time.monotonic() - t < 3
    assert emu.get("/storage/test")[0] == 200


def _rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_oversize_fault_default_is_200_mb_streamed(emu):
    emu.fault("oversize")
    rss_before = _rss_kb(emu.proc.pid) if os.path.exists("/proc") else 0
    c = emu.conn(timeout=60)
    c.request("GET", "/a/v1.0/storage/test", headers={"X-API-KEY": emu.api_key})
    r = c.getresponse()
    assert r.status == 200
    assert int(r.getheader("Content-Length")) == 200 * 1024 * 1024
    total, first = 0, b""
    while True:
        chunk = r.read(1 << 20)
        if not chunk:
            break
        if not first:
            first = chunk[:40]
        total += len(chunk)
    c.close()
    assert total == 200 * 1024 * 1024 and first.startswith(b'{"success":true')
    if rss_before:
        assert _rss_kb(emu.proc.pid) - rss_before < 50 * 1024  # streamed, not built


def test_oversize_fault_is_valid_json_of_the_given_size(emu):
    emu.fault("oversize", size_bytes=100000)
    status, headers, data = emu.raw("GET", "/a/v1.0/storage/test")
    assert status == 200 and len(data) == 100000
    assert json.loads(data)["success"] is True


def test_oversize_fault_chunked_has_no_length_up_front(emu):
    emu.fault("oversize", size_bytes=300000, chunked=True)
    c = emu.conn()
    try:
        c.request("GET", "/a/v1.0/storage/test", headers={"X-API-KEY": emu.api_key})
        r = c.getresponse()
        data = r.read()
        assert r.status == 200 and r.getheader("Content-Length") is None
        assert r.getheader("Transfer-Encoding") == "chunked"
        assert len(data) == 300000 and json.loads(data)["success"] is True
        c.request("GET", "/a/v1.0/storage/test", headers={"X-API-KEY": emu.api_key})
        r = c.getresponse()  # the kept-alive connection's next answer is intact
        assert r.status == 200 and json.loads(r.read())["success"] is True
    finally:
        c.close()


def test_oversize_client_hanging_up_early_is_harmless(emu):
    emu.fault("oversize", size_bytes=50 * 1024 * 1024)
    s = socket.create_connection((emu.host, emu.port), timeout=10)
    s.sendall(get_test(emu))
    s.recv(1000)
    s.close()
    assert emu.get("/storage/test")[0] == 200


def test_invalid_utf8_fault(emu):
    emu.fault("invalid_utf8")
    status, _, data = emu.raw("GET", "/a/v1.0/storage/test")
    assert status == 200
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert data.startswith(b'{"success":true')


def test_deep_json_fault(emu):
    emu.fault("deep_json")
    status, _, data = emu.raw("GET", "/a/v1.0/storage/test")
    assert status == 200 and data == b"[" * 10000 + b"]" * 10000
    emu.fault("deep_json", depth=3)
    assert emu.raw("GET", "/a/v1.0/storage/test")[2] == b"[[[]]]"


def test_redirect_fault(emu):
    emu.fault("redirect", location="http://elsewhere.invalid/a/v1.0/storage/test")
    status, headers, data = emu.raw("GET", "/a/v1.0/storage/test")
    assert status == 302 and data == b""
    assert headers["location"] == "http://elsewhere.invalid/a/v1.0/storage/test"
    emu.fault("redirect", status=307)
    status, headers, _ = emu.raw("GET", "/a/v1.0/storage/test")
    assert status == 307 and "location" in headers


def test_body_fault_answers_anything(emu):
    emu.fault("body", json={"success": True, "data": {"error": "описание ошибки"}})
    status, body = emu.post("/storage/moves", {})
    assert (status, body) == (200, {"success": True, "data": {"error": "описание ошибки"}})
    emu.fault("body", status=201, body="plain", content_type="text/plain",
              headers={"X-Extra": "1"})
    status, headers, data = emu.raw("GET", "/a/v1.0/storage/test")
    assert (status, data, headers["x-extra"]) == (201, b"plain", "1")


def test_fault_validation(emu):
    for body in ({"kind": "status", "count": 0}, {"kind": "delay", "delay_ms": -1},
                 {"kind": "status", "status": 42}, {"kind": "close", "path_prefix": 1},
                 {"path_prefix": "/"}):
        status, _, _ = emu.raw("POST", "/__emulator/faults", body, key=False)
        assert status == 400, body


def test_request_log_records_what_the_client_sent(emu):
    emu.admin("DELETE", "requests")
    t = time.time()
    emu.raw("PUT", "/a/v1.0/product/by_ref_code/%D0%9F%20x?y=1", body={"name": "Имя"},
            headers={"X-Custom": "v"})
    emu.get("/storage/test", key=False)
    log = emu.admin("GET", "requests")
    assert len(log) == 2
    first = log[0]
    assert first["method"] == "PUT"
    assert first["path"] == "/a/v1.0/product/by_ref_code/%D0%9F%20x?y=1"
    assert first["headers"]["x-api-key"] == emu.api_key
    assert first["headers"]["x-custom"] == "v"
    assert first["headers"]["content-type"] == "application/json"
    assert json.loads(first["body"]) == {"name": "Имя"}
    assert isinstance(first["time"], float) and t - 1 < first["time"] < time.time() + 1
    assert "x-api-key" not in log[1]["headers"]  # unauthorised requests are logged too
    assert emu.admin("DELETE", "requests") == {"ok": True}
    assert emu.admin("GET", "requests") == []


def test_request_log_names_the_connection_each_request_came_on(emu):
    emu.admin("DELETE", "requests")
    kept = emu.conn()
    try:
        for _ in range(2):
            kept.request("GET", "/a/v1.0/storage/test", headers={"X-API-KEY": emu.api_key})
            kept.getresponse().read()
        local = "127.0.0.1:%d" % kept.sock.getsockname()[1]
    finally:
        kept.close()
    emu.get("/storage/test")  # a connection of its own
    peers = [e["peer"] for e in emu.admin("GET", "requests")]
    assert peers[0] == peers[1] == local
    assert peers[2] != local and peers[2].startswith("127.0.0.1:")


def test_requests_hit_by_a_fault_are_logged(emu):
    emu.admin("DELETE", "requests")
    emu.fault("close")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        emu.post("/product/", PRODUCT)
    assert [e["method"] for e in emu.admin("GET", "requests")] == ["POST"]


def test_reset_restores_seed_and_clears_faults_and_log(emu):
    seed = emu.stats()
    ok_data(emu.post("/product/", PRODUCT))
    emu.fault("status", status=500, count=10)
    emu.admin("POST", "config", {"delay_ms": 5})
    assert emu.stats()["products"] == seed["products"] + 1
    emu.reset()
    assert emu.stats() == seed
    assert emu.admin("GET", "faults") == [] and emu.admin("GET", "requests") == []
    assert emu.admin("GET", "config")["delay_ms"] == 0
    assert emu.get("/storage/test")[0] == 200
    # ids start again as on a fresh start
    assert ok_data(emu.post("/draft/orders", {"bill": {
        "app_id": -1, "delivery_type": 1, "total_sum": 1, "payments": None,
        "items": [{"count": 1, "total_sum": 1, "product_id": 3}]}}))["job_id"] == 54300903


def test_stats_counts_rows_per_table(emu):
    stats = emu.stats()
    assert stats["products"] == SEED_PRODUCTS and stats["invoices"] == 0 and stats["moves"] == 0
    assert stats["storages"] == 6 and stats["taxes"] == 2 and stats["payment_types"] == 5
    assert stats["clients"] == 2 and stats["jobs"] == 0


def test_config_delay_applies_to_every_api_answer(emu):
    res = emu.admin("POST", "config", {"delay_ms": 150})
    assert res == {"ok": True, "config": {"delay_ms": 150, "job_pending_polls": 1,
                                          "page_size": 1000, "job_status_bare": False}}
    t = time.monotonic()
    emu.get("/storage/test")
    emu.get("/draft/storages")
    assert time.monotonic() - t >= 0.3
    t = time.monotonic()
    emu.admin("GET", "stats")  # not the admin API
    assert time.monotonic() - t < 0.15
    emu.admin("POST", "config", {"delay_ms": 0})
    status, _, _ = emu.raw("POST", "/__emulator/config", {"delay_ms": "x"}, key=False)
    assert status == 400


def test_admin_delete_product_unknown_is_404(emu):
    status, _, data = emu.raw("POST", "/__emulator/products/nope/delete", key=False)
    assert status == 404 and json.loads(data)["ok"] is False
