"""The Pythonic client: construction and options, the one way into the library (_json_call,
_id_call, _plain_call: the pointer held while C runs, the result read and freed once, a failure
turned into its exception), and the calls written by hand. The plain calls are generated into
caffesta._endpoints, the bulk call is caffesta._bulk, and the argument converters caffesta._convert."""

from __future__ import annotations

import ctypes
import json
import threading
import weakref
from contextlib import contextmanager
from ctypes import byref, c_longlong, c_void_p
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Union
from urllib.parse import quote

from . import _log, _native
from ._bulk import DEFAULT_CONCURRENCY, BulkUpsert
from ._convert import (  # noqa: F401  (_json_text: tests import it from here)
    StrPath,
    Timestamp,
    _C_INT_MAX,
    _C_LONGLONG_MAX,
    _c_path,
    _c_string,
    _credential,
    _id,
    _integer,
    _invalid,
    _json_object,
    _json_text,
    _milliseconds,
    _utf8,
)
from ._endpoints import ARGUMENT_NAMES, Endpoints
from .errors import ERROR_CLASSES, CaffestaError

__all__ = ["Client", "quote_segment", "library_version"]

_DEFAULT_CONNECT_MS = 10_000


def library_version() -> str:
    """The version of the loaded libcaffesta, e.g. "1.1.0" (loads the library if needed)."""
    return str(_native.load().caffesta_version().decode("ascii"))


def quote_segment(text: str) -> str:
    """Percent-encodes text as one URL path segment, the way the library encodes ref_codes.

    Everything but ASCII letters, digits, '-', '_' and '~' is escaped, '.' included, so that
    '/', '?', '#', '%', spaces, '.' and '..' can never change the path:
    ``client.request("GET", "/a/v1.0/product/by_ref_code/" + quote_segment(ref))``.
    """
    if not isinstance(text, str):
        raise TypeError("quote_segment() takes a str, not %s" % type(text).__name__)
    return quote(_utf8(text, "text").decode("utf-8"), safe="").replace(".", "%2E")


def _error(lib: _native.Library, status: Optional[int], function: Optional[str] = None) -> CaffestaError:
    """The exception for a failed call; must run right after it, on the same thread.

    status None is for caffesta_client_new, which returns NULL instead of a status: its
    failures are INVALID_ARGUMENT (validation) or NO_MEMORY ("out of memory"). `function`, the C
    function that failed, lets a message that names a C parameter name the Python argument.
    """
    raw = lib.caffesta_last_error()
    http_status = int(lib.caffesta_last_http_status())
    last_delivery = getattr(lib, "caffesta_last_delivery", None)  # a 1.1 library has none
    delivery = _native.Delivery.NAMES.get(int(last_delivery()) if last_delivery else 0, "not_sent")
    message = raw.decode("utf-8", "replace") if raw else ""
    if status is None:
        status = (_native.Status.ERR_NO_MEMORY if "out of memory" in message
                  else _native.Status.ERR_INVALID_ARGUMENT)
    if function is not None and status == _native.Status.ERR_INVALID_ARGUMENT:
        message = _argument_named(message, function)
    name = lib.caffesta_status_name(status).decode("ascii", "replace")
    cls = ERROR_CLASSES.get(status, CaffestaError)
    return cls(message or name, status=name, code=status, http_status=http_status, delivery=delivery)


def _argument_named(message: str, function: str) -> str:
    """"product_json needs a string ..." -> "product needs a string ...": the C parameter a
    message starts with, as the Python argument is named (caffesta._endpoints.ARGUMENT_NAMES)."""
    for c_name, argument in ARGUMENT_NAMES.get(function, ()):
        rest = message[len(c_name):]
        if message.startswith(c_name) and not (rest[:1].isalnum() or rest[:1] == "_"):
            return argument + rest
    return message


def _free(lib: _native.Library, pointer: Any) -> None:
    lib.caffesta_client_free(pointer)


class Client(Endpoints, BulkUpsert):
    """A client of one Caffesta account.

    ``Client("mycafe", "0123...")`` talks to https://mycafe.caffesta.com (an account name or key
    that is None or "", as os.environ.get() gives for an unset variable, is refused with a
    message naming CAFFESTA_ACCOUNT or CAFFESTA_API_KEY); ``base_url`` points it
    elsewhere (the emulator, a staging host; a forward proxy goes in ``proxy``): the server's root, never ending in
    /a/v1.0. Timeouts are in seconds: ``timeout`` is the deadline of a whole call, retries
    included; ``connect_timeout`` is the connect phase (default 10 s, or ``timeout`` when that
    is shorter); a ``connect_timeout`` given larger than ``timeout`` is refused
    (InvalidArgumentError), as in C and PHP. ``max_retries`` (0 to 10) retries only what is safe to resend.
    ``ca_file`` is a PEM file of CA certificates to trust instead of the system's;
    ``max_response_size`` the largest answer accepted, in bytes (1 KiB to 4 GiB, default 64 MiB);
    ``order_path`` the path delivery orders are posted to (default "/a/v1.1/draft/receipts").
    ``proxy`` is the proxy for every request ("http://host:3128"), or "direct" for none whatever
    the environment says; left out, libcurl's proxy variables (https_proxy, no_proxy, ...) apply.
    ``parse_float`` reads the answers' non-integer numbers, as in json.loads:
    ``parse_float=decimal.Decimal`` keeps 12.50 as Decimal("12.50") instead of a float.

    Besides auth_test(), upsert_product() and request(), which work with any build of the
    library, the client has one method per call of the header (storages, invoices, moves,
    products, menu imports, delivery orders, update feeds, sales exports: caffesta._endpoints,
    generated from api/calls.toml). They return the answer's payload (the "data" of the
    envelope) as Python objects.

    One client may be shared by threads; calls run in parallel (the GIL is released while the
    library works). Use it as a context manager, or call close(); close() waits for calls that
    are running on other threads, and later calls raise InvalidArgumentError.
    """

    def __init__(
        self,
        account_name: str,
        api_key: str,
        *,
        base_url: Optional[str] = None,
        timeout: float = 60.0,
        connect_timeout: Optional[float] = None,
        max_retries: int = 2,
        ca_file: Optional[StrPath] = None,
        max_response_size: Optional[int] = None,
        order_path: Optional[str] = None,
        proxy: Optional[str] = None,
        parse_float: Optional[Callable[[str], Any]] = None,
    ) -> None:
        account = _credential(account_name, "account_name", "CAFFESTA_ACCOUNT")
        key = _credential(api_key, "api_key", "CAFFESTA_API_KEY")
        url = _c_string(base_url, "base_url") if base_url is not None else None
        request_ms = _milliseconds(timeout, "timeout")
        if connect_timeout is None:
            connect_ms = min(_DEFAULT_CONNECT_MS, request_ms)
        else:
            connect_ms = _milliseconds(connect_timeout, "connect_timeout")
            if connect_ms > request_ms:
                raise _invalid("connect_timeout (%r s) must not exceed timeout (%r s)"
                               % (connect_timeout, timeout))
        retries = _integer(max_retries, "max_retries", _C_INT_MAX)
        ca = _c_path(ca_file, "ca_file") if ca_file is not None else None
        max_bytes = (_integer(max_response_size, "max_response_size", _C_LONGLONG_MAX)
                     if max_response_size is not None else None)
        orders = _c_string(order_path, "order_path") if order_path is not None else None
        proxy_url = _c_string(proxy, "proxy") if proxy is not None else None
        if parse_float is not None and not callable(parse_float):
            raise TypeError("parse_float must be callable, e.g. decimal.Decimal")
        self._parse_float = parse_float

        lib = _native.load()
        self._lib = lib
        self._cond = threading.Condition(threading.Lock())
        self._active = 0
        self._pointer = None
        self._progress_installed = False
        self._progress_local = threading.local()
        self._progress_trampoline: Any = None
        self._log_on = False
        if "caffesta_client_create" in lib.declared:
            created = _native.caffesta_client_p()
            status = lib.caffesta_client_create(account, key, byref(created))
            if status != _native.Status.OK:
                raise _error(lib, status)
            pointer = created
        else:  # a library older than caffesta_client_create: guess the status from the text
            pointer = lib.caffesta_client_new(account, key)
            if not pointer:
                raise _error(lib, None)
        self._finalizer = weakref.finalize(self, _free, lib, pointer)
        self._finalizer.atexit = False
        self._pointer = pointer
        try:
            if url is not None:
                self._check(lib.caffesta_client_set_base_url(pointer, url))
            self._check(lib.caffesta_client_set_timeouts(pointer, connect_ms, request_ms))
            self._check(lib.caffesta_client_set_max_retries(pointer, retries))
            if ca is not None:
                self._check(lib.caffesta_client_set_ca_file(pointer, ca))
            if max_bytes is not None:
                self._check(lib.caffesta_client_set_max_response_size(pointer, max_bytes))
            if orders is not None:
                self._check(lib.caffesta_client_set_order_path(pointer, orders))
            if proxy_url is not None:
                self._check(lib.caffesta_client_set_proxy(pointer, proxy_url))
        except BaseException:
            self.close()
            raise
        self._account_name = account_name
        self._base_url = base_url if base_url is not None else "https://%s.caffesta.com" % account_name

    # ---- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        """Frees the native client. Idempotent; waits for calls running on other threads."""
        with self._cond:
            if self._pointer is None:
                return
            self._pointer = None
            while self._active:
                self._cond.wait()
        self._finalizer()

    @property
    def closed(self) -> bool:
        """True once close() has been called (or __init__ failed)."""
        return getattr(self, "_pointer", None) is None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        return "<caffesta.Client account_name=%r base_url=%r%s>" % (
            getattr(self, "_account_name", None), getattr(self, "_base_url", None), state)

    @property
    def account_name(self) -> str:
        return self._account_name

    @property
    def base_url(self) -> str:
        return self._base_url

    @contextmanager
    def _using(self) -> Iterator[Any]:
        pointer = self._acquire()
        try:
            yield pointer
        finally:
            self._release()

    def _acquire(self) -> Any:
        """The native pointer, counted as in use until _release() (close() waits for it)."""
        with self._cond:
            pointer = self._pointer
            if pointer is None:
                raise _invalid("the client is closed")
            self._active += 1
            if self._log_on != _log.wanted():
                self._switch_log(pointer)
        return pointer

    def _release(self) -> None:
        with self._cond:
            self._active -= 1
            if not self._active:
                self._cond.notify_all()

    def _switch_log(self, pointer: Any) -> None:
        """Installs the request log while the "caffesta" logger wants DEBUG, removes it after."""
        want = _log.wanted()
        try:
            set_log = self._lib.caffesta_client_set_log
        except AttributeError:  # an older library: no request log
            return
        set_log(pointer, _log.trampoline if want else _native.caffesta_log_fn(), None)
        self._log_on = want

    def cancel(self) -> None:
        """Stops the calls running on this client, from any thread (caffesta_client_cancel).

        A running upsert_products() sends no further item, lets the requests in flight finish
        and raises CancelledError whose ``.report`` lists every item (those never sent as
        ``"action": "cancelled"``); other calls end at their next retry with CancelledError.
        Calls started afterwards run normally. Safe in a signal handler; not while another
        thread closes the client. Ctrl-C during upsert_products() needs no call to this: the
        client cancels by itself and KeyboardInterrupt carries the report.
        """
        pointer = self._pointer  # no lock: a signal handler may call this in the middle of a call
        if pointer is not None:
            self._lib.caffesta_client_cancel(pointer)

    def _error_for(self, status: int, function: Optional[str] = None) -> CaffestaError:
        return _error(self._lib, status, function)

    def _check(self, status: int, function: Optional[str] = None) -> None:
        if status != _native.Status.OK:
            raise _error(self._lib, status, function)

    def _take_bytes(self, status: int, out: c_void_p, function: Optional[str] = None) -> bytes:
        """Reads and frees the char* a call handed out; raises the call's error instead."""
        lib = self._lib
        if status != _native.Status.OK:
            error = _error(lib, status, function)
            if out.value:  # the header promises NULL after an error; free it if not
                lib.caffesta_string_free(out)
            raise error
        if not out.value:
            raise _error_from_python("the library returned CAFFESTA_OK without a result",
                                     _native.Status.ERR_INTERNAL, lib)
        try:
            return ctypes.string_at(out.value)
        finally:
            lib.caffesta_string_free(out)  # leaves this thread's last HTTP status as it was

    def _take_json(self, status: int, out: c_void_p, function: Optional[str] = None) -> Any:
        """Reads and frees the char* a call handed out, then parses it as JSON."""
        lib = self._lib
        data = self._take_bytes(status, out, function)
        try:
            if not data.strip():
                return None
            return json.loads(data.decode("utf-8"), parse_float=self._parse_float)
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise _error_from_python("the answer is not valid JSON: %s" % e, _native.Status.ERR_PROTOCOL,
                                     lib, lib.caffesta_last_http_status()) from None

    def _take_text(self, status: int, out: c_void_p) -> str:
        """Reads and frees the char* a call handed out, as UTF-8 text."""
        return self._take_bytes(status, out).decode("utf-8", "replace")

    # The one way into the library of every plain call (caffesta._endpoints).

    def _json_call(self, name: str, *args: Any) -> Any:
        """Calls a function whose last parameter is char **result_json."""
        function = getattr(self._lib, name)
        out = c_void_p()
        with self._using() as pointer:
            status = function(pointer, *args, byref(out))
            return self._take_json(status, out, name)

    def _id_call(self, name: str, *args: Any) -> int:
        """Calls a function whose last parameter is long long *id."""
        function = getattr(self._lib, name)
        out = c_longlong()
        with self._using() as pointer:
            self._check(function(pointer, *args, byref(out)), name)
        return int(out.value)

    def _plain_call(self, name: str, *args: Any) -> None:
        function = getattr(self._lib, name)
        with self._using() as pointer:
            self._check(function(pointer, *args), name)

    # ---- the calls written by hand (api/calls.toml: hand = ["python"]) ---------------------------

    def request_text(self, method: str, path: str, body: Optional[Union[str, bytes]] = None
                     ) -> str:
        """request() with JSON text both ways: ``body`` is sent as the caller wrote it (the
        library checks that it is JSON), and the answer comes back as text, not parsed, so
        that numbers keep the digits they were written with."""
        method_bytes = _c_string(method, "method")
        path_bytes = _c_string(path, "path")
        body_bytes: Optional[bytes] = None
        if isinstance(body, str):
            body_bytes = _utf8(body, "body")
        elif isinstance(body, bytes):
            if b"\0" in body:
                raise _invalid("body contains a NUL character")
            body_bytes = body
        elif body is not None:
            raise TypeError("body must be JSON text (str or bytes), not %s" % type(body).__name__)
        out = c_void_p()
        with self._using() as pointer:
            status = self._lib.caffesta_request(pointer, method_bytes, path_bytes, body_bytes,
                                                byref(out))
            return self._take_text(status, out)

    def wait_for_order(self, order: Union[int, Mapping[str, Any]],
                       timeout: float = 60.0) -> Dict[str, Any]:
        """Waits until the order is made. ``order`` is submit_order()'s result: an order
        made at once comes back without a request, a pending job is polled; the answer is
        ``{"job_id", "status": "success", "uuid"}``. A job id (create_order()'s int) is polled
        and the final job comes back (``message`` is the order's UUID). ApiError when the job
        failed, CaffestaTimeoutError when still pending after ``timeout`` seconds."""
        if isinstance(order, Mapping):
            return self._json_call("caffesta_order_wait_submitted", _json_object(order, "order"),
                                   _milliseconds(timeout, "timeout"))
        return self._json_call("caffesta_order_wait", _id(order, "job_id"),
                               _milliseconds(timeout, "timeout"))

    def iter_product_pages(self, pos_id: int, ts: Timestamp = 0) -> Iterator[List[Dict[str, Any]]]:
        """Yields the products changed since ts a page at a time, fetching each page only when
        the previous one has been used: for catalogs too large to hold at once."""
        start_id: Optional[int] = 0
        while start_id is not None:
            page = self.get_products_page(pos_id, start_id, ts)
            if page["items"]:
                yield page["items"]
            start_id = page["next_start_id"]

    def iter_products(self, pos_id: int, ts: Timestamp = 0) -> Iterator[Dict[str, Any]]:
        """Yields the products changed since ts one by one, a page fetched at a time."""
        for page in self.iter_product_pages(pos_id, ts):
            yield from page


def _error_from_python(message: str, code: int, lib: _native.Library,
                       http_status: int = 0) -> CaffestaError:
    name = lib.caffesta_status_name(code).decode("ascii", "replace")
    return ERROR_CLASSES.get(code, CaffestaError)(message, status=name, code=code,
                                                  http_status=http_status)
