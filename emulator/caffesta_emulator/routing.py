"""Routing: a request target split into decoded path segments, matched against each area's
route table ("/a/v1.0/draft/store/{id:int}"), and the request as handlers see it (Ctx)."""

from urllib.parse import parse_qs, unquote

from .validation import HttpError, Invalid
from .wire import loads


class Ctx:
    """One API request as the handlers see it."""

    def __init__(self, method, params, query, body):
        self.method = method
        self.params = params
        self.query = query
        self.body = body

    def json(self):
        """The body as a JSON object: malformed JSON → HTTP 400; valid JSON of another type →
        a validation error."""
        if not self.body.strip():
            raise HttpError(400, "malformed JSON: the request body is empty")
        try:
            value = loads(self.body)
        except UnicodeDecodeError:
            raise HttpError(400, "malformed JSON: the body is not valid UTF-8")
        except RecursionError:
            raise HttpError(400, "malformed JSON: nested too deeply")
        except ValueError as e:
            raise HttpError(400, "malformed JSON: %s" % e)
        if not isinstance(value, dict):
            raise Invalid("the request body must be a JSON object")
        return value

    def q(self, name):
        values = self.query.get(name)
        return values[0] if values else None


class Router:
    """(method, pattern, handler) routes; resolve() picks one or answers 404/405."""

    def __init__(self):
        self.routes = []

    def add(self, method, pattern, handler):
        self.routes.append((method, pattern.split("/")[1:], handler))

    def resolve(self, method, segments):
        """(handler, params) for decoded path segments; HttpError 404 or 405."""
        allowed = []
        for rmethod, pattern, handler in self.routes:
            params = _match(pattern, segments)
            if params is None:
                continue
            if rmethod == method:
                return handler, params
            allowed.append(rmethod)
        if allowed:
            raise HttpError(405, "method not allowed",
                            [("Allow", ", ".join(sorted(set(allowed))))])
        raise HttpError(404, "not found")


def _match(pattern, segments):
    if len(pattern) != len(segments):
        return None
    params = {}
    for pat, seg in zip(pattern, segments):
        if pat.startswith("{"):
            name, _, kind = pat[1:-1].partition(":")
            if kind == "int":
                if not (seg.isascii() and seg.isdigit()) or len(seg) > 18:
                    return None
                params[name] = int(seg)
            else:
                params[name] = seg
        elif pat != seg:
            return None
    return params


def split_path(raw):
    """Raw request target → (decoded segments, query dict). Each segment is percent-decoded
    once, after splitting, so an encoded "/" stays inside its segment."""
    path, _, query = raw.partition("?")
    try:
        segments = [unquote(s, errors="strict") for s in path.split("/")[1:]]
    except UnicodeDecodeError:
        raise HttpError(400, "the path is not valid percent-encoded UTF-8")
    try:
        q = parse_qs(query, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise HttpError(400, "the query string is not valid percent-encoded UTF-8")
    return segments, q
