"""The Python binding against what a Python shop would write without it: requests.Session.

    py_bench.py BASE_URL KEY lib-seq N        Client.upsert_product, one after the other
    py_bench.py BASE_URL KEY lib-many N C     Client.upsert_products(concurrency=C)
    py_bench.py BASE_URL KEY requests-seq N   requests.Session PUT with json=, answer checked

Each does 20 unmeasured calls first (imports, the connection), then N measured ones, and prints
{"ms", "cpu_ms", "items", "distinct_ids"} as the C loops do. Several cases separated by "--"
(`... lib-seq 20 -- lib-many 20 8`) run one after the other in this process, one line each.
"""
import json
import sys
import time

import caffesta


def product(i):
    return {"ref_code": "bench-%d" % i, "cancellation_type": 0, "for_sale": True,
            "name": "Bench product %d" % i, "measure": "pcs", "barcode": "", "country": "",
            "use_discounts": True, "type": "product", "weight_in_gram": None, "caf_tax_id": 1,
            "category_ref_code": "cat2", "workspace_ref_code": "ws111",
            "prices": [{"caf_shop_id": 2, "caf_storage_id": 1, "price": 0.6, "self_cost": 0.3}]}


def measure(base, key, spec):
    """One case: spec is [MODE, N] or [MODE, N, CONCURRENCY]; returns its result."""
    mode, n = spec[0], int(spec[1])
    ids = set()
    if mode.startswith("lib-"):
        client = caffesta.Client("bench", key, base_url=base, max_retries=0)
        if mode == "lib-seq":
            def run(count):
                for i in range(count):
                    ids.add(client.upsert_product(product(i))["id"])
        else:
            concurrency = int(spec[2])

            def run(count):
                report = client.upsert_products((product(i) for i in range(count)), concurrency=concurrency)
                for entry in report:
                    if entry["action"] == "failed":
                        raise SystemExit("bench: %s" % entry)
                    ids.add(entry["id"])
    elif mode == "requests-seq":
        import requests
        session = requests.Session()
        session.headers.update({"X-API-KEY": key, "Accept": "application/json"})

        def run(count):
            for i in range(count):
                item = product(i)
                answer = session.put("%s/a/v1.0/product/by_ref_code/%s" % (base, item["ref_code"]), json=item)
                answer.raise_for_status()
                body = answer.json()
                if body.get("success") is not True or not isinstance(body["data"]["id"], int):
                    raise SystemExit("bench: %s" % body)
                ids.add(body["data"]["id"])
    else:
        raise SystemExit("bench: unknown mode %s" % mode)
    run(20)
    ids.clear()
    start, cpu = time.perf_counter(), time.process_time()
    run(n)
    ms, cpu_ms = (time.perf_counter() - start) * 1e3, (time.process_time() - cpu) * 1e3
    return {"ms": round(ms, 3), "cpu_ms": round(cpu_ms, 3), "items": n, "distinct_ids": len(ids)}


def main():
    # Cases separated by "--" share this process (bench --quick: one Python start for all).
    base, key, specs = sys.argv[1], sys.argv[2], [[]]
    for arg in sys.argv[3:]:
        if arg == "--":
            specs.append([])
        else:
            specs[-1].append(arg)
    for spec in specs:
        print(json.dumps(measure(base, key, spec)), flush=True)


if __name__ == "__main__":
    main()
