"""One Client shared by threads: every call accounted for, and calls really run in parallel."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import caffesta
from conftest import API_KEY, product

THREADS = 8
PER_THREAD = 200


def test_8_threads_x_200_upserts_on_one_client(client, emulator):
    before = emulator.stats()["products"]
    errors = []
    results = [[] for _ in range(THREADS)]
    start = threading.Barrier(THREADS)

    def work(n):
        start.wait()
        try:
            for i in range(PER_THREAD):
                ref = "t%d-%03d" % (n, i)
                results[n].append(client.upsert_product(
                    product(ref, name="Поток %d, товар %d" % (n, i), prices=[
                        {"caf_shop_id": 2, "caf_storage_id": 1, "price": i + 0.5,
                         "self_cost": 0.25}])))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    flat = [r for rs in results for r in rs]
    assert len(flat) == THREADS * PER_THREAD
    assert all(r["action"] == "created" for r in flat)
    assert sorted(r["ref_code"] for r in flat) == sorted(
        "t%d-%03d" % (n, i) for n in range(THREADS) for i in range(PER_THREAD))
    assert len({r["id"] for r in flat}) == THREADS * PER_THREAD
    assert emulator.stats()["products"] == before + THREADS * PER_THREAD
    # spot-check what the emulator holds
    read = client.request("GET", "/a/v1.0/product/by_ref_code/t7-199")
    assert read["data"]["name"] == "Поток 7, товар 199"


def test_calls_run_in_parallel(client, emulator):
    """ctypes releases the GIL: 8 calls of 300 ms each take about 300 ms, not 2.4 s."""
    emulator.config(delay_ms=300)
    client.auth_test()  # warm: one connection exists
    with ThreadPoolExecutor(THREADS) as pool:
        started = time.monotonic()
        list(pool.map(lambda _: client.auth_test(), range(THREADS)))
        elapsed = time.monotonic() - started
    assert elapsed < 0.3 * THREADS / 2, elapsed


def test_close_waits_for_calls_on_other_threads(emulator):
    emulator.config(delay_ms=300)
    c = caffesta.Client("demo", API_KEY, base_url=emulator.url)
    outcome = []

    def call():
        try:
            c.auth_test()
            outcome.append("ok")
        except caffesta.CaffestaError as e:  # pragma: no cover
            outcome.append(repr(e))

    t = threading.Thread(target=call)
    t.start()
    time.sleep(0.1)  # the call is in flight
    c.close()
    t.join()
    assert outcome == ["ok"]
    assert c.closed
