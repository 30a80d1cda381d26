"""Answers a real server can give, each reaching Python as the right exception."""

from __future__ import annotations

import pytest

import caffesta
from conftest import API_KEY


@pytest.fixture
def no_retry(emulator):
    with caffesta.Client("demo", API_KEY, base_url=emulator.url, max_retries=0,
                         timeout=2.0) as c:
        yield c


@pytest.mark.parametrize("kind,cls", [
    ("empty", caffesta.ProtocolError),
    ("invalid_utf8", caffesta.ProtocolError),
    ("deep_json", caffesta.ProtocolError),
    ("html", caffesta.ServerError),      # an nginx 502 page
    ("redirect", caffesta.HttpError),    # never followed: the key stays on the configured host
    ("truncate", caffesta.NetworkError),
    ("reset", caffesta.NetworkError),
])
def test_fault_maps_to_exception(no_retry, emulator, kind, cls):
    emulator.fault(kind, "/a/v1.0/storage/test")
    with pytest.raises(cls) as info:
        no_retry.auth_test()
    assert type(info.value) is cls
    no_retry.auth_test()  # the client works again afterwards
    assert all("redirect-target" not in r["path"] for r in emulator.requests())


def test_a_slow_trickle_hits_the_deadline(emulator):
    emulator.fault("trickle", "/a/v1.0/storage/test", delay_ms=100)
    with caffesta.Client("demo", API_KEY, base_url=emulator.url, timeout=0.5,
                         max_retries=0) as c:
        with pytest.raises(caffesta.CaffestaTimeoutError):
            c.auth_test()


def test_retries_are_counted_in_the_message(client, emulator):
    emulator.fault("status", "/a/v1.0/storage/test", status=502, count=3)
    with pytest.raises(caffesta.ServerError) as info:
        client.auth_test()
    assert info.value.http_status == 502
    assert "retried 2 times" in info.value.message
    assert len(emulator.requests()) == 3


def test_a_post_that_reached_the_server_is_not_resent_by_the_retry_policy(emulator):
    with caffesta.Client("demo", API_KEY, base_url=emulator.url, max_retries=2) as c:
        emulator.fault("apply_then_close", "/a/v1.0/product/", method="POST")
        with pytest.raises(caffesta.NetworkError):
            c.request("POST", "/a/v1.0/product/",
                      {"ref_code": "once", "name": "Один раз", "caf_tax_id": 1})
    assert [r["method"] for r in emulator.requests()] == ["POST"]


def test_a_post_on_a_reused_connection_is_not_resent_either(emulator):
    """libcurl retries a request whose reused connection died before any answer; for a POST
    whose body reached the server that would make a second document."""
    invoice = {"number": "N-1", "date": "2024-01-15 10:00", "storage": {"caf_id": 1},
               "items": [{"amount": 1, "package_code": "pcs", "product_code": "2", "price": 1,
                          "caf_tax_id": 1, "price_with_tax": 1, "cost": 1, "cost_with_tax": 1}]}
    with caffesta.Client("demo", API_KEY, base_url=emulator.url, max_retries=2) as c:
        c.auth_test()  # the connection is now kept alive and will be reused
        emulator.fault("apply_then_close", "/a/v1.0/storage/invoices", method="POST")
        with pytest.raises(caffesta.NetworkError, match="not resent"):
            c.create_invoice(invoice)
    assert [r["method"] for r in emulator.requests()].count("POST") == 1
    assert emulator.stats()["invoices"] == 1
