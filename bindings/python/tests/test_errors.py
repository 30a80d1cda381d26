"""Every exception class, each reached through a real emulator fault or bad input."""

from __future__ import annotations

import math
import os
import time

import pytest

import caffesta
from conftest import API_KEY, closed_port, product


def raised(call, cls):
    with pytest.raises(cls) as info:
        call()
    error = info.value
    assert type(error) is cls
    assert isinstance(error, caffesta.CaffestaError)
    assert API_KEY not in str(error)
    return error


def test_wrong_key_is_an_authentication_error(emulator):
    with caffesta.Client("demo", "0" * 32, base_url=emulator.url) as c:
        error = raised(c.auth_test, caffesta.AuthenticationError)
    assert error.status == "CAFFESTA_ERR_UNAUTHORIZED"
    assert error.code == 5
    assert error.http_status == 401
    assert "/a/v1.0/storage/test" in error.message
    assert "0" * 32 not in error.message


def test_forbidden_is_an_authentication_error(client, emulator):
    emulator.fault("status", "/a/v1.0/storage/test", status=403)
    error = raised(client.auth_test, caffesta.AuthenticationError)
    assert error.http_status == 403


def test_unknown_path_is_not_found(client):
    error = raised(lambda: client.request("GET", "/a/v1.0/no/such/thing"), caffesta.NotFoundError)
    assert error.status == "CAFFESTA_ERR_NOT_FOUND"
    assert error.http_status == 404
    assert "/a/v1.0/no/such/thing" in str(error)


def test_429_is_a_rate_limit_error(emulator):
    emulator.fault("status", "/a/v1.0/storage/test", status=429, retry_after=0)
    with caffesta.Client("demo", API_KEY, base_url=emulator.url, max_retries=0) as c:
        error = raised(c.auth_test, caffesta.RateLimitError)
    assert error.status == "CAFFESTA_ERR_RATE_LIMITED"
    assert error.http_status == 429


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_is_a_server_error(emulator, status):
    emulator.fault("status", "/a/v1.0/storage/test", status=status)
    with caffesta.Client("demo", API_KEY, base_url=emulator.url, max_retries=0) as c:
        error = raised(c.auth_test, caffesta.ServerError)
    assert error.status == "CAFFESTA_ERR_SERVER"
    assert error.http_status == status


def test_a_503_is_retried_and_then_succeeds(client, emulator):
    emulator.fault("status", "/a/v1.0/storage/test", status=503, retry_after=0)
    client.auth_test()  # max_retries=2 by default
    paths = [r["path"] for r in emulator.requests()]
    assert paths == ["/a/v1.0/storage/test"] * 2


def test_other_status_is_an_http_error(client, emulator):
    emulator.fault("status", "/a/v1.0/storage/test", status=418)
    error = raised(client.auth_test, caffesta.HttpError)
    assert error.status == "CAFFESTA_ERR_HTTP"
    assert error.http_status == 418


def test_body_saying_error_is_an_api_error(client):
    body = product("no-name")
    del body["name"]
    error = raised(lambda: client.upsert_product(body), caffesta.ApiError)
    assert error.status == "CAFFESTA_ERR_API"
    assert error.http_status == 200
    assert "name" in error.message


def test_api_error_through_request(client):
    body = product("bad-measure", measure="bucket")
    error = raised(lambda: client.request("POST", "/a/v1.0/product/", body), caffesta.ApiError)
    assert "measure" in error.message
    assert error.http_status == 200


def test_html_instead_of_json_is_a_protocol_error(client, emulator):
    emulator.fault("html200", "/a/v1.0/storage/test")
    error = raised(client.auth_test, caffesta.ProtocolError)
    assert error.status == "CAFFESTA_ERR_PROTOCOL"
    assert error.http_status == 200


def test_oversized_answer_is_a_protocol_error(emulator):
    emulator.fault("oversize", "/a/v1.0/draft/storages", size_bytes=64 * 1024)
    with caffesta.Client("demo", API_KEY, base_url=emulator.url,
                         max_response_size=16 * 1024) as c:
        raised(lambda: c.request("GET", "/a/v1.0/draft/storages"), caffesta.ProtocolError)
        assert isinstance(c.request("GET", "/a/v1.0/draft/storages"), dict)


def test_closed_port_is_a_network_error():
    port = closed_port()
    with caffesta.Client("demo", API_KEY, base_url="http://127.0.0.1:%d" % port,
                         max_retries=0) as c:
        error = raised(c.auth_test, caffesta.NetworkError)
    assert error.status == "CAFFESTA_ERR_NETWORK"
    assert error.http_status == 0
    assert isinstance(error, ConnectionError)


def test_connection_closed_mid_answer_is_a_network_error(client, emulator):
    emulator.fault("close", "/a/v1.0/draft/storages", count=3)
    raised(lambda: client.request("GET", "/a/v1.0/draft/storages"), caffesta.NetworkError)


def test_hang_past_the_deadline_is_a_timeout(emulator):
    emulator.fault("hang", "/a/v1.0/storage/test", delay_ms=5000)
    with caffesta.Client("demo", API_KEY, base_url=emulator.url, timeout=0.4,
                         max_retries=0) as c:
        started = time.monotonic()
        error = raised(c.auth_test, caffesta.CaffestaTimeoutError)
        elapsed = time.monotonic() - started
    assert error.status == "CAFFESTA_ERR_TIMEOUT"
    assert isinstance(error, TimeoutError)
    assert 0.3 < elapsed < 3.0


def test_delay_past_the_deadline_is_a_timeout(emulator):
    emulator.fault("delay", "/a/v1.0/draft/storages", delay_ms=2000)
    with caffesta.Client("demo", API_KEY, base_url=emulator.url, timeout=0.3,
                         max_retries=0) as c:
        raised(lambda: c.request("GET", "/a/v1.0/draft/storages"),
               caffesta.CaffestaTimeoutError)


# ---- invalid arguments ------------------------------------------------------------------


def invalid(call, match=None):
    error = raised(call, caffesta.InvalidArgumentError)
    assert error.status == "CAFFESTA_ERR_INVALID_ARGUMENT"
    assert error.code == 1
    assert error.http_status == 0
    assert isinstance(error, ValueError)
    if match is not None:
        assert match in error.message, error.message
    return error


@pytest.mark.parametrize("account", ["", "evil.com/x#", "a@b", "x" * 64, "кафе", "a b"])
def test_bad_account_name(account):
    invalid(lambda: caffesta.Client(account, API_KEY), "account_name")


@pytest.mark.parametrize("key", ["", "has space", "line\r\nX-Evil: 1", "ключ", "k" * 257])
def test_bad_api_key(key):
    error = invalid(lambda: caffesta.Client("demo", key), "api_key")
    assert key not in error.message or key == ""


@pytest.mark.parametrize("key,start", [(None, "api_key is empty (None):"), ("", "api_key is empty:")])
def test_a_missing_key_says_so_and_names_the_variable(key, start):
    # os.environ.get() of an unset variable gives None
    error = invalid(lambda: caffesta.Client("demo", key), "CAFFESTA_API_KEY")
    assert error.message.startswith(start), error.message


def test_a_missing_account_says_so_and_names_the_variable():
    error = invalid(lambda: caffesta.Client(None, None), "CAFFESTA_ACCOUNT")  # type: ignore[arg-type]
    assert error.message.startswith("account_name is empty (None):"), error.message


@pytest.mark.parametrize("argument", ["account_name", "api_key", "base_url"])
def test_nul_in_a_client_string_is_refused_not_truncated(emulator, argument):
    args = {"account_name": "demo", "api_key": API_KEY, "base_url": emulator.url}
    args[argument] += "\0tail"
    invalid(lambda: caffesta.Client(args.pop("account_name"), args.pop("api_key"), **args),
            "NUL")


@pytest.mark.parametrize("url", ["ftp://127.0.0.1", "http://user@host", "http://h/x?y=1",
                                 "127.0.0.1:80", "http://h:99999", "http://"])
def test_bad_base_url(url):
    invalid(lambda: caffesta.Client("demo", API_KEY, base_url=url), "base_url")


@pytest.mark.parametrize("options", [
    {"timeout": 0}, {"timeout": -1.0}, {"timeout": math.nan}, {"timeout": math.inf},
    {"connect_timeout": 0.0}, {"timeout": 86400 * 2}, {"timeout": 1e30},
    {"max_retries": -1}, {"max_retries": 11}, {"max_retries": 2 ** 40},
    {"max_response_size": 1023}, {"max_response_size": (4 << 30) + 1},
    {"ca_file": ""}, {"ca_file": "a\0b"},
])
def test_bad_options(emulator, options):
    invalid(lambda: caffesta.Client("demo", API_KEY, base_url=emulator.url, **options))


@pytest.mark.parametrize("options", [
    {"timeout": "60"}, {"timeout": True}, {"max_retries": 2.0}, {"max_retries": None},
    {"max_response_size": "1M"}, {"ca_file": 5},
])
def test_wrong_option_types_are_type_errors(options):
    with pytest.raises(TypeError):
        caffesta.Client("demo", API_KEY, **options)


def test_wrong_argument_types_are_type_errors(client):
    with pytest.raises(TypeError):
        caffesta.Client(b"demo", API_KEY)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.upsert_product('{"ref_code": "x"}')  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.request(b"GET", "/a/v1.0/storage/test")  # type: ignore[arg-type]


@pytest.mark.parametrize("body,match", [
    ({"name": "no ref_code"}, "ref_code"),
    ({"ref_code": ""}, "ref_code"),
    ({"ref_code": 5}, "ref_code"),
    ({"ref_code": "x" * 1025}, "ref_code"),
    ({"ref_code": "nan", "price": math.nan}, "JSON"),
    ({"ref_code": "set", "tags": {1, 2}}, "JSON"),
    ({"ref_code": "surrogate \udc80"}, "Unicode"),
])
def test_bad_products(client, emulator, body, match):
    invalid(lambda: client.upsert_product(body), match)
    assert emulator.requests() == []  # refused before any request


@pytest.mark.parametrize("method,path,match", [
    ("FETCH", "/a/v1.0/storage/test", "method"),
    ("get", "/a/v1.0/storage/test", "method"),
    ("GE\0T", "/a/v1.0/storage/test", "NUL"),
    ("GET", "a/v1.0/storage/test", "path"),
    ("GET", "http://evil.example/steal", "path"),
    ("GET", "//evil.example/steal", "path"),
    ("GET", "/a/v1.0/with space", "path"),
    ("GET", "/a/v1.0/x#frag", "path"),
    ("GET", "/a/v1.0/line\r\nX-Evil: 1", "path"),
    ("GET", "/a/v1.0/storage/test\0/../../evil", "NUL"),
    ("GET", "/a/\udc80", "Unicode"),
])
def test_bad_requests(client, emulator, method, path, match):
    invalid(lambda: client.request(method, path), match)
    assert emulator.requests() == []


def test_bad_request_body(client, emulator):
    invalid(lambda: client.request("POST", "/a/v1.0/product/", {"x": math.inf}), "JSON")
    invalid(lambda: client.request("POST", "/a/v1.0/product/", object()), "JSON")
    assert emulator.requests() == []


def test_errors_are_read_on_the_calling_thread(client):
    """A failure's message and HTTP status belong to the call that failed."""
    import threading

    problems = []

    def failing():
        for _ in range(50):
            try:
                client.request("GET", "/a/v1.0/nothing/here")
            except caffesta.NotFoundError as e:
                if e.http_status != 404 or "/a/v1.0/nothing/here" not in e.message:
                    problems.append(repr(e))

    def invalid_calls():
        for _ in range(2000):
            try:
                client.upsert_product({"name": "x"})
            except caffesta.InvalidArgumentError as e:
                if e.http_status != 0 or "ref_code" not in e.message:
                    problems.append(repr(e))

    def succeeding():
        for _ in range(50):
            client.auth_test()

    threads = [threading.Thread(target=f) for f in (failing, invalid_calls, succeeding)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []


def test_the_client_reads_no_base_url_from_the_environment(monkeypatch, emulator):
    # Only base_url moves the key elsewhere; CAFFESTA_BASE_URL is for the caller to pass (as PHP).
    monkeypatch.setenv("CAFFESTA_BASE_URL", emulator.url)
    with caffesta.Client("demo", API_KEY) as client:
        assert client.base_url == "https://demo.caffesta.com"
    with caffesta.Client("demo", API_KEY, base_url=os.environ.get("CAFFESTA_BASE_URL")) as client:
        assert client.base_url == emulator.url
        client.auth_test()


@pytest.mark.parametrize("proxy", ["", "ftp://x:1", "http://a b:1", "127.0.0.1:3128", "http://"])
def test_bad_proxies_are_invalid(emulator, proxy):
    invalid(lambda: caffesta.Client("demo", API_KEY, base_url=emulator.url, proxy=proxy), "proxy")
