"""Exit codes of the `caffesta` command and the problems that lead to them."""

from __future__ import annotations

from typing import Dict

from caffesta import _native

OK = 0
FAILED = 1          # anything unexpected
USAGE = 2           # bad usage or input: nothing (more) was sent
PARTIAL = 3         # some rows failed; the others were done (and the report written)
NO_LIBRARY = 4      # libcaffesta.so.1 could not be loaded
INTERRUPTED = 130   # Ctrl-C; a push writes its report of what was done first

# A library status exits with 10 + its number in enum caffesta_status (the binding's
# _native.Status), except INVALID_ARGUMENT (2, bad usage) and PARTIAL (3).
STATUS_BASE = 10

# Short words for the help's list; the numbers come from the binding's status table, so the
# list cannot drift from the header. A status missing here is listed by its own name.
STATUS_WORDS: Dict[str, str] = {
    "NETWORK": "network", "TIMEOUT": "timeout", "TLS": "TLS",
    "UNAUTHORIZED": "key refused (401/403)", "NOT_FOUND": "not found",
    "RATE_LIMITED": "rate limited", "SERVER": "server 5xx", "API": "API error in the answer",
    "PROTOCOL": "protocol", "HTTP": "other HTTP", "NO_MEMORY": "no memory",
    "INTERNAL": "internal", "PROXY": "proxy", "CANCELLED": "cancelled",
}
_SPECIAL = {"OK": OK, "ERR_INVALID_ARGUMENT": USAGE, "ERR_PARTIAL": PARTIAL}


def status_numbers() -> Dict[str, int]:
    """{"CAFFESTA_ERR_NETWORK": 2, ...}: enum caffesta_status as the binding declares it."""
    return {"CAFFESTA_" + name: value for name, value in vars(_native.Status).items()
            if name.isupper() and isinstance(value, int)}


def exit_code_for(status: str) -> int:
    short = status[len("CAFFESTA_"):] if status.startswith("CAFFESTA_") else status
    if short in _SPECIAL:
        return _SPECIAL[short]
    number = status_numbers().get(status)
    return STATUS_BASE + number if number is not None else FAILED


def _exit_codes_help() -> str:
    cells = []
    for status, number in sorted(status_numbers().items(), key=lambda item: item[1]):
        short = status[len("CAFFESTA_"):]
        if short in _SPECIAL:
            continue
        word = STATUS_WORDS.get(short[len("ERR_"):], status)
        cells.append("%-3d %s" % (STATUS_BASE + number, word))
    lines = ["  " + "   ".join("%-27s" % c for c in cells[i:i + 3]).rstrip()
             for i in range(0, len(cells), 3)]
    return "\n".join([
        "\b", "Exit codes (a library status exits with 10 + its number in caffesta.h):",
        "  0   done",
        "  1   an unexpected failure",
        "  2   bad usage or input (a bad file, option or setting; nothing was sent)",
        "  3   partial: some rows failed, the others were done (see --report)",
        "  4   libcaffesta could not be loaded (set CAFFESTA_LIBRARY)"] + lines + [
        "  130 interrupted (Ctrl-C); a push writes its report first"])


EXIT_CODES_HELP = _exit_codes_help()


class UsageProblem(Exception):
    """Bad usage or input found by the command line itself: exit 2 with this message."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.code = code
