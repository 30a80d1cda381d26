"""No memory growth over many calls: every string the library hands out is freed once."""

from __future__ import annotations

import ctypes
import gc
from ctypes import byref, c_void_p
from typing import Optional

import caffesta
from caffesta import _native
from conftest import product

FAST_CALLS = 100_000  # refused by validation, in Python or in the library
REAL_CALLS = 2_000    # answered by the emulator


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def heap_bytes() -> Optional[int]:
    """Bytes in use in the C heap (glibc mallinfo2), which the library allocates from."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallinfo2 = libc.mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = _MallInfo2
    mallinfo2.argtypes = []
    return int(mallinfo2().uordblks)


def exercise(client, fast: int, real: int) -> None:
    for i in range(real // 10):  # clients made and freed, half of them used
        with caffesta.Client("demo", "key-%d" % i, base_url=client.base_url, timeout=5.0,
                             max_response_size=1 << 20) as other:
            if i % 2:
                try:
                    other.auth_test()
                except caffesta.AuthenticationError:
                    pass
    for _ in range(fast // 5):
        for call in (lambda: client.upsert_product({"name": "без ref_code"}),   # library
                     lambda: client.request("GET", "no-slash"),                 # library
                     lambda: client.get_storage_stock(0),                       # library
                     lambda: client.request("POST", "/a/v1.0/x", {1: float("nan")}),  # Python
                     lambda: client.request("GET", "/a\0b")):                   # Python
            try:
                call()
            except caffesta.InvalidArgumentError:
                pass
    for i in range(real // 4):
        client.upsert_product(product("mem-%d" % (i % 20), name="Память %d" % i))
        client.request("GET", "/a/v1.0/draft/storages")
        try:
            client.request("GET", "/a/v1.0/no/such/path")
        except caffesta.NotFoundError:
            pass
        client.auth_test()
        if i % 20 == 0:  # a bulk call with a failed item (the PARTIAL path) and progress
            client.list_storages()
            client.upsert_products([product("bulk-mem-%d" % (i % 3)), {"name": "без ref_code"}],
                                   concurrency=2, progress=lambda done, total: None)
    gc.collect()


def test_no_growth_over_many_calls(client):
    exercise(client, 20_000, 400)  # warm up: caches, connections, allocator pools
    rss_before, heap_before = rss_kib(), heap_bytes()
    exercise(client, FAST_CALLS, REAL_CALLS)
    rss_after, heap_after = rss_kib(), heap_bytes()
    assert rss_after - rss_before < 1024, (rss_before, rss_after)
    if heap_before is not None and heap_after is not None:
        assert heap_after - heap_before < 64 * 1024, (heap_before, heap_after)

        # The measurement is sensitive enough: not freeing 1000 answers shows up.
        lib = _native.load()
        pointer = client._pointer
        leaked_before = heap_bytes()
        for _ in range(1000):
            out = c_void_p()
            assert lib.caffesta_request(pointer, b"GET", b"/a/v1.0/draft/storages", None,
                                        byref(out)) == 0
            assert out.value  # deliberately not freed
        assert heap_bytes() - leaked_before > 64 * 1024
