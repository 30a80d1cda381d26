"""HTTP: the request handler (body reading, the request log, faults, auth, routing to the API,
admin switches) and the threading server (HTTP/1.1 keep-alive, optional TLS)."""

import hmac
import ipaddress
import socket
import ssl
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import faults
from .admin import Admin, parse_admin
from .api import Api
from .faults import Switchboard
from .routing import Ctx, split_path
from .settings import MAX_BODY_BYTES, VERSION
from .validation import HttpError, Invalid
from .wire import dumps


def _peer(address):
    """The client's address and port, "127.0.0.1:54321" or "[::1]:54321": one per connection."""
    host, port = address[0], address[1]
    return ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "CaffestaEmulator/" + VERSION
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 300  # an idle keep-alive connection is closed after this many seconds

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            self.request.do_handshake()
        super().setup()

    def log_message(self, format, *args):
        if self.server.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))

    def log_request(self, code="-", size="-"):
        if self.server.verbose:
            super().log_request(code, size)

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    # ---- sending ---------------------------------------------------------------------------

    def _head(self, status, length, content_type="application/json", headers=()):
        reason = self.responses.get(status, ("Unknown",))[0]
        lines = ["HTTP/1.1 %d %s" % (status, reason), "Server: " + self.server_version,
                 "Date: " + self.date_time_string()]
        if content_type:
            lines.append("Content-Type: " + content_type)
        if length is None:  # the body follows in chunks
            lines.append("Transfer-Encoding: chunked")
        else:
            lines.append("Content-Length: %d" % length)
        lines.extend("%s: %s" % kv for kv in headers)
        if self.close_connection:
            lines.append("Connection: close")
        self.log_request(status, length)
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")

    def _send(self, status, body, content_type="application/json; charset=utf-8", headers=()):
        data = self._head(status, len(body), content_type, headers)
        if self.command != "HEAD":
            data += body
        self.wfile.write(data)

    def _send_json(self, status, obj, headers=()):
        self._send(status, dumps(obj), headers=headers)

    def _send_error_json(self, err):
        self._send_json(err.status, {"success": False, "data": {"error": err.message}},
                        err.headers)

    def _abort(self, rst=False):
        """Closes the connection without (the rest of) an answer."""
        self.close_connection = True
        try:
            if rst:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
            else:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if rst:
            try:
                self.connection.close()
            except OSError:
                pass

    # ---- reading ---------------------------------------------------------------------------

    def _read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            parts, total = [], 0
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise HttpError(400, "bad chunked encoding")
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                total += size
                if total > MAX_BODY_BYTES:
                    raise HttpError(413, "request body too large")
                parts.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
            if n < 0:
                raise ValueError
        except ValueError:
            raise HttpError(400, "bad Content-Length")
        if n > MAX_BODY_BYTES:
            raise HttpError(413, "request body too large")
        data = self.rfile.read(n)
        if len(data) < n:
            raise HttpError(400, "the request body was cut short")
        return data

    # ---- dispatch --------------------------------------------------------------------------

    def _dispatch(self):
        received = time.time()
        try:
            body = self._read_body()
        except HttpError as e:
            self.close_connection = True
            return self._send_error_json(e)
        raw = self.path
        if raw == "/__emulator" or raw.startswith("/__emulator/"):
            return self._admin(raw, body)
        self.server.switchboard.record({
            "method": self.command, "path": raw, "headers": _lower_headers(self.headers),
            "body": body.decode("utf-8", "replace"), "time": received,
            "peer": _peer(self.client_address),
        })
        try:
            segments, query = split_path(raw)
        except HttpError as e:
            return self._send_error_json(e)
        fault = self.server.switchboard.take(self.command, raw, "/" + "/".join(segments))
        if self.server.config.delay_ms:
            time.sleep(self.server.config.delay_ms / 1000.0)
        if fault is not None and faults.play(self, fault):
            return
        if fault is not None and fault["kind"] == "delay":
            time.sleep((fault.get("delay_ms") or 0) / 1000.0)
        status, payload, headers = self._api(segments, query, body)
        data = dumps(payload)
        kind = fault["kind"] if fault is not None else None
        if kind == "apply_then_close":
            return self._abort()
        if kind == "truncate":
            self.close_connection = True
            self.wfile.write(self._head(status, len(data), "application/json; charset=utf-8",
                                        headers) + data[:len(data) // 2])
            return self._abort()
        if kind == "trickle":
            self.close_connection = True
            whole = self._head(status, len(data), "application/json; charset=utf-8",
                               headers) + data
            pause = (fault.get("delay_ms") if fault.get("delay_ms") is not None else 50) / 1000.0
            for i in range(len(whole)):
                self.wfile.write(whole[i:i + 1])
                time.sleep(pause)
            return
        self._send(status, data, headers=headers)

    def _api(self, segments, query, body):
        """Auth, routing, the handler; → (status, JSON value, headers)."""
        key = self.headers.get("X-API-KEY")
        if key is None or not hmac.compare_digest(key.encode("utf-8", "replace"),
                                                  self.server.api_key.encode("utf-8")):
            msg = "missing X-API-KEY header" if key is None else "invalid API key"
            return 401, {"success": False, "data": {"error": msg}}, []
        try:
            handler, params = self.server.api.resolve(self.command, segments)
            return 200, handler(Ctx(self.command, params, query, body)), []
        except Invalid as e:
            return 200, {"success": False, "data": {"error": str(e)}}, []
        except HttpError as e:
            return e.status, {"success": False, "data": {"error": e.message}}, e.headers
        except Exception as e:  # a bug here must still answer like a server would
            if self.server.verbose:
                import traceback
                traceback.print_exc()
            return 500, {"success": False, "data": {"error": "internal error: %s" % e}}, []

    # ---- admin -----------------------------------------------------------------------------

    def _admin(self, raw, body):
        try:
            if not _is_loopback(self.client_address[0]):
                raise HttpError(403, "the admin API answers loopback clients only")
            segs, data = parse_admin(raw, body)
            status, out = 200, self.server.admin.handle(self.command, segs, data)
        except HttpError as e:
            status, out = e.status, {"ok": False, "error": e.message}
        self._send_json(status, out)


def _lower_headers(headers):
    out = {}
    for name, value in headers.items():
        name = name.lower()
        out[name] = value if name not in out else out[name] + ", " + value
    return out


def _is_loopback(host):
    try:
        addr = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    if getattr(addr, "ipv4_mapped", None) is not None:
        addr = addr.ipv4_mapped
    return addr.is_loopback


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, addr, store, api_key, config, ssl_context=None, verbose=False):
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        self.store = store
        self.api_key = api_key
        self.config = config
        self.api = Api(store, config)
        self.switchboard = Switchboard()
        self.admin = Admin(store, config, self.switchboard)
        self.ssl_context = ssl_context
        self.verbose = verbose
        super().__init__(addr, Handler)

    def get_request(self):
        sock, addr = super().get_request()
        if self.ssl_context is not None:
            sock = self.ssl_context.wrap_socket(sock, server_side=True,
                                                do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)
