"""JSON text with decimal.Decimal numbers written exactly as their decimal text.

json.dumps refuses Decimal, and a float cannot hold 12.50 or 0.1 exactly: a price read as
Decimal("12.50") must reach the wire as 12.50. dumps() writes the same compact JSON as
json.dumps(ensure_ascii=False, allow_nan=False, separators=(",", ":")) for every other value.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, List, Mapping

__all__ = ["dumps", "decimal_text"]

_plain = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def decimal_text(number: Decimal) -> str:
    """A finite Decimal as JSON number text: Decimal("12.50") -> "12.50", "1E+3" -> "1E+3"."""
    if not number.is_finite():
        raise ValueError("%s is not a JSON number" % number)
    return str(number)


def dumps(value: Any) -> str:
    """Compact JSON text; Decimal values exactly, everything else as json.dumps writes it."""
    parts: List[str] = []
    _write(value, parts, 0)
    return "".join(parts)


def _write(value: Any, parts: List[str], depth: int) -> None:
    if depth > 1000:
        raise ValueError("the value is nested too deeply")
    if isinstance(value, Decimal):
        parts.append(decimal_text(value))
    elif isinstance(value, Mapping):
        parts.append("{")
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                if key is None or isinstance(key, (bool, int, float)):
                    key = _plain.encode(key)  # json.dumps's own rule: 1 -> "1", None -> "null"
                else:
                    raise TypeError("keys must be str, int, float, bool or None, not %s"
                                    % type(key).__name__)
            parts.append("," if index else "")
            parts.append(_plain.encode(key))
            parts.append(":")
            _write(item, parts, depth + 1)
        parts.append("}")
    elif isinstance(value, (list, tuple)):
        parts.append("[")
        for index, item in enumerate(value):
            parts.append("," if index else "")
            _write(item, parts, depth + 1)
        parts.append("]")
    else:
        parts.append(_plain.encode(value))
