"""`caffesta`, the command line: a shop's catalog file to Caffesta and its data back.

Installed as a console script of the caffesta package (pyproject [project.scripts]); every
call goes through the Python binding, hence through libcaffesta.
"""

from __future__ import annotations

import datetime
import logging
import os
import runpy
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, List, Optional, TextIO

import click

import caffesta
from caffesta._client import DEFAULT_CONCURRENCY

from . import _catalog, _errors, _output, _pulled, _push, _settings, _sync
from ._errors import EXIT_CODES_HELP, UsageProblem
from ._lookup import ProductNames
from ._progress import Progress

CREDENTIALS_HELP = """\b
Credentials: CAFFESTA_ACCOUNT and CAFFESTA_API_KEY, else account and api_key in
~/.config/caffesta/config.toml (refused unless only its owner can read it: chmod 600).
The key is never taken from an argument, which other users see in `ps`.
The server: --base-url, else CAFFESTA_BASE_URL, else base_url in the config file,
else https://ACCOUNT.caffesta.com."""

EXCEL_HELP = ("CSV for Excel in a locale with decimal commas (Russian, most of Europe): ';' "
              "between cells, decimal commas (the same digits), UTF-8 with a BOM. The default "
              "CSV is for programs: ',', decimal points, no BOM.")

FORMAT_OPTION = click.option(
    "--format", "fmt", type=click.Choice(_output.OUTPUT_FORMATS), default="table",
    show_default=True,
    help="table for people; csv, json or jsonl for programs (numbers as the server wrote them).")


def table_options(command: Any) -> Any:
    """--format, --output and --excel: what every table-shaped command takes."""
    for option in reversed([
            FORMAT_OPTION,
            click.option("--output", "-o", metavar="FILE",
                         help="Write to FILE instead of stdout (a table becomes CSV)."),
            click.option("--excel", is_flag=True, help=EXCEL_HELP + " Implies --format csv.")]):
        command = option(command)
    return command


POS_FOR_NAMES_HELP = ("Any POS of the account: its products feed, read once, gives each "
                      "product's ref_code (and name) by Caffesta id.")


class Settings:
    def __init__(self, base_url: Optional[str]) -> None:
        self.base_url = base_url


VERBOSE_HELP = ("Show the request log (the binding's `caffesta` logger) on stderr; before or "
                "after the command's name.")


def _verbose(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """-v, on the group and on every command: `caffesta -v storages` = `caffesta storages -v`."""
    logger = logging.getLogger("caffesta")
    if not value or any(getattr(h, "caffesta_cli", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("caffesta: %(message)s"))
    handler.caffesta_cli = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


@contextmanager
def client_for(ctx: click.Context) -> Iterator[caffesta.Client]:
    settings: Settings = ctx.find_object(Settings)
    client = _settings.make_client(settings.base_url)
    try:
        yield client
    finally:
        client.close()


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=CREDENTIALS_HELP + "\n\n" + EXIT_CODES_HELP)
@click.option("--base-url", metavar="URL",
              help="The server, e.g. the emulator's http://127.0.0.1:8765 "
                   "(default: CAFFESTA_BASE_URL).")
@click.option("-v", "--verbose", is_flag=True, expose_value=False, callback=_verbose,
              help=VERBOSE_HELP)
@click.version_option(caffesta.__version__, "--version", prog_name="caffesta")
@click.pass_context
def cli(ctx: click.Context, base_url: Optional[str]) -> None:
    """The Caffesta API from the shell: push a catalog file, pull products, stock, sales and
    receipts, sync a POS incrementally, send any request, run a local emulator.

    \b
    Quick start against the bundled emulator, which accepts the key it finds in
    CAFFESTA_API_KEY (POS 2 is the one whose prices the catalog sets):
      export CAFFESTA_ACCOUNT=demo CAFFESTA_API_KEY=0123456789abcdef0123456789abcdef
      export CAFFESTA_BASE_URL=http://127.0.0.1:8765
      caffesta emulator --port 8765 &          # stop it later with: kill %1
      caffesta products push examples/catalog.csv --report report.csv
      caffesta products pull --pos 2 --format csv

    -v (the request log) goes before or after the command's name.
    """
    ctx.obj = Settings(base_url)


# ---- auth-test --------------------------------------------------------------------------------

@cli.command("auth-test")
@click.pass_context
def auth_test(ctx: click.Context) -> None:
    """Check the API key: prints the account, the server and the round-trip time."""
    with client_for(ctx) as client:
        started = time.monotonic()
        client.auth_test()
        elapsed = (time.monotonic() - started) * 1000
        click.echo("key accepted: account %s at %s (%.0f ms)"
                   % (client.account_name, client.base_url, elapsed))


# ---- products ---------------------------------------------------------------------------------

@cli.group()
def products() -> None:
    """Push a catalog file to Caffesta, or pull the products back."""


@products.command("push")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(_catalog.FORMATS),
              help="The file's format (default: a workbook's own, else from the extension: "
                   ".csv, .xlsx, .json, .jsonl).")
@click.option("--sheet", metavar="NAME",
              help="A workbook's sheet to read (default: the first).")
@click.option("--encoding", default="utf-8", show_default=True,
              help="A text file's encoding (a BOM is skipped); e.g. cp1251 for old exports.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=DEFAULT_CONCURRENCY,
              show_default=True, help="Requests in flight at once (the bindings' default too).")
@click.option("--dry-run", is_flag=True,
              help="Check every row and say which are bad; send nothing (no credentials "
                   "needed).")
@click.option("--report", "report_path", metavar="FILE",
              help="Write every row's outcome, in input order, to FILE (.csv or .jsonl): "
                   "line, ref_code, outcome (created, updated, failed, invalid, not_sent, "
                   "valid), id, status, http_status, message.")
@click.option("--excel", is_flag=True, help=EXCEL_HELP + " For a .csv --report.")
@click.pass_context
def products_push(ctx: click.Context, file: str, fmt: Optional[str], sheet: Optional[str],
                  encoding: str,
                  concurrency: int, dry_run: bool, report_path: Optional[str],
                  excel: bool) -> None:
    """Create or update (by ref_code) every product of FILE ('-': stdin).

    \b
    FILE is CSV as shops export it (UTF-8 with or without a BOM, ',' or ';' between
    cells, decimal commas such as 12,50), an Excel workbook (.xlsx: its first sheet, or
    --sheet), a JSON array of products, or JSONL (one product per line). The first row
    of a CSV file or a sheet names product fields:
      ref_code (required), name, measure (pcs, kg, l), barcode, country, description,
      category_ref_code, workspace_ref_code, caf_tax_id, cancellation_type (0, 1, 2),
      for_sale, use_discounts (true/false, 1/0, да/нет), type, weight_in_gram,
    plus price, caf_shop_id, caf_storage_id and self_cost for one price. JSON products may
    carry "prices" as the API has it. Empty cells are left out. Numbers are sent exactly as
    written (12,50 is sent as 12.50, never through a float).

    The key is checked first (a refused key sends no row and leaves an earlier report as it
    was). A bad row fails alone, named by its line; the others are sent. Progress goes to
    stderr. Ctrl-C stops the push: no further row is sent, the requests in flight are waited
    for (never cut off half-way, not even by a second Ctrl-C), and the report is written, with
    "not_sent" for every row that was not sent.
    Exit 0 when every row was done, 3 when some failed (2 for --dry-run with bad rows).
    """
    if report_path:
        _push.check_report_path(report_path)
    data = _read_input(file)
    rows = _catalog.read_file(data, _catalog.detect_format(file, fmt, data), encoding, file, sheet)
    if dry_run:
        ctx.exit(_push.dry_run(rows, report_path, excel))
    with client_for(ctx) as client:
        ctx.exit(_push.push(client, rows, concurrency, report_path, excel))


def _read_input(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read()
    try:
        with open(file, "rb") as f:
            return f.read()
    except OSError as e:
        raise UsageProblem("cannot read %s: %s" % (file, e.strerror)) from None


def _timestamp(value: Optional[str]) -> int:
    """--since: a Unix timestamp, or an ISO 8601 date or time (UTC when no zone is given)."""
    if value is None:
        return 0
    if value.isdigit():
        return int(value)
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter("%r is neither a Unix timestamp nor an ISO 8601 date or time"
                                 % value, param_hint="--since") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp())


@contextmanager
def _output_stream(path: Optional[str]) -> Iterator[TextIO]:
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        f = open(path, "w", encoding="utf-8", newline="")
    except OSError as e:
        raise UsageProblem("cannot write %s: %s" % (path, e.strerror)) from None
    with f:
        yield f


@products.command("pull")
@click.option("--pos", "pos_id", type=click.IntRange(min=1), required=True,
              help="The POS (terminal) whose products feed to read.")
@click.option("--since", metavar="TS",
              help="Only products changed at or after TS: a Unix timestamp or an ISO 8601 "
                   "date or time (UTC unless it has a zone).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "json"]), default="jsonl",
              show_default=True, help="JSONL (one product a line), CSV, or one JSON array.")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")
@click.option("--excel", is_flag=True, help=EXCEL_HELP + " Implies --format csv.")
@click.option("--for-push", is_flag=True,
              help="Write the columns `products push` reads (ref_code, name, measure, type, "
                   "caf_tax_id; with --shop also price, caf_shop_id, caf_storage_id), so the "
                   "file can be edited and pushed back.")
@click.option("--shop", "shop_id", type=click.IntRange(min=1), metavar="ID",
              help="With --for-push: the shop (caf_shop_id) the POS's prices are for; without "
                   "it no price column is written (the feed does not name the shop).")
@click.option("--storage", "storage_id", type=click.IntRange(min=1), metavar="ID",
              help="With --for-push and --shop: the caf_storage_id written with each price.")
@click.pass_context
def products_pull(ctx: click.Context, pos_id: int, since: Optional[str], fmt: str,
                  output: Optional[str], excel: bool, for_push: bool, shop_id: Optional[int],
                  storage_id: Optional[int]) -> None:
    """Every product of the POS's feed, all pages followed, with progress on stderr.

    \b
    The feed's own fields are written as the server sent them (id, name, alternateName,
    entityType, tax_id, price, ...); `products push` does not take them (they are the
    feed's shape, not a product's). --for-push writes push's columns instead:
      alternateName -> ref_code, name, measure, entityType -> type, tax_id -> caf_tax_id,
    and, with --shop (and --storage), price, caf_shop_id, caf_storage_id. Fields without
    an exact counterpart (category_id, cancellationType, ...) are left out, so a push of
    the file leaves them as they are.
    """
    if excel:
        if ctx.get_parameter_source("fmt") == click.core.ParameterSource.DEFAULT:
            fmt = "csv"
        elif fmt != "csv":
            raise UsageProblem("--excel writes CSV: drop --format %s" % fmt)
    if (shop_id or storage_id) and not for_push:
        raise UsageProblem("--shop and --storage go with --for-push")
    if storage_id and not shop_id:
        raise UsageProblem("--storage needs --shop")
    csv_style = _output.style(excel)
    ts = _timestamp(since)
    with client_for(ctx) as client, _output_stream(output) as out:
        progress = Progress("products pull", "products")
        count = 0
        items: List[Any] = []
        try:
            for page in client.iter_product_pages(pos_id, ts):
                progress.update(len(page))
                if for_push:
                    page = [_pulled.for_push(item, shop_id, storage_id) for item in page]
                if fmt == "jsonl":  # a page at a time: a large catalog is never held whole
                    count += _output.write_records(page, fmt, out)
                else:
                    items.extend(page)
        finally:
            progress.close()
        if fmt != "jsonl":
            count = _output.write_records(
                items, fmt, out, preferred=_pulled.COLUMNS if for_push else ("id", "name"),
                csv_style=csv_style)
    if output and output != "-":
        click.echo("%d products written to %s" % (count, output), err=True)


# ---- storages, stock, sales, receipts ----------------------------------------------------------

def _table_format(ctx: click.Context, fmt: str, excel: bool, output: Optional[str]) -> str:
    """--excel and --output FILE write CSV unless --format says otherwise (a table is for a
    terminal); --excel with another --format is refused."""
    default = ctx.get_parameter_source("fmt") == click.core.ParameterSource.DEFAULT
    if excel and not default and fmt != "csv":
        raise UsageProblem("--excel writes CSV: drop --format %s" % fmt)
    if default and (excel or (output and output != "-")):
        return "csv"
    return fmt


def _write_table(ctx: click.Context, rows: List[Any], fmt: str, output: Optional[str],
                 excel: bool, **columns: Any) -> None:
    fmt = _table_format(ctx, fmt, excel, output)
    with _output_stream(output) as out:
        count = _output.write_records(rows, fmt, out, csv_style=_output.style(excel), **columns)
    if output and output != "-":
        click.echo("%d %s written to %s" % (count, "row" if count == 1 else "rows", output),
                   err=True)


@cli.command()
@table_options
@click.pass_context
def storages(ctx: click.Context, fmt: str, output: Optional[str], excel: bool) -> None:
    """The account's storages: id and name."""
    with client_for(ctx) as client:
        _write_table(ctx, client.list_storages(), fmt, output, excel,
                     table_columns=("id", "name"))


@cli.command()
@click.argument("storage_id", type=click.IntRange(min=1))
@click.option("--pos", "pos_id", type=click.IntRange(min=1), metavar="ID",
              help=POS_FOR_NAMES_HELP + " Without it the rows carry Caffesta ids only.")
@table_options
@click.pass_context
def stock(ctx: click.Context, storage_id: int, pos_id: Optional[int], fmt: str,
          output: Optional[str], excel: bool) -> None:
    """The stock on one storage: id, ref_code (with --pos), name, measure, cost, summ,
    balance.

    \b
    For a spreadsheet: caffesta stock 1 --pos 2 --excel --output stock.csv
    """
    with client_for(ctx) as client:
        rows = client.get_storage_stock(storage_id)
        if pos_id is not None:
            rows = ProductNames(client, pos_id).add_to(rows, "id")
        else:
            click.echo("caffesta: add --pos ID (any POS) for each product's ref_code", err=True)
        _write_table(ctx, rows, fmt, output, excel,
                     preferred=("id", "ref_code", "name", "measure", "cost", "summ", "balance"))


@cli.command()
@click.option("--shift-day", metavar="YYYY-MM-DD", help="One shift day.")
@click.option("--start", metavar="TIME", help="From (ISO 8601; the account's zone if none).")
@click.option("--end", metavar="TIME", help="To (ISO 8601), with --start.")
@click.option("--by", type=click.Choice(["product", "pos"]), default="product",
              show_default=True, help="Group by POS, price and product, or by POS alone.")
@click.option("--pos", "pos_id", type=click.IntRange(min=1), metavar="ID",
              help="With --by product: " + POS_FOR_NAMES_HELP + " For rows whose ref_code or "
                   "name the export leaves empty.")
@table_options
@click.pass_context
def sales(ctx: click.Context, shift_day: Optional[str], start: Optional[str],
          end: Optional[str], by: str, pos_id: Optional[int], fmt: str, output: Optional[str],
          excel: bool) -> None:
    """Sales of a shift day (--shift-day D) or a period (--start S --end E).

    By product, each row names the product: caf_id, ref_code and name, as the export gives
    them (--pos fills those it leaves empty).
    """
    if shift_day and (start or end):
        raise UsageProblem("give --shift-day, or --start and --end, not both")
    if not shift_day and not (start and end):
        raise UsageProblem("give --shift-day D, or both --start S and --end E")
    if pos_id is not None and by != "product":
        raise UsageProblem("--pos names products: it goes with --by product")
    with client_for(ctx) as client:
        call = client.get_sales_by_product if by == "product" else client.get_sales_by_pos
        rows = (call(shift_day=shift_day) if shift_day else call(start=start, end=end))
        if pos_id is not None:
            rows = ProductNames(client, pos_id).add_to(rows, "caf_id")
        preferred = ("caf_terminal_id", "caf_id", "ref_code", "name") if by == "product" else ()
        _write_table(ctx, rows, fmt, output, excel, preferred=preferred)


@cli.command()
@click.argument("terminal_id", type=click.IntRange(min=1))
@click.argument("day", metavar="DAY")
@table_options
@click.pass_context
def receipts(ctx: click.Context, terminal_id: int, day: str, fmt: str, output: Optional[str],
             excel: bool) -> None:
    """Every receipt of one shift DAY (YYYY-MM-DD) of a terminal.

    The table shows one line per receipt with its number of lines; csv, json and jsonl
    carry every field (csv: nested objects as dotted columns, lists as JSON).
    """
    with client_for(ctx) as client:
        rows = client.get_receipts_by_shift_day(terminal_id, day)
    if _table_format(ctx, fmt, excel, output) == "table":
        rows = [dict({k: v for k, v in r.items() if k != "bill_dishes"},
                     lines=len(r.get("bill_dishes") or [])) for r in rows]
        columns = [c for c in ("id", "terminal_number", "type", "income", "total",
                               "total_sum", "discount_sum", "cash_pay", "card_pay",
                               "created_at", "lines") if any(c in r for r in rows)]
        _write_table(ctx, rows, fmt, output, excel, table_columns=columns)
    else:
        _write_table(ctx, rows, fmt, output, excel)


# ---- sync -------------------------------------------------------------------------------------

@cli.command()
@click.option("--pos", "pos_id", type=click.IntRange(min=1), required=True, help="The POS.")
@click.option("--state", "state_path", type=click.Path(dir_okay=False), required=True,
              help="The JSON file of the last sync's timestamps (created on the first run).")
@click.option("--output", type=click.Path(file_okay=False), required=True,
              help="The directory the changed feeds are written to.")
@click.pass_context
def sync(ctx: click.Context, pos_id: int, state_path: str, output: str) -> None:
    """Fetch what changed since the last run and write it to OUTPUT.

    \b
    Reads the section timestamps from the state file, fetches only the feeds whose
    section changed (the first run: everything), writes each to OUTPUT/FEED-TS.json,
    and only then replaces the state file, atomically: a crash never skips a change
    (the next run fetches it again).

    \b
    The feeds written are those the library fetches: products, product_shop_data,
    balances, clients, categories, workspaces and taxes. Other sections (menus, desks,
    comments, discounts, promotions, payments, settings, device_models, ...) have no
    feed call: when they change, the command names them ("changed, no feed: ...") and
    the state file lists them under "changed", but no file is written for them.
    """
    with client_for(ctx) as client:
        written, unfetched = _sync.sync(client, pos_id, Path(state_path), Path(output))
    if not written and not unfetched:
        click.echo("nothing changed")
    for feed, count, path in written:
        click.echo("%s: %d %s -> %s" % (feed, count, "row" if count == 1 else "rows", path))
    if unfetched:
        click.echo("changed, no feed (not written): %s" % ", ".join(unfetched))


# ---- request ----------------------------------------------------------------------------------

@cli.command()
@click.argument("method", type=click.Choice(["GET", "POST", "PUT", "PATCH", "DELETE"],
                                            case_sensitive=False))
@click.argument("path")
@click.option("--data", "-d", metavar="@FILE|-|JSON",
              help="The body: @file.json, - for stdin, or JSON text; sent as written.")
@click.pass_context
def request(ctx: click.Context, method: str, path: str, data: Optional[str]) -> None:
    """Send any request and print the answer as the server sent it.

    PATH is under /a/v1.0 unless it starts with /a/: `caffesta request GET /draft/storages`.
    A body is sent as written. The answer goes to stdout byte for byte (a newline is added
    only on a terminal). An error answer (4xx, 5xx) prints nothing on stdout: the library
    does not hand back the body of an error answer; stderr names the status, the HTTP
    status and the server's error message as the library read it, and the exit code is
    the status's (see `caffesta --help`; -v shows the request log).
    """
    body: Optional[bytes] = None
    if data is not None:
        if data == "-":
            body = sys.stdin.buffer.read()
        elif data.startswith("@"):
            body = _read_input(data[1:])
        else:
            body = data.encode("utf-8")
    if not path.startswith("/"):
        raise UsageProblem("PATH must start with /, e.g. /draft/storages")
    if not path.startswith("/a/"):
        path = "/a/v1.0" + path
    with client_for(ctx) as client:
        try:
            answer = client.request_text(method.upper(), path, body).encode("utf-8")
        except caffesta.CaffestaError as e:
            if e.status == "CAFFESTA_ERR_INVALID_ARGUMENT" and "body_json" in e.message:
                raise UsageProblem("%s: the body (--data) is not valid JSON: %s" % (e.status,
                                   e.message.replace("body_json is not valid JSON", "")
                                   .strip(" :;,"))) from None
            raise
    sys.stdout.flush()
    sys.stdout.buffer.write(answer)
    if sys.stdout.isatty() and not answer.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")  # for the prompt; a pipe or a file gets the bytes alone
    sys.stdout.buffer.flush()


# ---- emulator ---------------------------------------------------------------------------------

@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="The port on 127.0.0.1; 0 takes a free one.")
@click.option("--db", default=":memory:", show_default=True,
              help="SQLite file that keeps the state across restarts.")
@click.pass_context
def emulator(ctx: click.Context, port: int, db: str) -> None:
    """Run the bundled Caffesta emulator (for your own tests) until Ctrl-C.

    \b
    The key it accepts is CAFFESTA_API_KEY from its environment (unset: the demo key
    that --help-emulator shows); --api-key is refused here, because an argument is seen
    by every user in `ps`. It prints `listening on http://127.0.0.1:PORT` once it
    accepts connections. Started in the background (`caffesta emulator &`), it stops with
    `kill %1` (or `kill PID`). Other options pass through to it:
    `caffesta emulator --help-emulator` shows them.
    """
    extra = list(ctx.args)
    if any(arg == "--api-key" or arg.startswith("--api-key=") for arg in extra):
        raise UsageProblem("the emulator takes its key from CAFFESTA_API_KEY, not from "
                           "--api-key (every user of the machine sees arguments in `ps`)")
    if "--help-emulator" in extra:
        extra = ["--help"]
        click.echo("Through `caffesta emulator`, the key comes from CAFFESTA_API_KEY only "
                   "(--api-key below is refused here: arguments show in `ps`).\n")
    argv = ["--port", str(port), "--db", db] + extra
    saved = sys.argv
    sys.argv = ["caffesta emulator"] + argv
    try:
        runpy.run_module("caffesta_emulator", run_name="__main__", alter_sys=True)
    except ImportError as e:
        raise UsageProblem("the bundled emulator is missing from this install: %s" % e,
                           code=_errors.FAILED) from None
    finally:
        sys.argv = saved


def _add_verbose(group: click.Group) -> None:
    """Gives every command the group's -v (not `emulator`, whose --verbose is the emulator's)."""
    for name, command in group.commands.items():
        if name == "emulator":
            continue
        if isinstance(command, click.Group):
            _add_verbose(command)
        command.params.append(click.Option(["-v", "--verbose"], is_flag=True,
                                           expose_value=False, callback=_verbose,
                                           help=VERBOSE_HELP))


_add_verbose(cli)


# ---- entry point ------------------------------------------------------------------------------

def main(argv: Optional[List[str]] = None) -> None:
    """The console script: runs the command and exits with the codes listed in --help."""
    try:
        code = cli.main(args=argv, prog_name="caffesta", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("caffesta: interrupted", err=True)
        code = _errors.INTERRUPTED
    except click.ClickException as e:
        e.show()
        code = _errors.USAGE
    except UsageProblem as e:
        click.echo("caffesta: %s" % e, err=True)
        code = e.code
    except caffesta.LibraryNotFoundError as e:
        click.echo("caffesta: %s" % e, err=True)
        code = _errors.NO_LIBRARY
    except caffesta.CaffestaError as e:
        detail = " (HTTP %d)" % e.http_status if e.http_status else ""
        click.echo("caffesta: %s%s: %s" % (e.status, detail, e.message), err=True)
        code = _errors.exit_code_for(e.status)
    except KeyboardInterrupt:
        click.echo("caffesta: interrupted", err=True)
        code = _errors.INTERRUPTED
    except BrokenPipeError:
        # `caffesta products pull | head`: the reader left; say nothing.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = _errors.OK
    except click.exceptions.Exit as e:
        code = e.exit_code
    except OSError as e:  # a file that could not be written, a full disk
        click.echo("caffesta: %s" % e, err=True)
        code = _errors.FAILED
    sys.exit(code if isinstance(code, int) else _errors.OK)
