"""Wire format shared by every area: JSON in and out, numbers as the API writes them, envelopes."""

import json
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from .settings import ACCOUNT_TZ


def iso(ts):
    if ts is None:
        return None
    return datetime.fromtimestamp(int(ts), ACCOUNT_TZ).isoformat()


def num(x):
    """A JSON number: an int when integral."""
    if x is None:
        return None
    x = float(x)
    if x.is_integer() and abs(x) < 2**53:
        return int(x)
    return round(x, 6)


def fixed(x, digits):
    """A fixed-point string, rounded half up on the shortest decimal form (0.475 → "0.48")."""
    d = Decimal(repr(float(x or 0))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    s = "%.*f" % (digits, d)
    if s.startswith("-") and float(s) == 0:
        s = s[1:]
    return s


def compact(x):
    s = fixed(x, 4)
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def fmt_balance(x, measure):
    x = float(x or 0)
    if measure == "pcs" and x.is_integer():
        return compact(x)
    return fixed(x, 3)


def fmt_summ(x):
    x = float(x or 0)
    return "0" if abs(x) < 0.005 else fixed(x, 2)


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _reject_constant(name):
    raise ValueError("%s is not valid JSON" % name)


def loads(data):
    """Strict JSON: UTF-8, no NaN/Infinity. Raises ValueError."""
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    return json.loads(data, parse_constant=_reject_constant)


def ok(data=None, with_data=True):
    """Envelope 1: {"success": true, "data": ...} (or {"success": true} alone)."""
    if not with_data:
        return {"success": True}
    return {"success": True, "data": data}


def feed(data):
    """Envelope 3, the update feeds: {"code": "ok", "data": ...}."""
    return {"code": "ok", "data": data}
