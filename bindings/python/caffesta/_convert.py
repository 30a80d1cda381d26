"""The Python binding's converters: each turns an argument into what its C parameter takes
(NUL-free UTF-8 bytes, JSON text, an int in range), or refuses it before any request, naming the
argument: TypeError for a wrong type, InvalidArgumentError for a wrong value. The generated
endpoint methods (caffesta._endpoints) and the core (caffesta._client) call them."""

from __future__ import annotations

import ctypes
import datetime
import decimal
import json
import math
import numbers
import os
from typing import Any, Dict, Mapping, Optional, Union

from . import _jsontext, _native
from .errors import InvalidArgumentError

StrPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

_C_LONG_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_long) - 1)) - 1
_C_INT_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_int) - 1)) - 1
_C_LONGLONG_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_longlong) - 1)) - 1
_INVALID = "CAFFESTA_ERR_INVALID_ARGUMENT"


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
    """A mapping as the JSON object text of a body."""
    if not isinstance(value, Mapping):
        raise TypeError("%s must be a mapping, not %s" % (name, type(value).__name__))
    return _json_text(_as_dict(value), name)


def _ref_code(value: Any, name: str) -> bytes:
    """A ref_code argument: text. A number is refused with the way to send it: a ref_code is
    the integrator's code as a string, and 1001 and "01001" are two codes."""
    if isinstance(value, numbers.Number):
        raise TypeError("%s must be str, not %s: a ref_code is text; send a number SKU as its "
                        "digits, str(%r)" % (name, type(value).__name__, value))
    return _c_string(value, name)


def _product(value: Any, name: str) -> bytes:
    """A product body: a mapping whose ref_code, when it has one, is text. A number there is
    refused before any request, saying how to send it (as in PHP)."""
    if isinstance(value, Mapping):
        ref_code = value.get("ref_code")
        if isinstance(ref_code, numbers.Number):
            raise _invalid("%s: ref_code must be a string, not the %s %r: a ref_code is text; "
                           "send a number SKU as its digits, \"ref_code\": str(sku)"
                           % (name, type(ref_code).__name__, ref_code))
    return _json_object(value, name)


def _document(value: Any, name: str) -> bytes:
    """An invoice or a move: its "date" converted when it is a datetime."""
    return _json_object(_with_dates(value, name), name)


def _order(value: Any, name: str) -> bytes:
    """A delivery order: bill.created_at and bill.started_at converted when they are datetimes."""
    return _json_object(_order_with_times(value), name)


def _flag(value: Any, name: str, text: bytes) -> Optional[bytes]:
    """A bool argument that sends `text` when true, NULL when false (group_by_terminal)."""
    if not isinstance(value, bool):
        raise _invalid("%s must be True or False" % name)
    return text if value else None


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
    (naive = UTC), the form of the documentation's sample. The API takes whole seconds: a
    fraction of a second (datetime.now() has one) is dropped, never rounded up."""
    if isinstance(value, datetime.datetime):
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
