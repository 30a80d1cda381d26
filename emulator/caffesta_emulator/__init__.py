"""A local Caffesta: the Caffesta integration API (as the project reads it) over HTTP, state in
SQLite, Python 3 standard library only. Start it with

    python3 -m caffesta_emulator --port 0          (with emulator/ on sys.path)
    python3 emulator/caffesta_emulator.py --port 0  (the same, from the repository)

It prints exactly one line, ``listening on http://127.0.0.1:PORT``, once it accepts
connections. SIGINT or SIGTERM stop it. Test switches (faults, request log, reset, ...) live
under ``/__emulator/`` and answer only loopback clients; see emulator/README.md.

Where things are:

- settings.py    constants (version, default port, account zone) and the runtime Config
- validation.py  errors and the field checks every endpoint uses
- wire.py        JSON in and out, number formats, the answer envelopes
- store.py       the SQLite schema, the seed data, the Store (one transaction per request)
- routing.py     path splitting and decoding, the route table, the request (Ctx)
- api/           the API, one module per area (storage, documents, products, orders, feeds,
                 sales); see api/__init__.py
- faults.py      the fault switchboard and the request log
- admin.py       the /__emulator/ switches
- server.py      the HTTP handler and the threading server
- cli.py         the command line (main)
"""

from .settings import VERSION

__all__ = ["VERSION", "main"]


def main(argv=None):
    """Runs the emulator with these command-line arguments; the exit status."""
    from .cli import main as run
    return run(argv)
