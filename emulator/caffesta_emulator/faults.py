"""The fault switchboard: faults armed through /__emulator/faults, matched against each API
request, and how each kind is played on the connection; also the request log."""

import select
import socket
import ssl
import threading
import time
from collections import deque

from .validation import HttpError, check_kind
from .wire import dumps

FAULT_KINDS = ("status", "delay", "html", "html200", "empty", "truncate", "close", "reset",
               "apply_then_close", "trickle", "hang", "oversize", "invalid_utf8", "deep_json",
               "redirect", "body", "feed_error")
FEED_PATHS = "/a/v1.0/draft/get_"  # where feed_error acts unless told otherwise


class Switchboard:
    def __init__(self):
        self.lock = threading.Lock()
        self.faults = []
        self.log = deque(maxlen=100000)

    def arm(self, spec):
        kind = spec.get("kind")
        if kind not in FAULT_KINDS:
            raise HttpError(400, "kind must be one of %s" % ", ".join(FAULT_KINDS))
        prefix = spec.get("path_prefix", FEED_PATHS if kind == "feed_error" else "/")
        if not isinstance(prefix, str):
            raise HttpError(400, "path_prefix must be a string")
        method = spec.get("method")
        if method is not None and not isinstance(method, str):
            raise HttpError(400, "method must be a string")
        count = spec.get("count", 1)
        if not check_kind(count, "int") or count < 1:
            raise HttpError(400, "count must be a positive integer")
        for key in ("status", "delay_ms", "size_bytes", "depth", "retry_after"):
            if spec.get(key) is not None and (not check_kind(spec[key], "int") or spec[key] < 0):
                raise HttpError(400, "%s must be a non-negative integer" % key)
        if spec.get("status") is not None and not 100 <= spec["status"] <= 999:
            raise HttpError(400, "status must be an HTTP status code")
        if spec.get("message") is not None and not isinstance(spec["message"], str):
            raise HttpError(400, "message must be a string")
        fault = dict(spec)
        fault.update(kind=kind, path_prefix=prefix, count=count,
                     method=method.upper() if method else None)
        with self.lock:
            self.faults.append(fault)

    def take(self, method, raw_path, decoded_path):
        with self.lock:
            for fault in self.faults:
                if fault["method"] and fault["method"] != method:
                    continue
                p = fault["path_prefix"]
                if raw_path.startswith(p) or decoded_path.startswith(p):
                    fault["count"] -= 1
                    if fault["count"] <= 0:
                        self.faults.remove(fault)
                    return dict(fault)
        return None

    def clear_faults(self):
        with self.lock:
            self.faults.clear()

    def armed(self):
        with self.lock:
            return [dict(f) for f in self.faults]

    def record(self, entry):
        with self.lock:
            self.log.append(entry)

    def requests(self):
        with self.lock:
            return list(self.log)

    def clear_log(self):
        with self.lock:
            self.log.clear()


HTML_BAD_GATEWAY = ("<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
                    "<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
                    "</body>\r\n</html>\r\n")
HTML_200 = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Caffesta</title></head>"
            "<body><h1>Вход в систему</h1><p>Сессия истекла. Войдите снова.</p>"
            "<form method=\"post\" action=\"/login\"><input name=\"login\"></form></body></html>\n")


def play(h, fault):
    """Plays a fault that answers instead of the API on handler h; True when it did. The kinds
    that need the real answer (delay, truncate, trickle, apply_then_close) are left to the
    handler, after the API ran."""
    kind = fault["kind"]
    if kind == "close":
        h._abort()
    elif kind == "reset":
        h._abort(rst=True)
    elif kind == "hang":
        _hang(h, fault.get("delay_ms") if fault.get("delay_ms") is not None else 60000)
        h._abort()
    elif kind == "status":
        status = fault.get("status") or 500
        headers = []
        if fault.get("retry_after") is not None:
            headers.append(("Retry-After", str(fault["retry_after"])))
        reason = h.responses.get(status, ("Error",))[0]
        h._send_json(status, {"success": False, "data": {"error": reason}}, headers)
    elif kind == "html":
        status = fault.get("status") or 502
        reason = h.responses.get(status, ("Error",))[0]
        page = HTML_BAD_GATEWAY.format(code=status, reason=reason).encode()
        h._send(status, page, "text/html")
    elif kind == "html200":
        h._send(200, HTML_200.encode("utf-8"), "text/html; charset=utf-8")
    elif kind == "empty":
        h._send(200, b"")
    elif kind == "invalid_utf8":
        h._send(200, b'{"success":true,"data":{"id":"test","name":"bad \xff\xfe\xc3('
                b' bytes"}}')
    elif kind == "deep_json":
        depth = fault.get("depth") if fault.get("depth") is not None else 10000
        h._send(200, b"[" * depth + b"]" * depth)
    elif kind == "redirect":
        status = fault.get("status") or 302
        location = str(fault.get("location") or "http://redirect-target.invalid/steal")
        h._send(status, b"", None, [("Location", location)])
    elif kind == "oversize":
        _oversize(h, fault.get("size_bytes") if fault.get("size_bytes") is not None
                  else 200 * 1024 * 1024, chunked=bool(fault.get("chunked")))
    elif kind == "body":
        status = fault.get("status") or 200
        if "json" in fault:
            data = dumps(fault["json"])
        else:
            data = str(fault.get("body", "")).encode("utf-8")
        extra = list((fault.get("headers") or {}).items())
        h._send(status, data, fault.get("content_type") or "application/json", extra)
    elif kind == "feed_error":  # an update feed's failure: envelope 3 with code "error"
        h._send_json(200, {"code": "error", "message": fault.get("message") or "error"})
    else:
        return False
    return True


def _hang(h, ms):
    """Waits up to ms without answering; ends early when the client goes away."""
    deadline = time.monotonic() + ms / 1000.0
    conn = h.connection
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        try:
            r, _, _ = select.select([conn], [], [], min(left, 0.25))
            if r:
                if isinstance(conn, ssl.SSLSocket):
                    time.sleep(min(left, 0.25))
                    continue
                if conn.recv(1, socket.MSG_PEEK) == b"":
                    return
                time.sleep(min(left, 0.05))
        except (OSError, ValueError):
            return


def _oversize(h, size, chunked=False):
    prefix = b'{"success":true,"data":{"id":"test","padding":"'
    suffix = b'"}}'
    pad = max(size - len(prefix) - len(suffix), 0)

    def write(data):  # a chunk of its own when chunked, so no length is known up front
        h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)

    h.wfile.write(h._head(200, None if chunked else len(prefix) + pad + len(suffix)))
    write(prefix)
    chunk = b"x" * 65536
    while pad > 0:
        n = min(pad, len(chunk))
        write(chunk if n == len(chunk) else chunk[:n])
        pad -= n
    write(suffix)
    if chunked:
        h.wfile.write(b"0\r\n\r\n")

# ---- admin -----------------------------------------------------------------------------
