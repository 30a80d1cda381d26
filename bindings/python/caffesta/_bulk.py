"""The bulk call, upsert_products(), run off the calling thread so that it can be stopped.

The C call runs on a worker thread; the calling thread waits for it in short slices, runs the
progress callback there (so a callback may use the client, a nested upsert_products included),
and reacts at once to KeyboardInterrupt or an exception from the callback: it calls
caffesta_client_cancel() — again every 0.1 s while it waits, so that a cancel that races the
worker's entry into C is not lost — and waits up to GRACE seconds for the requests in flight.
Then the exception propagates with ``.report`` attached: the whole report when the call ended in
time; None when answers were still outstanding, in which case ``.wait_report(timeout)`` returns
the report once the requests in flight have their answers (they are never abandoned).
"""

from __future__ import annotations

import queue
import threading
import time
from ctypes import byref, c_void_p
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional

from . import _native
from ._convert import _C_INT_MAX, _as_dict, _integer, _json_text
from .errors import CancelledError, CaffestaError

DEFAULT_CONCURRENCY = 8  # the bulk calls' default, the same in PHP

#: How long the calling thread waits for the requests in flight after a stop.
GRACE = 0.5
_DONE = object()


class _Run:
    """One bulk call: the worker's outcome, and a way to wait for it."""

    def __init__(self) -> None:
        self.finished = threading.Event()
        self.report: Optional[List[Dict[str, Any]]] = None
        self.error: Optional[BaseException] = None

    def wait_report(self, timeout: Optional[float] = None) -> Optional[List[Dict[str, Any]]]:
        """The whole report once the call has ended (None if it has not within timeout)."""
        self.finished.wait(timeout)
        if self.report is None and isinstance(self.error, CaffestaError):
            return getattr(self.error, "report", None)
        return self.report


def _attach(exception: BaseException, run: _Run) -> None:
    report = run.wait_report(0) if run.finished.is_set() else None
    try:
        exception.report = report  # type: ignore[attr-defined]
        exception.wait_report = run.wait_report  # type: ignore[attr-defined]
    except AttributeError:  # an exception type that takes no attributes
        pass


def run(client: Any, pointer: Any, body: bytes, workers: int,
        progress: Optional[Callable[[int, int], None]]) -> List[Dict[str, Any]]:
    """Runs the call; `pointer` was taken with client._acquire() and is released here."""
    lib = client._lib
    events: "queue.SimpleQueue[Any]" = queue.SimpleQueue()
    outcome = _Run()
    stop = threading.Event()

    def work() -> None:
        local = client._progress_local
        local.queue = events if progress is not None else None
        try:
            if stop.is_set():  # stopped before the call began: nothing is sent
                raise CancelledError("cancelled before the call began",
                                     status="CAFFESTA_ERR_CANCELLED",
                                     code=_native.Status.ERR_CANCELLED)
            out = c_void_p()
            status = lib.caffesta_products_upsert_many(pointer, body, workers, byref(out))
            if status in (_native.Status.ERR_PARTIAL, _native.Status.ERR_CANCELLED) and out.value:
                error = client._error_for(status) if status == _native.Status.ERR_CANCELLED else None
                outcome.report = client._take_json(_native.Status.OK, out)
                if error is not None:
                    error.report = outcome.report
                    outcome.error = error
            else:
                outcome.report = client._take_json(status, out, "caffesta_products_upsert_many")
        except BaseException as e:  # CaffestaError; re-raised on the calling thread
            outcome.error = e
        finally:
            local.queue = None
            client._release()  # taken by upsert_products(): close() waits for this call
            outcome.finished.set()
            events.put(_DONE)

    worker = threading.Thread(target=work, name="caffesta-upsert_products")
    try:
        worker.start()
    except BaseException:
        client._release()
        raise
    interrupt: List[BaseException] = []  # what stops the batch: KeyboardInterrupt, a callback's error
    give_up_at = [0.0]

    def pump() -> None:
        """Runs progress until the call ends, or until GRACE after a stop."""
        while True:
            if interrupt:
                if time.monotonic() >= give_up_at[0]:
                    return
                lib.caffesta_client_cancel(pointer)
            try:
                event = events.get(timeout=0.1)
            except queue.Empty:
                continue
            if event is _DONE:
                return
            if progress is not None and not interrupt:
                progress(*event)

    # A signal's exception may surface at any loop back-edge; the loop runs inside pump() so
    # that every such point is inside this try.
    while True:
        try:
            pump()
            break
        except BaseException as e:
            if not interrupt:
                interrupt.append(e)
                stop.set()
                give_up_at[0] = time.monotonic() + GRACE
                lib.caffesta_client_cancel(pointer)
    if interrupt:
        _attach(interrupt[0], outcome)
        raise interrupt[0]
    worker.join()
    if outcome.error is not None:
        raise outcome.error
    assert outcome.report is not None
    return outcome.report


class BulkUpsert:
    """caffesta.Client's bulk call; the core (caffesta._client) provides the rest."""

    if TYPE_CHECKING:
        _lib: Any
        _cond: Any
        _progress_installed: bool
        _progress_local: Any
        _progress_trampoline: Any

        def _acquire(self) -> Any: ...
        def _release(self) -> None: ...
        def _check(self, status: int, function: Optional[str] = None) -> None: ...

    def upsert_products(
        self,
        products: Iterable[Mapping[str, Any]],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: Optional[Callable[[int, int], None]] = None,
    ) -> List[Dict[str, Any]]:
        """Upserts many products as upsert_product() does one, with up to ``concurrency`` (1 to
        64) requests in flight on a worker thread.

        Returns the report: one entry per product, in input order, either
        ``{"ref_code", "action": "created" | "updated", "id"}`` or ``{"ref_code",
        "action": "failed", "status": "CAFFESTA_ERR_...", "message", "http_status"?}``. Failed
        items do not raise: check the actions. Products that are not valid (no ref_code, say)
        fail alone, without a request. ``progress(done, total)`` is called on this thread after
        each finished item; it may use the client, a nested upsert_products() included.

        Stopping: Ctrl-C (KeyboardInterrupt), or an exception raised by ``progress``, cancels the
        batch at once — no further item is sent, the requests in flight finish — and that
        exception propagates with ``.report`` attached (items never sent have
        ``"action": "cancelled"``). The call waits at most half a second for the requests in
        flight; if their answers are still outstanding then, ``.report`` is None and
        ``.wait_report(timeout=None)`` returns the report once they have come. ``cancel()``
        from another thread makes this raise CancelledError, whose ``.report`` is the report.
        """
        items = list(products)
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise TypeError("products[%d] must be a mapping, not %s"
                                % (index, type(item).__name__))
        body = _json_text([_as_dict(item) for item in items], "products")
        workers = _integer(concurrency, "concurrency", _C_INT_MAX)
        if progress is not None and not callable(progress):
            raise TypeError("progress must be callable")
        pointer = self._acquire()
        handed_over = False
        try:
            if progress is not None:
                self._install_progress(pointer)
            handed_over = True  # the worker releases the client when the C call has ended
            return run(self, pointer, body, workers, progress)
        finally:
            if not handed_over:
                self._release()

    def _install_progress(self, pointer: Any) -> None:
        """Installs, once per client, a C callback that hands progress to the waiting thread.

        The library calls it on the worker thread that runs the bulk call; a thread-local tells
        which call's queue it belongs to when several calls share the client.
        """
        with self._cond:
            if self._progress_installed:
                return
            local = self._progress_local

            def trampoline(user_data: Any, done: int, total: int) -> None:
                events = getattr(local, "queue", None)
                if events is not None:
                    events.put((done, total))

            self._progress_trampoline = _native.caffesta_progress_fn(trampoline)  # kept alive
            self._check(self._lib.caffesta_client_set_progress(
                pointer, self._progress_trampoline, None))
            self._progress_installed = True
