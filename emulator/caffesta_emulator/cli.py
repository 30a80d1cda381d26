"""The command line: flags, start-up (the one "listening on" line), signals, exit statuses."""

import argparse
import os
import signal
import sqlite3
import ssl
import sys
import threading

from .server import Server
from .settings import DEFAULT_API_KEY, DEFAULT_PAGE_SIZE, DEFAULT_PORT, VERSION, Config
from .store import Store
from .validation import StartError


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="caffesta_emulator",
        description="A local Caffesta API server for tests and demos (see emulator/README.md).")
    ap.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1; '::1' for IPv6)")
    ap.add_argument("--port", type=int, default=DEFAULT_PORT,
                    help="port (default %d; 0 takes a free port)" % DEFAULT_PORT)
    ap.add_argument("--db", default=":memory:",
                    help="SQLite file that keeps the state across restarts, or :memory: "
                         "(default)")
    ap.add_argument("--api-key", default=os.environ.get("CAFFESTA_API_KEY",
                                                        DEFAULT_API_KEY),
                    help="the X-API-KEY clients must send (default $CAFFESTA_API_KEY "
                         "or %s)" % DEFAULT_API_KEY)
    ap.add_argument("--delay-ms", type=int, default=0,
                    help="delay added to every API answer, in ms (default 0)")
    ap.add_argument("--job-pending-polls", type=int, default=1,
                    help="how many polls of a delivery job answer 'pending' (default 1)")
    ap.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE,
                    help="products a page of the product feeds (default %d)" % DEFAULT_PAGE_SIZE)
    ap.add_argument("--tls-cert", help="PEM certificate: serve HTTPS (needs --tls-key)")
    ap.add_argument("--tls-key", help="PEM private key for --tls-cert")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    ap.add_argument("--version", action="version", version="%(prog)s " + VERSION)
    args = ap.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if args.delay_ms < 0 or args.job_pending_polls < 0:
        ap.error("--delay-ms and --job-pending-polls must not be negative")
    if args.page_size < 1:
        ap.error("--page-size must be at least 1")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    ctx = None
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            ctx.load_cert_chain(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as e:
            sys.stderr.write("caffesta emulator: cannot load --tls-cert/--tls-key: %s\n" % e)
            return 1
    try:
        store = Store(args.db)
    except (StartError, sqlite3.Error) as e:
        sys.stderr.write("caffesta emulator: cannot use --db %s: %s\n" % (args.db, e))
        return 1
    config = Config(delay_ms=args.delay_ms, job_pending_polls=args.job_pending_polls,
                    page_size=args.page_size)
    try:
        server = Server((args.host, args.port), store, args.api_key, config, ctx, args.verbose)
    except OSError as e:
        sys.stderr.write("caffesta emulator: cannot listen on %s port %d: %s\n"
                         % (args.host, args.port, e))
        return 1
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="serve", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    shown = "[%s]" % host if ":" in host else host
    sys.stdout.write("listening on %s://%s:%d\n" % ("https" if ctx else "http", shown, port))
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    store.close()
    return 0
