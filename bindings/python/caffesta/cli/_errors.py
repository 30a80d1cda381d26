"""Exit codes of the `caffesta` command and the problems that lead to them."""

from __future__ import annotations

from typing import Dict

OK = 0
FAILED = 1          # anything unexpected
USAGE = 2           # bad usage or input: nothing (more) was sent
PARTIAL = 3         # some rows failed; the others were done (and the report written)
NO_LIBRARY = 4      # libcaffesta.so.1 could not be loaded
INTERRUPTED = 130   # Ctrl-C; a push writes its report of what was done first

# A library status other than INVALID_ARGUMENT exits with 10 + its number.
STATUS_BASE = 10

STATUS_CODES: Dict[str, int] = {
    "CAFFESTA_ERR_NETWORK": 2,
    "CAFFESTA_ERR_TIMEOUT": 3,
    "CAFFESTA_ERR_TLS": 4,
    "CAFFESTA_ERR_UNAUTHORIZED": 5,
    "CAFFESTA_ERR_NOT_FOUND": 6,
    "CAFFESTA_ERR_RATE_LIMITED": 7,
    "CAFFESTA_ERR_SERVER": 8,
    "CAFFESTA_ERR_API": 9,
    "CAFFESTA_ERR_PROTOCOL": 10,
    "CAFFESTA_ERR_HTTP": 11,
    "CAFFESTA_ERR_NO_MEMORY": 12,
    "CAFFESTA_ERR_INTERNAL": 13,
    "CAFFESTA_ERR_CANCELLED": 14,
    "CAFFESTA_ERR_PROXY": 15,
}

EXIT_CODES_HELP = """\b
Exit codes:
  0   done
  1   an unexpected failure
  2   bad usage or input (a bad file, option or setting; nothing was sent)
  3   partial: some rows failed, the others were done (see --report)
  4   libcaffesta could not be loaded (set CAFFESTA_LIBRARY)
  12  network      13  timeout      14  TLS          15  key refused (401/403)
  16  not found    17  rate limited 18  server 5xx   19  API error in the answer
  20  protocol     21  other HTTP   22  no memory    23  internal
  24  cancelled    25  proxy
  130 interrupted (Ctrl-C); a push writes its report first"""


def exit_code_for(status: str) -> int:
    if status == "CAFFESTA_ERR_INVALID_ARGUMENT":
        return USAGE
    number = STATUS_CODES.get(status)
    return STATUS_BASE + number if number is not None else FAILED


class UsageProblem(Exception):
    """Bad usage or input found by the command line itself: exit 2 with this message."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.code = code
