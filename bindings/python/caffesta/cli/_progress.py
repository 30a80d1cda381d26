"""Progress on stderr, for a person at a terminal and for a log file alike.

On a terminal: tqdm's bar, redrawn in place and cleared at the end. Anywhere else (cron, `2>file`,
a pipe), where a bar would be a stream of carriage returns or nothing at all: a plain line every
CAFFESTA_PROGRESS_INTERVAL seconds (default 10; 0: at every step). Either way a last summary
line stays: what was done, of how many, in how long.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Optional, TextIO

DEFAULT_INTERVAL = 10.0


def _interval() -> float:
    try:
        return max(0.0, float(os.environ.get("CAFFESTA_PROGRESS_INTERVAL", DEFAULT_INTERVAL)))
    except ValueError:
        return DEFAULT_INTERVAL


class Progress:
    """`what` names the work ("push", "products"); `unit` what is counted ("rows")."""

    def __init__(self, what: str, unit: str, total: Optional[int] = None,
                 stream: Optional[TextIO] = None) -> None:
        self.what, self.unit, self.total = what, unit, total
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self.interval = _interval()
        self.last_line = self.started
        self.bar: Any = None
        if self.stream.isatty():
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit=" " + unit, file=self.stream, leave=False,
                            desc=what)

    def update(self, count: int) -> None:
        """`count` more are done."""
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
            return
        now = time.monotonic()
        if now - self.last_line >= self.interval:
            self.last_line = now
            self._line("%s: %s" % (self.what, self._count()))

    def close(self, outcome: str = "") -> None:
        """Clears the bar and writes the summary line that stays; `outcome` says more
        ("12 created, 1 failed")."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        seconds = time.monotonic() - self.started
        self._line("%s: %s in %.1f s%s" % (self.what, self._count(), seconds,
                                           ": " + outcome if outcome else ""))

    def _count(self) -> str:
        if self.total is None:
            return "%d %s" % (self.done, self.unit)
        return "%d of %d %s" % (self.done, self.total, self.unit)

    def _line(self, text: str) -> None:
        self.stream.write("caffesta: %s\n" % text)
        self.stream.flush()
