"""Stopping upsert_products() (Ctrl-C, an exception in the progress callback, cancel()), a
progress callback that uses the client, and the request log on the "caffesta" logger."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

import caffesta
from conftest import API_KEY, BINDING_DIR, product

BY_REF = "/a/v1.0/product/by_ref_code/"


def sent_refs(emulator):
    """ref_codes the emulator received any request for (PUT by path, POST by body)."""
    refs = set()
    for request in emulator.requests():
        if request["path"].startswith(BY_REF):
            refs.add(request["path"][len(BY_REF):])
        elif request["method"] == "POST" and '"ref_code"' in request["body"]:
            refs.add(request["body"].split('"ref_code":"', 1)[1].split('"', 1)[0])
    return refs


def check_stopped_report(report, items, emulator):
    """Every item once, in order; cancelled ones never sent; the rest written."""
    assert [r["ref_code"] for r in report] == [p["ref_code"] for p in items]
    cancelled = [r["ref_code"] for r in report if r["action"] == "cancelled"]
    created = [r["ref_code"] for r in report if r["action"] == "created"]
    assert len(cancelled) + len(created) == len(items)
    assert cancelled, "the stop came early: most items must be cancelled"
    sent = sent_refs(emulator)
    assert not sent & set(cancelled)
    assert set(created) <= sent
    return created, cancelled


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="signals reach the main thread only")
def test_ctrl_c_while_answers_are_held_ends_the_call_at_once(client, emulator):
    # The first four PUTs (the requests in flight at concurrency 4) are answered 10 s late.
    emulator.fault("delay", path_prefix=BY_REF, method="PUT", count=4, delay_ms=10_000)
    items = [product("sigint-%03d" % i) for i in range(200)]
    timer = threading.Timer(0.5, signal.raise_signal, (signal.SIGINT,))
    started = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt) as caught:
        client.upsert_products(items, concurrency=4)
    ended = time.monotonic() - started
    timer.join()
    # A behaviour check, not a benchmark: far sooner than the 10 s the answers take.
    assert ended < 3.0, "upsert_products took %.1f s to stop" % ended
    error = caught.value
    assert error.report is None  # the four answers are still held
    report = error.wait_report(timeout=30)  # they come; nothing was abandoned
    assert report is not None
    created, cancelled = check_stopped_report(report, items, emulator)
    assert len(created) == 4 and len(cancelled) == 196
    assert client.upsert_products(items[-3:]) and client.auth_test() is None  # usable after


def test_an_exception_from_progress_cancels_and_carries_the_report(client, emulator):
    items = [product("boom-%03d" % i) for i in range(300)]
    seen = []

    def progress(done, total):
        seen.append(done)
        if done == 5:
            raise ValueError("stop here")

    with pytest.raises(ValueError, match="stop here") as caught:
        client.upsert_products(items, concurrency=4, progress=progress)
    assert seen[-1] == 5  # not called again after it raised
    report = caught.value.report
    assert report is not None and len(report) == 300
    created, cancelled = check_stopped_report(report, items, emulator)
    assert len(created) >= 5 and len(cancelled) > 200
    assert emulator.stats()["products"] - 7 == len(created)  # 7: the seed's products
    again = client.upsert_products(items[-2:])
    assert [r["action"] for r in again] == ["created", "created"]


def test_a_progress_callback_may_use_the_client(client):
    items = [product("outer-%03d" % i) for i in range(40)]
    calls = []
    nested = {}

    def progress(done, total):
        calls.append((done, total))
        if done == 3:
            nested["report"] = client.upsert_products(
                [product("inner-1"), product("inner-2")], progress=lambda d, t: None)
            client.auth_test()

    report = client.upsert_products(items, concurrency=4, progress=progress)
    assert calls == [(n, 40) for n in range(1, 41)]  # the outer progress runs to the end
    assert {r["action"] for r in report} == {"created"}
    assert [r["action"] for r in nested["report"]] == ["created", "created"]


def test_cancel_from_another_thread_raises_cancelled_error(client, emulator):
    emulator.config(delay_ms=10)
    items = [product("cancel-%03d" % i) for i in range(500)]
    started = threading.Event()
    canceller = threading.Thread(target=lambda: (started.wait(10), client.cancel()))
    canceller.start()
    with pytest.raises(caffesta.CancelledError) as caught:
        client.upsert_products(items, concurrency=4,
                               progress=lambda done, total: started.set())
    canceller.join()
    emulator.config(delay_ms=0)
    error = caught.value
    assert error.status == "CAFFESTA_ERR_CANCELLED" and error.code == 16
    check_stopped_report(error.report, items, emulator)
    assert client.upsert_products(items[:1])[0]["action"] in ("created", "updated")


def test_cancel_with_no_call_running_changes_nothing(client):
    client.cancel()
    assert client.upsert_products([product("calm")])[0]["action"] == "created"


def events_of(records):
    return [r.caffesta_event for r in records if hasattr(r, "caffesta_event")]


def test_events_go_to_the_caffesta_logger_at_debug(client, emulator, caplog):
    caplog.set_level(logging.DEBUG, logger="caffesta")
    emulator.fault("status", path_prefix="/a/v1.0/storage/test", status=503, retry_after=1)
    client.auth_test()
    secret = "Покупатель Петров +375291112233"
    client.upsert_products([product("logged-1", name=secret), product("logged-2")], concurrency=2)
    events = events_of(caplog.records)
    assert [r.levelno for r in caplog.records if r.name == "caffesta"] == [logging.DEBUG] * len(events)
    assert events[0]["http_status"] == 503 and events[0]["retry"] is True
    assert events[0]["retry_after_s"] == 1 and events[0]["retry_delay_ms"] == 1000
    assert events[1]["status"] == "CAFFESTA_OK" and events[1]["attempt"] == 2
    assert events[1]["connection"] in ("new", "reused")
    bulk = [e for e in events if "item" in e]
    assert {e["item"] for e in bulk} == {0, 1} and len(bulk) == 4  # PUT 404 and POST, each
    text = caplog.text + repr(events)
    assert API_KEY not in text and secret not in text and "Петров" not in text
    assert "retry in 1000 ms (Retry-After 1 s)" in caplog.text


def test_no_events_when_the_logger_is_quiet(client, caplog):
    caplog.set_level(logging.WARNING, logger="caffesta")
    client.auth_test()
    assert not events_of(caplog.records)


def test_caffesta_log_debug_prints_the_log(emulator):
    script = ("import caffesta; c = caffesta.Client('demo', %r, base_url=%r); c.auth_test(); c.close()"
              % (API_KEY, emulator.url))
    env = dict(os.environ, CAFFESTA_LOG="debug", PYTHONPATH=BINDING_DIR)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "caffesta DEBUG GET /a/v1.0/storage/test attempt 1: HTTP 200 CAFFESTA_OK" in done.stderr
    assert API_KEY not in done.stderr
