"""Whatever a client sends, the emulator answers like a server: never a 500, never a hang."""

import copy
import json
import random

import pytest

from conftest import SAMPLES, load_sample

ODD_VALUES = [None, "", "x" * 3000, -1, 0, 2**70, 1e308, -0.5, True, [], {}, [None], {"a": 1},
              "Пиво/#?%", "\u0000"]

TARGETS = [
    ("POST", "/product/", "product_create.request.json"),
    ("PUT", "/product/4", "product_update_by_id.request.json"),
    ("PUT", "/product/by_ref_code/12345", "product_update_by_ref_code.request.json"),
    ("POST", "/storage/invoices", "invoice_create.request.json"),
    ("POST", "/storage/moves", "move_create.request.json"),
    ("POST", "/product/import_part_menu", "menu_import.request.json"),
    ("POST", "/draft/orders", "order_create.request.json"),
    ("PUT", "/storage/invoices/1", "move_wire.request.json"),
]


def paths_of(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths_of(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths_of(v, prefix + (i,))


def mutate(body, path, new):
    if not path:
        return new
    body = copy.deepcopy(body)
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return body


@pytest.mark.skipif(SAMPLES is None, reason="Tests/samples not found")
def test_mutated_samples_never_break_the_server(emu):
    rng = random.Random(20240601)
    sent = 0
    for method, path, sample in TARGETS:
        body = load_sample(sample)
        all_paths = list(paths_of(body))
        for p in all_paths:
            for new in rng.sample(ODD_VALUES, 3):
                data = json.dumps(mutate(body, p, new)).encode()
                status, answer = emu.call(method, path, data)
                sent += 1
                assert status in (200, 404), (method, path, p, new, status, answer)
                assert isinstance(answer, (dict, list)), answer
                if isinstance(answer, dict) and answer.get("success") is False:
                    assert answer["data"]["error"], answer
    # settle the jobs made, so that their second stage of validation runs too
    for job_id in range(54300903, 54300903 + emu.stats()["jobs"]):
        for _ in range(2):
            status, answer = emu.get("/draft/get_job_status/%d" % job_id)
            assert status == 200 and answer["data"]["status"] in ("pending", "success",
                                                                   "failed"), answer
    assert sent > 300


def test_hostile_bodies_and_paths(emu):
    for body in (b"[" * 100000, b'{"a":' * 50000, b"\x00\x01", b'"\xed\xa0\x80"'):
        status, _, data = emu.raw("POST", "/a/v1.0/product/", body=body)
        assert status in (200, 400) and json.loads(data)["success"] is False, body[:10]
    long_ref = json.dumps({"ref_code": "a" * 100000, "name": "n"}).encode()
    status, _, data = emu.raw("POST", "/a/v1.0/product/", body=long_ref)
    assert status == 200 and json.loads(data)["success"] is True
    for path in ("/a/v1.0/product/by_ref_code/" + "%" * 10, "/a/v1.0/draft/get_products0/2/0/"
                 + "9" * 40, "/a/v1.0/storage/invoices?start=%zz", "//a/v1.0/storage/test",
                 "/a/v1.0/draft/receipts/%00/info", "/a/v1.0/draft/get_job_status/" + "1" * 30):
        status, _, data = emu.raw("GET", path)
        assert status in (200, 400, 404), (path, status)
        json.loads(data)
    assert emu.get("/storage/test")[0] == 200


def test_bad_content_length_is_400(emu):
    import socket
    s = socket.create_connection((emu.host, emu.port), timeout=10)
    s.sendall(b"POST /a/v1.0/product/ HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
    data = s.recv(1000)
    s.close()
    assert data.startswith(b"HTTP/1.1 400")


def test_too_large_body_is_413(emu):
    import socket
    s = socket.create_connection((emu.host, emu.port), timeout=10)
    s.sendall(b"POST /a/v1.0/product/ HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n")
    data = s.recv(1000)
    s.close()
    assert data.startswith(b"HTTP/1.1 413")
