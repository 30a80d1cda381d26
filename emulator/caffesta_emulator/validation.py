"""Errors and the checks that read a request body: each error names the field by its path."""

import math
from datetime import datetime, timedelta, timezone


class HttpError(Exception):
    """An answer with a non-200 status and the error envelope."""

    def __init__(self, status, message, headers=()):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = list(headers)


class StartError(Exception):
    """The emulator cannot start: a message for the user, exit status 1."""


class Invalid(Exception):
    """A validation or business error: HTTP 200, {"success": false, "data": {"error": ...}}."""


def not_found(what):
    return HttpError(404, "%s not found" % what)


_KIND_NAMES = {"str": "a string", "int": "an integer", "num": "a number", "bool": "a boolean",
               "obj": "an object", "list": "an array", "code": "a string"}


def check_kind(value, kind):
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) and -2**63 <= value < 2**63
    if kind == "num":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return math.isfinite(value) and abs(value) < 1e15
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "obj":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind == "code":  # a ref_code given as a string, or as a number by some integrators
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    raise AssertionError(kind)


def field(obj, key, path, kind, required=True, nullable=False, default=None):
    """Reads obj[key] with a type check; errors name the field by its full path."""
    name = path + key
    if key not in obj:
        if required:
            raise Invalid("%s is required" % name)
        return default
    value = obj[key]
    if value is None:
        if nullable or not required:
            return None if nullable else default
        raise Invalid("%s must not be null" % name)
    if not check_kind(value, kind):
        raise Invalid("%s must be %s" % (name, _KIND_NAMES[kind]))
    if kind == "code":
        value = str(value)
    return value


def absent(obj, key, path, empty_too=False):
    """The path of obj[key] when it is missing or null (or, with empty_too, a blank string),
    marked "(empty)" for a blank one; None when it is there."""
    value = obj.get(key)
    if value is None:
        return path + key
    if empty_too and isinstance(value, str) and not value.strip():
        return path + key + " (empty)"
    return None


def all_required(paths, why=""):
    """Invalid naming every missing field at once: "a, b and c are required"."""
    paths = [p for p in paths if p]
    if not paths:
        return
    if len(paths) == 1:
        raise Invalid("%s is required%s" % (paths[0], why))
    raise Invalid("%s and %s are required%s" % (", ".join(paths[:-1]), paths[-1], why))


def nonempty(value, name):
    if value is not None and value.strip() == "":
        raise Invalid("%s must not be empty" % name)
    return value


def one_of(value, allowed, name):
    if value is not None and value not in allowed:
        raise Invalid("%s must be one of %s" % (name, ", ".join(str(a) for a in allowed)))
    return value


def non_negative(value, name):
    if value is not None and value < 0:
        raise Invalid("%s must not be negative" % name)
    return value


def objects(obj, key, path, required=False):
    """A list of objects; yields (index, item, item_path)."""
    items = field(obj, key, path, "list", required=required)
    if items is None:
        return []
    out = []
    for i, item in enumerate(items):
        ipath = "%s%s[%d]" % (path, key, i)
        if not isinstance(item, dict):
            raise Invalid("%s must be an object" % ipath)
        out.append((i, item, ipath + "."))
    return out


def parse_doc_date(value, name):
    """Document dates: "2018-06-13 14:28" in UTC."""
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return int(datetime.strptime(value, fmt).replace(tzinfo=timezone.utc).timestamp())
        except ValueError:
            pass
    raise Invalid('%s must be a date like "2018-06-13 14:28"' % name)


def parse_iso(value, name, naive_tz, end_of_day=False):
    """ISO 8601 date or date-time; a date-time without a zone is in naive_tz."""
    s = value.strip()
    if "T" in s and " " in s:  # a "+02:00" whose "+" became a space in a query string
        s = s.replace(" ", "+")
    try:
        if len(s) == 10:
            d = datetime.strptime(s, "%Y-%m-%d").replace(tzinfo=naive_tz)
            if end_of_day:
                d += timedelta(days=1)
            return int(d.timestamp())
        d = datetime.fromisoformat(s[:-1] + "+00:00" if s.endswith("Z") else s)
    except ValueError:
        raise Invalid("%s must be an ISO 8601 date like 2018-11-05 or 2018-11-05T05:00" % name)
    if d.tzinfo is None:
        d = d.replace(tzinfo=naive_tz)
    return int(d.timestamp())


def parse_day(value, name):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date().isoformat()
    except ValueError:
        raise Invalid("%s must be a date like 2022-04-20" % name)
