"""The update feeds under /draft/get_*: timestamps, keyset pages, deletions, reference lists."""

from conftest import Emulator, load_sample, ok_data

SECTIONS = ["categories", "menus", "desks", "taxes", "workspaces", "comments", "discounts",
            "promotions", "payments", "settings", "balances", "products", "device_models",
            "clients"]


def updates(emu, pos=2):
    status, body = emu.get("/draft/get_updates/%d" % pos)
    assert status == 200 and body["code"] == "ok"
    return body["data"]


def feed(emu, path):
    status, body = emu.get(path)
    assert status == 200, body
    assert body["code"] == "ok" and isinstance(body["data"], list), body
    return body["data"]


def many_products(emu, n, prefix="bulk"):
    items = [{"id": "%s%04d" % (prefix, i), "name": "Товар %d" % i,
              "prices": [{"shop_id": 2, "value": i}]} for i in range(n)]
    ok_data(emu.post("/product/import_part_menu", {"items": items}))


def test_updates_has_every_section_as_unix_seconds(emu):
    data = updates(emu)
    assert list(data) == SECTIONS
    assert all(isinstance(v, int) for v in data.values())
    assert data["products"] == 1648657344  # the seed's, as in the sample


def test_unknown_pos_is_404(emu):
    for path in ("/draft/get_updates/99", "/draft/get_products0/99/0/0",
                 "/draft/get_balances/99/0", "/draft/get_product_shop_data/99/0"):
        status, body = emu.get(path)
        assert status == 404 and body["data"]["error"] == "pos not found", path


def test_each_change_bumps_its_section_only(emu):
    before = updates(emu)
    ok_data(emu.post("/product/", {"ref_code": "t1", "name": "T"}))
    after = updates(emu)
    assert after["products"] > before["products"]
    assert {k: v for k, v in after.items() if k != "products"} == \
        {k: v for k, v in before.items() if k != "products"}
    # Changes in the same second still grow the timestamp.
    stamps = []
    for i in range(5):
        ok_data(emu.put("/product/by_ref_code/t1", {"name": "T%d" % i}))
        stamps.append(updates(emu)["products"])
    assert stamps == sorted(set(stamps))


def test_sections_bumped_by_their_writes(emu):
    u0 = updates(emu)
    ok_data(emu.post("/product/", {"ref_code": "t2", "name": "T", "category_ref_code": "newc",
                                   "workspace_ref_code": "neww"}))
    u1 = updates(emu)
    assert u1["categories"] > u0["categories"] and u1["workspaces"] > u0["workspaces"]
    emu.admin("POST", "clients", {"name": "Пётр"})
    u2 = updates(emu)
    assert u2["clients"] > u1["clients"] and u2["balances"] == u1["balances"]
    emu.admin("POST", "stock", {"storage_id": 1, "product_id": 3, "balance": 4})
    assert updates(emu)["balances"] > u2["balances"]


def test_admin_bump_and_set_section(emu):
    before = updates(emu)["settings"]
    res = emu.admin("POST", "sections/settings/bump")
    assert res["ok"] and res["ts"] > before and updates(emu)["settings"] == res["ts"]
    res = emu.admin("POST", "sections/desks/bump", {"ts": 1700000000})
    assert res["ts"] == 1700000000 and updates(emu)["desks"] == 1700000000
    assert emu.admin("GET", "sections")["desks"] == 1700000000
    status, _, _ = emu.raw("POST", "/__emulator/sections/nothing/bump", b"{}", key=False)
    assert status == 404


def page_sizes(emu, feed_name="get_products0"):
    """Walks the keyset pages from start 0 until an empty one; the sizes of the pages."""
    seen, start, pages = [], 0, []
    while True:
        page = feed(emu, "/draft/%s/2/%d/0" % (feed_name, start))
        if not page:
            break
        pages.append(len(page))
        ids = [p["id"] for p in page]
        assert ids == sorted(ids) and ids[0] > start
        seen += ids
        start = ids[-1]
    assert len(seen) == len(set(seen))
    return pages


def test_products0_pages_by_id_100_a_page_when_set(emu):
    emu.admin("POST", "config", {"page_size": 100})
    many_products(emu, 250)
    assert page_sizes(emu) == [100, 100, 57]
    assert page_sizes(emu, "get_products") == [100, 100, 57]


def test_product_pages_are_1000_by_default_as_in_the_field(emu):
    assert emu.admin("GET", "config")["page_size"] == 1000
    many_products(emu, 1000)
    assert page_sizes(emu) == [1000, 7]


def test_page_size_flag_and_reset():
    e = Emulator("--page-size", "3")
    try:
        assert page_sizes(e) == [3, 3, 1]  # the seed's 7 products
        e.admin("POST", "config", {"page_size": 5})
        assert page_sizes(e) == [5, 2]
        e.reset()  # back to the command line's value
        assert e.admin("GET", "config")["page_size"] == 3
        status, _, body = e.raw("POST", "/__emulator/config", {"page_size": 0}, key=False)
        assert status == 400 and b"page_size must be a positive integer" in body
    finally:
        assert e.stop() == 0


def test_products0_includes_deleted_only_when_ts_is_not_zero(emu):
    many_products(emu, 10)
    t0 = updates(emu)["products"]
    emu.admin("POST", "products/bulk0003/delete")
    emu.admin("POST", "products/1/delete")
    t1 = updates(emu)["products"]
    assert t1 > t0
    full = feed(emu, "/draft/get_products0/2/0/0")
    assert len(full) == 15 and not any(p["deleted"] for p in full)
    changed = feed(emu, "/draft/get_products0/2/0/%d" % (t0 + 1))
    assert sorted((p["alternateName"], p["deleted"]) for p in changed) == \
        [("1", True), ("bulk0003", True)]
    # An old ts returns everything changed since, deleted included.
    assert len(feed(emu, "/draft/get_products0/2/0/1")) == 17


def test_products0_incremental_sync(emu):
    t0 = updates(emu)["products"]
    assert feed(emu, "/draft/get_products0/2/0/%d" % (t0 + 1)) == []
    pid = ok_data(emu.post("/product/", {"ref_code": "inc", "name": "Новинка",
                                         "prices": [{"caf_shop_id": 2, "price": 3.25}]}))["id"]
    t1 = updates(emu)["products"]
    got = feed(emu, "/draft/get_products0/2/0/%d" % (t0 + 1))
    assert [p["id"] for p in got] == [pid]
    assert got[0]["price"] == 3.25 and got[0]["name"] == "Новинка"
    assert feed(emu, "/draft/get_products0/2/0/%d" % (t1 + 1)) == []


def test_products0_price_is_the_pos_shops(emu):
    rows = {p["id"]: p for p in feed(emu, "/draft/get_products0/3/0/0")}
    assert rows[1]["price"] == 5 and rows[2]["price"] == 0
    rows = {p["id"]: p for p in feed(emu, "/draft/get_products0/2/0/0")}
    assert rows[1]["price"] == 3.5


def test_deprecated_products_feed(emu):
    rows = feed(emu, "/draft/get_products/3/0/0")
    r1 = next(r for r in rows if r["id"] == 1)
    assert r1["in_stop_list"] is True and r1["workSpace"] == {"id": 2}
    assert set(r1) == set(load_sample("products_deprecated.response.json")["data"][0])


def test_balances_feed(emu):
    rows = feed(emu, "/draft/get_balances/2/0")
    assert {r["product_id"]: r["balance"] for r in rows} == {1: "-3.000", 2: "50.000"}
    assert rows[1]["self_cost"] == "0.245614"
    t = updates(emu)["balances"]
    assert feed(emu, "/draft/get_balances/2/%d" % (t + 1)) == []
    emu.admin("POST", "stock", {"storage_id": 1, "ref_code": "3", "balance": 7})
    assert feed(emu, "/draft/get_balances/2/%d" % (t + 1)) == \
        [{"balance": "7.000", "self_cost": "0.000000", "product_id": 3}]
    assert feed(emu, "/draft/get_balances/1/0") == []  # POS 1 sells from storage 5


def test_clients_feed_and_admin_add(emu):
    rows = feed(emu, "/draft/get_clients/0")
    assert rows[0] == load_sample("clients.response.json")["data"][0]
    t = updates(emu)["clients"]
    res = emu.admin("POST", "clients", {"name": "Анна", "last_name": "Петрова",
                                        "phone": "+375 29 000-00-01", "group_id": 2,
                                        "card_number": "42"})
    assert res["ok"] and res["client"]["normPhone"] == "375290000001"
    new = feed(emu, "/draft/get_clients/%d" % (t + 1))
    assert len(new) == 1 and new[0]["uuid"] == res["client"]["uuid"]
    assert new[0]["discount_rate"] == 0.1 and new[0]["normName"] == "анна петрова"
    status, _, _ = emu.raw("POST", "/__emulator/clients", {"last_name": "x"}, key=False)
    assert status == 400


def test_reference_lists(emu):
    assert feed(emu, "/draft/get_taxes") == load_sample("taxes.response.json")["data"]
    assert feed(emu, "/draft/get_modifier_groups") == \
        load_sample("modifier_groups.response.json")["data"]
    cats = feed(emu, "/draft/get_categories")
    assert cats[1] == load_sample("categories.response.json")["data"][0]
    ws = feed(emu, "/draft/get_workspaces")
    assert [(w["id"], w["name"]) for w in ws] == [(1, "Кухня"), (2, "Бар")]


def test_categories_nest_by_parent(emu):
    ok_data(emu.post("/product/import_part_menu", {
        "categories": [{"id": "top", "name": "Верх", "level": 1, "parent": None},
                       {"id": "sub", "name": "Низ", "level": 2, "parent": "top"}],
        "items": []}))
    cats = {c["name"]: c for c in feed(emu, "/draft/get_categories")}
    assert cats["Низ"]["parent"] == cats["Верх"]["id"] and cats["Низ"]["lvl"] == 2


def test_product_shop_data(emu):
    rows = feed(emu, "/draft/get_product_shop_data/3/0")
    assert rows == [{"price": "5.00", "avgInvoicedSelfCost": "0.000000",
                     "availableForSale": True, "inStopList": True, "shop_id": 3,
                     "product_id": 1}]
    t = updates(emu)["products"]
    ok_data(emu.post("/product/", {"ref_code": "sd", "name": "SD", "prices": [
        {"caf_shop_id": 3, "price": 0.475, "self_cost": 0.2}]}))
    rows = feed(emu, "/draft/get_product_shop_data/3/%d" % (t + 1))
    assert len(rows) == 1 and rows[0]["price"] == "0.48"
    assert rows[0]["avgInvoicedSelfCost"] == "0.200000"


def test_import_prices_value_is_the_cost_and_value_day_the_retail_price(emu):
    ok_data(emu.post("/product/import_part_menu", {"items": [{
        "id": "pr", "name": "Цена", "prices": [{"shop_id": 2, "value": 1.25,
                                                "value_day": 3.5}]}]}))
    pid = ok_data(emu.get("/product/by_ref_code/pr"))["id"]
    p0 = {p["id"]: p for p in feed(emu, "/draft/get_products0/2/0/0")}[pid]
    assert p0["price"] == 3.5  # retail
    old = {p["id"]: p for p in feed(emu, "/draft/get_products/2/0/0")}[pid]
    assert old["price"] == 3.5 and old["self_cost"] == 1.25
    shop = {r["product_id"]: r for r in feed(emu, "/draft/get_product_shop_data/2/0")}[pid]
    assert shop["price"] == "3.50" and shop["avgInvoicedSelfCost"] == "1.250000"
    # without value_day the retail price stays; the cost follows value
    ok_data(emu.post("/product/import_part_menu", {"items": [{
        "id": "pr", "prices": [{"shop_id": 2, "value": 2}]}]}))
    old = {p["id"]: p for p in feed(emu, "/draft/get_products/2/0/0")}[pid]
    assert old["price"] == 3.5 and old["self_cost"] == 2


def test_the_docs_import_sample_shows_its_retail_price(emu):
    ok_data(emu.post("/product/import", load_sample("menu_import.request.json")))
    pid = ok_data(emu.get("/product/by_ref_code/41044225"))["id"]
    p0 = {p["id"]: p for p in feed(emu, "/draft/get_products0/2/0/0")}[pid]
    assert p0["price"] == 0.474  # value_day; its value (the cost) is 0


def test_feed_error_switch_answers_code_error(emu):
    emu.admin("POST", "faults", {"kind": "feed_error", "message": "Terminal is blocked",
                                 "count": 2})
    assert emu.admin("GET", "faults")[0]["path_prefix"] == "/a/v1.0/draft/get_"
    assert emu.get("/storage/test")[0] == 200  # not a feed: untouched, no count taken
    for path in ("/draft/get_updates/2", "/draft/get_products0/2/0/0"):
        status, body = emu.get(path)
        assert (status, body) == (200, {"code": "error", "message": "Terminal is blocked"})
    assert feed(emu, "/draft/get_categories")  # the count is spent
