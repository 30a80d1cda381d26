"""The Client's methods and options against the emulator."""

from __future__ import annotations

import gc
import re
import weakref
from pathlib import Path

import pytest

import caffesta
from caffesta import _native
from caffesta.errors import ERROR_CLASSES
from conftest import API_KEY, REPO, product

HEADER = REPO / "include" / "caffesta.h"


def header_functions():
    """{name: number of parameters} of every function between the header's FFI markers."""
    text = HEADER.read_text()
    text = text[text.index("FFI declarations begin"):text.index("FFI declarations end")]
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    found = {}
    for match in re.finditer(r"(\w+)\s*\(([^()]*)\)\s*;", text):
        name, params = match.group(1), match.group(2).strip()
        found[name] = 0 if params in ("", "void") else params.count(",") + 1
    return found


def test_every_header_function_is_declared_with_its_arity():
    functions = header_functions()
    assert set(_native.REQUIRED) <= set(functions)
    assert set(functions) == set(_native.PROTOTYPES)
    for name, arity in functions.items():
        assert len(_native.PROTOTYPES[name][1]) == arity, name


def test_status_values_match_the_header():
    text = HEADER.read_text()
    enum = dict((name, int(value)) for name, value in
                re.findall(r"CAFFESTA_(OK|PENDING|ERR_\w+) = (\d+)", text))
    ours = {name: value for name, value in vars(_native.Status).items() if name.isupper()}
    assert ours == enum
    lib = _native.load()
    for name, value in enum.items():
        assert lib.caffesta_status_name(value).decode() == "CAFFESTA_" + name


def test_the_library_has_every_function_of_the_header():
    lib = _native.load()
    assert sorted(lib.declared) == sorted(header_functions())


def test_a_missing_optional_function_raises_a_clear_error():
    lib = _native.Library.__new__(_native.Library)
    lib.path = "/old/libcaffesta.so.1"
    with pytest.raises(caffesta.MissingFunctionError, match="caffesta_sync_changes"):
        lib.caffesta_sync_changes
    with pytest.raises(AttributeError):
        lib.no_such_function


def test_a_wrong_call_fails_in_python_not_in_c():
    lib = _native.load()
    with pytest.raises(Exception) as info:  # ctypes.ArgumentError
        lib.caffesta_product_upsert(None, "a str, not bytes", None)
    assert "argument" in type(info.value).__name__.lower()
    with pytest.raises(Exception):
        lib.caffesta_client_set_timeouts(None, 1.5, 2)


def test_version():
    assert caffesta.library_version() == caffesta.__version__
    assert caffesta.__version__.split(".")[0] == caffesta.library_version().split(".")[0]


def test_status_names_match_the_exception_classes():
    lib = _native.load()
    assert set(ERROR_CLASSES) == set(range(1, 17))
    for code, cls in ERROR_CLASSES.items():
        name = lib.caffesta_status_name(code).decode()
        assert name.startswith("CAFFESTA_ERR_")
        assert issubclass(cls, caffesta.CaffestaError)
    assert lib.caffesta_status_name(0) == b"CAFFESTA_OK"
    assert lib.caffesta_status_name(99) == b"CAFFESTA_UNKNOWN"
    assert ERROR_CLASSES[14] is caffesta.PartialError
    assert ERROR_CLASSES[16] is caffesta.CancelledError
    assert lib.caffesta_status_name(16) == b"CAFFESTA_ERR_CANCELLED"
    assert ERROR_CLASSES[12] is caffesta.NoMemoryError
    assert ERROR_CLASSES[13] is caffesta.InternalError


def test_auth_test(client):
    assert client.auth_test() is None


def test_context_manager_and_idempotent_close(emulator):
    with caffesta.Client("demo", API_KEY, base_url=emulator.url) as c:
        c.auth_test()
        assert not c.closed
    assert c.closed
    c.close()
    c.close()
    with pytest.raises(caffesta.InvalidArgumentError, match="closed"):
        c.auth_test()
    with pytest.raises(caffesta.InvalidArgumentError, match="closed"):
        c.request("GET", "/a/v1.0/storage/test")


def test_an_unreferenced_client_is_freed(emulator):
    c = caffesta.Client("demo", API_KEY, base_url=emulator.url)
    finalizer = c._finalizer
    ref = weakref.ref(c)
    del c
    gc.collect()
    assert ref() is None
    assert not finalizer.alive


def test_repr_never_shows_the_key(client):
    assert API_KEY not in repr(client)
    assert "demo" in repr(client)


def test_upsert_creates_then_updates(client):
    created = client.upsert_product(product("latte-1", name="Латте большой"))
    assert created["action"] == "created"
    assert created["ref_code"] == "latte-1"
    assert isinstance(created["id"], int)
    updated = client.upsert_product(product("latte-1", name="Латте средний"))
    assert updated == {"id": created["id"], "ref_code": "latte-1", "action": "updated"}
    read = client.request("GET", "/a/v1.0/product/by_ref_code/latte-1")
    assert read["success"] is True
    assert read["data"]["name"] == "Латте средний"


def test_upsert_sends_utf8_json_with_cyrillic_as_is(client, emulator):
    client.upsert_product(product("borsch", name="Борщ «Украинский»"))
    bodies = [r["body"] for r in emulator.requests() if r["method"] in ("PUT", "POST")]
    assert any("Борщ «Украинский»" in body for body in bodies)


def test_request_get_post_put(client):
    storages = client.request("GET", "/a/v1.0/draft/storages")
    assert isinstance(storages, dict) and "1" in storages
    created = client.request("POST", "/a/v1.0/product/", product("req-1"))
    assert created["success"] is True
    product_id = created["data"]["id"]
    answer = client.request("PUT", "/a/v1.0/product/%d" % product_id,
                            product("req-1", name="Новое имя"))
    assert answer["success"] is True
    read = client.request("GET", "/a/v1.0/product/by_ref_code/req-1")
    assert read["data"]["name"] == "Новое имя"
    assert read["data"]["id"] == product_id


def test_request_body_none_sends_no_body(client, emulator):
    client.request("GET", "/a/v1.0/storage/test", None)
    log = emulator.requests()
    assert log[-1]["body"] == ""


def test_options_timeouts_retries_ca_file_max_response_size(emulator, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("")  # only the option is checked here; TLS is tested in test_tls.py
    with caffesta.Client("demo", API_KEY, base_url=emulator.url, timeout=5.0,
                         connect_timeout=1.0, max_retries=10, ca_file=ca,
                         max_response_size=4096) as c:
        c.auth_test()  # plain HTTP: the CA file is not used
        emulator.fault("oversize", "/a/v1.0/storage/test", size_bytes=8192)
        with pytest.raises(caffesta.ProtocolError):
            c.auth_test()


def test_connect_timeout_is_capped_at_timeout(emulator):
    with caffesta.Client("demo", API_KEY, base_url=emulator.url, timeout=0.5) as c:
        c.auth_test()


def test_base_url_with_path_prefix(emulator):
    with caffesta.Client("demo", API_KEY, base_url=emulator.url + "/") as c:
        c.auth_test()
        assert c.base_url == emulator.url + "/"
    assert emulator.requests()[-1]["path"] == "/a/v1.0/storage/test"


def test_default_base_url_is_the_accounts_subdomain():
    with caffesta.Client("my-cafe", API_KEY) as c:
        assert c.base_url == "https://my-cafe.caffesta.com"
        assert c.account_name == "my-cafe"


def test_quote_segment():
    assert caffesta.quote_segment("abc-_~09") == "abc-_~09"
    assert caffesta.quote_segment("..") == "%2E%2E"
    assert caffesta.quote_segment("a/b?c#d e%") == "a%2Fb%3Fc%23d%20e%25"
    assert caffesta.quote_segment("Кофе") == "%D0%9A%D0%BE%D1%84%D0%B5"
    with pytest.raises(caffesta.InvalidArgumentError):
        caffesta.quote_segment("a\0b")
    with pytest.raises(TypeError):
        caffesta.quote_segment(5)  # type: ignore[arg-type]


def test_package_is_typed():
    assert (Path(caffesta.__file__).parent / "py.typed").exists()


def _closed_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_proxy_option_direct_ignores_the_environment_and_a_dead_proxy_is_a_proxy_error(emulator, monkeypatch):
    proxy = "http://alice:s3cret@127.0.0.1:%d" % _closed_port()
    monkeypatch.setenv("http_proxy", proxy)
    with caffesta.Client("demo", API_KEY, base_url=emulator.url, proxy="direct") as c:
        c.auth_test()  # no proxy at all, whatever http_proxy says
    with caffesta.Client("demo", API_KEY, base_url=emulator.url) as c:
        with pytest.raises(caffesta.ProxyError) as info:
            c.auth_test()  # http_proxy applies: nobody listens there
    assert "could not connect to the proxy http://alice@127.0.0.1:" in info.value.message
    assert "s3cret" not in info.value.message
    assert info.value.status == "CAFFESTA_ERR_PROXY"
    monkeypatch.delenv("http_proxy")
    with caffesta.Client("demo", API_KEY, base_url=emulator.url, proxy=proxy) as c:
        with pytest.raises(caffesta.ProxyError):
            c.auth_test()

