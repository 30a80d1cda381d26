"""Raw ctypes declarations of include/caffesta.h, and the loader that finds the library.

The C signatures are caffesta._prototypes, generated from api/calls.toml: every function of
the header is declared with its argtypes and restype, so that a call with a wrong type fails in
Python with ctypes.ArgumentError instead of reaching C (ownership of the strings: there). Nothing
here raises CaffestaError or converts strings: that is the job of caffesta._client.
"""

from __future__ import annotations

import ctypes
import os
import threading
from typing import Any, List, Optional

from ._prototypes import (
    PROTOTYPES,
    caffesta_client,
    caffesta_client_p,
    caffesta_log_fn,
    caffesta_progress_fn,
    caffesta_status,
)

__all__ = [
    "ENV_VAR",
    "SONAME",
    "PROTOTYPES",
    "REQUIRED",
    "Library",
    "LibraryNotFoundError",
    "MissingFunctionError",
    "Status",
    "caffesta_client",
    "caffesta_client_p",
    "caffesta_progress_fn",
    "caffesta_log_fn",
    "load",
]

ENV_VAR = "CAFFESTA_LIBRARY"
SONAME = "libcaffesta.so.1"
# The copy a wheel carries (`make dist` puts it there); absent in a source checkout.
BUNDLED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_lib", SONAME)
SUPPORTED_MAJOR = 1


class LibraryNotFoundError(OSError):
    """libcaffesta could not be loaded; the message says what was tried and how to fix it."""


LibraryNotFoundError.__module__ = "caffesta"


class MissingFunctionError(AttributeError):
    """The loaded libcaffesta is older than this binding and lacks a function of the header."""


MissingFunctionError.__module__ = "caffesta"


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
    ERR_PARTIAL = 14
    ERR_PROXY = 15
    ERR_CANCELLED = 16
    PENDING = 17


class Delivery:
    """The values of enum caffesta_delivery, and the words the bindings and bulk reports use."""

    NOT_SENT = 0
    MAY_HAVE_ARRIVED = 1
    ANSWERED = 2
    NAMES = {NOT_SENT: "not_sent", MAY_HAVE_ARRIVED: "may_have_arrived", ANSWERED: "answered"}


# The stable core (docs/design.md, "The C ABI contract") and the client options: a library without
# one of these is refused. The other functions are declared when the library has them; calling
# one it lacks raises MissingFunctionError rather than calling an undeclared symbol.
REQUIRED = frozenset([
    "caffesta_client_new", "caffesta_client_free", "caffesta_client_set_base_url",
    "caffesta_client_set_timeouts", "caffesta_client_set_max_retries",
    "caffesta_client_set_ca_file", "caffesta_client_set_max_response_size",
    "caffesta_auth_test", "caffesta_product_upsert", "caffesta_request",
    "caffesta_last_error", "caffesta_last_http_status", "caffesta_status_name",
    "caffesta_string_free", "caffesta_version",
])


class Library:
    """The loaded library: one declared ctypes function per attribute, named as in the header."""

    def __init__(self, cdll: ctypes.CDLL, path: str) -> None:
        self.cdll = cdll
        self.path = path
        self.declared: List[str] = []
        for name, (restype, argtypes) in PROTOTYPES.items():
            try:
                function = getattr(cdll, name)
            except AttributeError:
                if name in REQUIRED:
                    raise
                continue
            function.restype = restype
            function.argtypes = argtypes
            setattr(self, name, function)
            self.declared.append(name)

    def __getattr__(self, name: str) -> Any:  # reached only for names __init__ did not set
        if name in PROTOTYPES:
            raise MissingFunctionError(
                "%s has no %s(): the library is older than this binding; update libcaffesta"
                % (self.path, name))
        raise AttributeError(name)


_lock = threading.Lock()
_lib: Optional[Library] = None

_HOW_TO_FIX = (
    "To fix it, install the caffesta wheel (it carries the library) or the libcaffesta1 "
    "Debian package, or set {env} to the full path of {soname} (in a source tree: "
    "`make stage`, then {env}=<repo>/build/stage/lib/{soname}), or install the library "
    "(`make install`, then `ldconfig`) so that the system loader finds it, or add its "
    "directory to LD_LIBRARY_PATH."
).format(env=ENV_VAR, soname=SONAME)


def _why_not_loadable(path: str, loader_message: str) -> str:
    """Why a path could not be loaded, in the words the PHP binding uses too: "no such file",
    "a directory", "not readable", else what the dynamic loader said."""
    if "/" in path:
        if os.path.isdir(path):
            return "a directory, not the library file"
        if not os.path.lexists(path):
            return "no such file"
        if not os.path.exists(path):
            return "a broken symbolic link"
        if not os.access(path, os.R_OK):
            return "not readable"
    return "the dynamic loader refused it: %s" % loader_message


def _open(path: str) -> Library:
    try:
        cdll = ctypes.CDLL(path)
    except OSError as e:
        raise OSError(_why_not_loadable(path, str(e))) from None
    try:
        lib = Library(cdll, path)
    except AttributeError as e:
        raise OSError("%s is not libcaffesta %d.x: %s" % (path, SUPPORTED_MAJOR, e)) from None
    version = (lib.caffesta_version() or b"").decode("ascii", "replace")
    if version.split(".")[0] != str(SUPPORTED_MAJOR):
        raise OSError("%s is libcaffesta %s; this binding needs %d.x"
                      % (path, version, SUPPORTED_MAJOR))
    return lib


def load() -> Library:
    """Loads libcaffesta once per process and returns it with every function declared.

    Uses $CAFFESTA_LIBRARY (a path) alone when it is set, else the wheel's own copy
    (caffesta/_lib/libcaffesta.so.1) when there is one, else the system loader
    (libcaffesta.so.1, e.g. from the libcaffesta1 Debian package). Raises
    LibraryNotFoundError naming what was tried and the reason.
    """
    global _lib
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        explicit = os.environ.get(ENV_VAR)
        if explicit:
            # A path that is set is used alone, as in the PHP binding: never silently replaced
            # by another copy of the library.
            try:
                _lib = _open(explicit)
                return _lib
            except OSError as e:
                raise LibraryNotFoundError(
                    "libcaffesta could not be loaded: tried %s=%r: %s. %s"
                    % (ENV_VAR, explicit, e, _HOW_TO_FIX)) from None
        # The wheel's copy is the one its binding was built and tested with; a copy that is there
        # but broken is an error, not a reason to pick up some other libcaffesta.
        path, where = (BUNDLED, "the wheel's copy") if os.path.exists(BUNDLED) else (SONAME, "the system loader")
        try:
            _lib = _open(path)
        except OSError as e:
            raise LibraryNotFoundError(
                "libcaffesta could not be loaded. Tried: %s is not set; %s, %r: %s. %s"
                % (ENV_VAR, where, path, e, _HOW_TO_FIX)) from None
        return _lib
