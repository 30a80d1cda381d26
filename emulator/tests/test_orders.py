"""Delivery orders: a job's life, receipts, and the sales exports that follow."""

import copy

from conftest import api_error, load_sample, ok_data


def order(**bill):
    body = copy.deepcopy(load_sample("order_create.request.json"))
    body["bill"].update(bill)
    return body


def job(emu, job_id):
    return ok_data(emu.get("/draft/get_job_status/%d" % job_id))


def test_job_is_pending_then_succeeds_with_a_uuid(emu):
    created = ok_data(emu.post("/draft/orders", order()))
    assert created["status"] == "pending" and isinstance(created["job_id"], int)
    jid = created["job_id"]
    first = job(emu, jid)
    assert first == {"job_id": str(jid), "status": "pending", "message": None}
    second = job(emu, jid)
    assert second["status"] == "success"
    uuid = second["message"]
    assert len(uuid) == 36 and uuid.count("-") == 4
    assert job(emu, jid) == second  # settled
    status, info = emu.get("/draft/receipts/%s/info" % uuid)
    assert status == 200 and isinstance(info, list) and len(info) == 1
    assert info[0] == {"id": uuid, "terminalNumber": 2, "total": 5.5, "totalSum": 6.83,
                       "discountSum": 1.37, "status": "closed"}


def test_first_job_id_is_the_docs_example(emu):
    assert ok_data(emu.post("/draft/orders", order()))["job_id"] == 54300903


def test_invalid_orders_fail_with_a_reason(emu):
    cases = [
        ({"items": [{"count": 1, "total_sum": 1, "product_id": 777, "data": None}]},
         "items[0]: product 777 not found"),
        ({"items": [{"count": -1, "total_sum": 1, "product_id": 3}]},
         "items[0].count must not be negative"),
        ({"items": [{"count": 1, "total_sum": -1, "product_id": 3}]},
         "items[0].total_sum must not be negative"),
        ({"total_sum": -5}, "total_sum must not be negative"),
        ({"payments": [{"payment_id": 9, "value": 1}]}, "payments[0]: payment type 9 not found"),
        ({"payments": [{"payment_id": 1, "value": -1}]}, "payments[0].value must not be negative"),
        ({"pos_id": 42}, "pos 42 not found"),
        ({"delivery_type": 5}, "delivery_type must be 0, 1 or 2"),
    ]
    for patch, reason in cases:
        jid = ok_data(emu.post("/draft/orders", order(**patch)))["job_id"]
        assert job(emu, jid)["status"] == "pending"
        assert job(emu, jid) == {"job_id": str(jid), "status": "failed", "message": reason}
    assert emu.stats()["receipts"] == 1  # only the seed's


def test_order_shape_errors_are_immediate(emu):
    assert api_error(emu.post("/draft/orders", {})) == "bill is required"
    assert api_error(emu.post("/draft/orders", order(items=[]))) == \
        "bill.items must not be empty"
    assert api_error(emu.post("/draft/orders", order(total_sum="6.83"))) == \
        "bill.total_sum must be a number"
    body = order()
    del body["bill"]["items"][0]["product_id"]
    assert api_error(emu.post("/draft/orders", body)) == "bill.items[0].product_id is required"
    assert api_error(emu.post("/draft/orders", order(client={"phone": "1"}))) == \
        "bill.client needs uuid or name"
    assert emu.stats()["jobs"] == 0


def test_unpaid_order_and_new_client(emu):
    body = order(payments=None, client={"name": "Ольга", "last_name": "Новая",
                                        "phone": "+375 33 111-22-33", "address": "ул. Новая",
                                        "card_number": "9", "discount_group": {"id": 2}})
    jid = ok_data(emu.post("/draft/orders", body))["job_id"]
    job(emu, jid)
    assert job(emu, jid)["status"] == "success"
    names = [c["name"] for c in ok_data_feed(emu, "/draft/get_clients/0")]
    assert "Ольга" in names


def test_unknown_client_uuid_without_details_fails(emu):
    jid = ok_data(emu.post("/draft/orders", order(client={
        "uuid": "00000000-0000-0000-0000-000000000000"})))["job_id"]
    job(emu, jid)
    assert job(emu, jid)["message"] == "client 00000000-0000-0000-0000-000000000000 not found"


def test_pending_polls_are_configurable(emu):
    emu.admin("POST", "config", {"job_pending_polls": 3})
    jid = ok_data(emu.post("/draft/orders", order()))["job_id"]
    assert [job(emu, jid)["status"] for _ in range(4)] == ["pending"] * 3 + ["success"]
    emu.admin("POST", "config", {"job_pending_polls": 0})
    jid = ok_data(emu.post("/draft/orders", order()))["job_id"]
    assert job(emu, jid)["status"] == "success"


def test_unknown_job_and_receipt(emu):
    status, body = emu.get("/draft/get_job_status/1")
    assert status == 404 and body["data"]["error"] == "job not found"
    assert emu.get("/draft/receipts/no-such-uuid/info") == (200, [])


def test_sale_writes_off_stock_and_shows_in_exports(emu):
    jid = ok_data(emu.post("/draft/orders", order()))["job_id"]
    job(emu, jid)
    uuid = job(emu, jid)["message"]
    rows = {r["id"]: r for r in emu.get("/draft/store/1")[1]}
    assert rows[3]["balance"] == "-1"  # one "Сырный раф" sold from the cafe's storage
    # created_at 2021-12-21T20:25:00 UTC is 23:25 in the account's zone: that shift day
    day = emu.get("/draft/receipts_by_shift_day/2/2021-12-21")[1]
    assert [r["id"] for r in day] == [uuid]
    assert day[0]["bill_dishes"][0]["dish"] == {"id": 3} and day[0]["card_pay"] == 6.83
    assert day[0]["client"] == {"id": 2}  # the seed's Иван Иванов, found by uuid
    # payments are shared among the lines by their sums: this line is 4.13 of 6.83
    status, sales = emu.get("/product/export_sales?shift_day=2021-12-21")
    assert status == 200 and sales["success"] is True
    assert sales["data"] == [{
        "caf_terminal_id": "2", "caf_id": "3", "name": "Сырный раф", "ref_code": "3",
        "price": "5.5000", "qnt": "1", "deleted": "0", "cash": "0", "card": "4.13",
        "cashless": "0", "bonus": "0", "credit": "0", "total_pay": "4.13"}]
    status, totals = emu.get("/product/export_sales_totals?start=2021-12-21T00:00%2B03:00"
                             "&end=2021-12-22")
    assert totals["data"] == [{"qnt": "1", "caf_terminal_id": "2", "cafe_workspace_id": "2",
                               "cash": "0.00", "card": "6.83", "cashless": "0.00",
                               "credit": "0.00", "discount": "-1.37", "total_pay": "6.83"}]


def test_exports_of_the_seed_receipt_and_validation(emu):
    sales = emu.get("/product/export_sales?start=2022-04-20&end=2022-04-20")[1]["data"]
    assert [(s["name"], s["qnt"], s["total_pay"]) for s in sales] == [("Сырный раф", "2", "8")]
    assert emu.get("/product/export_sales?start=2022-04-21T00:00")[1]["data"] == []
    assert api_error(emu.get("/product/export_sales")) == \
        "start (with end) or shift_day is required"
    assert "ISO 8601" in api_error(emu.get("/product/export_sales_totals?start=yesterday"))
    assert "shift_day must be a date" in api_error(
        emu.get("/product/export_sales?shift_day=20.04.2022"))
    rows = emu.get("/draft/receipts_by_shift_day/2/2022-04-20")[1]
    sample = load_sample("receipts_by_shift_day.response.json")
    assert rows[0]["id"] == sample[0]["id"] and rows[0]["total"] == sample[0]["total"]
    assert emu.get("/draft/receipts_by_shift_day/1/2022-04-20") == (200, [])
    assert emu.get("/draft/receipts_by_shift_day/9/2022-04-20")[0] == 404


def ok_data_feed(emu, path):
    status, body = emu.get(path)
    assert status == 200 and body["code"] == "ok"
    return body["data"]
