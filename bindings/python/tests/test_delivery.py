"""Every failure says what became of its request (issue 26 §1): ``e.delivery`` and
``e.may_have_arrived`` for each failure kind of the emulator's fault list, on a write (an
invoice: never resent once it may have arrived), and per item in a bulk report."""

from __future__ import annotations

import pickle

import pytest

import caffesta
from conftest import API_KEY, closed_port, product

INVOICES = "/a/v1.0/storage/invoices"
INVOICE = {"number": "P-1", "date": "2024-03-01 10:00", "storage": {"caf_id": 1},
           "items": [{"amount": 1, "product_code": "1", "price": 2}]}
MAY = "the invoice may have been created: check the invoice list before sending it again"

# fault kind and its parameters -> the exception, its delivery state
CASES = [
    (("status", {"status": 500}), caffesta.ServerError, "answered"),
    (("status", {"status": 503, "count": 3}), caffesta.ServerError, "not_sent"),
    (("status", {"status": 429, "count": 3}), caffesta.RateLimitError, "not_sent"),
    (("status", {"status": 502}), caffesta.ServerError, "may_have_arrived"),
    (("delay", {"delay_ms": 4000}), caffesta.CaffestaTimeoutError, "may_have_arrived"),
    (("html", {}), caffesta.ServerError, "may_have_arrived"),
    (("html200", {}), caffesta.ProtocolError, "may_have_arrived"),
    (("empty", {}), caffesta.ProtocolError, "may_have_arrived"),
    (("truncate", {}), caffesta.NetworkError, "may_have_arrived"),
    (("close", {}), caffesta.NetworkError, "may_have_arrived"),
    (("reset", {}), caffesta.NetworkError, "may_have_arrived"),
    (("apply_then_close", {}), caffesta.NetworkError, "may_have_arrived"),
    (("trickle", {"delay_ms": 200}), caffesta.CaffestaTimeoutError, "may_have_arrived"),
    (("hang", {"delay_ms": 5000}), caffesta.CaffestaTimeoutError, "may_have_arrived"),
    (("oversize", {"size_bytes": 100000}), caffesta.ProtocolError, "may_have_arrived"),
    (("invalid_utf8", {}), caffesta.ProtocolError, "may_have_arrived"),
    (("deep_json", {"depth": 3000}), caffesta.ProtocolError, "may_have_arrived"),
    (("redirect", {"location": "http://127.0.0.1:9/"}), caffesta.HttpError, "answered"),
    (("body", {"json": {"success": False, "data": {"error": "storage closed"}}}), caffesta.ApiError, "answered"),
]


@pytest.mark.parametrize("fault, error, delivery", CASES, ids=[c[0][0] + str(c[0][1].get("status", "")) for c in CASES])
def test_each_fault_kind_gives_its_delivery_state(emulator, fault, error, delivery):
    kind, spec = fault
    emulator.fault(kind, path_prefix=INVOICES, **spec)
    with caffesta.Client("demo", API_KEY, base_url=emulator.url, timeout=1.5, connect_timeout=1.0,
                         max_response_size=4096) as client:
        with pytest.raises(error) as caught:
            client.create_invoice(INVOICE)
    assert caught.value.delivery == delivery
    assert caught.value.may_have_arrived == (delivery == "may_have_arrived")
    if delivery == "may_have_arrived":
        assert MAY in str(caught.value)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.delivery, copy.may_have_arrived) == (delivery, delivery == "may_have_arrived")


def test_nothing_sent(emulator):
    with caffesta.Client("demo", API_KEY, base_url="http://127.0.0.1:%d" % closed_port(), max_retries=0) as client:
        with pytest.raises(caffesta.NetworkError) as caught:
            client.create_invoice(INVOICE)
    assert caught.value.delivery == "not_sent" and not caught.value.may_have_arrived
    assert "the invoice was not created: sending it again is safe" in str(caught.value)
    with caffesta.Client("demo", API_KEY, base_url=emulator.url) as client:
        with pytest.raises(caffesta.InvalidArgumentError) as invalid:
            client.create_invoice({"number": "x"})
    assert invalid.value.delivery == "not_sent"
    assert emulator.stats()["invoices"] == 0


def test_the_status_is_the_last_attempts(emulator):
    # A 503 proves the first attempt unprocessed; the resend is held until the deadline.
    emulator.fault("status", path_prefix=INVOICES, status=503, retry_after=0)
    emulator.fault("hang", path_prefix=INVOICES, delay_ms=5000)
    with caffesta.Client("demo", API_KEY, base_url=emulator.url, timeout=1.5, connect_timeout=1.0) as client:
        with pytest.raises(caffesta.CaffestaTimeoutError) as caught:
            client.create_invoice(INVOICE)
    assert caught.value.may_have_arrived
    assert "HTTP 503" in str(caught.value)


def test_bulk_items_carry_theirs(client, emulator):
    emulator.fault("status", path_prefix="/a/v1.0/product/by_ref_code/py-answered", status=500)
    emulator.fault("status", path_prefix="/a/v1.0/product/by_ref_code/py-refused", status=503, count=3)
    report = client.upsert_products([product("py-ok"), product("py-answered"), product("py-refused")])
    assert [r.get("delivery") for r in report] == [None, "answered", "not_sent"]
