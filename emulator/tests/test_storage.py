"""Storages, stock, incoming invoices (wiring moves stock), moves between storages."""

from conftest import api_error, load_sample, ok_data


def stock(emu, storage_id):
    status, rows = emu.get("/draft/store/%d" % storage_id)
    assert status == 200 and isinstance(rows, list)
    return {r["id"]: r for r in rows}


def invoice(ref="inv-prod", amount=10, price=2.0, storage=1, package="pcs", **kw):
    body = {"number": "N-1", "date": "2024-03-01 10:00", "sum": amount * price,
            "comment": "тест", "shipper": {"ref_code": "sh1", "name": "Поставщик"},
            "storage": {"caf_id": storage},
            "items": [{"amount": amount, "package_code": package, "product_code": ref,
                       "price": price, "caf_tax_id": 1, "price_with_tax": price,
                       "cost": amount * price, "cost_with_tax": amount * price}],
            "products": [{"ref_code": ref, "name": "Закупка " + ref, "measure": "pcs",
                          "caf_tax_id": 1}]}
    body.update(kw)
    return body


def test_storages_is_a_bare_object_of_labels_keyed_by_position(emu):
    status, body = emu.get("/draft/storages")
    assert status == 200
    assert body["1"] == "(id:1) Склад кафе Буран"
    # the key is the position; the seed has no storage 6, so the sixth is "(id:7) ..."
    assert list(body) == ["1", "2", "3", "4", "5", "6"]
    assert body["6"] == "(id:7) Склад доставки"
    # the id in the label is the one documents take: an invoice to storage 7 lands there
    inv = ok_data(emu.post("/storage/invoices", invoice(storage=7)))["id"]
    assert ok_data(emu.get("/storage/invoices/%d" % inv))["storage"] == {
        "id": 7, "name": "Склад доставки"}


def test_seed_stock_matches_the_sample(emu):
    status, rows = emu.get("/draft/store/1")
    assert rows == load_sample("storage_stock.response.json")


def test_unknown_storage_is_404(emu):
    status, body = emu.get("/draft/store/6")
    assert status == 404 and body["data"]["error"] == "storage not found"


def test_invoice_wiring_moves_stock(emu):
    inv = ok_data(emu.post("/storage/invoices", invoice(amount=10, price=2.0)))["id"]
    pid = ok_data(emu.get("/product/by_ref_code/inv-prod"))["id"]
    assert pid not in stock(emu, 1)  # unwired: no stock yet
    assert ok_data(emu.get("/storage/invoices/%d" % inv))["status"] == "not_wired"
    status, body = emu.put("/storage/invoices/%d" % inv, {"action": "wire"})
    assert (status, body) == (200, {"success": True})
    row = stock(emu, 1)[pid]
    assert row == {"id": pid, "name": "Закупка inv-prod", "measure": "pcs",
                   "cost": "2.000000", "summ": "20.00", "balance": "10"}
    assert ok_data(emu.get("/storage/invoices/%d" % inv))["status"] == "wired"
    assert "already wired" in api_error(emu.put("/storage/invoices/%d" % inv,
                                                {"action": "wire"}))
    assert stock(emu, 1)[pid]["balance"] == "10"
    assert emu.put("/storage/invoices/%d" % inv, {"action": "unwire"}) == (200, {"success": True})
    assert stock(emu, 1)[pid]["balance"] == "0"
    assert "is not wired" in api_error(emu.put("/storage/invoices/%d" % inv,
                                                  {"action": "unwire"}))


def test_average_cost_and_packages(emu):
    inv1 = ok_data(emu.post("/storage/invoices", invoice(amount=10, price=2.0)))["id"]
    body = invoice(amount=2, price=40.0, package="box10")
    body["packages"] = [{"ref_code": "box10", "name": "коробка 10 шт", "measure": "pcs",
                         "value": 10}]
    inv2 = ok_data(emu.post("/storage/invoices", body))["id"]
    for i in (inv1, inv2):
        assert emu.put("/storage/invoices/%d" % i, {"action": "wire"}) == (200, {"success": True})
    pid = ok_data(emu.get("/product/by_ref_code/inv-prod"))["id"]
    row = stock(emu, 1)[pid]
    # 10 pcs at 2.00, then 2 boxes of 10 at 40.00 a box (4.00 a piece): 30 pcs at 3.333333
    assert row["balance"] == "30" and row["cost"] == "3.333333" and row["summ"] == "100.00"


def test_every_invoice_post_makes_a_new_invoice(emu):
    a = ok_data(emu.post("/storage/invoices", invoice()))["id"]
    b = ok_data(emu.post("/storage/invoices", invoice()))["id"]
    assert a != b
    assert emu.stats()["invoices"] == 2
    assert emu.stats()["shippers"] == 1  # the shipper is found by ref_code


def test_invoice_get_and_list(emu):
    inv = ok_data(emu.post("/storage/invoices", invoice()))["id"]
    got = ok_data(emu.get("/storage/invoices/%d" % inv))
    assert got["id"] == inv and got["type"] == "incoming" and got["name"] == "N-1"
    assert got["doc_date"] == "2024-03-01T13:00:00+03:00"  # the body's date is UTC
    assert got["storage"]["id"] == 1 and got["shipper"]["name"] == "Поставщик"
    item = got["items"][0]
    assert item["count"] == 10 and item["package"]["ref_code"] == "pcs"
    assert item["product"]["ref_code"] == "inv-prod"
    listed = ok_data(emu.get("/storage/invoices?start=2024-03-01"))
    assert [i["id"] for i in listed] == [inv]
    assert ok_data(emu.get("/storage/invoices?start=2024-03-02")) == []
    assert api_error(emu.get("/storage/invoices")) == "start is required (YYYY-MM-DD)"
    assert emu.get("/storage/invoices/999")[0] == 404
    assert emu.put("/storage/invoices/999", {"action": "wire"})[0] == 404


def test_invoice_validation_names_fields_and_writes_nothing(emu):
    before = emu.stats()
    cases = [
        ({"number": None}, "number must not be null"),
        ({"date": "13.06.2018"}, 'date must be a date like "2018-06-13 14:28"'),
        ({"storage": {"caf_id": 6}}, "storage.caf_id: storage 6 not found"),
        ({"storage": {}}, "storage.caf_id is required"),
        ({"items": []}, "items must not be empty"),
        ({"items": [{"amount": 1}]}, "items[0].product_code is required"),
        ({"items": [{"product_code": "inv-prod"}]}, "items[0].amount is required"),
        ({"items": [{"amount": "1", "product_code": "inv-prod"}]},
         "items[0].amount must be a number"),
        ({"items": [{"amount": 1, "product_code": "unknown"}]},
         "items[0].product_code: product unknown not found"),
        ({"items": [{"amount": 1, "product_code": "inv-prod", "package_code": "crate"}]},
         "items[0].package_code: package crate not found"),
        ({"shipper": {"name": "x"}}, "shipper.ref_code is required"),
    ]
    for patch, message in cases:
        body = invoice()
        body.update(patch)
        if patch.get("number", 1) is None:
            body["number"] = None
        assert api_error(emu.post("/storage/invoices", body)) == message, patch
    assert emu.stats() == before


def test_invoice_action_validation(emu):
    inv = ok_data(emu.post("/storage/invoices", invoice()))["id"]
    assert api_error(emu.put("/storage/invoices/%d" % inv, {"action": "post"})) == \
        "action must be one of wire, unwire"
    assert api_error(emu.put("/storage/invoices/%d" % inv, {})) == "action is required"


def test_move_create_and_wire(emu):
    body = {"comment": "", "date": "2022-06-01 15:15", "storage_from": {"caf_id": 1},
            "storage_to": {"caf_id": 7},
            "items": [{"amount": 20, "product_code": "2"}, {"amount": 1.5, "product_code": "1"}]}
    mid = ok_data(emu.post("/storage/moves", body))["id"]
    assert isinstance(mid, int)
    assert emu.put("/storage/moves/%d" % mid, {"action": "wire"}) == (200, {"success": True})
    s1, s7 = stock(emu, 1), stock(emu, 7)
    assert s1[2]["balance"] == "30" and s7[2]["balance"] == "20"
    assert s7[2]["cost"] == "0.245614"  # cost travels with the goods
    assert s1[1]["balance"] == "-4.500" and s7[1]["balance"] == "1.500"
    assert "already wired" in api_error(emu.put("/storage/moves/%d" % mid, {"action": "wire"}))
    assert emu.put("/storage/moves/%d" % mid, {"action": "unwire"}) == (200, {"success": True})
    assert stock(emu, 1)[2]["balance"] == "50" and stock(emu, 7)[2]["balance"] == "0"
    assert emu.put("/storage/moves/999", {"action": "wire"})[0] == 404


def test_move_sample_second_item_without_amount_is_rejected(emu):
    err = api_error(emu.post("/storage/moves", load_sample("move_create.request.json")))
    assert err == "items[1].amount is required"
    assert emu.stats()["moves"] == 0


def test_move_validation(emu):
    base = {"date": "2022-06-01 15:15", "storage_from": {"caf_id": 1},
            "storage_to": {"caf_id": 7}, "items": [{"amount": 1, "product_code": "1"}]}
    cases = [
        ({"storage_to": {"caf_id": 1}}, "storage_from and storage_to must differ"),
        ({"storage_from": {"caf_id": 99}}, "storage_from.caf_id: storage 99 not found"),
        ({"storage_to": None}, "storage_to must not be null"),
        ({"items": [{"amount": -1, "product_code": "1"}]}, "items[0].amount must be positive"),
        ({"items": [{"amount": 1, "product_code": "nope"}]},
         "items[0].product_code: product nope not found"),
        ({"date": None}, "date must not be null"),
    ]
    for patch, message in cases:
        body = dict(base)
        body.update(patch)
        assert api_error(emu.post("/storage/moves", body)) == message, patch


def test_stock_strings_keep_their_format(emu):
    # kg and l with three decimals, whole pieces without, cost with six, summ with two
    emu.admin("POST", "stock", {"storage_id": 3, "product_id": 1, "balance": 0.245,
                                "cost": 1.5})
    emu.admin("POST", "stock", {"storage_id": 3, "product_id": 2, "balance": 2.5, "cost": 0})
    rows = stock(emu, 3)
    assert rows[1]["balance"] == "0.245" and rows[1]["cost"] == "1.500000"
    assert rows[1]["summ"] == "0.37"
    assert rows[2]["balance"] == "2.500" and rows[2]["summ"] == "0"


def test_invoice_list_is_summaries_and_one_invoice_has_the_final_fields(emu):
    inv = ok_data(emu.post("/storage/invoices", invoice()))["id"]
    listed = ok_data(emu.get("/storage/invoices?start=2024-03-01"))
    assert list(listed[0]) == [
        "id", "name", "total_amount", "total_wo_nds", "total_nds_sum", "type", "shipper",
        "created_at", "created_by", "updated_at", "updated_by", "storage", "status",
        "finished", "doc_date", "paid"]  # no items
    assert listed[0]["status"] == "not_wired" and listed[0]["finished"] is False
    assert set(listed[0]["shipper"]) == {"id", "name", "created_at", "deleted"}
    got = ok_data(emu.get("/storage/invoices/%d" % inv))
    assert got["shipper"]["ref_code"] == "sh1" and got["shipper"]["deleted"] is False
    assert got["updated_by"] == {"id": 1} and got["status"] == "not_wired"
    package = got["items"][0]["package"]
    assert package["deleted"] is False and package["hidden"] is True  # pcs is built in
    assert all(got[k] == listed[0][k] for k in listed[0] if k != "shipper")  # they agree
