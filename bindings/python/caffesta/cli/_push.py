"""`caffesta products push`: a catalog file to Caffesta, row by row, with a report.

Rows go to the library's bulk upsert in chunks, so that Ctrl-C stops between chunks (or, with
a library that can cancel, at once) and the report still says what happened to every row.
"""

from __future__ import annotations

import csv
import json
import signal
import sys
from typing import Any, Dict, List, Optional

import click
from tqdm import tqdm

import caffesta

from . import _errors
from ._catalog import Row

REPORT_COLUMNS = ("line", "ref_code", "outcome", "id", "status", "http_status", "message")


def report_format(path: str) -> str:
    lower = path.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    raise _errors.UsageProblem("--report %s: name it .csv or .jsonl" % path)


def check_report_path(path: str) -> None:
    """Refuses a report that cannot be written before any row is sent, not after."""
    report_format(path)
    try:
        with open(path, "w", encoding="utf-8"):
            pass
    except OSError as e:
        raise _errors.UsageProblem("cannot write the report %s: %s" % (path, e.strerror)) from None


def write_report(path: str, entries: List[Dict[str, Any]]) -> None:
    fmt = report_format(path)
    with open(path, "w", encoding="utf-8", newline="") as f:
        if fmt == "csv":
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(REPORT_COLUMNS)
            for entry in entries:
                writer.writerow(["" if entry.get(c) is None else entry[c] for c in REPORT_COLUMNS])
        else:
            for entry in entries:
                f.write(json.dumps({k: entry[k] for k in REPORT_COLUMNS
                                    if entry.get(k) not in (None, "")},
                                   ensure_ascii=False) + "\n")


def _entry(row: Row, outcome: str, **fields: Any) -> Dict[str, Any]:
    entry: Dict[str, Any] = {"line": row.line, "ref_code": row.ref_code, "outcome": outcome}
    entry.update(fields)
    return entry


def _from_library(row: Row, result: Dict[str, Any]) -> Dict[str, Any]:
    action = result.get("action", "failed")
    if action == "cancelled":  # a cancelled bulk call never sent this item
        return _entry(row, "not_sent", message="stopped (Ctrl-C) before this row was sent")
    if action == "failed":
        return _entry(row, "failed", status=result.get("status"),
                      http_status=result.get("http_status") or None,
                      message=result.get("message", ""))
    return _entry(row, action, id=result.get("id"))


class _Interrupt:
    """Ctrl-C during a push: the first asks to stop, the second quits at once."""

    def __init__(self) -> None:
        self.requested = False
        self.previous: Any = None

    def __enter__(self) -> "_Interrupt":
        self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        signal.signal(signal.SIGINT, self.previous)

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt
        self.requested = True
        click.echo("caffesta: stopping after the requests in flight (Ctrl-C again to quit at "
                   "once)", err=True)


def _cancellable() -> bool:
    """Whether the binding stops a bulk call when its progress callback raises (issue 14):
    it then raises caffesta.CancelledError carrying .report."""
    return hasattr(caffesta, "CancelledError")


def push(client: caffesta.Client, rows: List[Row], concurrency: int,
         report_path: Optional[str]) -> int:
    entries: List[Optional[Dict[str, Any]]] = [
        None if row.product is not None else _entry(row, "invalid", message=row.error)
        for row in rows]
    pending = [i for i, row in enumerate(rows) if row.product is not None]
    chunk_size = max(64, concurrency * 16)
    interrupted = False
    bar = tqdm(total=len(pending), unit="row", file=sys.stderr, disable=None, leave=False)
    try:
        with _Interrupt() as interrupt:
            for start in range(0, len(pending), chunk_size):
                if interrupt.requested:
                    break
                chunk = pending[start:start + chunk_size]
                report = _send_chunk(client, [rows[i].product for i in chunk], concurrency,
                                     bar, interrupt)
                for offset, index in enumerate(chunk):
                    if report is not None and offset < len(report):
                        entries[index] = _from_library(rows[index], report[offset])
            interrupted = interrupt.requested
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
        for index, entry in enumerate(entries):
            if entry is None:
                entries[index] = _entry(
                    rows[index], "not_sent", message="stopped (Ctrl-C) before this row was "
                    "sent, or without word of whether it arrived: push again to be sure")
        done: List[Dict[str, Any]] = [e for e in entries if e is not None]
        if report_path:
            write_report(report_path, done)
    _summarise(done, report_path)
    if interrupted:
        return _errors.INTERRUPTED
    if any(e["outcome"] in ("failed", "invalid") for e in done):
        return _errors.PARTIAL
    return _errors.OK


def _send_chunk(client: caffesta.Client, products: List[Any], concurrency: int, bar: Any,
                interrupt: _Interrupt) -> Optional[List[Dict[str, Any]]]:
    shown = [0]
    cancellable = _cancellable()

    def progress(done: int, total: int) -> None:
        bar.update(done - shown[0])
        shown[0] = done
        if cancellable and interrupt.requested:
            raise KeyboardInterrupt  # the binding cancels the rest and reports what was done

    try:
        return client.upsert_products(products, concurrency=concurrency, progress=progress)
    except KeyboardInterrupt as e:
        interrupt.requested = True
        return _report_of(e)
    except caffesta.CaffestaError as e:
        if getattr(e, "status", "") == "CAFFESTA_ERR_CANCELLED":
            interrupt.requested = True
            return _report_of(e)
        raise


def _report_of(stopped: BaseException) -> Optional[List[Dict[str, Any]]]:
    """The report a stopped bulk call carries; if requests were still in flight when it
    stopped, the binding gives it once their answers are in (never abandoned)."""
    report = getattr(stopped, "report", None)
    wait_report = getattr(stopped, "wait_report", None)
    if report is None and callable(wait_report):
        report = wait_report(120)
    return report


def dry_run(rows: List[Row], report_path: Optional[str]) -> int:
    entries = [_entry(row, "valid") if row.product is not None
               else _entry(row, "invalid", message=row.error) for row in rows]
    if report_path:
        write_report(report_path, entries)
    _summarise(entries, report_path, dry=True)
    return _errors.USAGE if any(e["outcome"] == "invalid" for e in entries) else _errors.OK


def _summarise(entries: List[Dict[str, Any]], report_path: Optional[str],
               dry: bool = False) -> None:
    shown = 0
    for entry in entries:
        if entry["outcome"] in ("failed", "invalid"):
            shown += 1
            if shown <= 20:
                what = entry.get("status") or "invalid row"
                click.echo("line %d (%s): %s: %s" % (entry["line"], entry["ref_code"] or "no ref_code",
                                                     what, entry.get("message", "")), err=True)
    if shown > 20:
        click.echo("... and %d more bad rows%s" % (
            shown - 20, " (see %s)" % report_path if report_path else "; --report FILE lists "
            "every row"), err=True)
    counts: Dict[str, int] = {}
    for entry in entries:
        counts[entry["outcome"]] = counts.get(entry["outcome"], 0) + 1
    order = ("valid", "created", "updated", "failed", "invalid", "not_sent")
    parts = ["%d %s" % (counts[k], k.replace("_", " ")) for k in order if counts.get(k)]
    click.echo("%s %d rows: %s%s" % ("checked" if dry else "pushed", len(entries),
                                    ", ".join(parts) or "nothing to do",
                                    "; nothing was sent" if dry else ""))


