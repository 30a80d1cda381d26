"""Writing records: a table for people, CSV, JSON or JSONL for programs.

Numbers are written as they were read: the client parses fractions as Decimal, and Decimal is
written with its own digits (12.50 stays 12.50), in every format.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from decimal import Decimal
from typing import Any, Dict, Iterable, List, Optional, Sequence, TextIO

from .._jsontext import dumps

OUTPUT_FORMATS = ("table", "csv", "json", "jsonl")


def json_line(value: Any) -> str:
    return dumps(value)


class CsvStyle:
    """How CSV is written. The default is for programs: ',' between cells, decimal points,
    UTF-8 without a BOM. EXCEL (--excel) is for a spreadsheet in a locale whose decimal
    separator is a comma (Russian, and most of Europe): ';' between cells, decimal commas
    (12,50: the same digits), UTF-8 with a BOM, which Excel needs to read Cyrillic as UTF-8.
    `products push` reads both styles back."""

    def __init__(self, delimiter: str = ",", decimal_comma: bool = False, bom: bool = False
                 ) -> None:
        self.delimiter = delimiter
        self.decimal_comma = decimal_comma
        self.bom = bom


PLAIN = CsvStyle()
EXCEL = CsvStyle(";", decimal_comma=True, bom=True)


def style(excel: bool) -> CsvStyle:
    return EXCEL if excel else PLAIN


# Columns whose digits are words, never amounts: a ref_code "1.5" stays "1.5" in an Excel file.
TEXT_COLUMNS = {"ref_code", "alternateName", "barcode", "code", "name", "title", "uuid",
                "comment", "label"}
_DECIMAL_TEXT = re.compile(r"^[+-]?\d+\.\d+$")


def _amount_columns(rows: Sequence[Dict[str, Any]], columns: Sequence[str]) -> set:
    """The columns that hold amounts: every value a number, or a number the server wrote as a
    string ("0.245614", as stock and sales answers do). An Excel file writes them with decimal
    commas, as that locale's Excel reads numbers (a "0.245614" cell would be text there)."""
    amounts = set()
    for column in columns:
        if column.split(".")[-1] in TEXT_COLUMNS:
            continue
        values = [row.get(column) for row in rows if row.get(column) not in (None, "")]
        if values and all((isinstance(v, (int, Decimal)) and not isinstance(v, bool))
                          or (isinstance(v, str) and (_DECIMAL_TEXT.match(v) or v.isdigit()))
                          for v in values):
            amounts.add(column)
    return amounts


def cell(value: Any, csv_style: CsvStyle = PLAIN, amount: bool = False) -> str:
    """One value as text for a table or a CSV cell; `amount`: in an amounts column."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if csv_style.decimal_comma and (isinstance(value, Decimal) or
                                    (amount and isinstance(value, str))):
        return str(value).replace(".", ",")  # the digits as the server wrote them
    if isinstance(value, (str, int, Decimal)):
        return str(value)
    return dumps(value)  # lists stay JSON in a cell


def flatten(record: Any, prefix: str = "") -> Dict[str, Any]:
    """Nested objects as dotted columns ({"dish": {"id": 8}} -> "dish.id"); lists stay whole."""
    if not isinstance(record, dict):
        return {prefix or "value": record}
    flat: Dict[str, Any] = {}
    for key, value in record.items():
        name = prefix + str(key)
        if isinstance(value, dict) and value:
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def columns_of(rows: Sequence[Dict[str, Any]], preferred: Sequence[str] = ()) -> List[str]:
    seen: Dict[str, None] = {name: None for name in preferred
                             if any(name in row for row in rows)}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def write_records(records: Iterable[Any], fmt: str, out: TextIO,
                  preferred: Sequence[str] = (), table_columns: Optional[Sequence[str]] = None,
                  csv_style: CsvStyle = PLAIN) -> int:
    """Writes the records; returns how many there were."""
    if fmt == "jsonl":
        count = 0
        for record in records:
            out.write(dumps(record) + "\n")
            count += 1
        return count
    items = list(records)
    if fmt == "json":
        out.write(dumps(items) + "\n")
        return len(items)
    rows = [flatten(item) for item in items]
    if fmt == "csv":
        columns = columns_of(rows, preferred)
        if csv_style.bom:
            out.write("\ufeff")
        writer = csv.writer(out, delimiter=csv_style.delimiter, lineterminator="\n")
        writer.writerow(columns)
        amounts = _amount_columns(rows, columns) if csv_style.decimal_comma else set()
        for row in rows:
            writer.writerow([cell(row.get(column), csv_style, column in amounts)
                             for column in columns])
        return len(rows)
    columns = list(table_columns) if table_columns else columns_of(rows, preferred)
    out.write(table(rows, columns))
    return len(rows)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else
               0 if unicodedata.combining(ch) else 1 for ch in text)


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def table(rows: Sequence[Dict[str, Any]], columns: Sequence[str]) -> str:
    """A plain-text table: a header, a rule, one line per row; numbers right-aligned."""
    if not rows:
        return "(none)\n"
    texts = [[cell(row.get(c)).replace("\n", " ") for c in columns] for row in rows]
    widths = [max([_width(c)] + [_width(t[i]) for t in texts]) for i, c in enumerate(columns)]
    right = [all(_numeric(row.get(c)) or row.get(c) is None for row in rows) for c in columns]

    def line(values: Sequence[str]) -> str:
        parts = []
        for i, value in enumerate(values):
            pad = " " * (widths[i] - _width(value))
            parts.append(pad + value if right[i] else value + pad)
        return "  ".join(parts).rstrip() + "\n"

    return line(list(columns)) + line(["-" * w for w in widths]) + "".join(
        line(t) for t in texts)
