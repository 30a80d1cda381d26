"""caffesta — a Python client for the Caffesta point-of-sale API, on top of libcaffesta.

    import caffesta
    with caffesta.Client("mycafe", "0123456789abcdef0123456789abcdef") as client:
        client.auth_test()
        print(client.upsert_product({"ref_code": "coffee-latte", "name": "Латте", ...}))

The native library is found through $CAFFESTA_LIBRARY (a path), else the system loader
(libcaffesta.so.1); it is loaded on first use, so importing this package always works.
"""

from ._client import Client, library_version, quote_segment
from ._native import LibraryNotFoundError, MissingFunctionError
from .errors import (
    ApiError,
    AuthenticationError,
    CaffestaError,
    CaffestaTimeoutError,
    CancelledError,
    HttpError,
    InternalError,
    InvalidArgumentError,
    NetworkError,
    NoMemoryError,
    NotFoundError,
    PartialError,
    ProxyError,
    ProtocolError,
    RateLimitError,
    ServerError,
    TlsError,
)

__version__ = "1.1.0"

__all__ = [
    "Client",
    "library_version",
    "quote_segment",
    "CaffestaError",
    "InvalidArgumentError",
    "NetworkError",
    "CaffestaTimeoutError",
    "TlsError",
    "AuthenticationError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "ApiError",
    "ProtocolError",
    "HttpError",
    "NoMemoryError",
    "InternalError",
    "PartialError",
    "CancelledError",
    "ProxyError",
    "LibraryNotFoundError",
    "MissingFunctionError",
    "__version__",
]
