#!/usr/bin/env python3
"""Syncs a product catalog (a JSON list of product bodies) into a Caffesta account.

    python3 examples/python/sync.py --account mycafe --api-key KEY [-v] [CATALOG.json]
    python3 examples/python/sync.py --base-url http://127.0.0.1:8765 --api-key KEY   # emulator

The options default to $CAFFESTA_ACCOUNT, $CAFFESTA_API_KEY and $CAFFESTA_BASE_URL; the
catalog defaults to examples/catalog.json. Each product is created, or updated when the account
already holds its ref_code (Client.upsert_products, several requests in flight); the script
prints which, and exits 1 if any product failed. -v prints the library's request log (the
"caffesta" logger at DEBUG). Ctrl-C stops the sync cleanly: products not sent yet are not sent,
those in flight finish, and the script prints what was done and exits 130.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List

HERE = Path(__file__).resolve().parent
try:
    import caffesta
except ImportError:  # running from a source tree without `pip install bindings/python`
    sys.path.insert(0, str(HERE.parent.parent / "bindings" / "python"))
    import caffesta


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Sync a product catalog into Caffesta.")
    parser.add_argument("--base-url", default=os.environ.get("CAFFESTA_BASE_URL"),
                        help="API base URL (default $CAFFESTA_BASE_URL, else "
                             "https://ACCOUNT.caffesta.com)")
    parser.add_argument("--account", default=os.environ.get("CAFFESTA_ACCOUNT"),
                        help="account name (default $CAFFESTA_ACCOUNT; 'demo' with --base-url)")
    parser.add_argument("--api-key", default=os.environ.get("CAFFESTA_API_KEY"),
                        help="API key (default $CAFFESTA_API_KEY)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print the request log (one line per attempt) on stderr")
    parser.add_argument("catalog", type=Path, nargs="?", default=HERE.parent / "catalog.json",
                        help="JSON file holding a list of products (default %(default)s)")
    args = parser.parse_args(argv)
    if not args.account:
        if not args.base_url:
            parser.error("give --account (or $CAFFESTA_ACCOUNT), or --base-url")
        args.account = "demo"
    if not args.api_key:
        parser.error("give --api-key (or $CAFFESTA_API_KEY)")
    return args


def load_catalog(path: Path) -> List[Dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        # Decimal keeps a price's digits as the file writes them: 4.20 goes out as 4.20.
        catalog = json.load(f, parse_float=Decimal)
    if not isinstance(catalog, list) or not all(isinstance(p, dict) for p in catalog):
        raise ValueError("%s must hold a JSON list of product objects" % path)
    return catalog


BAR_OPEN = [False]  # the bar's line has no newline yet
# The log's events come from the thread running the batch, the bar from this one: one lock
# keeps a log line from landing on the bar's unfinished line.
STDERR_LOCK = threading.Lock()


def progress_bar(done: int, total: int) -> None:
    """A progress bar on stderr (any callable works: a tqdm bar's update, for one)."""
    width = 30
    filled = width * done // total if total else width
    end = "\n" if done == total else ""
    with STDERR_LOCK:
        print("\r[%s%s] %d/%d" % ("#" * filled, "-" * (width - filled), done, total), end=end,
              file=sys.stderr, flush=True)
        BAR_OPEN[0] = done != total


class LogLines(logging.StreamHandler):
    """-v: each event on a line of its own, the bar's line ended first."""

    def emit(self, record: logging.LogRecord) -> None:
        with STDERR_LOCK:
            if BAR_OPEN[0]:
                sys.stderr.write("\n")
                BAR_OPEN[0] = False
            super().emit(record)


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    try:
        catalog = load_catalog(args.catalog)
    except (OSError, ValueError) as e:
        print("sync: cannot read the catalog: %s" % e, file=sys.stderr)
        return 2

    if args.verbose:  # the library's events go to the "caffesta" logger at DEBUG
        handler = LogLines(sys.stderr)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        logging.getLogger("caffesta").addHandler(handler)
        logging.getLogger("caffesta").setLevel(logging.DEBUG)

    counts = {"created": 0, "updated": 0, "failed": 0, "cancelled": 0}
    interrupted = False
    try:
        with caffesta.Client(args.account, args.api_key, base_url=args.base_url) as client:
            client.auth_test()
            # One call for the whole catalog: up to 4 requests in flight, a report entry per
            # product in catalog order. A product the API refuses fails alone.
            try:
                report = client.upsert_products(catalog, concurrency=4, progress=progress_bar)
            except KeyboardInterrupt as e:  # Ctrl-C: the report of what was done comes along
                interrupted = True
                print("\ninterrupted: what was done follows", file=sys.stderr)
                report = e.report or e.wait_report()  # type: ignore[attr-defined]
    except caffesta.AuthenticationError as e:
        print("sync: the API key was refused: %s" % e, file=sys.stderr)
        return 1
    except caffesta.CaffestaError as e:
        print("sync: %s (%s)" % (e, e.status), file=sys.stderr)
        return 1
    except caffesta.LibraryNotFoundError as e:
        print("sync: %s" % e, file=sys.stderr)
        return 1

    for item, entry in zip(catalog, report):
        counts[entry["action"]] += 1
        if entry["action"] == "cancelled":
            continue
        if entry["action"] == "failed":
            print("failed   %-22s %s" % (entry.get("ref_code") or "?", entry["message"]))
        else:
            print("%-8s %-22s id %-6s %s" % (entry["action"], entry["ref_code"], entry["id"],
                                              item.get("name", "")))

    print("%d products: %d created, %d updated, %d failed"
          % (len(catalog), counts["created"], counts["updated"], counts["failed"]))
    if interrupted:
        print("interrupted: %d products not sent" % counts["cancelled"])
        return 130
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
