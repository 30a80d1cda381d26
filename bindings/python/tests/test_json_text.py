"""JSON as written (issue 11): the binding writes the shortest form (json.dumps), the library
sends it byte for byte, and answers come back as the server wrote them, so Python reads the
values json.loads reads from the server's own text."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict

import pytest

import caffesta

# Values a double would change, a number beyond 64 bits, Cyrillic, é, odd key order.
TRICKY: Dict[str, Any] = {
    "price": 7.6, "cost": 0.1, "x": [0.6, 19.99, 123456789.12, 1e-7, -0.0, 12345678901234567890],
    "name": "Кофе é \u00e9", "z": {"b": 1, "a": 2},
}
# What json.dumps writes for them: the shortest form that reads back as the same value.
TRICKY_TEXT = ('"price":7.6,"cost":0.1,"x":[0.6,19.99,123456789.12,1e-07,-0.0,12345678901234567890],'
               '"name":"Кофе é é","z":{"b":1,"a":2}')
OK_ANSWER = '{"success":true,"data":{"id":5,"job_id":9,"status":"pending"}}'


def answer_next(emulator: Any, text: str, count: int = 1) -> None:
    emulator.fault("body", path_prefix="/", body=text, count=count)


def last_body(emulator: Any) -> str:
    return emulator.requests()[-1]["body"]


WRITES: Dict[str, Callable[[caffesta.Client], Any]] = {
    "upsert_product": lambda c: c.upsert_product(dict(ref_code="json-1", **TRICKY)),
    "update_product": lambda c: c.update_product(5, dict(ref_code="json-1", **TRICKY)),
    "update_product_by_ref_code": lambda c: c.update_product_by_ref_code("json-1", dict(ref_code="json-1", **TRICKY)),
    "import_menu": lambda c: c.import_menu({"items": [dict(id="json-1", **TRICKY)]}),
    "import_menu_part": lambda c: c.import_menu_part({"items": [dict(id="json-1", **TRICKY)]}),
    "create_invoice": lambda c: c.create_invoice({"number": "1", "date": "2024-01-02 10:00", "storage": {"caf_id": 1},
                                                  "items": [dict(amount=7.6, product_code="p", **TRICKY)]}),
    "create_move": lambda c: c.create_move({"storage_from": {"caf_id": 1}, "storage_to": {"caf_id": 2},
                                            "items": [dict(amount=0.6, product_code="p", **TRICKY)]}),
    "create_order": lambda c: c.create_order({"bill": {"total_sum": 19.99, "items": [
        dict(count=1, total_sum=19.99, product_id=1, **TRICKY)]}}),
    "request": lambda c: c.request("POST", "/a/v1.0/product/", dict(ref_code="json-1", **TRICKY)),
    "upsert_products": lambda c: c.upsert_products([dict(ref_code="json-1", **TRICKY)], concurrency=2),
}


@pytest.mark.parametrize("call", sorted(WRITES))
def test_every_write_sends_the_shortest_form(emulator: Any, client: caffesta.Client, call: str) -> None:
    answer_next(emulator, OK_ANSWER)
    WRITES[call](client)
    body = last_body(emulator)
    assert TRICKY_TEXT in body
    assert json.loads(body) is not None


def test_answers_read_as_json_loads_reads_the_servers_text(emulator: Any, client: caffesta.Client) -> None:
    data = '{"z":7.6,"big":12345678901234567890,"huge":1e400,"a":[1E+2,-0.0],"s":"\\u00e9 é"}'
    answer = '{"code" : "ok", "data": %s}' % data
    answer_next(emulator, answer)
    assert client.request("GET", "/a/v1.0/draft/get_taxes") == json.loads(answer)
    answer_next(emulator, answer)
    got = client.get_product("json-1")
    assert got == json.loads(data)
    assert list(got) == ["z", "big", "huge", "a", "s"]  # the server's key order
    assert got["big"] == 12345678901234567890 and got["z"] == 7.6 and got["huge"] == float("inf")
    answer_next(emulator, '{"success":true,"data":{"id":12345678901234567890}}')
    assert client.upsert_product({"ref_code": "big"})["id"] == 12345678901234567890


def test_a_get_or_delete_takes_no_body(emulator: Any, client: caffesta.Client) -> None:
    for method in ("GET", "DELETE"):
        with pytest.raises(caffesta.InvalidArgumentError, match=method):
            client.request(method, "/a/v1.0/product/1", {"a": 1})
    assert emulator.requests() == []
