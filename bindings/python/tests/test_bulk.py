"""upsert_products(): many products in one call, a report in input order, progress."""

from __future__ import annotations

import threading

import pytest

import caffesta
from conftest import API_KEY, product


def test_bulk_creates_then_updates_in_input_order(client, emulator):
    before = emulator.stats()["products"]
    items = [product("bulk-%03d" % i, name="Пакет %d" % i) for i in range(100)]
    report = client.upsert_products(items, concurrency=8)
    assert [r["ref_code"] for r in report] == [p["ref_code"] for p in items]
    assert {r["action"] for r in report} == {"created"}
    assert len({r["id"] for r in report}) == 100
    assert emulator.stats()["products"] == before + 100
    again = client.upsert_products(items)
    assert {r["action"] for r in again} == {"updated"}
    assert [r["id"] for r in again] == [r["id"] for r in report]


def test_bulk_reports_failed_items_without_raising(client):
    items = [
        product("bulk-ok"),
        {"name": "без ref_code"},
        product("bulk-bad", measure="bucket"),
        product("Кофе/#?.."),
    ]
    report = client.upsert_products(items, concurrency=2)
    assert [r["action"] for r in report] == ["created", "failed", "failed", "created"]
    assert report[1]["status"] == "CAFFESTA_ERR_INVALID_ARGUMENT"
    assert report[2]["status"] == "CAFFESTA_ERR_API" and "measure" in report[2]["message"]
    assert report[3]["ref_code"] == "Кофе/#?.."


def test_bulk_of_nothing(client, emulator):
    assert client.upsert_products([]) == []
    assert emulator.requests() == []


def test_bulk_progress_is_called_per_item_on_this_thread(client):
    seen = []
    me = threading.get_ident()
    report = client.upsert_products(
        (product("prog-%d" % i) for i in range(20)), concurrency=4,
        progress=lambda done, total: seen.append((done, total, threading.get_ident())))
    assert len(report) == 20
    assert [d for d, _, _ in seen] == list(range(1, 21))
    assert {t for _, t, _ in seen} == {20}
    assert {ident for _, _, ident in seen} == {me}


def test_bulk_progress_exception_is_raised_after_the_call(client, emulator):
    def boom(done, total):
        raise KeyError("stop")

    with pytest.raises(KeyError):
        client.upsert_products([product("boom-%d" % i) for i in range(5)], progress=boom)
    assert emulator.stats()["products"] >= 5 + 7  # the call itself went through
    assert client.upsert_products([product("after-boom")])[0]["action"] == "created"


def test_bulk_progress_per_thread_on_a_shared_client(client):
    counts = {}

    def run(n):
        calls = []
        client.upsert_products([product("th%d-%d" % (n, i)) for i in range(30)],
                               concurrency=3, progress=lambda d, t: calls.append(d))
        counts[n] = calls

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(calls == list(range(1, 31)) for calls in counts.values())


def test_bulk_bad_arguments(client):
    with pytest.raises(caffesta.InvalidArgumentError):
        client.upsert_products([product("x")], concurrency=0)
    with pytest.raises(caffesta.InvalidArgumentError):
        client.upsert_products([product("x")], concurrency=65)
    with pytest.raises(TypeError):
        client.upsert_products(["not a mapping"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        client.upsert_products([product("x")], progress=5)  # type: ignore[arg-type]


def test_bulk_against_a_closed_port_reports_every_item(emulator):
    from conftest import closed_port
    with caffesta.Client("demo", API_KEY, base_url="http://127.0.0.1:%d" % closed_port(),
                         max_retries=0) as c:
        report = c.upsert_products([product("np-%d" % i) for i in range(3)])
    assert [r["status"] for r in report] == ["CAFFESTA_ERR_NETWORK"] * 3
