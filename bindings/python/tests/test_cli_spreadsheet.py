"""The `caffesta` command for an operator with a spreadsheet: every table as an Excel file, stock
named by ref_code, a catalog pushed from an .xlsx workbook, a file that is not read named for what
it is, progress that a log file keeps, and the messages and defaults an operator meets first."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List

import pytest

from caffesta._client import DEFAULT_CONCURRENCY
from conftest import API_KEY, REPO
from test_cli import Cli, bodies, cli, exact, read_report_csv  # noqa: F401 (cli: the fixture)

openpyxl = pytest.importorskip("openpyxl")  # a dependency of the command; bootstrap installs it


def excel_csv(path: Path) -> List[List[str]]:
    """An --excel file as Excel in a Russian locale reads it: BOM, ';', decimal commas."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no BOM: Excel would show Cyrillic broken"
    return [line.split(";") for line in raw[3:].decode("utf-8").splitlines()]


def stocked(client: Any) -> Dict[str, int]:
    """Two products of our own on storage 1 (an invoice, wired): {ref_code: Caffesta id}."""
    ids = {}
    for ref_code, name in (("stock-latte", "Латте для склада"), ("stock-syrup", "Сироп; ваниль")):
        ids[ref_code] = client.upsert_product({"ref_code": ref_code, "name": name, "caf_tax_id": 1,
                                               "category_ref_code": "c", "workspace_ref_code": "w"})["id"]
    invoice = client.create_invoice({
        "number": "stock-1", "date": "2024-01-10 10:00", "storage": {"caf_id": 1},
        "shipper": {"ref_code": "s1", "name": "Поставщик"},
        "items": [{"amount": Decimal("2.5"), "package_code": "pcs", "product_code": ref_code,
                   "price": Decimal("1.20"), "caf_tax_id": 1, "price_with_tax": Decimal("1.20"),
                   "cost": Decimal("3.00"), "cost_with_tax": Decimal("3.00")} for ref_code in ids]})
    client.wire_invoice(invoice)
    return ids


# ---- tables as files -----------------------------------------------------------------------------

def test_stock_to_an_excel_file_names_each_product_by_ref_code(cli: Cli, client: Any,
                                                               tmp_path: Path) -> None:
    ids = stocked(client)
    out = tmp_path / "stock.csv"
    before = len(cli.emulator.requests())
    result = cli("stock", "1", "--pos", "2", "--excel", "--output", str(out))
    assert result.code == 0 and result.out == "", result
    rows = excel_csv(out)
    assert rows[0] == ["id", "ref_code", "name", "measure", "cost", "summ", "balance"]
    by_ref = {row[1]: row for row in rows[1:]}
    for ref_code, product_id in ids.items():
        assert by_ref[ref_code][0] == str(product_id), rows
    assert "Сироп; ваниль" in out.read_text(encoding="utf-8-sig")  # a ';' in a name is quoted
    assert "0,245614" in out.read_text(encoding="utf-8-sig")        # the seed's cost, decimal comma
    assert "%d rows written to %s" % (len(rows) - 1, out) in result.err, result
    # The products feed read once for the whole command: its pages, one after the other.
    feed = [r["path"] for r in cli.emulator.requests()[before:] if "get_products0" in r["path"]]
    starts = [int(path.split("/")[-2]) for path in feed]
    assert starts and starts[0] == 0 and starts == sorted(set(starts)), feed

    without = cli("stock", "1", "--format", "csv")
    assert without.out.splitlines()[0] == "id,name,measure,cost,summ,balance"
    assert "--pos" in without.err, without


def test_every_table_command_writes_a_file_and_excel_csv(cli: Cli, tmp_path: Path) -> None:
    for args, header_has in ((["storages"], ["id", "name"]),
                             (["sales", "--shift-day", "2022-04-20"], ["caf_id", "ref_code", "name"]),
                             (["sales", "--shift-day", "2022-04-20", "--by", "pos"], ["total_pay"]),
                             (["receipts", "2", "2022-04-20"], ["id", "bill_dishes"])):
        plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
        result = cli(*args, "--output", str(plain))
        assert result.code == 0 and result.out == "", (args, result)
        header = plain.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert all(name in header for name in header_has), (args, header)
        assert cli(*args, "--excel", "-o", str(excel)).code == 0
        assert all(name in excel_csv(excel)[0] for name in header_has), args
        refused = cli(*args, "--excel", "--format", "json")
        assert refused.code == 2 and "--excel writes CSV" in refused.err, refused
    sales_file = tmp_path / "sales.csv"
    assert cli("sales", "--shift-day", "2022-04-20", "--excel", "-o", str(sales_file)).code == 0
    sales = excel_csv(sales_file)
    assert sales[0][:4] == ["caf_terminal_id", "caf_id", "ref_code", "name"], sales
    assert any(re.fullmatch(r"\d+,\d+", cell) for row in sales[1:] for cell in row), sales


# ---- an .xlsx workbook ---------------------------------------------------------------------------

def workbook(path: Path, rows: List[List[Any]], title: str = "Прайс") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(str(path))
    return path


def test_push_an_xlsx_workbook_as_excel_saved_it(cli: Cli, tmp_path: Path) -> None:
    book = workbook(tmp_path / "Прайс.xlsx", [
        ["ref_code", "name", "price", "caf_shop_id", "caf_storage_id", "caf_tax_id"],
        [1001, "Эспрессо", 2.5, 2, 1, 1],            # a SKU typed as a number
        ["latte-xl", "Латте XL", "4,90", 2, 1, 1],    # a price typed as text, decimal comma
        [],                                           # a blank row, as sheets have
        ["tea", "Чай", None, 2, 1, 1],                # the shop given, the price cell empty
        ["cake", "Торт", 12.1, None, None, 1],        # a price without its shop
    ])
    report = tmp_path / "report.csv"
    result = cli("products", "push", str(book), "--report", str(report))
    assert result.code == 3, result
    sent = [exact(body) for body in bodies(cli.emulator, "PUT") + bodies(cli.emulator, "POST")
            if body and '"ref_code"' in body]
    by_ref = {body["ref_code"]: body for body in sent}
    assert set(by_ref) == {"1001", "latte-xl"}, sent
    assert by_ref["1001"]["prices"] == [{"price": Decimal("2.5"), "caf_shop_id": 2, "caf_storage_id": 1}]
    assert by_ref["latte-xl"]["prices"][0]["price"] == Decimal("4.90")
    assert re.search(r'"price":\s*2\.5\b', next(b for b in bodies(cli.emulator) if '"1001"' in b))
    rows = {row["ref_code"]: row for row in read_report_csv(report)}
    assert rows["1001"]["line"] == "2" and rows["tea"]["line"] == "5"  # the sheet's row numbers
    assert "caf_shop_id, caf_storage_id given but no price" in rows["tea"]["message"], rows["tea"]
    assert "price 12.1 needs caf_shop_id" in rows["cake"]["message"], rows["cake"]
    assert "needs price and caf_shop_id" not in result.err

    named = workbook(tmp_path / "two.xlsx", [["x"]], title="Обложка")
    book2 = openpyxl.load_workbook(str(named))
    book2.create_sheet("Товары").append(["ref_code", "name"])
    book2["Товары"].append(["from-sheet", "Со второго листа"])
    book2.save(str(named))
    assert cli("products", "push", str(named), "--sheet", "Товары").code == 0
    missing = cli("products", "push", str(named), "--sheet", "Нет")
    assert missing.code == 2 and "Обложка, Товары" in missing.err, missing


def test_a_file_that_is_not_read_is_named_for_what_it_is(cli: Cli, tmp_path: Path) -> None:
    def refused(*args: str) -> str:
        before = len(cli.emulator.requests())
        result = cli("products", "push", *args)
        assert result.code == 2, result
        assert len(cli.emulator.requests()) == before, "a refused file sent something"
        return result.err

    book = workbook(tmp_path / "catalog.xlsx", [["ref_code", "name"], ["renamed", "Переименован"]])
    as_csv = tmp_path / "catalog.csv"
    as_csv.write_bytes(book.read_bytes())
    assert cli("products", "push", str(as_csv)).code == 0          # read as the workbook it is
    assert "is an Excel workbook (.xlsx), not csv" in refused(str(as_csv), "--format", "csv")
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    err = refused(str(xls))
    assert "an Excel 97-2003 workbook (.xls), which is not read" in err, err
    assert "save it from the spreadsheet as .xlsx" in err and "encoding" not in err, err

    cp1251 = tmp_path / "old-export.csv"
    cp1251.write_bytes("ref_code;name\nmors;Морс\n".encode("cp1251"))
    err = refused(str(cp1251))
    assert "is not UTF-8 text (line 2)" in err and "--encoding cp1251" in err, err
    assert cli("products", "push", str(cp1251), "--encoding", "cp1251").code == 0
    utf8 = tmp_path / "utf8.csv"
    utf8.write_text("ref_code;name\nmors;Морс\n", encoding="utf-8")
    err = refused(str(utf8), "--encoding", "ascii")
    assert "is not ascii text either" in err and "--encoding" not in err, err   # no circular hint


# ---- progress, defaults, help ---------------------------------------------------------------------

def test_progress_in_a_log_file_is_plain_lines_and_a_summary_that_stays(cli: Cli,
                                                                          tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.jsonl"
    catalog.write_text("".join('{"ref_code": "p-%03d", "name": "Товар %d"}\n' % (i, i)
                               for i in range(150)), encoding="utf-8")
    result = cli("products", "push", str(catalog), env={"CAFFESTA_PROGRESS_INTERVAL": "0"})
    assert result.code == 0, result
    lines = result.err.splitlines()
    assert "\r" not in result.err and "\x1b" not in result.err, "a bar in a log file"
    steps = [line for line in lines if re.fullmatch(r"caffesta: push: \d+ of 150 rows", line)]
    assert steps and steps[-1] == "caffesta: push: 150 of 150 rows", lines
    assert re.fullmatch(r"caffesta: push: 150 of 150 rows in \d+\.\d s", lines[-1]), lines
    quiet = cli("products", "push", str(catalog))  # the default interval: the summary alone here
    assert re.search(r"caffesta: push: 150 of 150 rows in \d+\.\d s$", quiet.err), quiet

    pull = cli("products", "pull", "--pos", "2", "-o", str(tmp_path / "p.jsonl"),
               env={"CAFFESTA_PROGRESS_INTERVAL": "0"})
    assert re.search(r"^caffesta: products pull: \d+ products in \d+\.\d s$", pull.err, re.M), pull


def test_one_default_concurrency_and_the_demo_key_of_the_docs(cli: Cli) -> None:
    help_text = cli("products", "push", "--help").out
    assert re.search(r"--concurrency INTEGER RANGE\s+Requests in flight at once.*\[default: %d"
                     % DEFAULT_CONCURRENCY, " ".join(help_text.split())), help_text
    assert DEFAULT_CONCURRENCY == 8
    main_help = cli("--help").out
    assert "CAFFESTA_API_KEY=%s" % API_KEY in main_help, main_help
    docs = "\n".join(path.read_text(encoding="utf-8") for path in
                     [REPO / "README.md", REPO / "bindings" / "python" / "README.md",
                      *sorted((REPO / "docs").glob("*.md"))])
    keys = set(re.findall(r"CAFFESTA_API_KEY=([0-9A-Za-z-]+)", docs + main_help))
    assert keys == {API_KEY}, keys
