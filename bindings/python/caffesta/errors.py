"""The exceptions of the caffesta package: one class per caffesta_status of the C library."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple, Type

from ._native import LibraryNotFoundError, Status

__all__ = [
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
    "LibraryNotFoundError",
]


class CaffestaError(Exception):
    """A failed libcaffesta call.

    Attributes:
        status       the status name, e.g. "CAFFESTA_ERR_API".
        code         the numeric caffesta_status.
        http_status  the HTTP status of the last answer, 0 when there was none.
        message      the library's message (method, path, HTTP status, the server's text).
        delivery     what became of the request: "not_sent" (nothing reached the server, or it
                     proved it did nothing: safe to send again), "may_have_arrived" (a write may
                     have been applied: check before sending it again) or "answered" (the
                     server answered; the status says how).
        may_have_arrived  delivery == "may_have_arrived".
    """

    #: The caffesta_status this class stands for (None: the base class, or an unknown status).
    status_code: Optional[int] = None

    def __init__(self, message: str, *, status: str = "CAFFESTA_UNKNOWN", code: int = -1,
                 http_status: int = 0, delivery: str = "not_sent") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.http_status = http_status
        self.delivery = delivery

    @property
    def may_have_arrived(self) -> bool:
        """True when the request may have reached the server and no answer says what it did."""
        return self.delivery == "may_have_arrived"

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return "%s(%r, status=%r, http_status=%d, delivery=%r)" % (
            type(self).__name__, self.message, self.status, self.http_status, self.delivery)

    def __reduce__(self) -> Tuple[Any, ...]:  # picklable, e.g. across multiprocessing
        return (_rebuild, (type(self), self.message, self.status, self.code, self.http_status, self.delivery))


def _rebuild(cls: Type[CaffestaError], message: str, status: str, code: int,
             http_status: int, delivery: str = "not_sent") -> CaffestaError:
    return cls(message, status=status, code=code, http_status=http_status, delivery=delivery)


class InvalidArgumentError(CaffestaError, ValueError):
    """CAFFESTA_ERR_INVALID_ARGUMENT: bad input, refused before any request was sent."""

    status_code = Status.ERR_INVALID_ARGUMENT


class NetworkError(CaffestaError, ConnectionError):
    """CAFFESTA_ERR_NETWORK: DNS, connect, connection reset or closed mid-answer."""

    status_code = Status.ERR_NETWORK


class CaffestaTimeoutError(CaffestaError, TimeoutError):
    """CAFFESTA_ERR_TIMEOUT: the connect timeout or the whole call's deadline passed."""

    status_code = Status.ERR_TIMEOUT


class TlsError(CaffestaError):
    """CAFFESTA_ERR_TLS: TLS handshake or certificate verification failed."""

    status_code = Status.ERR_TLS


class AuthenticationError(CaffestaError):
    """CAFFESTA_ERR_UNAUTHORIZED: HTTP 401 or 403, a wrong API key."""

    status_code = Status.ERR_UNAUTHORIZED


class NotFoundError(CaffestaError):
    """CAFFESTA_ERR_NOT_FOUND: HTTP 404."""

    status_code = Status.ERR_NOT_FOUND


class RateLimitError(CaffestaError):
    """CAFFESTA_ERR_RATE_LIMITED: HTTP 429, after the retries."""

    status_code = Status.ERR_RATE_LIMITED


class ServerError(CaffestaError):
    """CAFFESTA_ERR_SERVER: HTTP 5xx, after the retries."""

    status_code = Status.ERR_SERVER


class ApiError(CaffestaError):
    """CAFFESTA_ERR_API: an answer whose body says error (success:false or data.error)."""

    status_code = Status.ERR_API


class ProtocolError(CaffestaError):
    """CAFFESTA_ERR_PROTOCOL: the answer is not the JSON it should be, or is too large."""

    status_code = Status.ERR_PROTOCOL


class HttpError(CaffestaError):
    """CAFFESTA_ERR_HTTP: any other HTTP status."""

    status_code = Status.ERR_HTTP


class NoMemoryError(CaffestaError, MemoryError):
    """CAFFESTA_ERR_NO_MEMORY: the library ran out of memory."""

    status_code = Status.ERR_NO_MEMORY


class InternalError(CaffestaError):
    """CAFFESTA_ERR_INTERNAL: a bug in the library."""

    status_code = Status.ERR_INTERNAL


class PartialError(CaffestaError):
    """CAFFESTA_ERR_PARTIAL: a bulk call in which some items failed.

    Client.upsert_products() does not raise it: it returns the report, whose failed entries
    have "action": "failed". The class exists so that every status has one.
    """

    status_code = Status.ERR_PARTIAL


class ProxyError(CaffestaError, ConnectionError):
    """CAFFESTA_ERR_PROXY: the proxy could not be reached, or refused the request (403, 407)."""

    status_code = Status.ERR_PROXY


class CancelledError(CaffestaError):
    """CAFFESTA_ERR_CANCELLED: Client.cancel() (caffesta_client_cancel) stopped the call.

    From upsert_products(), ``.report`` is the whole report: items never sent have
    ``"action": "cancelled"``, the others their usual entry. None for other calls.
    """

    status_code = Status.ERR_CANCELLED
    report: Optional[List[Dict[str, Any]]] = None

    def wait_report(self, timeout: Optional[float] = None) -> Optional[List[Dict[str, Any]]]:
        """The report (already complete when this is raised)."""
        return self.report


ERROR_CLASSES: Dict[int, Type[CaffestaError]] = {
    cls.status_code: cls
    for cls in (InvalidArgumentError, NetworkError, CaffestaTimeoutError, TlsError,
                AuthenticationError, NotFoundError, RateLimitError, ServerError, ApiError,
                ProtocolError, HttpError, NoMemoryError, InternalError, PartialError,
                ProxyError, CancelledError)
    if cls.status_code is not None
}
