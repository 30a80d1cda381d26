"""The Pythonic client on top of the raw declarations in caffesta._native."""

from __future__ import annotations

import ctypes
import json
import math
import numbers
import os
import threading
import weakref
from contextlib import contextmanager
from ctypes import byref, c_void_p
from typing import Any, Dict, Iterator, Mapping, Optional, Union
from urllib.parse import quote

from . import _native
from .errors import ERROR_CLASSES, CaffestaError, InvalidArgumentError

__all__ = ["Client", "quote_segment", "library_version"]

StrPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

_C_LONG_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_long) - 1)) - 1
_C_INT_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_int) - 1)) - 1
_C_LONGLONG_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_longlong) - 1)) - 1
_INVALID = "CAFFESTA_ERR_INVALID_ARGUMENT"


def library_version() -> str:
    """The version of the loaded libcaffesta, e.g. "1.0.0" (loads the library if needed)."""
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


def _json_text(value: Any, name: str) -> bytes:
    """A Python value as compact UTF-8 JSON text (non-ASCII kept as is)."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
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


def _error(lib: ctypes.CDLL, status: Optional[int]) -> CaffestaError:
    """The exception for a failed call; must run right after it, on the same thread.

    status None is for caffesta_client_new, which returns NULL instead of a status: its
    failures are INVALID_ARGUMENT (validation) or NO_MEMORY ("out of memory").
    """
    raw = lib.caffesta_last_error()
    http_status = int(lib.caffesta_last_http_status())
    message = raw.decode("utf-8", "replace") if raw else ""
    if status is None:
        status = (_native.Status.ERR_NO_MEMORY if "out of memory" in message
                  else _native.Status.ERR_INVALID_ARGUMENT)
    name = lib.caffesta_status_name(status).decode("ascii", "replace")
    cls = ERROR_CLASSES.get(status, CaffestaError)
    return cls(message or name, status=name, code=status, http_status=http_status)


def _free(lib: ctypes.CDLL, pointer: Any) -> None:
    lib.caffesta_client_free(pointer)


class Client:
    """A client of one Caffesta account.

    ``Client("mycafe", "0123...")`` talks to https://mycafe.caffesta.com; ``base_url`` points it
    elsewhere (the emulator, a staging host, a proxy). Timeouts are in seconds: ``timeout`` is the
    deadline of a whole call, retries included; ``connect_timeout`` (capped at ``timeout``) is
    the connect phase. ``max_retries`` (0 to 10) retries only what is safe to resend.
    ``ca_file`` is a PEM file of CA certificates to trust instead of the system's;
    ``max_response_size`` the largest answer accepted, in bytes (1 KiB to 4 GiB, default 64 MiB).

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
        connect_timeout: float = 10.0,
        max_retries: int = 2,
        ca_file: Optional[StrPath] = None,
        max_response_size: Optional[int] = None,
    ) -> None:
        account = _c_string(account_name, "account_name")
        key = _c_string(api_key, "api_key")
        url = _c_string(base_url, "base_url") if base_url is not None else None
        request_ms = _milliseconds(timeout, "timeout")
        connect_ms = min(_milliseconds(connect_timeout, "connect_timeout"), request_ms)
        retries = _integer(max_retries, "max_retries", _C_INT_MAX)
        ca = _c_path(ca_file, "ca_file") if ca_file is not None else None
        max_bytes = (_integer(max_response_size, "max_response_size", _C_LONGLONG_MAX)
                     if max_response_size is not None else None)

        lib = _native.load()
        self._lib = lib
        self._cond = threading.Condition(threading.Lock())
        self._active = 0
        self._pointer = None
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
        with self._cond:
            pointer = self._pointer
            if pointer is None:
                raise _invalid("the client is closed")
            self._active += 1
        try:
            yield pointer
        finally:
            with self._cond:
                self._active -= 1
                if not self._active:
                    self._cond.notify_all()

    def _check(self, status: int) -> None:
        if status != _native.Status.OK:
            raise _error(self._lib, status)

    def _take_json(self, status: int, out: c_void_p) -> Any:
        """Reads and frees the char* a call handed out, then parses it as JSON."""
        lib = self._lib
        if status != _native.Status.OK:
            error = _error(lib, status)
            if out.value:  # the header promises NULL after an error; free it if not
                lib.caffesta_string_free(out)
            raise error
        if not out.value:
            raise _error_from_python("the library returned CAFFESTA_OK without a result",
                                     _native.Status.ERR_INTERNAL, lib)
        http_status = lib.caffesta_last_http_status()
        try:
            data = ctypes.string_at(out.value)
        finally:
            lib.caffesta_string_free(out)
        try:
            return json.loads(data.decode("utf-8")) if data.strip() else None
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise _error_from_python("the answer is not valid JSON: %s" % e,
                                     _native.Status.ERR_PROTOCOL, lib, http_status) from None

    # ---- calls -----------------------------------------------------------------------------

    def auth_test(self) -> None:
        """Checks the API key (GET /a/v1.0/storage/test); AuthenticationError if it is wrong."""
        with self._using() as pointer:
            self._check(self._lib.caffesta_auth_test(pointer))

    def upsert_product(self, product: Mapping[str, Any]) -> Dict[str, Any]:
        """Creates the product, or updates the one with the same ref_code.

        ``product`` is a product body as API.md describes it (``ref_code`` required). Returns
        ``{"id": int, "ref_code": str, "action": "created" | "updated"}``.
        """
        if not isinstance(product, Mapping):
            raise TypeError("product must be a mapping, not %s" % type(product).__name__)
        body = _json_text(dict(product), "product")
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


def _error_from_python(message: str, code: int, lib: ctypes.CDLL,
                       http_status: int = 0) -> CaffestaError:
    name = lib.caffesta_status_name(code).decode("ascii", "replace")
    return ERROR_CLASSES.get(code, CaffestaError)(message, status=name, code=code,
                                                  http_status=http_status)
