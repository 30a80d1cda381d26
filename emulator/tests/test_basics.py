"""Auth, routing, envelopes, body parsing, percent-decoding, keep-alive."""

import http.client
import json
import socket

from conftest import SEED_PRODUCTS, api_error, ok_data


def test_auth_test_answers_the_documented_shape(emu):
    status, body = emu.get("/storage/test")
    assert (status, body) == (200, {"success": True, "data": {"id": "test"}})


def test_missing_key_is_401_with_json(emu):
    status, headers, data = emu.raw("GET", "/a/v1.0/storage/test", key=False)
    assert status == 401
    assert headers["content-type"].startswith("application/json")
    body = json.loads(data)
    assert body["success"] is False and "X-API-KEY" in body["data"]["error"]


def test_wrong_key_is_401(emu):
    for key in ("wrong", emu.api_key.upper(), emu.api_key + "0", emu.api_key[:-1]):
        status, body = emu.get("/storage/test", key=key)
        assert status == 401, key
        assert body == {"success": False, "data": {"error": "invalid API key"}}


def test_key_with_underscore_header_name_is_not_accepted(emu):
    # The docs' one Python example says X-API_KEY; the server wants X-API-KEY.
    status, _, _ = emu.raw("GET", "/a/v1.0/storage/test", key=False,
                           headers={"X-API_KEY": emu.api_key})
    assert status == 401


def test_every_endpoint_requires_the_key(emu):
    for method, path in (("GET", "/draft/storages"), ("POST", "/product/"),
                         ("GET", "/draft/get_updates/2"), ("POST", "/draft/orders"),
                         ("PUT", "/storage/invoices/1"), ("GET", "/no/such/path")):
        status, _ = emu.call(method, path, {} if method != "GET" else None, key=False)
        assert status == 401, (method, path)


def test_unknown_path_is_404_json(emu):
    for path in ("/a/v1.0/nope", "/a/v1.0/storage/test/extra", "/", "/a/v2.0/storage/test",
                 "/a/v1.0/draft/store/abc", "/a/v1.0/draft/get_updates/-1"):
        status, headers, data = emu.raw("GET", path)
        assert status == 404, path
        assert json.loads(data) == {"success": False, "data": {"error": "not found"}}


def test_wrong_method_is_405_with_allow(emu):
    status, headers, data = emu.raw("DELETE", "/a/v1.0/storage/test")
    assert status == 405
    assert headers["allow"] == "GET"
    assert json.loads(data)["success"] is False
    status, headers, _ = emu.raw("GET", "/a/v1.0/storage/invoices/1", key=True)
    assert status == 404  # GET of a missing invoice: the path exists for GET
    status, headers, _ = emu.raw("POST", "/a/v1.0/storage/invoices/1", body=b"{}")
    assert status == 405 and headers["allow"] == "GET, PUT"
    status, _, _ = emu.raw("PATCH", "/a/v1.0/product/by_ref_code/x", body=b"{}")
    assert status == 405


def test_malformed_json_is_400(emu):
    for body in (b"{", b"{'a': 1}", b"", b"[1,", b"NaN", b'{"a": Infinity}', b"\xff\xfe{}"):
        status, headers, data = emu.raw("POST", "/a/v1.0/product/", body=body)
        assert status == 400, body
        assert json.loads(data)["success"] is False


def test_valid_json_that_is_not_an_object_is_a_validation_error(emu):
    for body in ([], "text", 1, None):
        err = api_error(emu.post("/product/", json.dumps(body).encode()))
        assert "JSON object" in err


def test_missing_and_mistyped_fields_are_named(emu):
    assert api_error(emu.post("/product/", {"name": "x"})) == "ref_code is required"
    assert api_error(emu.post("/product/", {"ref_code": 5, "name": "x"})) == \
        "ref_code must be a string"
    assert api_error(emu.post("/product/", {"ref_code": "a", "name": "x", "for_sale": "yes"})) \
        == "for_sale must be a boolean"
    assert api_error(emu.post("/product/", {"ref_code": "a", "name": "x",
                                            "prices": [{"caf_shop_id": 2, "price": "1"}]})) \
        == "prices[0].price must be a number"
    assert api_error(emu.post("/product/", {"ref_code": "a"})) == "name is required"
    assert api_error(emu.post("/product/", {"ref_code": "a", "name": "x", "caf_tax_id": True})) \
        == "caf_tax_id must be an integer"
    assert "measure must be one of" in api_error(emu.post(
        "/product/", {"ref_code": "a", "name": "x", "measure": "box"}))
    assert emu.stats()["products"] == SEED_PRODUCTS  # nothing was written


def test_answers_are_utf8_json_with_content_length(emu):
    status, headers, data = emu.raw("GET", "/a/v1.0/draft/storages")
    assert status == 200
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert int(headers["content-length"]) == len(data)
    assert "Склад кафе Буран" in data.decode("utf-8")


def test_percent_encoded_ref_codes_are_decoded_once(emu):
    refs = ["a/b", "q?x=1", "frag#1", "with space", "Пиво светлое", "100%", "..", "a%2Fb",
            "+plus+", "semi;colon", "émoji 🍺"]
    for ref in refs:
        data = ok_data(emu.post("/product/", {"ref_code": ref, "name": "N " + ref}))
        path = "/product/by_ref_code/" + _quote(ref)
        got = ok_data(emu.get(path))
        assert got["id"] == data["id"] and got["ref_code"] == ref, ref
        ok_data(emu.put(path, {"name": "renamed"}))
        assert ok_data(emu.get(path))["name"] == "renamed"
    # "a%2Fb" sent once-encoded is the literal ref "a/b"; the ref "a%2Fb" needs "a%252Fb".
    assert ok_data(emu.get("/product/by_ref_code/a%2Fb"))["ref_code"] == "a/b"
    assert ok_data(emu.get("/product/by_ref_code/a%252Fb"))["ref_code"] == "a%2Fb"


def test_bad_percent_encoding_is_400(emu):
    status, _, _ = emu.raw("GET", "/a/v1.0/product/by_ref_code/%ff%fe")
    assert status == 400


def test_keep_alive_serves_many_requests_on_one_connection(emu):
    c = http.client.HTTPConnection(emu.host, emu.port, timeout=10)
    c.connect()
    local = c.sock.getsockname()
    for i in range(50):
        c.request("POST", "/a/v1.0/product/", body=json.dumps({"ref_code": "k%d" % i,
                                                               "name": "K"}),
                  headers={"X-API-KEY": emu.api_key, "Content-Type": "application/json"})
        r = c.getresponse()
        assert r.status == 200 and json.loads(r.read())["success"] is True
        assert r.getheader("Connection") is None
    assert c.sock.getsockname() == local  # still the same TCP connection
    c.close()


def test_connection_close_is_honoured(emu):
    c = http.client.HTTPConnection(emu.host, emu.port, timeout=10)
    c.request("GET", "/a/v1.0/storage/test", headers={"X-API-KEY": emu.api_key,
                                                      "Connection": "close"})
    r = c.getresponse()
    assert r.status == 200 and r.getheader("Connection") == "close"
    r.read()
    c.close()


def test_chunked_request_body_is_accepted(emu):
    s = socket.create_connection((emu.host, emu.port), timeout=10)
    body = json.dumps({"ref_code": "chunky", "name": "Chunked"}).encode()
    req = (b"POST /a/v1.0/product/ HTTP/1.1\r\nHost: x\r\nX-API-KEY: " + emu.api_key.encode() +
           b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
           b"%x\r\n" % 10 + body[:10] + b"\r\n" + b"%x\r\n" % (len(body) - 10) + body[10:] +
           b"\r\n0\r\n\r\n")
    s.sendall(req)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    assert data.startswith(b"HTTP/1.1 200")
    assert ok_data(emu.get("/product/by_ref_code/chunky"))["name"] == "Chunked"


def test_admin_rejects_unknown_paths_and_bad_bodies(emu):
    status, _, data = emu.raw("GET", "/__emulator/nothing", key=False)
    assert status == 404 and json.loads(data)["ok"] is False
    status, _, data = emu.raw("POST", "/__emulator/faults", body=b"{", key=False)
    assert status == 400
    status, _, data = emu.raw("POST", "/__emulator/faults", body={"kind": "nope"}, key=False)
    assert status == 400 and "kind must be one of" in json.loads(data)["error"]
    status, _, data = emu.raw("PUT", "/__emulator/reset", body=b"{}", key=False)
    assert status == 405


def test_admin_needs_no_key_and_is_not_logged(emu):
    emu.admin("DELETE", "requests")
    emu.admin("GET", "stats")
    emu.get("/storage/test")
    log = emu.admin("GET", "requests")
    assert [e["path"] for e in log] == ["/a/v1.0/storage/test"]


def test_loopback_check():
    from caffesta_emulator import server as mod
    assert mod._is_loopback("127.0.0.1") and mod._is_loopback("127.8.9.10")
    assert mod._is_loopback("::1") and mod._is_loopback("::ffff:127.0.0.1")
    assert not mod._is_loopback("10.0.0.1") and not mod._is_loopback("192.168.1.5")
    assert not mod._is_loopback("::ffff:8.8.8.8") and not mod._is_loopback("garbage")


def _quote(s):
    from urllib.parse import quote
    return quote(s, safe="")
