"""Raw ctypes declarations of include/caffesta.h, and the loader that finds the library.

This module is the only place that knows the C signatures. Every function of the header is
declared with its argtypes and restype, so that a call with a wrong type fails in Python with
ctypes.ArgumentError instead of reaching C. Nothing here raises CaffestaError or converts
strings: that is the job of caffesta._client.

Ownership, as the header says:
  * strings the library hands out (the char** outputs of caffesta_product_upsert and
    caffesta_request) are declared as c_void_p, so that ctypes never copies them into a
    Python bytes object and loses the pointer; read them with ctypes.string_at() and free
    them exactly once with caffesta_string_free();
  * caffesta_last_error, caffesta_status_name and caffesta_version return static or
    thread-local storage that must not be freed: they are declared c_char_p.
"""

from __future__ import annotations

import ctypes
import os
import threading
import warnings
from ctypes import POINTER, c_char_p, c_int, c_long, c_longlong, c_void_p
from typing import List, Optional

__all__ = [
    "ENV_VAR",
    "SONAME",
    "LibraryNotFoundError",
    "caffesta_client",
    "caffesta_client_p",
    "load",
    "Status",
]

ENV_VAR = "CAFFESTA_LIBRARY"
SONAME = "libcaffesta.so.1"
SUPPORTED_MAJOR = 1


class LibraryNotFoundError(OSError):
    """libcaffesta could not be loaded; the message says what was tried and how to fix it."""


LibraryNotFoundError.__module__ = "caffesta"


class caffesta_client(ctypes.Structure):
    """The opaque struct caffesta_client; only pointers to it are ever used."""


caffesta_client_p = POINTER(caffesta_client)

# caffesta_status is a C enum: an int.
caffesta_status = c_int


class Status:
    """The values of enum caffesta_status."""

    OK = 0
    ERR_INVALID_ARGUMENT = 1
    ERR_NETWORK = 2
    ERR_TIMEOUT = 3
    ERR_TLS = 4
    ERR_UNAUTHORIZED = 5
    ERR_NOT_FOUND = 6
    ERR_RATE_LIMITED = 7
    ERR_SERVER = 8
    ERR_API = 9
    ERR_PROTOCOL = 10
    ERR_HTTP = 11
    ERR_NO_MEMORY = 12
    ERR_INTERNAL = 13


# name: (restype, argtypes) — in the order of include/caffesta.h.
PROTOTYPES = {
    # ---- Client ----
    "caffesta_client_new": (caffesta_client_p, [c_char_p, c_char_p]),
    "caffesta_client_free": (None, [caffesta_client_p]),
    "caffesta_client_set_base_url": (caffesta_status, [caffesta_client_p, c_char_p]),
    "caffesta_client_set_timeouts": (caffesta_status, [caffesta_client_p, c_long, c_long]),
    "caffesta_client_set_max_retries": (caffesta_status, [caffesta_client_p, c_int]),
    "caffesta_client_set_ca_file": (caffesta_status, [caffesta_client_p, c_char_p]),
    "caffesta_client_set_max_response_size": (caffesta_status, [caffesta_client_p, c_longlong]),
    # ---- Calls ----
    "caffesta_auth_test": (caffesta_status, [caffesta_client_p]),
    "caffesta_product_upsert": (caffesta_status, [caffesta_client_p, c_char_p, POINTER(c_void_p)]),
    "caffesta_request": (
        caffesta_status,
        [caffesta_client_p, c_char_p, c_char_p, c_char_p, POINTER(c_void_p)],
    ),
    # ---- Errors, memory, version ----
    "caffesta_last_error": (c_char_p, []),
    "caffesta_last_http_status": (c_int, []),
    "caffesta_status_name": (c_char_p, [caffesta_status]),
    "caffesta_string_free": (None, [c_void_p]),
    "caffesta_version": (c_char_p, []),
}


def declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    """Sets argtypes and restype of every header function on lib; AttributeError if one is missing."""
    for name, (restype, argtypes) in PROTOTYPES.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None

_HOW_TO_FIX = (
    "To fix it, either set {env} to the full path of {soname} (in a source tree: "
    "`make stage`, then {env}=<repo>/build/stage/lib/{soname}), or install the library "
    "(`make install`, then `ldconfig`) so that the system loader finds it, or add its "
    "directory to LD_LIBRARY_PATH."
).format(env=ENV_VAR, soname=SONAME)


def _open(path: str) -> ctypes.CDLL:
    lib = ctypes.CDLL(path)
    try:
        declare(lib)
    except AttributeError as e:
        raise OSError("%s is not libcaffesta %d.x: %s" % (path, SUPPORTED_MAJOR, e)) from None
    version = (lib.caffesta_version() or b"").decode("ascii", "replace")
    if version.split(".")[0] != str(SUPPORTED_MAJOR):
        raise OSError("%s is libcaffesta %s; this binding needs %d.x" % (path, version, SUPPORTED_MAJOR))
    return lib


def load() -> ctypes.CDLL:
    """Loads libcaffesta once per process and returns it with every function declared.

    Tries $CAFFESTA_LIBRARY (a path) first, then the system loader (libcaffesta.so.1).
    Raises LibraryNotFoundError naming every attempt and its reason.
    """
    global _lib
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        tried: List[str] = []
        explicit = os.environ.get(ENV_VAR)
        if explicit:
            try:
                _lib = _open(explicit)
                return _lib
            except OSError as e:
                tried.append("%s=%r: %s" % (ENV_VAR, explicit, e))
        else:
            tried.append("%s is not set" % ENV_VAR)
        try:
            _lib = _open(SONAME)
        except OSError as e:
            tried.append("the system loader, %r: %s" % (SONAME, e))
            raise LibraryNotFoundError(
                "libcaffesta could not be loaded. Tried: " + "; ".join(tried) + ". " + _HOW_TO_FIX
            ) from None
        if explicit:
            warnings.warn(
                "libcaffesta: %s; loaded %s through the system loader instead" % (tried[0], SONAME),
                RuntimeWarning,
                stacklevel=3,
            )
        return _lib
