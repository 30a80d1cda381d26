"""The `caffesta` command, end to end: the command run with subprocess against the emulator.

Every run is checked for the API key in its output (it must never be there). The command runs
from the binding's source tree (python -m caffesta.cli), except in the install test, which
builds a wheel, installs it in a fresh venv and runs the `caffesta` script it provides.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from conftest import API_KEY, BINDING_DIR, REPO, Emulator, wait_until

CATALOG = REPO / "examples" / "catalog.csv"
WRONG_KEY = "fedcba9876543210fedcba9876543210"
COMMANDS = ["auth-test", "products", "storages", "stock", "sales", "receipts", "sync",
            "request", "emulator"]


class Result:
    def __init__(self, process: "subprocess.CompletedProcess[str]") -> None:
        self.code = process.returncode
        self.out = process.stdout
        self.err = process.stderr

    def __repr__(self) -> str:
        return "exit %d\n--- stdout\n%s\n--- stderr\n%s" % (self.code, self.out, self.err)


class Cli:
    """Runs `caffesta` with credentials from the environment and a HOME of its own."""

    def __init__(self, emulator: Emulator, home: Path) -> None:
        self.emulator = emulator
        self.home = home
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("CAFFESTA_") or k == "CAFFESTA_LIBRARY"}
        self.env.pop("XDG_CONFIG_HOME", None)
        self.env.update(HOME=str(home), PYTHONPATH=BINDING_DIR, CAFFESTA_ACCOUNT="demo",
                        CAFFESTA_API_KEY=API_KEY, CAFFESTA_BASE_URL=emulator.url,
                        PYTHONIOENCODING="utf-8")

    def command(self, *args: str) -> List[str]:
        return [sys.executable, "-m", "caffesta.cli"] + list(args)

    def __call__(self, *args: str, input: Optional[str] = None, env: Optional[Dict[str, str]]
                 = None, drop: Any = (), timeout: float = 120) -> Result:
        environment = dict(self.env, **(env or {}))
        for name in drop:
            environment.pop(name, None)
        process = subprocess.run(self.command(*args), input=input, capture_output=True,
                                 text=True, env=environment, cwd=str(self.home),
                                 timeout=timeout)
        result = Result(process)
        # --help's quick start shows the emulator's demo key, which is the tests' key too.
        keys = (WRONG_KEY,) if "--help" in args else (API_KEY, WRONG_KEY)
        for key in keys:
            assert key not in result.out and key not in result.err, result
        return result


@pytest.fixture
def cli(emulator: Emulator, tmp_path: Path) -> Cli:
    home = tmp_path / "home"
    home.mkdir()
    return Cli(emulator, home)


def bodies(emulator: Emulator, method: Optional[str] = None) -> List[str]:
    return [r["body"] for r in emulator.requests() if method is None or r["method"] == method]


def raw_get(emulator: Emulator, path: str) -> str:
    request = urllib.request.Request(emulator.url + path, headers={"X-API-KEY": API_KEY})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.read().decode("utf-8")


def exact(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def read_report_csv(path: Path) -> List[Dict[str, str]]:
    import csv
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def jsonl(text: str) -> List[Any]:
    return [exact(line) for line in text.splitlines() if line.strip()]


# ---- help, usage, exit codes --------------------------------------------------------------------

def test_help_names_every_command_the_credentials_and_the_exit_codes(cli: Cli) -> None:
    result = cli("--help")
    assert result.code == 0, result
    for command in COMMANDS:
        assert "\n  %s " % command in result.out, command
    for text in ("CAFFESTA_ACCOUNT", "CAFFESTA_API_KEY", "config.toml", "chmod 600",
                 "Exit codes", "partial", "130"):
        assert text in result.out, text
    for args in [[c] for c in COMMANDS if c != "products"] + [["products", "push"],
                                                                ["products", "pull"]]:
        help_result = cli(*args, "--help")
        assert help_result.code == 0 and help_result.out.startswith("Usage: caffesta"), args
        assert len(help_result.out.splitlines()) > 4, args


def test_the_exit_codes_in_help_follow_the_header_s_status_numbers(cli: Cli) -> None:
    import re
    from caffesta.cli._errors import STATUS_WORDS
    header = (REPO / "include" / "caffesta.h").read_text(encoding="utf-8")
    numbers = {name: int(n) for name, n in re.findall(r"CAFFESTA_ERR_(\w+) = (\d+)", header)}
    assert numbers["CANCELLED"] == 16 and numbers["PROXY"] == 15
    text = cli("--help").out
    for name, number in numbers.items():
        if name in ("INVALID_ARGUMENT", "PARTIAL"):
            continue
        assert "%-3d %s" % (10 + number, STATUS_WORDS[name]) in text, name
    assert "26  cancelled" in text and "25  proxy" in text and "24 " not in text
    cli_page = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "26 cancelled" in cli_page and "25 proxy" in cli_page


def test_help_quick_start_agrees_with_the_readme_and_names_the_emulator_s_key(cli: Cli) -> None:
    text = cli("--help").out
    # The quick start is in the README (a first call) and in docs/cli.md (the command's own page).
    pages = [(REPO / name).read_text(encoding="utf-8") for name in ("README.md", "docs/cli.md")]
    assert "products pull --pos 2" in text and all("products pull --pos 2" in page for page in pages)
    assert "--pos 1" not in text
    emulator_help = cli("emulator", "--help").out
    assert "CAFFESTA_API_KEY" in emulator_help, emulator_help
    assert "kill %1" in emulator_help and all("kill %1" in page for page in pages)
    result = cli("emulator", "--port", "0", "--api-key", "x" * 32)
    assert result.code == 2 and "CAFFESTA_API_KEY" in result.err, result
    shown = subprocess.run(cli.command("emulator", "--help-emulator"), capture_output=True,
                           text=True, env=cli.env, timeout=60)  # shows the demo key, on purpose
    assert shown.returncode == 0 and "refused here" in shown.stdout, shown


def test_bad_usage_exits_2_and_says_why(cli: Cli) -> None:
    result = cli("sales")
    assert result.code == 2 and "--shift-day" in result.err, result
    result = cli("stock", "zero")
    assert result.code == 2 and "zero" in result.err, result
    result = cli("products", "push", "missing.csv")
    assert result.code == 2 and "missing.csv" in result.err, result
    result = cli("frobnicate")
    assert result.code == 2, result
    result = cli("products", "push", str(CATALOG), "--report", "/no/such/dir/report.csv")
    assert result.code == 2 and "cannot write the report" in result.err, result
    result = cli("products", "push", str(CATALOG), "--report", "report.txt")
    assert result.code == 2 and ".csv or .jsonl" in result.err, result
    assert cli.emulator.requests() == [], "nothing is sent when the report cannot be written"


def test_credentials_come_from_the_environment_never_an_argument(cli: Cli) -> None:
    result = cli("auth-test")
    assert result.code == 0, result
    assert "key accepted: account demo at %s" % cli.emulator.url in result.out
    assert result.out.rstrip().endswith("ms)")
    result = cli("auth-test", drop=["CAFFESTA_API_KEY"])
    assert result.code == 2 and "CAFFESTA_API_KEY" in result.err, result
    result = cli("auth-test", "--api-key", API_KEY)
    assert result.code == 2, result


def test_a_refused_key_exits_15_and_names_the_status(cli: Cli) -> None:
    result = cli("auth-test", env={"CAFFESTA_API_KEY": WRONG_KEY})
    assert result.code == 15, result
    assert "CAFFESTA_ERR_UNAUTHORIZED" in result.err and "HTTP 401" in result.err, result
    report = cli.home / "report.csv"
    report.write_text("an earlier report\n", encoding="utf-8")
    result = cli("products", "push", str(CATALOG), "--report", str(report),
                 env={"CAFFESTA_API_KEY": WRONG_KEY})
    assert result.code == 15, result
    assert not bodies(cli.emulator, "POST"), "nothing is pushed with a refused key"
    assert report.read_text(encoding="utf-8") == "an earlier report\n", "left as it was"


def test_the_config_file_is_used_only_when_others_cannot_read_it(cli: Cli) -> None:
    config = cli.home / ".config" / "caffesta" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('account = "demo"\napi_key = "%s"\nbase_url = "%s"\n'
                      % (API_KEY, cli.emulator.url))
    drop = ["CAFFESTA_ACCOUNT", "CAFFESTA_API_KEY", "CAFFESTA_BASE_URL"]
    config.chmod(0o644)
    result = cli("auth-test", drop=drop)
    assert result.code == 2, result
    assert "config.toml" in result.err and "chmod 600" in result.err, result
    assert not cli.emulator.requests()
    config.chmod(0o600)
    result = cli("auth-test", drop=drop)
    assert result.code == 0 and "account demo" in result.out, result


def test_network_failures_exit_by_status(cli: Cli) -> None:
    from conftest import closed_port
    result = cli("storages", env={"CAFFESTA_BASE_URL": "http://127.0.0.1:%d" % closed_port()})
    assert result.code == 12 and "CAFFESTA_ERR_NETWORK" in result.err, result
    result = cli("request", "GET", "/no/such/thing")
    assert result.code == 16 and "CAFFESTA_ERR_NOT_FOUND" in result.err, result


@pytest.mark.skipif(not (Path(BINDING_DIR) / "caffesta" / "_log.py").exists(),
                    reason="the binding has no request log on the caffesta logger yet (issue 14)")
def test_verbose_shows_the_request_log_without_the_key(cli: Cli) -> None:
    result = cli("-v", "storages")
    assert result.code == 0, result
    assert "GET /a/v1.0/draft/storages" in result.err and "Склад кафе Буран" in result.out
    quiet = cli("storages")
    assert "/a/v1.0/draft/storages" not in quiet.err
    after = cli("storages", "-v")  # after the command's name too
    assert after.code == 0 and "GET /a/v1.0/draft/storages" in after.err, after
    assert "-v" in cli("storages", "--help").out


# ---- products push ------------------------------------------------------------------------------

def test_push_a_spreadsheet_csv_with_bom_semicolons_decimal_commas_and_a_bad_row(
        cli: Cli, tmp_path: Path) -> None:
    raw = CATALOG.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw and b"3,50" in raw
    report = tmp_path / "report.csv"
    result = cli("products", "push", str(CATALOG), "--report", str(report))
    assert result.code == 3, result
    assert "line 13 (syrup-vanilla)" in result.err and "двенадцать" in result.err, result
    assert "12 created, 1 invalid" in result.out, result

    rows = read_report_csv(report)
    assert [int(r["line"]) for r in rows] == list(range(2, 15)), "every row, in input order"
    assert [r["outcome"] for r in rows] == ["created"] * 11 + ["invalid", "created"]
    assert rows[11]["ref_code"] == "syrup-vanilla" and "not a number" in rows[11]["message"]
    assert all(r["id"] for r in rows if r["outcome"] == "created")

    sent = {exact(b)["ref_code"]: b for b in bodies(cli.emulator, "POST")}
    assert "syrup-vanilla" not in sent, "a bad row is never sent"
    # Decimal commas arrive as the same decimals, digit for digit, never through a float.
    assert '"price":3.50' in sent["coffee-espresso"]
    assert '"price":1249.90' in sent["beans-arabica-1kg"]
    assert '"price":0.6' in sent["milk-oat"] and "0.59999" not in sent["milk-oat"]
    latte = exact(sent["coffee-latte"])
    assert latte["name"] == "Латте; большой" and latte["caf_tax_id"] == 1
    assert latte["prices"] == [{"price": Decimal("6.10"), "caf_shop_id": 2, "caf_storage_id": 1}]
    assert "barcode" not in latte, "an empty cell is left out"
    stored = exact(raw_get(cli.emulator, "/a/v1.0/product/by_ref_code/cake-napoleon"))
    assert stored["data"]["name"] == "Торт «Наполеон», кусок"

    again = cli("products", "push", str(CATALOG))
    assert again.code == 3 and "12 updated, 1 invalid" in again.out, again


def test_an_unquoted_decimal_comma_in_a_comma_file_fails_its_row_alone(cli: Cli,
                                                                       tmp_path: Path) -> None:
    catalog = tmp_path / "comma.csv"
    catalog.write_text("ref_code,name,price,caf_shop_id\n"
                       "tea,Чай,\"2,90\",2\n"
                       "cake,Торт,12,50,2\n"
                       "bun,Булочка,1.5,2\n"
                       "tea,Чай снова,3,2\n", encoding="utf-8")
    report = tmp_path / "r.jsonl"
    result = cli("products", "push", str(catalog), "--report", str(report))
    assert result.code == 3, result
    entries = jsonl(report.read_text(encoding="utf-8"))
    assert [(e["line"], e["outcome"]) for e in entries] == [
        (2, "created"), (3, "invalid"), (4, "created"), (5, "invalid")]
    assert "5 cells where the header has 4" in entries[1]["message"]
    assert "already on line 2" in entries[3]["message"], "a repeated ref_code fails alone"
    assert "decimal comma" in entries[1]["message"]
    prices = {exact(b)["ref_code"]: exact(b)["prices"][0]["price"]
              for b in bodies(cli.emulator, "POST")}
    assert prices == {"tea": Decimal("2.90"), "bun": Decimal("1.5")}


def test_push_json_and_jsonl_with_a_bad_item_and_a_row_the_server_refuses(
        cli: Cli, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps([
        {"ref_code": "j1", "name": "Один", "prices": [{"caf_shop_id": 2, "price": 0}]},
        {"name": "без ref_code"},
        {"ref_code": "j3", "name": "Три", "caf_tax_id": 999},
    ], ensure_ascii=False, indent=2).replace('"price": 0', '"price": 19.990'),
        encoding="utf-8")
    report = tmp_path / "report.jsonl"
    result = cli("products", "push", str(catalog), "--report", str(report))
    assert result.code == 3, result
    entries = jsonl(report.read_text(encoding="utf-8"))
    assert [e["outcome"] for e in entries] == ["created", "invalid", "failed"]
    assert [e["line"] for e in entries] == [2, 12, 15], "each item's first line in the file"
    assert entries[1]["message"] == "ref_code is missing"
    assert entries[2]["status"] == "CAFFESTA_ERR_API" and "caf_tax_id" in entries[2]["message"]
    assert any('"price":19.990' in b for b in bodies(cli.emulator, "POST"))

    lines = tmp_path / "catalog.jsonl"
    lines.write_text('{"ref_code": "l1", "name": "Строка", "price": "4,40", "caf_shop_id": 2}\n'
                     "not json\n"
                     '{"ref_code": "l3", "pirce": 1}\n', encoding="utf-8")
    report_csv = tmp_path / "lines.csv"
    result = cli("products", "push", str(lines), "--report", str(report_csv))
    assert result.code == 3, result
    rows = read_report_csv(report_csv)
    assert [(r["line"], r["outcome"]) for r in rows] == [
        ("1", "created"), ("2", "invalid"), ("3", "invalid")]
    assert "not JSON" in rows[1]["message"] and "'pirce'" in rows[2]["message"]
    assert any('"price":4.40' in b for b in bodies(cli.emulator, "POST"))


def test_dry_run_checks_every_row_and_sends_nothing(cli: Cli, tmp_path: Path) -> None:
    report = tmp_path / "dry.csv"
    result = cli("products", "push", str(CATALOG), "--dry-run", "--report", str(report),
                 drop=["CAFFESTA_API_KEY", "CAFFESTA_ACCOUNT"])
    assert result.code == 2, result
    assert "line 13 (syrup-vanilla)" in result.err and "nothing was sent" in result.out
    rows = read_report_csv(report)
    assert [r["outcome"] for r in rows] == ["valid"] * 11 + ["invalid", "valid"]
    assert cli.emulator.requests() == [], "a dry run sends nothing"

    good = tmp_path / "good.jsonl"
    good.write_text('{"ref_code": "ok", "name": "Хорошо"}\n', encoding="utf-8")
    result = cli("products", "push", str(good), "--dry-run")
    assert result.code == 0 and "1 valid" in result.out, result
    assert cli.emulator.requests() == []


def test_ctrl_c_stops_a_push_cleanly_with_the_report_of_what_was_done(
        cli: Cli, tmp_path: Path) -> None:
    catalog = tmp_path / "big.jsonl"
    catalog.write_text("".join('{"ref_code": "big-%03d", "name": "Товар %d"}\n' % (i, i)
                               for i in range(300)), encoding="utf-8")
    report = tmp_path / "report.csv"
    cli.emulator.config(delay_ms=10)
    try:
        process = subprocess.Popen(
            cli.command("products", "push", str(catalog), "--concurrency", "1", "--report",
                        str(report)),
            env=cli.env, cwd=str(cli.home), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        assert wait_until(lambda: len(bodies(cli.emulator, "POST")) >= 2, timeout=60)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        cli.emulator.config(delay_ms=0)
    assert process.returncode == 130, (out, err)
    assert "stopping" in err
    rows = read_report_csv(report)
    assert [r["ref_code"] for r in rows] == ["big-%03d" % i for i in range(300)]
    created = [r["ref_code"] for r in rows if r["outcome"] == "created"]
    not_sent = [r["ref_code"] for r in rows if r["outcome"] == "not_sent"]
    assert created and not_sent and len(created) + len(not_sent) == 300
    on_server = {exact(b)["ref_code"] for b in bodies(cli.emulator, "POST")}
    assert set(created) == on_server, "the report says exactly what reached the server"


def product_refs(emulator: Emulator, prefix: str) -> List[str]:
    """The ref_codes named by the product requests in the emulator's log, in arrival order."""
    import re
    found = []
    for r in emulator.requests():
        found += re.findall(prefix + r"-\d+", r["path"] + " " + r["body"])
    return found


def big_catalog(tmp_path: Path, prefix: str, count: int) -> Path:
    catalog = tmp_path / (prefix + ".jsonl")
    catalog.write_text("".join('{"ref_code": "%s-%03d", "name": "Товар %d"}\n' % (prefix, i, i)
                               for i in range(count)), encoding="utf-8")
    return catalog


def test_ctrl_c_sends_no_row_that_was_not_in_flight_and_a_second_one_still_waits(
        cli: Cli, tmp_path: Path) -> None:
    catalog = big_catalog(tmp_path, "slow", 40)
    report = tmp_path / "report.csv"
    cli.emulator.config(delay_ms=1500)  # every answer held: the first 4 rows stay in flight
    try:
        process = subprocess.Popen(
            cli.command("products", "push", str(catalog), "--report", str(report),
                        "--concurrency", "4"),
            env=cli.env, cwd=str(cli.home), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        assert wait_until(lambda: len(set(product_refs(cli.emulator, "slow"))) >= 4,
                          timeout=60)
        in_flight = set(product_refs(cli.emulator, "slow"))
        process.send_signal(signal.SIGINT)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)  # does not abandon the writes in flight
        out, err = process.communicate(timeout=120)
    finally:
        cli.emulator.config(delay_ms=0)
    assert process.returncode == 130, (out, err)
    assert len(in_flight) == 4, in_flight  # --concurrency 4
    assert set(product_refs(cli.emulator, "slow")) == in_flight, \
        "a row not in flight at Ctrl-C was sent after it"
    assert "no further row is sent" in err and "still waiting" in err, err
    assert "at once" not in err, err
    rows = read_report_csv(report)
    assert [r["ref_code"] for r in rows] == ["slow-%03d" % i for i in range(40)]
    assert {r["ref_code"] for r in rows if r["outcome"] == "created"} == in_flight, rows
    assert sum(r["outcome"] == "not_sent" for r in rows) == 36
    assert "4 created, 36 not sent" in out, out


def test_ctrl_c_during_the_key_check_writes_every_row_not_sent(cli: Cli, tmp_path: Path) -> None:
    catalog = big_catalog(tmp_path, "early", 5)
    report = tmp_path / "report.csv"
    report.write_text("an earlier report\n", encoding="utf-8")
    cli.emulator.config(delay_ms=1500)
    try:
        process = subprocess.Popen(
            cli.command("products", "push", str(catalog), "--report", str(report)),
            env=cli.env, cwd=str(cli.home), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        assert wait_until(lambda: len(cli.emulator.requests()) >= 1, timeout=60)
        assert report.read_text(encoding="utf-8") == "an earlier report\n"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        cli.emulator.config(delay_ms=0)
    assert process.returncode == 130, (out, err)
    assert product_refs(cli.emulator, "early") == [], "nothing is sent after the key check"
    rows = read_report_csv(report)
    assert [(r["ref_code"], r["outcome"]) for r in rows] == [
        ("early-%03d" % i, "not_sent") for i in range(5)], rows


# ---- products pull ------------------------------------------------------------------------------

def test_pull_follows_every_page_as_jsonl_csv_or_a_file(cli: Cli, tmp_path: Path) -> None:
    catalog = tmp_path / "many.jsonl"
    catalog.write_text("".join('{"ref_code": "p-%03d", "name": "Позиция %d"}\n' % (i, i)
                               for i in range(150)), encoding="utf-8")
    assert cli("products", "push", str(catalog), "--concurrency", "8").code == 0
    cli.emulator.admin("DELETE", "requests")
    cli.emulator.config(page_size=50)

    result = cli("products", "pull", "--pos", "2")
    assert result.code == 0, result
    products = jsonl(result.out)
    names = {p["name"] for p in products}
    assert {"Позиция 0", "Позиция 149", "Сырный раф"} <= names and len(products) >= 157
    pages = [r["path"] for r in cli.emulator.requests() if "get_products0" in r["path"]]
    assert len(pages) >= 4, "every page was followed"

    out = tmp_path / "products.csv"
    result = cli("products", "pull", "--pos", "2", "--format", "csv", "--output", str(out))
    assert result.code == 0 and result.out == "", result
    import csv
    with open(out, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(products) and {"id", "name", "price"} <= set(rows[0])

    result = cli("products", "pull", "--pos", "2", "--since", "2100-01-01")
    assert result.code == 0 and result.out == "", result


def test_pull_writes_numbers_as_the_server_wrote_them(cli: Cli, tmp_path: Path) -> None:
    catalog = tmp_path / "n.jsonl"
    catalog.write_text('{"ref_code": "n1", "name": "Н", "price": 0.6, "caf_shop_id": 2}\n')
    assert cli("products", "push", str(catalog)).code == 0
    server = exact(raw_get(cli.emulator, "/a/v1.0/draft/get_products0/2/0/0"))["data"]
    pulled = jsonl(cli("products", "pull", "--pos", "2").out)
    assert pulled == server


def test_excel_files_for_a_russian_locale_and_a_pull_that_pushes_back(
        cli: Cli, tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    assert cli("products", "push", str(CATALOG), "--report", str(report), "--excel").code == 3
    raw = report.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfline;ref_code;outcome;"), raw[:40]
    assert "Латте; большой" not in raw.decode("utf-8-sig")  # the report has no names, only refs
    plain = tmp_path / "plain.csv"
    cli("products", "push", str(CATALOG), "--report", str(plain))
    assert plain.read_bytes().startswith(b"line,ref_code,outcome,"), "the default is unchanged"

    pulled = tmp_path / "pulled.csv"
    result = cli("products", "pull", "--pos", "2", "--excel", "--for-push", "--shop", "2",
                 "--storage", "1", "--output", str(pulled))
    assert result.code == 0, result
    data = pulled.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfref_code;name;measure;type;caf_tax_id;price;"
                           b"caf_shop_id;caf_storage_id\n"), data[:80]
    text = data.decode("utf-8-sig")
    espresso = next(line for line in text.splitlines() if line.startswith("coffee-espresso;"))
    assert espresso.startswith("coffee-espresso;Эспрессо;pcs;product;1;3,5"), espresso
    assert '"Латте; большой"' in text  # a ';' inside a cell is quoted

    # Edit a price in the "spreadsheet" and push the file back: every row is an update.
    edited = tmp_path / "edited.csv"
    edited.write_bytes(data.replace(espresso.encode("utf-8"),
                                    b"coffee-espresso;\xd0\xad\xd1\x81\xd0\xbf\xd1\x80\xd0"
                                    b"\xb5\xd1\x81\xd1\x81\xd0\xbe;pcs;product;1;3,75;2;1"))
    cli.emulator.admin("DELETE", "requests")
    result = cli("products", "push", str(edited))
    assert result.code == 0, result
    rows = len([line for line in text.splitlines() if line.strip()]) - 1
    assert "%d updated" % rows in result.out, result
    import re
    sent = [b for b in bodies(cli.emulator, "PUT") if "coffee-espresso" in b]
    assert len(sent) == 1 and re.search(r'"price":\s*3\.75[,}\s]', sent[0]), sent

    result = cli("products", "pull", "--pos", "2", "--excel", "--format", "jsonl")
    assert result.code == 2 and "--excel" in result.err, result
    result = cli("products", "pull", "--pos", "2", "--shop", "2")
    assert result.code == 2 and "--for-push" in result.err, result


# ---- storages, stock, sales, receipts -----------------------------------------------------------

def test_storages_and_stock_as_tables_and_exact_for_programs(cli: Cli) -> None:
    result = cli("storages")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0].split() == ["id", "name"] and set(lines[1]) <= {"-", " "}
    assert any(line.split(None, 1) == ["5", "Склад бара Берико"] for line in lines[2:])
    storages = jsonl(cli("storages", "--format", "jsonl").out)
    assert "Склад доставки" in [s["name"] for s in storages]
    assert all(isinstance(s["id"], int) for s in storages)

    table = cli("stock", "1").out
    assert table.splitlines()[0].split() == ["id", "name", "measure", "cost", "summ", "balance"]
    assert "0.245614" in table and "-3.000" in table
    server = exact(raw_get(cli.emulator, "/a/v1.0/draft/store/1"))
    assert exact(cli("stock", "1", "--format", "json").out) == server
    assert jsonl(cli("stock", "1", "--format", "jsonl").out) == server
    csv_text = cli("stock", "1", "--format", "csv").out
    assert csv_text.splitlines()[0] == "id,name,measure,cost,summ,balance"
    assert "1,Клюквенный морс,kg,0.000000,0,-3.000" in csv_text


def test_sales_by_product_and_by_pos(cli: Cli) -> None:
    table = cli("sales", "--shift-day", "2022-04-20")
    assert table.code == 0 and "Сырный раф" in table.out, table
    by_product = exact(cli("sales", "--shift-day", "2022-04-20", "--format", "json").out)
    server = exact(raw_get(cli.emulator,
                           "/a/v1.0/product/export_sales?shift_day=2022-04-20"))
    assert by_product == (server["data"] if isinstance(server, dict) else server)
    by_pos = jsonl(cli("sales", "--start", "2022-04-20T00:00", "--end", "2022-04-21T00:00",
                       "--by", "pos", "--format", "jsonl").out)
    assert by_pos and by_pos[0]["total_pay"] == "8.00"
    both = cli("sales", "--shift-day", "2022-04-20", "--start", "2022-04-20")
    assert both.code == 2, both


def test_receipts_table_and_every_field_for_programs(cli: Cli) -> None:
    table = cli("receipts", "2", "2022-04-20")
    assert table.code == 0, table
    header = table.out.splitlines()[0].split()
    assert header[0] == "id" and "total" in header and header[-1] == "lines"
    server = exact(raw_get(cli.emulator, "/a/v1.0/draft/receipts_by_shift_day/2/2022-04-20"))
    assert exact(cli("receipts", "2", "2022-04-20", "--format", "json").out) == server
    csv_text = cli("receipts", "2", "2022-04-20", "--format", "csv").out
    header = csv_text.splitlines()[0].split(",")
    assert header[0] == "id" and "bill_dishes" in header and '""dish"":{' in csv_text
    bad_day = cli("receipts", "2", "20.04.2022")
    assert bad_day.code == 2 and "CAFFESTA_ERR_INVALID_ARGUMENT" in bad_day.err, bad_day


# ---- sync ---------------------------------------------------------------------------------------

def feed_paths(emulator: Emulator) -> List[str]:
    return [r["path"] for r in emulator.requests() if "get_updates" not in r["path"]]


def test_sync_twice_fetches_nothing_the_second_time(cli: Cli, tmp_path: Path) -> None:
    state, out = tmp_path / "state.json", tmp_path / "out"
    first = cli("sync", "--pos", "2", "--state", str(state), "--output", str(out))
    assert first.code == 0, first
    assert "products:" in first.out and "balances:" in first.out
    saved = json.loads(state.read_text())
    assert saved["pos_id"] == 2 and saved["timestamps"]["products"] > 0
    products_file = out / ("products-%d.json" % saved["timestamps"]["products"])
    assert "Сырный раф" in products_file.read_text(encoding="utf-8")
    # Changed sections without a feed are named, and none of them has a file.
    no_feed = [s for s in saved["changed"] if s not in (
        "products", "balances", "clients", "categories", "workspaces", "taxes")]
    assert no_feed, saved["changed"]
    assert "changed, no feed (not written): %s" % ", ".join(no_feed) in first.out, first
    assert not [p for p in out.iterdir() if p.name.split("-")[0] in no_feed]
    assert "product_shop_data" in " ".join(cli("sync", "--help").out.split())

    cli.emulator.admin("DELETE", "requests")
    second = cli("sync", "--pos", "2", "--state", str(state), "--output", str(out))
    assert second.code == 0 and second.out.strip() == "nothing changed", second
    assert feed_paths(cli.emulator) == [], "only get_updates the second time"

    other = cli("sync", "--pos", "3", "--state", str(state), "--output", str(out))
    assert other.code == 2 and "POS 2" in other.err, other


def test_a_crash_before_the_state_is_saved_refetches_instead_of_skipping(
        cli: Cli, tmp_path: Path) -> None:
    state, out = tmp_path / "state.json", tmp_path / "out"
    assert cli("sync", "--pos", "2", "--state", str(state), "--output", str(out)).code == 0
    before = state.read_text()
    time.sleep(1.1)  # the feeds have second resolution: the change gets a newer timestamp
    catalog = tmp_path / "new.jsonl"
    catalog.write_text('{"ref_code": "crash-test", "name": "После сбоя"}\n', encoding="utf-8")
    assert cli("products", "push", str(catalog)).code == 0
    cli.emulator.admin("DELETE", "requests")

    # The process dies (os._exit, no cleanup) the moment it would replace the state file:
    # after the data is written, before the state is saved.
    crash = ("import os, sys, runpy\n"
             "real = os.replace\n"
             "def replace(src, dst, *a, **k):\n"
             "    if os.path.basename(str(dst)) == 'state.json':\n"
             "        os._exit(137)\n"
             "    return real(src, dst, *a, **k)\n"
             "os.replace = replace\n"
             "sys.argv = ['caffesta'] + sys.argv[1:]\n"
             "runpy.run_module('caffesta.cli', run_name='__main__')\n")
    process = subprocess.run(
        [sys.executable, "-c", crash, "sync", "--pos", "2", "--state", str(state),
         "--output", str(out)], env=cli.env, capture_output=True, text=True, timeout=120)
    assert process.returncode == 137, process
    assert state.read_text() == before, "the state is untouched by the crash"
    assert any("После сбоя" in p.read_text(encoding="utf-8") for p in out.glob("products-*"))
    assert any("get_products0" in p for p in feed_paths(cli.emulator))

    cli.emulator.admin("DELETE", "requests")
    again = cli("sync", "--pos", "2", "--state", str(state), "--output", str(out))
    assert again.code == 0 and "products:" in again.out, again
    assert any("get_products0" in p for p in feed_paths(cli.emulator)), "refetched"
    saved = json.loads(state.read_text())
    newest = out / ("products-%d.json" % saved["timestamps"]["products"])
    assert "После сбоя" in newest.read_text(encoding="utf-8")
    assert not list(out.glob(".*.tmp")), "no temporary file is left after a run that ends"

    cli.emulator.admin("DELETE", "requests")
    assert cli("sync", "--pos", "2", "--state", str(state), "--output",
               str(out)).out.strip() == "nothing changed"


# ---- request ------------------------------------------------------------------------------------

def test_request_prints_the_answer_as_the_server_sent_it(cli: Cli, tmp_path: Path) -> None:
    result = cli("request", "GET", "/draft/store/1")
    assert result.code == 0, result
    assert result.out == raw_get(cli.emulator, "/a/v1.0/draft/store/1"), "byte for byte"

    body = tmp_path / "body.json"
    body.write_text('{"ref_code": "req-1", "name": "Запрос", "prices": '
                    '[{"caf_shop_id": 2, "price": 12.50}]}', encoding="utf-8")
    result = cli("request", "POST", "/a/v1.0/product/", "--data", "@" + str(body))
    assert result.code == 0 and exact(result.out)["success"] is True, result
    result = cli("request", "put", "/product/by_ref_code/req-1", "--data", "-",
                 input='{"name": "Запрос 2"}')
    assert result.code == 0, result
    stored = exact(raw_get(cli.emulator, "/a/v1.0/product/by_ref_code/req-1"))
    assert stored["data"]["name"] == "Запрос 2"
    result = cli("request", "POST", "/product/", "--data", "{not json")
    assert result.code == 2 and "CAFFESTA_ERR_INVALID_ARGUMENT" in result.err, result
    assert "the body (--data) is not valid JSON" in result.err, result
    assert "body_json" not in result.err, "no internal parameter names"


def test_request_on_an_error_answer_says_why_on_stderr_and_help_says_stdout_stays_empty(
        cli: Cli) -> None:
    result = cli("request", "GET", "/no/such/thing")
    assert result.code == 16, result
    assert "CAFFESTA_ERR_NOT_FOUND" in result.err and "HTTP 404" in result.err, result
    assert result.out == ""
    text = " ".join(cli("request", "--help").out.split())
    assert "does not hand back the body of an error answer" in text, text


# ---- emulator and install -----------------------------------------------------------------------

def start_emulator(command: List[str], env: Dict[str, str], cwd: Path) -> Any:
    process = subprocess.Popen(command, env=env, cwd=str(cwd), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    assert line.startswith("listening on http://127.0.0.1:"), (line, process.stderr)
    return process, line[len("listening on "):]


def stop(process: Any) -> int:
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(30)
    finally:
        for stream in (process.stdout, process.stderr):
            stream.close()


def test_the_emulator_command_runs_the_bundled_emulator(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "emulator.db"
    process, url = start_emulator(cli.command("emulator", "--port", "0", "--db", str(db)),
                                  cli.env, cli.home)
    try:
        result = cli("--base-url", url, "storages", "--format", "jsonl")
        assert result.code == 0 and "Склад кафе Буран" in result.out, result
    finally:
        assert stop(process) == 0
    assert db.stat().st_size > 0


def test_a_built_wheel_installs_a_working_caffesta_with_the_emulator(tmp_path: Path) -> None:
    # The binding as in the repository (its emulator link included), built without network.
    tree = tmp_path / "tree"
    shutil.copytree(REPO / "bindings" / "python", tree / "bindings" / "python", symlinks=True,
                    ignore=shutil.ignore_patterns("tests", "build", "*.egg-info",
                                                  "__pycache__"))
    shutil.copytree(REPO / "emulator" / "caffesta_emulator",
                    tree / "emulator" / "caffesta_emulator",
                    ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(wheels), str(tree / "bindings" / "python")],
                   check=True, capture_output=True, timeout=300)
    wheel = next(wheels.glob("caffesta-*.whl"))
    import zipfile
    names = zipfile.ZipFile(wheel).namelist()
    assert "caffesta/cli/__init__.py" in names and "caffesta_emulator/api/products.py" in names
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=300)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                    str(wheel)], check=True, capture_output=True, timeout=300)
    script = venv / "bin" / "caffesta"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)
           and (not k.startswith("CAFFESTA_") or k == "CAFFESTA_LIBRARY")}
    env.update(HOME=str(tmp_path), CAFFESTA_ACCOUNT="demo", CAFFESTA_API_KEY=API_KEY)
    process, url = start_emulator([str(script), "emulator", "--port", "0"], env, tmp_path)
    try:
        result = subprocess.run([str(script), "--base-url", url, "products", "push",
                                 str(CATALOG)], env=env, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 3 and "12 created, 1 invalid" in result.stdout, result
        assert API_KEY not in result.stdout + result.stderr
    finally:
        assert stop(process) == 0
