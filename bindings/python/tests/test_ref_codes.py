"""Cyrillic and odd ref_codes survive the round trip and always stay one path segment."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

import caffesta
from conftest import product

PREFIX = "/a/v1.0/product/by_ref_code/"

REF_CODES = [
    "Кофе латте",
    "a/b",
    "../../storage/test",
    "..",
    ".",
    "what?x=1",
    "hash#tag",
    "with space",
    "100%",
    "%2F",
    "%",
    "a+b&c=d;e",
    "tab\there",
    "кириллица/с/косыми",
    "☕ émoji",
    "back\\slash",
    "'quote\"",
]


def one_segment(path: str, ref_code: str) -> bool:
    assert path.startswith(PREFIX), path
    segment = path[len(PREFIX):]
    return "/" not in segment and "?" not in segment and "#" not in segment \
        and unquote(segment) == ref_code


@pytest.mark.parametrize("ref_code", REF_CODES)
def test_ref_code_round_trip(client, emulator, ref_code):
    created = client.upsert_product(product(ref_code, name="Товар «%s»" % ref_code))
    assert created["action"] == "created"
    assert created["ref_code"] == ref_code
    updated = client.upsert_product(product(ref_code, name="Обновлён"))
    assert updated["action"] == "updated"
    assert updated["id"] == created["id"]

    read = client.request("GET", PREFIX + caffesta.quote_segment(ref_code))
    assert read["data"]["ref_code"] == ref_code
    assert read["data"]["id"] == created["id"]
    assert read["data"]["name"] == "Обновлён"

    log = emulator.requests()
    by_ref = [r for r in log if r["path"].startswith(PREFIX)]
    # the library's PUTs (404, then 200) and our GET
    assert [r["method"] for r in by_ref] == ["PUT", "PUT", "GET"]
    for entry in by_ref:
        assert one_segment(entry["path"], ref_code), entry["path"]
    # nothing else was touched: one POST (the create) and nothing outside the product paths
    assert [r["method"] for r in log if not r["path"].startswith(PREFIX)] == ["POST"]


def test_a_non_ascii_request_path_is_percent_encoded_by_the_library(client, emulator):
    client.upsert_product(product("Чай"))
    read = client.request("GET", PREFIX + "Чай")
    assert read["data"]["ref_code"] == "Чай"
    assert emulator.requests()[-1]["path"] == PREFIX + caffesta.quote_segment("Чай")
