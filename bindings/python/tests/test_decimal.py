"""Decimal in, Decimal out, text both ways: what the `caffesta` command relies on to keep
numbers exact (12,50 from a spreadsheet goes out as 12.50, never through a float)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import caffesta
from caffesta._jsontext import dumps
from conftest import API_KEY, product


def test_dumps_writes_decimals_as_their_digits_and_everything_else_as_json_does() -> None:
    value = {"a": Decimal("12.50"), "b": [Decimal("0.1"), Decimal("-0"), Decimal("1E+3")],
             "c": "Латте \"x\"\n", "d": None, "e": True, "f": 7, "g": 2.5, "h": {"i": []}}
    assert dumps(value) == ('{"a":12.50,"b":[0.1,-0,1E+3],"c":"Латте \\"x\\"\\n","d":null,'
                            '"e":true,"f":7,"g":2.5,"h":{"i":[]}}')
    assert json.loads(dumps(value), parse_float=Decimal)["a"] == Decimal("12.50")
    for bad in (Decimal("NaN"), Decimal("Infinity"), float("nan")):
        with pytest.raises(ValueError):
            dumps({"x": bad})
    with pytest.raises(TypeError):
        dumps({(1, 2): "a key json.dumps refuses"})
    assert dumps({1: Decimal("1.0")}) == json.dumps({1: 1.0}, separators=(",", ":"))  # 1 -> "1"


def test_decimal_prices_reach_the_wire_as_written(client, emulator) -> None:
    item = product("dec-1", prices=[{"caf_shop_id": 2, "caf_storage_id": 1,
                                     "price": Decimal("12.50"), "self_cost": Decimal("0.6")}])
    assert client.upsert_product(item)["action"] == "created"
    report = client.upsert_products([product("dec-2", prices=[
        {"caf_shop_id": 2, "caf_storage_id": 1, "price": Decimal("1249.90")}])])
    assert report[0]["action"] == "created"
    sent = [r["body"] for r in emulator.requests() if r["method"] == "POST"]
    assert '"price":12.50,"self_cost":0.6}' in sent[0]
    assert '"price":1249.90}' in sent[1]
    with pytest.raises(caffesta.InvalidArgumentError):
        client.upsert_product(product("dec-3", weight_in_gram=Decimal("NaN")))


def test_parse_float_reads_fractions_as_decimal(emulator) -> None:
    with caffesta.Client("demo", API_KEY, base_url=emulator.url,
                         parse_float=Decimal) as client:
        receipts = client.get_receipts_by_shift_day(2, "2022-04-20")
        assert receipts and isinstance(receipts[0]["total"], (int, Decimal))
        assert client.get_storage_stock(1)[1]["cost"] == "0.245614"
    with pytest.raises(TypeError):
        caffesta.Client("demo", API_KEY, parse_float="Decimal")  # type: ignore[arg-type]


def test_request_text_returns_the_answer_as_text(client, emulator) -> None:
    text = client.request_text("GET", "/a/v1.0/storage/test")
    assert json.loads(text) == {"success": True, "data": {"id": "test"}}
    answer = client.request_text("POST", "/a/v1.0/product/",
                                 '{"ref_code":"txt-1","name":"Текст","measure":"pcs"}')
    assert json.loads(answer)["success"] is True
    assert client.request_text("PUT", "/a/v1.0/product/by_ref_code/txt-1",
                               '{"name":"Текст 2"}'.encode("utf-8"))
    with pytest.raises(caffesta.InvalidArgumentError):
        client.request_text("POST", "/a/v1.0/product/", "{not json")
    with pytest.raises(caffesta.NotFoundError):
        client.request_text("GET", "/a/v1.0/no/such/path")
    with pytest.raises(TypeError):
        client.request_text("POST", "/a/v1.0/product/", {"dict": "is not text"})  # type: ignore
