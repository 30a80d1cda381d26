"""The API's final shapes through the binding: storage ids from labels, not_wired, orders in
both answer forms, server error texts, feeds answering code "error", sales exports with
group_by_terminal, product pages of any size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import caffesta
from conftest import API_KEY

SAMPLES = Path(__file__).resolve().parents[3] / "Tests" / "samples"


def sample(name):
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def test_storage_ids_come_from_labels(client, emulator):
    emulator.fault("body", "/a/v1.0/draft/storages", json={
        "2": "(id:7) Общий склад", "1": "(id:1) Склад кафе", "3": "Без номера",
        "4": "(id:900719925474099312) Далёкий склад"})
    assert client.list_storages() == [
        {"id": 1, "name": "Склад кафе", "label": "(id:1) Склад кафе", "position": 1},
        {"id": 7, "name": "Общий склад", "label": "(id:7) Общий склад", "position": 2},
        {"id": None, "name": "Без номера", "label": "Без номера", "position": 3},
        {"id": 900719925474099312, "name": "Далёкий склад",
         "label": "(id:900719925474099312) Далёкий склад", "position": 4},
    ]
    for storage in client.list_storages():  # the emulator's own: every id is its label's
        assert storage["label"].startswith("(id:%d) " % storage["id"])


def test_invoice_status_not_wired_and_summaries(client, emulator):
    invoice_id = client.create_invoice(sample("invoice_create.request.json"))
    assert client.get_invoice(invoice_id)["status"] == "not_wired"
    (summary,) = client.list_invoices("2000-01-01")
    assert "items" not in summary and summary["status"] == "not_wired"
    assert {"total_wo_nds", "total_nds_sum", "shipper", "updated_by", "doc_date", "paid"} <= set(summary)
    emulator.fault("body", "/a/v1.0/storage/invoices/",
                   json={"success": True, "data": {"id": 5, "status": "unwired"}})
    assert client.get_invoice(5)["status"] == "unwired"  # the older word passes as it is


def test_order_made_at_once(client, emulator):
    order = sample("order_create.request.json")
    submitted = client.submit_order(order)
    assert submitted["job_id"] is None and submitted["status"] == "success"
    assert len(submitted["uuid"]) == 36
    assert emulator.requests()[-1]["path"] == "/a/v1.1/draft/receipts"
    logged = len(emulator.requests())
    assert client.wait_for_order(submitted, timeout=5.0) == submitted
    assert len(emulator.requests()) == logged  # done already: no request
    (receipt,) = client.get_receipt_info(submitted["uuid"])
    assert receipt["status"] == "wait_cashier"


def test_order_through_a_job(emulator):
    with caffesta.Client("demo", API_KEY, base_url=emulator.url,
                         order_path="/a/v1.0/draft/receipts") as c:
        submitted = c.submit_order(sample("order_create.request.json"))
        assert submitted["status"] == "pending" and submitted["uuid"] is None
        assert submitted["job_id"] > 0
        done = c.wait_for_order(submitted, timeout=10.0)
        assert done["status"] == "success" and len(done["uuid"]) == 36
        assert done["job_id"] == submitted["job_id"]


def test_order_failed_carries_the_reason(client, emulator):
    emulator.fault("body", "/a/v1.1/draft/receipts",
                   json={"success": True, "data": {"status": "failed", "message": "Смена закрыта"}})
    with pytest.raises(caffesta.ApiError, match="Смена закрыта"):
        client.submit_order(sample("order_create.request.json"))
    order = sample("order_create.request.json")
    order["bill"]["client"] = {"name": "Пётр"}
    with pytest.raises(caffesta.ApiError, match="last_name"):
        client.submit_order(order)


def test_server_error_texts(client, emulator):
    emulator.fault("body", "/a/v1.0/storage/invoices/", json={
        "success": False, "data": {"status": "SQLSTATE[23505]: Unique violation"}})
    with pytest.raises(caffesta.ApiError, match=r"SQLSTATE\[23505\]"):
        client.get_invoice(3)
    emulator.fault("body", "/a/v1.0/draft/get_updates/",
                   json={"code": "error", "message": "POS 2 is blocked"})
    with pytest.raises(caffesta.ApiError, match="POS 2 is blocked"):
        client.get_updates(2)
    emulator.fault("body", "/a/v1.0/draft/get_products0/",
                   json={"code": "error", "data": {"message": "bad ts"}})
    with pytest.raises(caffesta.ApiError, match="bad ts"):
        list(client.iter_products(2))


def test_sales_shapes_and_grouping(client, emulator):
    emulator.fault("body", "/a/v1.0/product/export_sales_totals", json=sample("export_sales_totals.response.json"))
    rows = client.get_sales_by_pos(shift_day="2022-04-20")
    assert rows == sample("export_sales_totals.response.json")["data"]
    assert rows[0]["caf_terminal_id"] is None
    grouped = client.get_sales_by_pos(shift_day="2022-04-20", group_by_terminal=True)
    assert emulator.requests()[-1]["path"].endswith("shift_day=2022-04-20&add_gr_by=terminal_id")
    terminals = [row["caf_terminal_id"] for row in grouped]
    assert len(terminals) == len(set(terminals))
    client.get_sales_by_product(start="2022-04-20", end="2022-04-21", group_by_terminal=True)
    assert emulator.requests()[-1]["path"].endswith("&add_gr_by=terminal_id")
    with pytest.raises(caffesta.InvalidArgumentError):
        client.get_sales_by_pos(shift_day="2022-04-20", group_by_terminal="yes")  # type: ignore[arg-type]
    emulator.fault("body", "/a/v1.0/draft/receipts_by_shift_day/", json=sample("receipts_by_shift_day.response.json"))
    assert client.get_receipts_by_shift_day(2, "2022-04-20") == sample("receipts_by_shift_day.response.json")


@pytest.mark.parametrize("page_size,products", [(100, 250), (1000, 1100)])
def test_product_iterators_follow_any_page_size(client, emulator, page_size, products):
    emulator.config(page_size=page_size)
    items = [{"id": "page-%d" % i, "deleted": False, "name": "Товар %d" % i, "measure": "pcs",
              "for_sale": True, "tax_id": 1, "menus": []} for i in range(products)]
    client.import_menu_part({"update_balances": False, "categories": [], "menus": [], "taxes": [],
                             "shops": [], "items": items})
    pages = [len(page) for page in client.iter_product_pages(2)]
    total = sum(pages)
    assert total >= products
    assert max(pages) == page_size
    assert len(pages) == -(-total // page_size)
    assert len(list(client.iter_products(2))) == total == len(client.get_all_products(2))


def test_menu_import_prices_value_is_cost_value_day_retail(client, emulator):
    client.import_menu_part({"update_balances": False, "categories": [], "menus": [], "taxes": [],
                             "shops": [], "items": [{
                                 "id": "price-check", "deleted": False, "name": "Проверка цен",
                                 "measure": "pcs", "for_sale": True, "tax_id": 1, "menus": [],
                                 "prices": [{"shop_id": 2, "value": 1.25, "value_day": 3.5}]}]})
    (product,) = [p for p in client.get_all_products(2) if p["alternateName"] == "price-check"]
    (row,) = [r for r in client.get_product_shop_data(2) if r["product_id"] == product["id"]]
    assert row["price"] == "3.50"                   # value_day: the retail price
    assert row["avgInvoicedSelfCost"] == "1.250000"  # value: the cost


def test_the_emulator_feed_error_switch(client, emulator):
    emulator.fault("feed_error", "/a/v1.0/draft/get_", message="Terminal is blocked")
    with pytest.raises(caffesta.ApiError, match="Terminal is blocked"):
        client.get_balances(2)
