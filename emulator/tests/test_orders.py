"""Delivery orders: a job's life, receipts, and the sales exports that follow."""

import copy
import json

from conftest import api_error, load_sample, ok_data

SEED_RECEIPTS = 3  # one on POS 2 (2022-04-20), a sale and a return on POS 3 (2023-09-28)
NEW_CLIENT = ("; a new client needs name, last_name, address, phone, card_number and "
              "discount_group.id, a known one only its uuid")


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
                       "discountSum": 1.37, "status": "wait_cashier"}  # a new order waits


def test_first_job_id_is_the_docs_example(emu):
    assert ok_data(emu.post("/draft/orders", order()))["job_id"] == 54300903


def test_invalid_orders_fail_with_a_reason(emu):
    cases = [
        ({"items": [{"count": 1, "total_sum": 1, "product_id": 777, "data": None}]},
         "bill.items[0].product_id: product 777 not found"),
        ({"items": [{"count": -1, "total_sum": 1, "product_id": 3}]},
         "bill.items[0].count must not be negative"),
        ({"items": [{"count": 1, "total_sum": -1, "product_id": 3}]},
         "bill.items[0].total_sum must not be negative"),
        ({"total_sum": -5}, "bill.total_sum must not be negative"),
        ({"payments": [{"payment_id": 9, "value": 1}]}, "bill.payments[0].payment_id: payment type 9 not found"),
        ({"payments": [{"payment_id": 1, "value": -1}]}, "bill.payments[0].value must not be negative"),
        ({"pos_id": 42}, "bill.pos_id: pos 42 not found"),
        ({"delivery_type": 5}, "bill.delivery_type must be 0, 1 or 2"),
    ]
    for patch, reason in cases:
        jid = ok_data(emu.post("/draft/orders", order(**patch)))["job_id"]
        assert job(emu, jid)["status"] == "pending"
        assert job(emu, jid) == {"job_id": str(jid), "status": "failed", "message": reason}
    assert emu.stats()["receipts"] == SEED_RECEIPTS


def test_order_shape_errors_are_immediate(emu):
    assert api_error(emu.post("/draft/orders", {})) == "bill is required"
    assert api_error(emu.post("/draft/orders", order(items=[]))) == \
        "bill.items must not be empty"
    assert api_error(emu.post("/draft/orders", order(total_sum="6.83"))) == \
        "bill.total_sum must be a number"
    body = order()
    del body["bill"]["items"][0]["product_id"]
    assert api_error(emu.post("/draft/orders", body)) == "bill.items[0].product_id is required"
    assert api_error(emu.post("/draft/orders", order(client={"phone": "1"}))) == (
        "bill.client.name, bill.client.last_name, bill.client.address, bill.client.card_number and "
        "bill.client.discount_group.id are required" + NEW_CLIENT)
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


def test_unknown_client_uuid_without_details_is_a_validation_error(emu):
    assert api_error(emu.post("/draft/orders", order(client={
        "uuid": "00000000-0000-0000-0000-000000000000"}))) == (
        "bill.client.name, bill.client.last_name, bill.client.address, bill.client.phone, "
        "bill.client.card_number and bill.client.discount_group.id are required (no client has "
        "uuid 00000000-0000-0000-0000-000000000000)" + NEW_CLIENT)
    assert emu.stats()["jobs"] == 0


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
    assert day[0]["bill_dishes"][0]["dish"] == {"id": 3, "ref_code": "3"}
    assert day[0]["card_pay"] == 6.83 and day[0]["terminal_number"] == 2
    assert "client" not in day[0]  # the final docs show none
    # payments are shared among the lines by their sums: this line is 4.13 of 6.83
    status, sales = emu.get("/product/export_sales?shift_day=2021-12-21")
    assert status == 200 and sales["success"] is True
    assert sales["data"] == [{
        "caf_terminal_id": "2", "caf_id": "3", "name": "Сырный раф", "ref_code": "3",
        "price": "5.5000", "qnt": "1", "deleted": "0", "cash": "0", "card": "4.13",
        "cashless": "0", "bonus": "0", "credit": "0", "total_pay": "4.13"}]
    status, totals = emu.get("/product/export_sales_totals?start=2021-12-21T00:00%2B03:00"
                             "&end=2021-12-22")
    assert totals["data"] == [{"qnt": "1", "caf_terminal_id": None, "cafe_workspace_id": "2",
                               "cash": "0.00", "card": "6.83", "cashless": "0.00",
                               "credit": "0.00", "discount": "-1.37", "total_pay": "6.83"}]


def test_exports_of_the_seed_receipt_and_validation(emu):
    sales = emu.get("/product/export_sales?start=2022-04-20&end=2022-04-20")[1]["data"]
    assert [(s["name"], s["qnt"], s["total_pay"]) for s in sales] == [("Сырный раф", "2", "8")]
    assert emu.get("/product/export_sales?start=2022-04-21T00:00&end=2023-09-27")[1]["data"] == []
    assert api_error(emu.get("/product/export_sales")) == \
        "start (with end) or shift_day is required"
    assert "ISO 8601" in api_error(emu.get("/product/export_sales_totals?start=yesterday"))
    assert "shift_day must be a date" in api_error(
        emu.get("/product/export_sales?shift_day=20.04.2022"))
    rows = emu.get("/draft/receipts_by_shift_day/2/2022-04-20")[1]
    assert [(r["id"], r["total"]) for r in rows] == [("4f52125c-58ea-touc-0301-650467649790", 8)]
    assert emu.get("/draft/receipts_by_shift_day/1/2022-04-20") == (200, [])
    assert emu.get("/draft/receipts_by_shift_day/9/2022-04-20")[0] == 404


def ok_data_feed(emu, path):
    status, body = emu.get(path)
    assert status == 200 and body["code"] == "ok"
    return body["data"]


# ---- POST /a/v1.1/draft/receipts: placed at once ------------------------------------------

def post_now(emu, body):
    """POST /a/v1.1/draft/receipts → (status, parsed JSON)."""
    status, _, data = emu.raw("POST", "/a/v1.1/draft/receipts", body)
    return status, json.loads(data)


def test_v11_receipts_places_the_order_at_once(emu):
    status, body = post_now(emu, order())
    assert status == 200 and body["success"] is True
    assert set(body["data"]) == {"status", "message"} and body["data"]["status"] == "success"
    uuid = body["data"]["message"]
    assert len(uuid) == 36 and uuid.count("-") == 4
    assert emu.stats()["jobs"] == 0  # no job: the answer is the result
    info = emu.get("/draft/receipts/%s/info" % uuid)[1]
    assert info[0]["status"] == "wait_cashier" and info[0]["totalSum"] == 6.83


def test_v11_failures_put_the_reason_in_data_message_and_status(emu):
    cases = [
        (order(pos_id=42), "bill.pos_id: pos 42 not found"),
        (order(items=[{"count": 1, "total_sum": 1, "product_id": 424242}]),
         "bill.items[0].product_id: product 424242 not found"),
        (order(client={"name": "А", "last_name": "Б", "address": "В", "phone": "1", "card_number": "5",
                       "discount_group": {"id": 9}}),
         "bill.client.discount_group.id: discount group 9 not found"),
        (order(items=[]), "bill.items must not be empty"),
        ({}, "bill is required"),
        (order(client={"name": "Без фамилии", "last_name": "", "address": "В", "phone": "1",
                       "card_number": "5", "discount_group": {"id": 1}}),
         "bill.client.last_name (empty) is required" + NEW_CLIENT),
    ]
    for body, reason in cases:
        assert post_now(emu, body) == (200, {"success": False, "data": {
            "status": "failed", "message": reason}})
    assert emu.stats()["receipts"] == SEED_RECEIPTS


def test_v11_duplicate_client_answers_the_sql_text_in_data_status(emu):
    new_client = {"name": "Пётр", "last_name": "Петров", "address": "ул. Длинная",
                  "phone": "+375290000001", "card_number": "111222333444",  # Иван's card
                  "discount_group": {"id": 1}}
    status, body = post_now(emu, order(client=new_client))
    assert status == 200 and body["success"] is False and list(body["data"]) == ["status"]
    assert body["data"]["status"].startswith("SQLSTATE[23505]: Unique violation")
    assert "Key (card_number)=(111222333444) already exists." in body["data"]["status"]
    assert emu.stats()["clients"] == 2 and emu.stats()["receipts"] == SEED_RECEIPTS
    # through a job the same complaint is the failure's message
    jid = ok_data(emu.post("/draft/receipts", order(client=new_client)))["job_id"]
    job(emu, jid)
    assert job(emu, jid)["message"].startswith("SQLSTATE[23505]")


def test_every_missing_field_is_named_at_once(emu):
    """A first order that lacks several fields hears of all of them in one answer, on both
    paths; a blank client text counts as missing (the docs' rule needs a value)."""
    body = order(client={"name": "Гость", "last_name": " ", "phone": "+375290000002",
                         "card_number": ""})
    del body["bill"]["app_id"]
    del body["bill"]["items"][0]["product_id"]
    body["bill"]["payments"][0]["value"] = None
    expected = ("bill.app_id, bill.items[0].product_id, bill.payments[0].value, "
                "bill.client.last_name (empty), bill.client.address, bill.client.card_number "
                "(empty) and bill.client.discount_group.id are required" + NEW_CLIENT)
    assert api_error(emu.post("/draft/receipts", body)) == expected
    assert post_now(emu, body) == (200, {"success": False, "data": {"status": "failed",
                                                                    "message": expected}})
    # Without the client block the bill's own fields alone, and no word about clients.
    del body["bill"]["client"]
    assert api_error(emu.post("/draft/receipts", body)) == (
        "bill.app_id, bill.items[0].product_id and bill.payments[0].value are required")
    assert emu.stats()["jobs"] == 0 and emu.stats()["receipts"] == SEED_RECEIPTS


def test_v10_receipts_goes_through_a_job(emu):
    created = ok_data(emu.post("/draft/receipts", order()))
    assert created == {"job_id": 54300903, "status": "pending"}
    assert job(emu, 54300903)["status"] == "pending"
    assert job(emu, 54300903)["status"] == "success"


def test_client_rules_name_the_missing_field(emu):
    full = {"name": "Ольга", "last_name": "Новая", "address": "ул. Новая", "phone": "+375331",
            "card_number": "777", "discount_group": {"id": 2}}
    for key in ("name", "last_name", "address", "phone", "card_number"):
        client = dict(full)
        del client[key]
        assert api_error(emu.post("/draft/orders", order(client=client))) == \
            "bill.client.%s is required" % key + NEW_CLIENT
    client = dict(full, discount_group={})
    assert api_error(emu.post("/draft/orders", order(client=client))) == \
        "bill.client.discount_group.id is required" + NEW_CLIENT
    # {uuid} of a known client is enough
    status, body = post_now(emu, order(client={"uuid": "64b14c01-c9d1-4a72-95f6-b3bd51488293"}))
    assert body["data"]["status"] == "success", body
    # an unknown uuid with every field makes the client with that uuid
    new_uuid = "11111111-2222-3333-4444-555555555555"
    status, body = post_now(emu, order(client=dict(full, uuid=new_uuid)))
    assert body["data"]["status"] == "success", body
    uuids = [c["uuid"] for c in ok_data_feed(emu, "/draft/get_clients/0")]
    assert new_uuid in uuids


def test_job_status_can_answer_bare(emu):
    emu.admin("POST", "config", {"job_status_bare": True})
    jid = ok_data(emu.post("/draft/receipts", order()))["job_id"]
    assert emu.get("/draft/get_job_status/%d" % jid) == (200, {
        "job_id": str(jid), "status": "pending", "message": None})
    status, bare = emu.get("/draft/get_job_status/%d" % jid)
    assert bare["status"] == "success" and "success" not in bare
    emu.reset()
    assert emu.admin("GET", "config")["job_status_bare"] is False


def test_receipt_status_switch_and_cancelled_receipts_leave_the_exports(emu):
    uuid = post_now(emu, order())[1]["data"]["message"]
    assert len(emu.get("/product/export_sales?shift_day=2021-12-21")[1]["data"]) == 1
    for status in ("closed", "cancel"):
        assert emu.admin("POST", "receipts/%s" % uuid, {"status": status})["status"] == status
        assert emu.get("/draft/receipts/%s/info" % uuid)[1][0]["status"] == status
    assert emu.get("/product/export_sales?shift_day=2021-12-21")[1]["data"] == []
    status, _, data = emu.raw("POST", "/__emulator/receipts/%s" % uuid, {"status": "gone"},
                              key=False)
    assert status == 400 and b"wait_cashier" in data
    assert emu.raw("POST", "/__emulator/receipts/nope", {"status": "closed"}, key=False)[0] == 404


# ---- sales: the final shapes -------------------------------------------------------------

def test_receipts_by_shift_day_has_the_final_docs_shape(emu):
    rows = emu.get("/draft/receipts_by_shift_day/3/2023-09-28")[1]
    sample = load_sample("receipts_by_shift_day.response.json")[0]
    sale, ret = rows
    assert {k: v for k, v in sale.items() if k != "bill_dishes"} == \
        {k: v for k, v in sample.items() if k != "bill_dishes"}
    line, modifier = sale["bill_dishes"]
    assert line["id"] == sample["bill_dishes"][0]["id"] and line["count"] == 0.5  # fractional
    assert line["dish"] == {"id": 200, "ref_code": "23452432"} and "parent_id" not in line
    assert modifier["parent_id"] == line["id"] and modifier["weight"] == 1
    assert modifier["dish"] == {"id": 9900, "ref_code": "9900"}
    assert ret["income"] == -1 and ret["type"] == "sale" and ret["terminal_number"] == 3


def test_exports_group_by_terminal_and_count_returns_against_sales(emu):
    post_now(emu, order(pos_id=1, created_at="2023-09-28T10:00:00"))  # shop 1's POS
    totals = emu.get("/product/export_sales_totals?shift_day=2023-09-28")[1]
    assert totals["success"] is True
    assert [(t["caf_terminal_id"], t["cafe_workspace_id"], t["qnt"], t["cash"], t["card"])
            for t in totals["data"]] == [(None, "1", "1", "0.00", "6.83"),
                                         (None, "3", "0.5", "16.30", "0.00")]
    by_pos = emu.get("/product/export_sales_totals?shift_day=2023-09-28&add_gr_by=terminal_id")
    assert [(t["caf_terminal_id"], t["total_pay"]) for t in by_pos[1]["data"]] == \
        [(1, "6.83"), (3, "16.30")]
    sales = emu.get("/product/export_sales?shift_day=2023-09-28&add_gr_by=terminal_id")[1]
    assert {(s["caf_terminal_id"], s["ref_code"], s["qnt"]) for s in sales["data"]} == {
        ("1", "3", "1"), ("3", "23452432", "0.5"), ("3", "9900", "1"), ("3", "2", "-1")}
    assert api_error(emu.get("/product/export_sales?shift_day=2023-09-28&add_gr_by=shop")) == \
        "add_gr_by must be one of terminal_id"
