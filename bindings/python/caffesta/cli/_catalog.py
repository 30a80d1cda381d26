"""Reading a shop's catalog file (CSV, an Excel workbook, a JSON array or JSONL) into product
bodies.

Each row becomes a product body (docs/api.md, The product body) or an error naming its line; a bad row
never stops the others. Numbers stay exact: "12,50" and 12.50 become Decimal("12.50") and reach
the wire as 12.50, never through a float. A workbook's numbers are stored as binary floats:
each is read as the shortest text that gives it back (12.5, not 12.5000000001).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

from ._errors import UsageProblem

FORMATS = ("csv", "xlsx", "json", "jsonl")


@dataclass
class Row:
    line: int                          # the line of the file where the row starts
    ref_code: str                      # as far as it could be read ("" if none)
    product: Optional[Dict[str, Any]]  # the body to send, or None when the row is bad
    error: str = ""                    # why the row is bad


class RowError(Exception):
    pass


# ---- field types -------------------------------------------------------------------------------

_TRUE = {"true", "1", "yes", "y", "да", "д", "+"}
_FALSE = {"false", "0", "no", "n", "нет", "н", "-"}
# A number as spreadsheets write it: 12.50, 12,50, -3, 1 234,50 (space or no-break space groups).
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,](\d+))?$")


def _text(value: Any, name: str) -> str:
    if isinstance(value, str):
        return value
    raise RowError("%s must be text, not %s" % (name, _kind(value)))


def _decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, bool):
        raise RowError("%s must be a number, not %s" % (name, _kind(value)))
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        match = _NUMBER.match(text)
        if match:
            sign = "-" if text.startswith("-") else ""
            whole = re.sub(r"[ \u00a0\u202f]", "", match.group(1))
            fraction = match.group(2)
            return Decimal(sign + whole + ("." + fraction if fraction is not None else ""))
        raise RowError("%s %r is not a number (write 12.50 or 12,50)" % (name, value))
    raise RowError("%s must be a number, not %s" % (name, _kind(value)))


def _non_negative(value: Any, name: str) -> Decimal:
    number = _decimal(value, name)
    if number < 0:
        raise RowError("%s must not be negative: %s" % (name, number))
    return number


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise RowError("%s must be a whole number, not %s" % (name, _kind(value)))
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return int(value)
    raise RowError("%s %r is not a whole number" % (name, value))


def _positive_id(value: Any, name: str) -> int:
    number = _integer(value, name)
    if number <= 0:
        raise RowError("%s must be a positive id, not %d" % (name, number))
    return number


def _boolean(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise RowError("%s %r is not true or false" % (name, value))


def _one_of(*allowed: Any) -> Callable[[Any, str], Any]:
    def check(value: Any, name: str) -> Any:
        if value not in allowed:
            raise RowError("%s %r is not one of %s" % (name, value, ", ".join(map(str, allowed))))
        return value
    return check


def _measure(value: Any, name: str) -> str:
    return _one_of("pcs", "kg", "l")(_text(value, name).strip(), name)


def _type(value: Any, name: str) -> str:
    return _one_of("product", "tech_map", "sub_product")(_text(value, name).strip(), name)


def _cancellation(value: Any, name: str) -> int:
    return _one_of(0, 1, 2)(_integer(value, name), name)


def _weight(value: Any, name: str) -> Optional[int]:
    if value is None:
        return None
    number = _integer(value, name)
    if number < 0:
        raise RowError("%s must not be negative: %d" % (name, number))
    return number


def _kind(value: Any) -> str:
    return {bool: "true/false", dict: "an object", list: "a list", type(None): "null"}.get(
        type(value), type(value).__name__)


# The product body's fields (docs/api.md), with how a cell or a JSON value is read.
PRODUCT_FIELDS: Dict[str, Callable[[Any, str], Any]] = {
    "ref_code": _text,
    "name": _text,
    "measure": _measure,
    "barcode": _text,
    "country": _text,
    "description": _text,
    "category_ref_code": _text,
    "workspace_ref_code": _text,
    "caf_tax_id": _positive_id,
    "cancellation_type": _cancellation,
    "for_sale": _boolean,
    "use_discounts": _boolean,
    "type": _type,
    "weight_in_gram": _weight,
}
# A single price, written flat in a row: one entry of "prices".
PRICE_FIELDS: Dict[str, Callable[[Any, str], Any]] = {
    "price": _non_negative,
    "self_cost": _non_negative,
    "caf_shop_id": _positive_id,
    "caf_storage_id": _positive_id,
}
KNOWN_FIELDS = list(PRODUCT_FIELDS) + list(PRICE_FIELDS)


def product_from(record: Mapping[str, Any], allow_prices_list: bool) -> Dict[str, Any]:
    """A product body from a row's fields; RowError says what is wrong."""
    product: Dict[str, Any] = {}
    price: Dict[str, Any] = {}
    unknown = [key for key in record
               if key not in PRODUCT_FIELDS and key not in PRICE_FIELDS
               and not (allow_prices_list and key == "prices")]
    if unknown:
        raise RowError("unknown field%s %s (known: %s)" % (
            "s" if len(unknown) > 1 else "", ", ".join(map(repr, unknown)),
            ", ".join(KNOWN_FIELDS)))
    for key, value in record.items():
        if isinstance(value, str) and key != "ref_code" and not value.strip():
            continue  # an empty cell: the field is left as it is
        if key in PRODUCT_FIELDS:
            product[key] = PRODUCT_FIELDS[key](value, key)
        elif key in PRICE_FIELDS:
            price[key] = PRICE_FIELDS[key](value, key)
        else:
            product[key] = _prices(value)
    ref_code = product.get("ref_code")
    if not isinstance(ref_code, str) or not ref_code.strip():
        raise RowError("ref_code is missing")
    if ref_code != ref_code.strip():
        raise RowError("ref_code %r has spaces around it" % ref_code)
    if price:
        _check_price(price, "")
        if "prices" in product:
            raise RowError("give either prices or price, caf_shop_id, caf_storage_id, not both")
        product["prices"] = [price]
    return product


def _prices(value: Any) -> List[Dict[str, Any]]:
    if not isinstance(value, list):
        raise RowError("prices must be a list, not %s" % _kind(value))
    result = []
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise RowError("prices[%d] must be an object" % index)
        unknown = [key for key in entry if key not in PRICE_FIELDS]
        if unknown:
            raise RowError("prices[%d]: unknown field %s" % (index, ", ".join(map(repr, unknown))))
        checked = {key: PRICE_FIELDS[key](item, "prices[%d].%s" % (index, key))
                   for key, item in entry.items()}
        _check_price(checked, "prices[%d]: " % index)
        result.append(checked)
    return result


def _check_price(price: Mapping[str, Any], where: str) -> None:
    """A price names its amount and its shop; the message says which of the two is missing."""
    if "price" not in price:
        raise RowError("%s%s given but no price: fill in the price, or leave %s empty too"
                       % (where, ", ".join(sorted(price)), "them" if len(price) > 1 else "it"))
    if "caf_shop_id" not in price:
        raise RowError("%sprice %s needs caf_shop_id, the shop it is for (and caf_storage_id)"
                       % (where, price["price"]))


def _row(line: int, record: Mapping[str, Any], allow_prices_list: bool) -> Row:
    ref = record.get("ref_code")
    ref_code = ref.strip() if isinstance(ref, str) else ""
    try:
        return Row(line, ref_code, product_from(record, allow_prices_list))
    except RowError as e:
        return Row(line, ref_code, None, str(e))


# ---- file formats ------------------------------------------------------------------------------

# What a file's first bytes say it is, for files that are not text: an .xlsx is read, the
# others are named (a CSV reader would only see bytes in no encoding).
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLSX = "an Excel workbook (.xlsx)"


def sniff(data: bytes) -> Optional[str]:
    """What a binary file is ("an Excel workbook (.xlsx)", ...), or None for text."""
    if data.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return XLSX
            if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype"):
                return "an OpenDocument spreadsheet (.ods)"
        except (zipfile.BadZipFile, OSError):
            return "a damaged zip archive (a workbook saved half-way?)"
        return "a zip archive"
    if data.startswith(_OLE2):
        return "an Excel 97-2003 workbook (.xls)"
    if data.startswith(b"%PDF"):
        return "a PDF document"
    return None


SAVE_AS = "save it from the spreadsheet as .xlsx, or as CSV UTF-8"


def detect_format(path: str, given: Optional[str], data: bytes = b"") -> str:
    """The format to read: what the file's bytes say when they are a workbook, else --format,
    else the extension. A binary file that is not read is named, with what to do."""
    kind = sniff(data)
    if kind == XLSX:
        if given not in (None, "xlsx"):
            raise UsageProblem("%s is %s, not %s: drop --format %s (a workbook is read as it is)"
                               % (path, XLSX, given, given))
        return "xlsx"
    if kind is not None:
        raise UsageProblem("%s is %s, which is not read: %s" % (path, kind, SAVE_AS))
    if given == "xlsx" or (given is None and path.lower().endswith(".xlsx")):
        raise UsageProblem("%s is not %s: its bytes are text (a CSV file named .xlsx? use "
                           "--format csv)" % (path, XLSX))
    if given:
        return given
    lower = path.lower()
    for suffix, name in ((".csv", "csv"), (".txt", "csv"), (".jsonl", "jsonl"),
                         (".ndjson", "jsonl"), (".json", "json")):
        if lower.endswith(suffix):
            return name
    raise UsageProblem("cannot tell the format of %s from its name: add --format csv, xlsx, "
                       "json or jsonl" % path)


def decode(data: bytes, encoding: str, path: str) -> str:
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8")
    try:
        text = data.decode("utf-8-sig" if utf8 else encoding)
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        if utf8:
            raise UsageProblem("%s is not UTF-8 text (line %d): an older program's export may be "
                               "cp1251 (--encoding cp1251); or %s" % (path, line, SAVE_AS)) from None
        raise UsageProblem("%s is not %s text either (line %d): %s"
                           % (path, encoding, line, SAVE_AS)) from None
    except LookupError:
        raise UsageProblem("unknown encoding %r" % encoding) from None
    return text


def read_file(data: bytes, fmt: str, encoding: str, path: str,
              sheet: Optional[str] = None) -> List[Row]:
    """The rows of a catalog file's bytes, in the format detect_format() gave."""
    if fmt == "xlsx":
        return _without_repeats(list(_xlsx_rows(data, path, sheet)))
    if sheet is not None:
        raise UsageProblem("--sheet is for a workbook (.xlsx), and %s is read as %s" % (path, fmt))
    return read_rows(decode(data, encoding, path), fmt, path)


def read_rows(text: str, fmt: str, path: str) -> List[Row]:
    if fmt == "csv":
        rows = list(_csv_rows(text, path))
    elif fmt == "jsonl":
        rows = list(_jsonl_rows(text))
    else:
        rows = _json_rows(text, path)
    return _without_repeats(rows)


def _without_repeats(rows: List[Row]) -> List[Row]:
    """A ref_code given twice fails on its later lines: the rows go out in parallel, so which
    one the account would keep is a matter of timing."""
    first: Dict[str, int] = {}
    for row in rows:
        if row.product is None:
            continue
        if row.ref_code in first:
            row.product = None
            row.error = "ref_code %r is already on line %d: give each product once" % (
                row.ref_code, first[row.ref_code])
        else:
            first[row.ref_code] = row.line
    return rows


def _delimiter(header_line: str) -> str:
    """The delimiter that splits the header: ';' (Russian-locale spreadsheets), ',' or a tab."""
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(text: str, path: str) -> Iterator[Row]:
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise UsageProblem("%s is empty: the first line must name the fields" % path)
    delimiter = _delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: Optional[List[str]] = None
    start = 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, as spreadsheets leave at the end
        if header is None:
            header = [cell.strip() for cell in cells]
            _check_header(header, path, delimiter)
            continue
        if len(cells) != len(header):
            hint = ""
            if delimiter == "," and len(cells) > len(header):
                hint = " (a decimal comma in a ','-separated file? quote it: \"12,50\")"
            yield Row(line, cells[0].strip() if cells else "", None,
                      "%d cells where the header has %d%s" % (len(cells), len(header), hint))
            continue
        yield _row(line, dict(zip(header, cells)), allow_prices_list=False)


def _xlsx_cell(value: Any) -> str:
    """A workbook cell as the text a CSV cell would hold: numbers in the shortest form that
    gives the stored number back (a SKU typed as 1001 is "1001", a price 12.5 is "12.5")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f") if value == value else "NaN"
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes, path: str, sheet: Optional[str]) -> Iterator[Row]:
    """The first worksheet (or `sheet`), its first non-empty row naming the fields, as a CSV
    file is read; a row's line is its row number in the sheet. Formulas give their values."""
    import openpyxl  # a dependency of the command (pyproject.toml)

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a broken file
        raise UsageProblem("%s: cannot read the workbook: %s" % (path, e)) from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise UsageProblem("%s has no sheet %r (its sheets: %s)"
                               % (path, sheet, ", ".join(workbook.sheetnames)))
        header: Optional[List[str]] = None
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [_xlsx_cell(value) for value in values]
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                while cells and not cells[-1].strip():
                    cells.pop()
                header = [cell.strip() for cell in cells]
                _check_header(header, "%s (sheet %r)" % (path, worksheet.title), None)
                continue
            extra = [cell for cell in cells[len(header):] if cell.strip()]
            if extra:
                yield Row(number, cells[0].strip() if cells else "", None,
                          "cells beyond the header's %d columns: %s" % (len(header),
                                                                         ", ".join(map(repr, extra))))
                continue
            yield _row(number, dict(zip(header, cells + [""] * (len(header) - len(cells)))),
                       allow_prices_list=False)
        if header is None:
            raise UsageProblem("%s: the sheet %r is empty: its first row must name the fields"
                               % (path, worksheet.title))
    finally:
        workbook.close()


def _check_header(header: List[str], path: str, delimiter: Optional[str]) -> None:
    unknown = [name for name in header if name not in KNOWN_FIELDS]
    if unknown:
        raise UsageProblem(
            "%s: the header names unknown fields %s%s; known fields: %s"
            % (path, ", ".join(map(repr, unknown)),
               " (separated by %r)" % delimiter if delimiter else "", ", ".join(KNOWN_FIELDS)))
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise UsageProblem("%s: the header repeats %s" % (path, ", ".join(repeated)))
    if "ref_code" not in header:
        raise UsageProblem("%s: the header has no ref_code column" % path)


def _loads(text: str) -> Any:
    # Decimal for fractions keeps the digits as written: 12.50 goes out as 12.50.
    return json.loads(text, parse_float=Decimal)


def _jsonl_rows(text: str) -> Iterator[Row]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = _loads(line)
        except ValueError as e:
            yield Row(number, "", None, "not JSON: %s" % e)
            continue
        yield _record_row(number, record)


def _record_row(line: int, record: Any) -> Row:
    if not isinstance(record, dict):
        return Row(line, "", None, "a product must be a JSON object, not %s" % _kind(record))
    return _row(line, record, allow_prices_list=True)


def _json_rows(text: str, path: str) -> List[Row]:
    try:
        document = _loads(text)
    except ValueError as e:
        raise UsageProblem("%s is not JSON: %s" % (path, e)) from None
    if not isinstance(document, list):
        raise UsageProblem("%s must hold a JSON array of products" % path)
    starts = _element_lines(text, len(document))
    return [_record_row(starts[i], record) for i, record in enumerate(document)]


def _element_lines(text: str, count: int) -> List[int]:
    """The line where each element of a top-level JSON array starts (1 for all if unsure)."""
    decoder = json.JSONDecoder(parse_float=Decimal)
    lines: List[int] = []
    index = text.index("[") + 1
    whitespace = re.compile(r"[ \t\n\r,]*")
    try:
        for _ in range(count):
            index = whitespace.match(text, index).end()  # type: ignore[union-attr]
            lines.append(text.count("\n", 0, index) + 1)
            _, index = decoder.raw_decode(text, index)
    except (ValueError, AttributeError):
        return [1] * count
    return lines


def describe(rows: List[Row]) -> Tuple[int, int]:
    bad = sum(1 for row in rows if row.product is None)
    return len(rows) - bad, bad
