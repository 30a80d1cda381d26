"""The Pythonic client on top of the raw declarations in caffesta._native."""

from __future__ import annotations

import ctypes
import datetime
import decimal
import json
import math
import numbers
import os
import threading
import weakref
from contextlib import contextmanager
from ctypes import byref, c_longlong, c_void_p
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Union
from urllib.parse import quote

from . import _bulk, _jsontext, _log, _native
from .errors import ERROR_CLASSES, CaffestaError, InvalidArgumentError

__all__ = ["Client", "quote_segment", "library_version"]

StrPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

_C_LONG_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_long) - 1)) - 1
_C_INT_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_int) - 1)) - 1
_C_LONGLONG_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_longlong) - 1)) - 1
_INVALID = "CAFFESTA_ERR_INVALID_ARGUMENT"
_DEFAULT_CONNECT_MS = 10_000
DEFAULT_CONCURRENCY = 8  # the bulk calls' default, the same in PHP


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


def _invalid(message: str) -> InvalidArgumentError:
    return InvalidArgumentError(message, status=_INVALID, code=_native.Status.ERR_INVALID_ARGUMENT)


def _utf8(value: str, name: str) -> bytes:
    try:
        data = value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise _invalid("%s is not valid Unicode text: %s" % (name, e.reason)) from None
    if b"\0" in data:
        raise _invalid("%s contains a NUL character" % name)
    return data


def _c_string(value: Any, name: str) -> bytes:
    """A str argument as NUL-free UTF-8 bytes for a const char* parameter."""
    if not isinstance(value, str):
        raise TypeError("%s must be str, not %s" % (name, type(value).__name__))
    return _utf8(value, name)


def _credential(value: Any, name: str, variable: str) -> bytes:
    """The account name or key: None or "" (an unset variable, read with os.environ.get) is
    refused with a hint naming the variable, before the library's own checks."""
    if value is None or value == "":
        raise _invalid("%s is empty%s: when it comes from os.environ.get(%r), %s is not set in "
                       "this process (a service, cron job or container may not pass the "
                       "environment on: set it there)"
                       % (name, " (None)" if value is None else "", variable, variable))
    return _c_string(value, name)


def _c_path(value: Any, name: str) -> bytes:
    """A str, bytes or os.PathLike file name as NUL-free bytes."""
    try:
        path = os.fspath(value)
    except TypeError:
        raise TypeError("%s must be a path (str or os.PathLike), not %s"
                        % (name, type(value).__name__)) from None
    if isinstance(path, bytes):
        if b"\0" in path:
            raise _invalid("%s contains a NUL character" % name)
        return path
    return _utf8(path, name)


class _HasDecimal(Exception):
    """json.dumps met a Decimal: the body goes through _jsontext.dumps instead."""


def _no_decimal(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        raise _HasDecimal()
    if isinstance(value, (datetime.date, datetime.time)):
        raise TypeError("a %s cannot go into a request body as it is: write it in the form the "
                        "field documents (docs/api.md); create_invoice, create_move and "
                        "create_order convert their own date fields" % type(value).__name__)
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


# One encoder for every call: json.dumps with options builds a new one each time.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                            default=_no_decimal)


def _as_dict(value: Mapping[str, Any]) -> Dict[str, Any]:
    """A mapping as the dict json encodes; a dict as it is (no copy per call)."""
    return value if type(value) is dict else dict(value)


def _json_text(value: Any, name: str) -> bytes:
    """A Python value as compact UTF-8 JSON text (non-ASCII kept as is). decimal.Decimal goes
    out as its exact decimal text (Decimal("12.50") -> 12.50), never through a float; NaN and
    infinities are refused, Decimal or float."""
    try:
        try:
            text = _ENCODER.encode(value)
        except _HasDecimal:
            text = _jsontext.dumps(value)
    except (TypeError, ValueError, RecursionError) as e:
        raise _invalid("%s cannot be sent as JSON: %s" % (name, e)) from None
    return _utf8(text, name)


def _milliseconds(seconds: Any, name: str) -> int:
    if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real):
        raise TypeError("%s must be a number of seconds, not %s" % (name, type(seconds).__name__))
    value = float(seconds)
    if not math.isfinite(value) or value <= 0:
        raise _invalid("%s must be a positive number of seconds, not %r" % (name, seconds))
    if value * 1000 >= _C_LONG_MAX:
        raise _invalid("%s is too large: %r s" % (name, seconds))
    return max(1, int(round(value * 1000)))


def _integer(value: Any, name: str, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError("%s must be an int, not %s" % (name, type(value).__name__))
    number = int(value)
    if not -limit - 1 <= number <= limit:
        raise _invalid("%s is out of range: %d" % (name, number))
    return number


def _id(value: Any, name: str) -> int:
    """An id or timestamp for a long long parameter (the library checks its range)."""
    return _integer(value, name, _C_LONGLONG_MAX)


def _json_object(value: Any, name: str) -> bytes:
    if not isinstance(value, Mapping):
        raise TypeError("%s must be a mapping, not %s" % (name, type(value).__name__))
    return _json_text(dict(value), name)


Day = Union[str, datetime.date]
Moment = Union[str, datetime.date, datetime.datetime]


def _day(value: Any, name: str) -> bytes:
    """A calendar day, "YYYY-MM-DD" or a datetime.date (not a datetime: say which day)."""
    if isinstance(value, datetime.datetime):
        raise TypeError("%s is a day: pass a datetime.date or \"YYYY-MM-DD\", not a datetime"
                        % name)
    if isinstance(value, datetime.date):
        return value.isoformat().encode("ascii")
    return _c_string(value, name)


def _moment(value: Any, name: str) -> bytes:
    """An ISO 8601 date or time: a str, a datetime.date or a datetime.datetime."""
    if isinstance(value, datetime.datetime):
        if value.microsecond:
            raise _invalid("%s has microseconds, which the API does not take: %r" % (name, value))
        spec = "minutes" if not value.second else "seconds"
        return value.isoformat(timespec=spec).encode("ascii")
    if isinstance(value, datetime.date):
        return value.isoformat().encode("ascii")
    return _c_string(value, name)


Timestamp = Union[int, datetime.date, datetime.datetime]


def _utc(value: datetime.datetime) -> datetime.datetime:
    """A datetime in UTC: an aware one converted, a naive one taken as UTC already (the API's
    dates are UTC; docs/api.md)."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)


def _ts(value: Any, name: str) -> int:
    """An update feed's ts: Unix seconds (0: everything), or a datetime (naive = UTC; the
    second it falls in, so that nothing after it is missed) or a date (its midnight, UTC)."""
    if isinstance(value, datetime.datetime):
        return int(_utc(value).replace(microsecond=0).timestamp())
    if isinstance(value, datetime.date):
        return int(datetime.datetime(value.year, value.month, value.day,
                                     tzinfo=datetime.timezone.utc).timestamp())
    return _id(value, name)


def _document_date(value: Any, name: str) -> Any:
    """A storage document's date: a datetime becomes "YYYY-MM-DD HH:MM" in UTC (naive = UTC);
    seconds would be lost, so a datetime with seconds is refused. Text goes as it is (the
    library checks its form)."""
    if isinstance(value, datetime.datetime):
        if value.second or value.microsecond:
            raise _invalid("%s is a date to the minute (\"YYYY-MM-DD HH:MM\", UTC): %r has seconds, "
                           "which would be lost" % (name, value))
        return _utc(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        raise _invalid("%s needs a time of day (\"YYYY-MM-DD HH:MM\", UTC): pass a datetime, "
                       "not the date %s" % (name, value.isoformat()))
    return value


def _order_time(value: Any, name: str) -> Any:
    """An order's created_at / started_at: a datetime becomes "YYYY-MM-DDTHH:MM:SS" in UTC
    (naive = UTC), the form of the documentation's sample; microseconds are refused."""
    if isinstance(value, datetime.datetime):
        if value.microsecond:
            raise _invalid("%s has microseconds, which the API does not take: %r" % (name, value))
        return _utc(value).strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, datetime.date):
        raise _invalid("%s needs a time of day: pass a datetime, not the date %s"
                       % (name, value.isoformat()))
    return value


def _with_dates(document: Any, name: str) -> Any:
    """An invoice or a move with its "date" converted when it is a datetime."""
    if isinstance(document, Mapping) and "date" in document:
        converted = _document_date(document["date"], name + ".date")
        if converted is not document["date"]:
            return dict(document, date=converted)
    return document


def _order_with_times(order: Any) -> Any:
    if not isinstance(order, Mapping) or not isinstance(order.get("bill"), Mapping):
        return order
    bill = dict(order["bill"])
    for key in ("created_at", "started_at"):
        if key in bill:
            bill[key] = _order_time(bill[key], "order.bill." + key)
    return dict(order, bill=bill)


def _error(lib: _native.Library, status: Optional[int]) -> CaffestaError:
    """The exception for a failed call; must run right after it, on the same thread.

    status None is for caffesta_client_new, which returns NULL instead of a status: its
    failures are INVALID_ARGUMENT (validation) or NO_MEMORY ("out of memory").
    """
    raw = lib.caffesta_last_error()
    http_status = int(lib.caffesta_last_http_status())
    last_delivery = getattr(lib, "caffesta_last_delivery", None)  # a 1.1 library has none
    delivery = _native.Delivery.NAMES.get(int(last_delivery()) if last_delivery else 0, "not_sent")
    message = raw.decode("utf-8", "replace") if raw else ""
    if status is None:
        status = (_native.Status.ERR_NO_MEMORY if "out of memory" in message
                  else _native.Status.ERR_INVALID_ARGUMENT)
    name = lib.caffesta_status_name(status).decode("ascii", "replace")
    cls = ERROR_CLASSES.get(status, CaffestaError)
    return cls(message or name, status=name, code=status, http_status=http_status, delivery=delivery)


def _free(lib: _native.Library, pointer: Any) -> None:
    lib.caffesta_client_free(pointer)


class Client:
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
    products, menu imports, delivery orders, update feeds, sales exports). They return the
    answer's payload (the "data" of the envelope) as Python objects.

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

    def _error_for(self, status: int) -> CaffestaError:
        return _error(self._lib, status)

    def _check(self, status: int) -> None:
        if status != _native.Status.OK:
            raise _error(self._lib, status)

    def _take_bytes(self, status: int, out: c_void_p) -> bytes:
        """Reads and frees the char* a call handed out; raises the call's error instead."""
        lib = self._lib
        if status != _native.Status.OK:
            error = _error(lib, status)
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

    def _take_json(self, status: int, out: c_void_p) -> Any:
        """Reads and frees the char* a call handed out, then parses it as JSON."""
        lib = self._lib
        data = self._take_bytes(status, out)
        try:
            if not data.strip():
                return None
            return json.loads(data.decode("utf-8"), parse_float=self._parse_float)
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise _error_from_python("the answer is not valid JSON: %s" % e, _native.Status.ERR_PROTOCOL,
                                     lib, lib.caffesta_last_http_status()) from None

    def _json_call(self, name: str, *args: Any) -> Any:
        """Calls a function whose last parameter is char **result_json."""
        function = getattr(self._lib, name)
        out = c_void_p()
        with self._using() as pointer:
            status = function(pointer, *args, byref(out))
            return self._take_json(status, out)

    def _id_call(self, name: str, *args: Any) -> int:
        """Calls a function whose last parameter is long long *id."""
        function = getattr(self._lib, name)
        out = c_longlong()
        with self._using() as pointer:
            self._check(function(pointer, *args, byref(out)))
        return int(out.value)

    def _plain_call(self, name: str, *args: Any) -> None:
        function = getattr(self._lib, name)
        with self._using() as pointer:
            self._check(function(pointer, *args))

    # ---- calls -----------------------------------------------------------------------------

    def auth_test(self) -> None:
        """Checks the API key (GET /a/v1.0/storage/test); AuthenticationError if it is wrong."""
        with self._using() as pointer:
            self._check(self._lib.caffesta_auth_test(pointer))

    def upsert_product(self, product: Mapping[str, Any]) -> Dict[str, Any]:
        """Creates the product, or updates the one with the same ref_code.

        ``product`` is a product body as docs/api.md describes it (``ref_code`` required). Returns
        ``{"id": int, "ref_code": str, "action": "created" | "updated"}``.
        """
        if not isinstance(product, Mapping):
            raise TypeError("product must be a mapping, not %s" % type(product).__name__)
        body = _json_text(_as_dict(product), "product")
        out = c_void_p()
        with self._using() as pointer:
            status = self._lib.caffesta_product_upsert(pointer, body, byref(out))
            result: Dict[str, Any] = self._take_json(status, out)
        return result

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Sends any request and returns the answer's JSON body (the whole envelope).

        ``method`` is "GET", "POST", "PUT", "PATCH" or "DELETE"; ``path`` starts with '/' and is
        relative to the base URL (percent-encode ref_codes with quote_segment()); ``body`` is
        any JSON-serialisable value, or None for no body. Errors are classified like every
        other call: a body that says error raises ApiError, and so on.
        """
        method_bytes = _c_string(method, "method")
        path_bytes = _c_string(path, "path")
        body_bytes = _json_text(body, "body") if body is not None else None
        out = c_void_p()
        with self._using() as pointer:
            status = self._lib.caffesta_request(pointer, method_bytes, path_bytes, body_bytes,
                                                byref(out))
            return self._take_json(status, out)

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

    def _take_text(self, status: int, out: c_void_p) -> str:
        """Reads and frees the char* a call handed out, as UTF-8 text."""
        return self._take_bytes(status, out).decode("utf-8", "replace")

    # ---- bulk catalog sync ---------------------------------------------------------------------

    def upsert_products(
        self,
        products: Iterable[Mapping[str, Any]],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: Optional[Callable[[int, int], None]] = None,
    ) -> List[Dict[str, Any]]:
        """Upserts many products as upsert_product() does one, with up to ``concurrency`` (1 to
        64) requests in flight on a worker thread.

        Returns the report: one entry per product, in input order, either
        ``{"ref_code", "action": "created" | "updated", "id"}`` or ``{"ref_code",
        "action": "failed", "status": "CAFFESTA_ERR_...", "message", "http_status"?}``. Failed
        items do not raise: check the actions. Products that are not valid (no ref_code, say)
        fail alone, without a request. ``progress(done, total)`` is called on this thread after
        each finished item; it may use the client, a nested upsert_products() included.

        Stopping: Ctrl-C (KeyboardInterrupt), or an exception raised by ``progress``, cancels the
        batch at once — no further item is sent, the requests in flight finish — and that
        exception propagates with ``.report`` attached (items never sent have
        ``"action": "cancelled"``). The call waits at most half a second for the requests in
        flight; if their answers are still outstanding then, ``.report`` is None and
        ``.wait_report(timeout=None)`` returns the report once they have come. ``cancel()``
        from another thread makes this raise CancelledError, whose ``.report`` is the report.
        """
        items = list(products)
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise TypeError("products[%d] must be a mapping, not %s"
                                % (index, type(item).__name__))
        body = _json_text([_as_dict(item) for item in items], "products")
        workers = _integer(concurrency, "concurrency", _C_INT_MAX)
        if progress is not None and not callable(progress):
            raise TypeError("progress must be callable")
        pointer = self._acquire()
        handed_over = False
        try:
            if progress is not None:
                self._install_progress(pointer)
            handed_over = True  # the worker releases the client when the C call has ended
            return _bulk.run(self, pointer, body, workers, progress)
        finally:
            if not handed_over:
                self._release()

    def _install_progress(self, pointer: Any) -> None:
        """Installs, once per client, a C callback that hands progress to the waiting thread.

        The library calls it on the worker thread that runs the bulk call; a thread-local tells
        which call's queue it belongs to when several calls share the client.
        """
        with self._cond:
            if self._progress_installed:
                return
            local = self._progress_local

            def trampoline(user_data: Any, done: int, total: int) -> None:
                events = getattr(local, "queue", None)
                if events is not None:
                    events.put((done, total))

            self._progress_trampoline = _native.caffesta_progress_fn(trampoline)  # kept alive
            self._check(self._lib.caffesta_client_set_progress(
                pointer, self._progress_trampoline, None))
            self._progress_installed = True

    # ---- storages ----------------------------------------------------------------------------

    def list_storages(self) -> List[Dict[str, Any]]:
        """The account's storages, ordered by their position in the answer:
        ``[{"id": 7, "name": "Общий склад", "label": "(id:7) Общий склад", "position": 2}]``.
        ``id`` is the N of the label's "(id:N)" (the id every storage call takes), or None when
        the label has none; it is never the answer's key, which is only a position."""
        result: List[Dict[str, Any]] = self._json_call("caffesta_storages_list")
        return result

    def get_storage_stock(self, storage_id: int) -> List[Dict[str, Any]]:
        """The stock on one storage: ``[{id, name, measure, cost, summ, balance}]``
        (numbers come as strings, as the API sends them)."""
        result: List[Dict[str, Any]] = self._json_call("caffesta_storage_stock",
                                                        _id(storage_id, "storage_id"))
        return result

    # ---- incoming invoices and moves -----------------------------------------------------------

    def create_invoice(self, invoice: Mapping[str, Any]) -> int:
        """Creates an incoming invoice, NOT wired (no stock moves until wire_invoice()), and
        returns its id. ``date`` is "YYYY-MM-DD HH:MM" in UTC, or a datetime (converted to UTC;
        a naive one is taken as UTC); the ``number`` you send comes back as the invoice's
        ``name``. Amounts and prices may be decimal.Decimal (sent as their exact text).

        Not idempotent: every call makes a new document, and once the body may have reached the
        server it is not resent, so a NetworkError or CaffestaTimeoutError means "check with
        list_invoices() before trying again".
        """
        return self._id_call("caffesta_invoice_create",
                             _json_object(_with_dates(invoice, "invoice"), "invoice"))

    def wire_invoice(self, invoice_id: int) -> None:
        """Posts (wires) an invoice: its stock arrives on the storage."""
        self._plain_call("caffesta_invoice_wire", _id(invoice_id, "invoice_id"))

    def unwire_invoice(self, invoice_id: int) -> None:
        """Unposts (unwires) an invoice."""
        self._plain_call("caffesta_invoice_unwire", _id(invoice_id, "invoice_id"))

    def list_invoices(self, start_date: Day) -> List[Dict[str, Any]]:
        """Invoices dated on or after start_date ("YYYY-MM-DD" or a datetime.date), as
        summaries without items: ``[{id, name, total_amount, total_wo_nds, total_nds_sum, type,
        shipper, created_at, created_by, updated_at, updated_by, storage, status, finished,
        doc_date, paid}]``. ``status`` is "wired" or "not_wired" ("unwired" in older answers
        means "not_wired")."""
        result: List[Dict[str, Any]] = self._json_call("caffesta_invoices_list",
                                                        _day(start_date, "start_date"))
        return result

    def get_invoice(self, invoice_id: int) -> Dict[str, Any]:
        """One invoice with its items, products, packages (``deleted``, ``hidden``), shipper
        (``ref_code``), storage, ``updated_by`` and status "wired" or "not_wired" (or
        "unwired", the older word for it)."""
        result: Dict[str, Any] = self._json_call("caffesta_invoice_get",
                                                  _id(invoice_id, "invoice_id"))
        return result

    def create_move(self, move: Mapping[str, Any]) -> int:
        """Creates a move between storages and returns its id; not idempotent, like
        create_invoice()."""
        return self._id_call("caffesta_move_create", _json_object(_with_dates(move, "move"), "move"))

    def wire_move(self, move_id: int) -> None:
        """Posts (wires) a move."""
        self._plain_call("caffesta_move_wire", _id(move_id, "move_id"))

    def unwire_move(self, move_id: int) -> None:
        """Unposts (unwires) a move."""
        self._plain_call("caffesta_move_unwire", _id(move_id, "move_id"))

    # ---- products ------------------------------------------------------------------------------

    def get_product(self, ref_code: str) -> Dict[str, Any]:
        """Reads a product by ref_code; NotFoundError if there is none."""
        result: Dict[str, Any] = self._json_call("caffesta_product_get",
                                                  _c_string(ref_code, "ref_code"))
        return result

    def update_product(self, product_id: int, fields: Mapping[str, Any]) -> Any:
        """Writes the given fields of the product with this Caffesta id; NotFoundError if none."""
        return self._json_call("caffesta_product_update", _id(product_id, "product_id"),
                               _json_object(fields, "fields"))

    def update_product_by_ref_code(self, ref_code: str, fields: Mapping[str, Any]) -> Any:
        """Writes the given fields of the product with this ref_code; NotFoundError if none."""
        return self._json_call("caffesta_product_update_by_ref_code",
                               _c_string(ref_code, "ref_code"), _json_object(fields, "fields"))

    def import_menu(self, menu: Mapping[str, Any]) -> Any:
        """Imports the WHOLE menu: every product the body does not list is REMOVED from the
        menu. To add and update without removing anything, use import_menu_part()."""
        return self._json_call("caffesta_menu_import", _json_object(menu, "menu"))

    def import_menu_part(self, menu: Mapping[str, Any]) -> Any:
        """Imports part of the menu: adds and updates the listed items, removes nothing."""
        return self._json_call("caffesta_menu_import_part", _json_object(menu, "menu"))

    # ---- delivery orders -----------------------------------------------------------------------

    def submit_order(self, order: Mapping[str, Any]) -> Dict[str, Any]:
        """Sends a delivery order (``{"bill": {...}}``). Returns
        ``{"job_id": None, "status": "success", "uuid": "..."}`` when the server made it at once
        (the default path, /a/v1.1/draft/receipts), or ``{"job_id": N, "status": "pending",
        "uuid": None}`` when it answers with a job; pass either to wait_for_order().
        ApiError when the server answers status "failed" (its reason is the message).
        ``bill.created_at`` and ``bill.started_at`` may be datetimes (sent as
        "YYYY-MM-DDTHH:MM:SS" in UTC; a naive one is taken as UTC).
        Not idempotent: not resent once it may have reached the server."""
        result: Dict[str, Any] = self._json_call("caffesta_order_submit",
                                                  _json_object(_order_with_times(order), "order"))
        return result

    def create_order(self, order: Mapping[str, Any]) -> int:
        """The older form of submit_order(): returns the job id to poll, or 0 when the server
        made the order at once (its UUID is then only in submit_order()'s result)."""
        return self._id_call("caffesta_order_create", _json_object(_order_with_times(order), "order"))

    def get_order_job_status(self, job_id: int) -> Dict[str, Any]:
        """``{"job_id", "status": "pending" | "success" | "failed", "message"}``."""
        result: Dict[str, Any] = self._json_call("caffesta_order_job_status",
                                                  _id(job_id, "job_id"))
        return result

    def wait_for_order(self, order: Union[int, Mapping[str, Any]],
                       timeout: float = 60.0) -> Dict[str, Any]:
        """Waits until the order is made. ``order`` is submit_order()'s result: an order
        made at once comes back without a request, a pending job is polled; the answer is
        ``{"job_id", "status": "success", "uuid"}``. A job id (create_order()'s int) is polled
        and the final job comes back (``message`` is the order's UUID). ApiError when the job
        failed, CaffestaTimeoutError when still pending after ``timeout`` seconds."""
        if isinstance(order, Mapping):
            result: Dict[str, Any] = self._json_call(
                "caffesta_order_wait_submitted", _json_object(order, "order"),
                _milliseconds(timeout, "timeout"))
            return result
        result = self._json_call("caffesta_order_wait", _id(order, "job_id"),
                                 _milliseconds(timeout, "timeout"))
        return result

    def get_receipt_info(self, order_uuid: str) -> List[Dict[str, Any]]:
        """The receipts of an order, by the UUID a successful job gives."""
        result: List[Dict[str, Any]] = self._json_call("caffesta_receipt_info",
                                                        _c_string(order_uuid, "order_uuid"))
        return result

    # ---- update feeds (ts = 0: everything) -----------------------------------------------------

    def get_updates(self, pos_id: int) -> Dict[str, int]:
        """One Unix timestamp per section: ``{"categories", "products", "balances", ...}``."""
        result: Dict[str, int] = self._json_call("caffesta_updates_get", _id(pos_id, "pos_id"))
        return result

    def get_products_page(self, pos_id: int, start_id: int = 0, ts: Timestamp = 0) -> Dict[str, Any]:
        """One keyset page of products changed since ts: ``{"items": [...], "next_start_id"}``;
        pass next_start_id back as start_id until it is None."""
        result: Dict[str, Any] = self._json_call(
            "caffesta_products_page", _id(pos_id, "pos_id"), _id(start_id, "start_id"),
            _ts(ts, "ts"))
        return result

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

    def get_all_products(self, pos_id: int, ts: Timestamp = 0) -> List[Dict[str, Any]]:
        """Every product changed since ts, all pages followed."""
        result: List[Dict[str, Any]] = self._json_call(
            "caffesta_products_all", _id(pos_id, "pos_id"), _ts(ts, "ts"))
        return result

    def get_balances(self, pos_id: int, ts: Timestamp = 0) -> List[Dict[str, Any]]:
        """Stock balances changed since ts."""
        result: List[Dict[str, Any]] = self._json_call(
            "caffesta_balances_get", _id(pos_id, "pos_id"), _ts(ts, "ts"))
        return result

    def get_clients(self, ts: Timestamp = 0) -> List[Dict[str, Any]]:
        """Loyalty clients changed since ts."""
        result: List[Dict[str, Any]] = self._json_call("caffesta_clients_get", _ts(ts, "ts"))
        return result

    def get_product_shop_data(self, pos_id: int, ts: Timestamp = 0) -> List[Dict[str, Any]]:
        """Per-shop price, stop list and availability changed since ts."""
        result: List[Dict[str, Any]] = self._json_call(
            "caffesta_product_shop_data_get", _id(pos_id, "pos_id"), _ts(ts, "ts"))
        return result

    def get_categories(self) -> List[Dict[str, Any]]:
        result: List[Dict[str, Any]] = self._json_call("caffesta_categories_get")
        return result

    def get_workspaces(self) -> List[Dict[str, Any]]:
        result: List[Dict[str, Any]] = self._json_call("caffesta_workspaces_get")
        return result

    def get_taxes(self) -> List[Dict[str, Any]]:
        result: List[Dict[str, Any]] = self._json_call("caffesta_taxes_get")
        return result

    def get_modifier_groups(self) -> List[Dict[str, Any]]:
        result: List[Dict[str, Any]] = self._json_call("caffesta_modifier_groups_get")
        return result

    def sync_changes(self, pos_id: int, known: Optional[Mapping[str, Any]] = None
                     ) -> Dict[str, Any]:
        """Fetches only what changed since the last sync.

        ``known`` is the "timestamps" of the previous result (None the first time). Returns
        ``{"timestamps": {...}, "changed": [sections], "data": {section: feed}}``; keep
        "timestamps" and pass it next time.
        """
        known_json = _json_object(known, "known") if known is not None else b"{}"
        result: Dict[str, Any] = self._json_call("caffesta_sync_changes", _id(pos_id, "pos_id"),
                                                  known_json)
        return result

    # ---- sales exports -------------------------------------------------------------------------

    def _sales(self, name: str, start: Optional[Moment], end: Optional[Moment],
               shift_day: Optional[Day], group_by_terminal: bool) -> List[Dict[str, Any]]:
        if not isinstance(group_by_terminal, bool):
            raise _invalid("group_by_terminal must be True or False")
        result: List[Dict[str, Any]] = self._json_call(
            name + "_grouped",
            _moment(start, "start") if start is not None else None,
            _moment(end, "end") if end is not None else None,
            _day(shift_day, "shift_day") if shift_day is not None else None,
            b"terminal_id" if group_by_terminal else None)
        return result

    def get_sales_by_product(self, *, start: Optional[Moment] = None,
                             end: Optional[Moment] = None,
                             shift_day: Optional[Day] = None,
                             group_by_terminal: bool = False) -> List[Dict[str, Any]]:
        """Sales grouped by POS, price and product: ``[{caf_terminal_id, caf_id, name, ref_code,
        price, qnt, deleted, cash, card, cashless, bonus, credit, total_pay}]`` (values as the
        server writes them, strings). Give start and end (ISO 8601 strings, dates or datetimes;
        without a zone the account's zone applies), or shift_day alone.
        ``group_by_terminal=True`` asks for one row per terminal (``add_gr_by=terminal_id``)."""
        return self._sales("caffesta_sales_by_product", start, end, shift_day, group_by_terminal)

    def get_sales_by_pos(self, *, start: Optional[Moment] = None, end: Optional[Moment] = None,
                         shift_day: Optional[Day] = None,
                         group_by_terminal: bool = False) -> List[Dict[str, Any]]:
        """Sales grouped by POS: ``[{qnt, caf_terminal_id (None possible), cafe_workspace_id,
        cash, card, cashless, credit, discount, total_pay}]``; the same arguments as
        get_sales_by_product()."""
        return self._sales("caffesta_sales_by_pos", start, end, shift_day, group_by_terminal)

    def get_receipts_by_shift_day(self, terminal_id: int, date: Day) -> List[Dict[str, Any]]:
        """Every receipt of one shift day of one terminal, ungrouped: ``[{id, terminal_number,
        type, income (1 or -1), ..., bill_dishes [{id, parent_id, count, weight, dish
        {ref_code, ...}, ...}]}]``; receipts carry no client."""
        result: List[Dict[str, Any]] = self._json_call(
            "caffesta_receipts_by_shift_day", _id(terminal_id, "terminal_id"),
            _day(date, "date"))
        return result

def _error_from_python(message: str, code: int, lib: _native.Library,
                       http_status: int = 0) -> CaffestaError:
    name = lib.caffesta_status_name(code).decode("ascii", "replace")
    return ERROR_CLASSES.get(code, CaffestaError)(message, status=name, code=code,
                                                  http_status=http_status)
