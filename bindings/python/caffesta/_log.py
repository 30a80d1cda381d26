"""The request log: the library's events (one per attempt) to the logging logger "caffesta".

Switched on by configuring that logger for DEBUG (``logging.basicConfig(level=logging.DEBUG)``,
or ``logging.getLogger("caffesta").setLevel(logging.DEBUG)`` with a handler), or by the
environment variable ``CAFFESTA_LOG=debug``, which also gives the logger a handler to stderr
when it has none. Each record's message reads like
``PUT /a/v1.0/product/by_ref_code/latte attempt 1: HTTP 503 CAFFESTA_ERR_SERVER in 12 ms
(reused connection, 310 B sent, 150 B received); retry in 1000 ms (Retry-After 1 s)``, and
``record.caffesta_event`` holds the event itself (a dict, fields as in include/caffesta.h).
Events never hold the API key or a body.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Dict

from . import _native

logger = logging.getLogger("caffesta")


def configure_from_environment() -> None:
    """CAFFESTA_LOG=debug: the logger at DEBUG, with a stderr handler if it has none."""
    if os.environ.get("CAFFESTA_LOG", "").strip().lower() != "debug":
        return
    logger.setLevel(logging.DEBUG)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)


def wanted() -> bool:
    return logger.isEnabledFor(logging.DEBUG)


def describe(event: Dict[str, Any]) -> str:
    """One line for people; the event itself rides along as record.caffesta_event."""
    text = "%s %s" % (event.get("method"), event.get("path"))
    if event.get("item") is not None:
        text += " (item %s)" % event["item"]
    text += " attempt %s: " % event.get("attempt")
    if event.get("http_status") is not None:
        text += "HTTP %s " % event["http_status"]
    else:
        text += "%s, " % event.get("failure")
    text += "%s in %s ms" % (event.get("status"), event.get("elapsed_ms"))
    if event.get("connection"):
        text += " (%s connection, %s B sent, %s B received)" % (
            event["connection"], event.get("bytes_sent"), event.get("bytes_received"))
    if event.get("retry"):
        text += "; retry in %s ms" % event.get("retry_delay_ms")
        if event.get("retry_after_s") is not None:
            text += " (Retry-After %s s)" % event["retry_after_s"]
    return text


def _on_event(user_data: Any, event_json: bytes) -> None:
    try:  # nothing may escape into C
        event = json.loads(event_json.decode("utf-8"))
        logger.debug("%s", describe(event), extra={"caffesta_event": event})
    except Exception:  # pragma: no cover - a broken handler must not break the call
        pass


#: The one C callback every client installs while the logger wants DEBUG; kept alive here.
trampoline = _native.caffesta_log_fn(_on_event)

configure_from_environment()
