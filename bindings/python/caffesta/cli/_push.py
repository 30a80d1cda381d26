"""`caffesta products push`: a catalog file to Caffesta, row by row, with a report.

The key is checked first; then every valid row goes to the library's bulk upsert in one call,
which Ctrl-C cancels at once (rows not yet sent are never sent; the requests in flight finish),
and the report still says what happened to every row.
"""

from __future__ import annotations

import csv
import json
import os
import signal
from typing import Any, Dict, List, Optional

import click

import caffesta

from . import _errors, _output
from ._catalog import Row
from ._progress import Progress

REPORT_COLUMNS = ("line", "ref_code", "outcome", "id", "status", "http_status", "message")


def report_format(path: str) -> str:
    lower = path.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    raise _errors.UsageProblem("--report %s: name it .csv or .jsonl" % path)


def check_report_path(path: str) -> None:
    """Refuses a report that cannot be written before any row is sent, not after. An existing
    report is left as it is until the push writes the new one (Ctrl-C or a refused key before
    the first row must not wipe it)."""
    report_format(path)
    existed = os.path.exists(path)
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as e:
        raise _errors.UsageProblem("cannot write the report %s: %s" % (path, e.strerror)) from None
    if not existed:
        os.unlink(path)


def write_report(path: str, entries: List[Dict[str, Any]], excel: bool = False) -> None:
    fmt = report_format(path)
    csv_style = _output.style(excel)
    with open(path, "w", encoding="utf-8", newline="") as f:
        if fmt == "csv":
            if csv_style.bom:
                f.write("\ufeff")
            writer = csv.writer(f, delimiter=csv_style.delimiter, lineterminator="\n")
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


STOPPING = ("caffesta: stopping: no further row is sent; waiting for the answers to the "
            "requests in flight (a write is never abandoned half-way), then the report is "
            "written")
STILL_WAITING = ("caffesta: still waiting for the answers to the requests in flight (another "
                 "Ctrl-C does not cut them off; the library's timeout ends them)")


class _Interrupt:
    """Ctrl-C during a push. The first stops the push: inside the bulk call it becomes the
    KeyboardInterrupt the binding cancels on at once (nothing more is sent; the requests in
    flight finish); anywhere else it only asks the loop not to start another call. Further
    Ctrl-Cs change nothing: the requests in flight are waited for, never abandoned."""

    def __init__(self) -> None:
        self.requested = False
        self.in_call = False
        self.previous: Any = None

    def __enter__(self) -> "_Interrupt":
        self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        signal.signal(signal.SIGINT, self.previous)

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            click.echo(STILL_WAITING, err=True)
            return
        self.requested = True
        click.echo(STOPPING, err=True)
        if self.in_call:
            raise KeyboardInterrupt  # the binding cancels the batch and attaches its report


def push(client: caffesta.Client, rows: List[Row], concurrency: int,
         report_path: Optional[str], excel: bool = False) -> int:
    """Checks the key, then sends every valid row in one bulk call; Ctrl-C at any point still
    writes the report (rows never sent are "not_sent")."""
    entries: List[Optional[Dict[str, Any]]] = [
        None if row.product is not None else _entry(row, "invalid", message=row.error)
        for row in rows]
    pending = [i for i, row in enumerate(rows) if row.product is not None]
    interrupted = False
    bar = None
    checked = False  # after the key check, whatever happens, the report is written
    try:
        with _Interrupt() as interrupt:
            if pending:
                client.auth_test()  # a refused key stops here, not once per row
            checked = True
            if pending and not interrupt.requested:
                bar = Progress("push", "rows", total=len(pending))
                report = _send(client, [rows[i].product for i in pending], concurrency, bar,
                               interrupt)
                for offset, index in enumerate(pending):
                    if report is not None and offset < len(report):
                        entries[index] = _from_library(rows[index], report[offset])
            interrupted = interrupt.requested
    except KeyboardInterrupt:
        interrupted = checked = True  # before the first row: every row is "not_sent"
    finally:
        if bar is not None:
            bar.close()
        for index, entry in enumerate(entries):
            if entry is None:
                entries[index] = _entry(
                    rows[index], "not_sent", message="stopped (Ctrl-C) before this row was "
                    "sent, or without word of whether it arrived: push again to be sure")
        done: List[Dict[str, Any]] = [e for e in entries if e is not None]
        if report_path and checked:  # a refused key leaves an earlier report untouched
            write_report(report_path, done, excel)
    _summarise(done, report_path)
    if interrupted:
        return _errors.INTERRUPTED
    if any(e["outcome"] in ("failed", "invalid") for e in done):
        return _errors.PARTIAL
    return _errors.OK


def _send(client: caffesta.Client, products: List[Any], concurrency: int, bar: Progress,
          interrupt: _Interrupt) -> Optional[List[Dict[str, Any]]]:
    """One bulk call for every row: the library stops it as a whole on Ctrl-C (an earlier
    version sent chunks, and a Ctrl-C noticed only at the next progress event let the
    library start new rows meanwhile)."""
    shown = [0]

    def progress(done: int, total: int) -> None:
        bar.update(done - shown[0])
        shown[0] = done

    try:
        interrupt.in_call = True
        if interrupt.requested:
            return None
        return client.upsert_products(products, concurrency=concurrency, progress=progress)
    except KeyboardInterrupt as e:
        interrupt.requested = True
        return _report_of(e)
    except caffesta.CaffestaError as e:
        if getattr(e, "status", "") == "CAFFESTA_ERR_CANCELLED":
            interrupt.requested = True
            return _report_of(e)
        raise
    finally:
        interrupt.in_call = False


def _report_of(stopped: BaseException) -> Optional[List[Dict[str, Any]]]:
    """The report a stopped bulk call carries; if requests were still in flight when it
    stopped, the binding gives it once their answers are in (never abandoned)."""
    report = getattr(stopped, "report", None)
    wait_report = getattr(stopped, "wait_report", None)
    if report is None and callable(wait_report):
        report = wait_report(120)
    return report


def dry_run(rows: List[Row], report_path: Optional[str], excel: bool = False) -> int:
    entries = [_entry(row, "valid") if row.product is not None
               else _entry(row, "invalid", message=row.error) for row in rows]
    if report_path:
        write_report(report_path, entries, excel)
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
    click.echo("%s %d %s: %s%s" % ("checked" if dry else "pushed", len(entries),
                                  "row" if len(entries) == 1 else "rows",
                                    ", ".join(parts) or "nothing to do",
                                    "; nothing was sent" if dry else ""))


