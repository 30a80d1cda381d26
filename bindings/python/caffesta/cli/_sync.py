"""`caffesta sync`: the incremental sync of one POS into a directory, with a state file.

Order matters, so that a crash never skips a change: the feeds are fetched, each is written
(to a temporary file, flushed, then renamed into place), and only then is the state file
replaced, the same way. A crash before the state is replaced leaves the old timestamps, so the
next run fetches the same changes again (a row may come twice, never not at all). A feed's
file is named by its section's new timestamp, so a refetch writes the same name again.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Tuple

import caffesta

from .._jsontext import dumps
from ._errors import UsageProblem

# Feeds that belong to another section's timestamp.
SECTION_OF_FEED = {"product_shop_data": "products"}


def write_atomically(path: Path, text: str) -> None:
    """Writes text to path so that a reader (or a crash) sees the old file or the new one."""
    directory = path.parent
    fd, temporary = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def read_state(path: Path, pos_id: int) -> Dict[str, int]:
    """The timestamps of the last sync ({} when there was none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise UsageProblem("cannot read the state file %s: %s" % (path, e.strerror)) from None
    try:
        state = json.loads(text)
    except ValueError as e:
        raise UsageProblem("the state file %s is not JSON: %s" % (path, e)) from None
    if not isinstance(state, dict) or not isinstance(state.get("timestamps"), dict):
        raise UsageProblem("the state file %s has no \"timestamps\" object" % path)
    if state.get("pos_id") != pos_id:
        raise UsageProblem("the state file %s belongs to POS %s, not %d: give each POS its own "
                           "state file" % (path, state.get("pos_id"), pos_id))
    timestamps = state["timestamps"]
    for key, value in timestamps.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise UsageProblem("the state file %s: %r is not a Unix timestamp" % (path, key))
    return timestamps


# The feeds the library fetches (caffesta_sync_changes); other sections (menus, desks,
# comments, discounts, promotions, payments, settings, device_models, ...) have no feed call.
FEEDS = ("products", "product_shop_data", "balances", "clients", "categories", "workspaces",
         "taxes")


def sections_without_feed(changed: List[str], data: Dict[str, Any]) -> List[str]:
    """The changed sections for which nothing was fetched (no feed call for them)."""
    fetched = {SECTION_OF_FEED.get(feed, feed) for feed in data}
    return [section for section in changed if section not in fetched]


def sync(client: caffesta.Client, pos_id: int, state_path: Path, output: Path
         ) -> Tuple[List[Tuple[str, int, Path]], List[str]]:
    """Runs one sync; returns (feed, rows, file) for every feed written, and the changed
    sections that have no feed (listed in the state's "changed", not written)."""
    known = read_state(state_path, pos_id)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageProblem("cannot create %s: %s" % (output, e.strerror)) from None
    result = client.sync_changes(pos_id, known)
    timestamps: Dict[str, Any] = result["timestamps"]
    written: List[Tuple[str, int, Path]] = []
    for feed, data in result["data"].items():
        section = SECTION_OF_FEED.get(feed, feed)
        path = output / ("%s-%s.json" % (feed, timestamps.get(section, "unknown")))
        write_atomically(path, dumps(data) + "\n")
        written.append((feed, len(data) if isinstance(data, list) else 1, path))
    # Only now, with every feed on disk, do the new timestamps replace the old ones.
    state = {"pos_id": pos_id, "timestamps": timestamps, "changed": result["changed"]}
    write_atomically(state_path, json.dumps(state, indent=2, sort_keys=True) + "\n")
    return written, sections_without_feed(list(result["changed"]), result["data"])
