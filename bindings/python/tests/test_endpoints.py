"""The named calls (storages, documents, products, orders, feeds, sales) against the emulator."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

import caffesta
from conftest import product

SAMPLES = Path(__file__).resolve().parents[3] / "Tests" / "samples"  # the docs' own examples


def sample(name):
    path = SAMPLES / name
    return json.loads(path.read_text(encoding="utf-8"))


def test_storages_and_stock(client):
    storages = client.list_storages()
    assert [s["position"] for s in storages] == list(range(1, len(storages) + 1))
    assert all(s["label"].startswith("(id:%d) " % s["id"]) for s in storages)
    stock = client.get_storage_stock(1)
    assert {row["id"]: row["balance"] for row in stock}[2] == "50"
    with pytest.raises(caffesta.InvalidArgumentError):
        client.get_storage_stock(0)
    with pytest.raises(caffesta.InvalidArgumentError):
        client.get_storage_stock(2 ** 64)
    with pytest.raises(TypeError):
        client.get_storage_stock("1")  # type: ignore[arg-type]


def test_invoice_lifecycle(client, emulator):
    invoice_id = client.create_invoice(sample("invoice_create.request.json"))
    assert isinstance(invoice_id, int) and invoice_id > 0
    assert emulator.stats()["invoices"] == 1
    client.wire_invoice(invoice_id)
    assert client.get_invoice(invoice_id)["status"] == "wired"
    client.unwire_invoice(invoice_id)
    assert client.get_invoice(invoice_id)["status"] == "not_wired"
    listed = client.list_invoices(datetime.date(2018, 1, 1))
    assert [i["id"] for i in listed] == [invoice_id]
    assert client.list_invoices("2030-01-01") == []
    with pytest.raises(caffesta.NotFoundError):
        client.get_invoice(invoice_id + 1000)
    with pytest.raises(caffesta.InvalidArgumentError):
        client.list_invoices("01.01.2018")
    with pytest.raises(TypeError):
        client.list_invoices(datetime.datetime(2018, 1, 1))  # type: ignore[arg-type]


def test_move_lifecycle(client):
    move = sample("move_create.request.json")
    with pytest.raises(caffesta.InvalidArgumentError):  # the sample's second item is broken
        client.create_move(move)
    move["items"] = [{"amount": 5, "product_code": "2"}]
    move_id = client.create_move(move)
    client.wire_move(move_id)
    client.unwire_move(move_id)


def test_product_get_and_update(client):
    created = client.upsert_product(product("Кофе/латте", name="Латте"))
    assert client.get_product("Кофе/латте")["id"] == created["id"]
    client.update_product(created["id"], {"name": "Латте 300 мл"})
    assert client.get_product("Кофе/латте")["name"] == "Латте 300 мл"
    client.update_product_by_ref_code("Кофе/латте", {"name": "Латте 400 мл"})
    assert client.get_product("Кофе/латте")["name"] == "Латте 400 мл"
    with pytest.raises(caffesta.NotFoundError):
        client.get_product("no such ref")
    with pytest.raises(caffesta.NotFoundError):
        client.update_product_by_ref_code("no such ref", {"name": "x"})
    with pytest.raises(caffesta.InvalidArgumentError):
        client.get_product("nul\0")


def test_menu_import_part_adds_without_removing(client):
    before = {p["id"] for p in client.get_all_products(2)}
    menu = sample("menu_import.request.json")
    client.import_menu_part(menu)
    after = {p["id"] for p in client.get_all_products(2)}
    assert before <= after


def test_order_flow_through_a_job(emulator):
    from conftest import API_KEY
    client = caffesta.Client("demo", API_KEY, base_url=emulator.url,
                             order_path="/a/v1.0/draft/receipts")
    job_id = client.create_order(sample("order_create.request.json"))
    assert job_id == 54300903
    status = client.get_order_job_status(job_id)
    assert int(status["job_id"]) == job_id and status["status"] in ("pending", "success")
    final = client.wait_for_order(job_id, timeout=10.0)
    assert final["status"] == "success"
    receipts = client.get_receipt_info(final["message"])
    assert isinstance(receipts, list) and receipts


def test_order_path_option(emulator):
    from conftest import API_KEY
    with caffesta.Client("demo", API_KEY, base_url=emulator.url,
                         order_path="/a/v1.0/custom/orders") as c:
        with pytest.raises(caffesta.NotFoundError):
            c.create_order(sample("order_create.request.json"))
    assert emulator.requests()[-1]["path"] == "/a/v1.0/custom/orders"


def test_update_feeds(client, emulator):
    updates = client.get_updates(2)
    assert updates["products"] == 1648657344
    page = client.get_products_page(2)
    assert page["items"]
    assert "next_start_id" in page
    everything = client.get_all_products(2)
    assert {p["id"] for p in page["items"]} <= {p["id"] for p in everything}
    assert isinstance(client.get_balances(2), list)
    assert len(client.get_clients()) == 2
    assert isinstance(client.get_product_shop_data(2), list)
    assert client.get_categories() and client.get_workspaces() and client.get_taxes()
    assert client.get_modifier_groups()[0]["id"] == 1


def test_pages_generator_and_deletions(client, emulator):
    emulator.config(page_size=100)  # pages of 100, so that 257 products make three
    report = client.upsert_products([product("page-%03d" % i) for i in range(250)], concurrency=8)
    assert all(entry["action"] == "created" for entry in report)
    ts = client.get_updates(2)["products"]
    pages = list(client.iter_product_pages(2))
    assert len(pages) == 3 and [len(p) for p in pages] == [100, 100, 57]
    assert list(client.iter_products(2)) == client.get_all_products(2)
    emulator.admin("POST", "products/page-007/delete")
    assert len(client.get_all_products(2)) == 256  # gone from the full list (ts 0)
    changed = list(client.iter_products(2, ts))
    assert [p["deleted"] for p in changed if p["name"] == "Товар page-007"] == [True]


def test_sync_changes(client, emulator):
    first = client.sync_changes(2)
    assert "products" in first["changed"]
    known = first["timestamps"]
    again = client.sync_changes(2, known)
    assert again["changed"] == []
    client.upsert_product(product("new-after-sync"))
    third = client.sync_changes(2, known)
    assert "products" in third["changed"]
    assert any(p.get("ref_code") == "new-after-sync" or p.get("name") == "Товар new-after-sync"
               for p in third["data"]["products"])


def test_sales_exports(client):
    day = datetime.date(2022, 4, 20)
    by_product = client.get_sales_by_product(shift_day=day)
    assert by_product and by_product[0]["name"] == "Сырный раф"
    by_pos = client.get_sales_by_pos(start="2022-04-20", end="2022-04-21")
    assert by_pos
    ranged = client.get_sales_by_product(
        start=datetime.datetime(2022, 4, 20, 0, 0, tzinfo=datetime.timezone.utc),
        end=datetime.datetime(2022, 4, 21, 23, 59, 30))
    assert ranged
    receipts = client.get_receipts_by_shift_day(2, day)
    assert len(receipts) == 1
    with pytest.raises(caffesta.InvalidArgumentError):
        client.get_sales_by_pos(start="2022-04-20")  # no end
    with pytest.raises(caffesta.InvalidArgumentError):
        client.get_sales_by_pos(start="2022-04-20", end="2022-04-21", shift_day=day)
    with pytest.raises(caffesta.InvalidArgumentError):
        client.get_sales_by_product(start=datetime.datetime(2022, 4, 20, 1, 2, 3, 4),
                                    end="2022-04-21")
