"""Many keep-alive connections writing at once: no lost or duplicated writes."""

import http.client
import json
import threading

from conftest import SEED_PRODUCTS, ok_data


class Conn:
    """One keep-alive HTTP/1.1 connection used by one thread."""

    def __init__(self, emu):
        self.emu = emu
        self.c = http.client.HTTPConnection(emu.host, emu.port, timeout=60)
        self.c.connect()
        self.local = self.c.sock.getsockname()

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        self.c.request(method, "/a/v1.0" + path, body=data,
                       headers={"X-API-KEY": self.emu.api_key,
                                "Content-Type": "application/json"})
        r = self.c.getresponse()
        out = json.loads(r.read())
        return r.status, out

    def close(self):
        same = self.c.sock is not None and self.c.sock.getsockname() == self.local
        self.c.close()
        return same


def run_threads(n, target):
    errors = []

    def wrap(i):
        try:
            target(i)
        except BaseException as e:  # reported by the main thread
            errors.append(e)
    threads = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    if errors:
        raise errors[0]


def all_product_ids(emu):
    ids, start = [], 0
    while True:
        status, body = emu.get("/draft/get_products0/2/%d/0" % start)
        page = body["data"]
        if not page:
            return ids
        ids += [p["id"] for p in page]
        start = page[-1]["id"]


def test_32_threads_on_32_simultaneous_keep_alive_connections(emu):
    n, per_thread = 32, 25
    before = emu.stats()
    barrier = threading.Barrier(n, timeout=60)
    kept_alive = []

    def worker(i):
        conn = Conn(emu)
        assert conn.call("GET", "/storage/test")[0] == 200
        barrier.wait()  # all 32 connections are open and answered at this point
        for k in range(per_thread):
            status, body = conn.call("POST", "/product/", {
                "ref_code": "t%02d-%03d" % (i, k), "name": "Поток %d/%d" % (i, k),
                "prices": [{"caf_shop_id": 2, "price": k}]})
            assert status == 200 and body["success"] is True, body
        status, body = conn.call("POST", "/storage/invoices", {
            "number": "T%d" % i, "date": "2024-01-01 10:00", "storage": {"caf_id": 2},
            "items": [{"amount": 1, "product_code": "t%02d-000" % i}]})
        assert body["success"] is True, body
        status, body = conn.call("PUT", "/storage/invoices/%d" % body["data"]["id"],
                                 {"action": "wire"})
        assert body == {"success": True}
        kept_alive.append(conn.close())

    run_threads(n, worker)
    assert kept_alive == [True] * n
    after = emu.stats()
    assert after["products"] == before["products"] + n * per_thread
    assert after["product_prices"] == before["product_prices"] + n * per_thread
    assert after["invoices"] == n and after["invoice_items"] == n
    ids = all_product_ids(emu)
    assert len(ids) == len(set(ids)) == after["products"]
    stock = emu.get("/draft/store/2")[1]
    assert len(stock) == n and all(r["balance"] == "1" for r in stock)


def test_8_threads_upserting_the_same_refs(emu):
    """8 × 200 upserts (PUT by ref_code, POST on 404) over 100 shared ref_codes."""
    refs = ["shared-%03d" % k for k in range(100)]
    actions = []
    lock = threading.Lock()

    def worker(i):
        conn = Conn(emu)
        for k in range(200):
            ref = refs[(k * 7 + i * 13) % len(refs)]
            body = {"ref_code": ref, "name": "v%d-%d" % (i, k)}
            status, out = conn.call("PUT", "/product/by_ref_code/" + ref, body)
            action = "updated"
            if status == 404:
                status, out = conn.call("POST", "/product/", body)
                action = "created"
            assert status == 200 and out["success"] is True, out
            with lock:
                actions.append((ref, action, out["data"]["id"]))
        conn.close()

    run_threads(8, worker)
    assert len(actions) == 1600
    ids_by_ref = {}
    for ref, _, pid in actions:
        ids_by_ref.setdefault(ref, set()).add(pid)
    assert all(len(ids) == 1 for ids in ids_by_ref.values())  # one product per ref_code
    assert emu.stats()["products"] == SEED_PRODUCTS + len(refs)


def test_concurrent_wires_of_one_invoice_apply_once(emu):
    inv = ok_data(emu.post("/storage/invoices", {
        "number": "W", "date": "2024-01-01 10:00", "storage": {"caf_id": 3},
        "items": [{"amount": 5, "product_code": "2", "price": 1}]}))["id"]
    results = []

    def worker(i):
        conn = Conn(emu)
        results.append(conn.call("PUT", "/storage/invoices/%d" % inv, {"action": "wire"})[1])
        conn.close()

    run_threads(16, worker)
    assert sum(1 for r in results if r == {"success": True}) == 1
    assert sum(1 for r in results if r["success"] is False) == 15
    assert emu.get("/draft/store/3")[1][0]["balance"] == "5"
