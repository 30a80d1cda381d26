"""Products: find-or-create, reads, updates by id and by ref_code, imports."""

from conftest import SEED_PRODUCTS, api_error, ok_data


def product(ref, **kw):
    body = {"ref_code": ref, "name": "Товар " + ref, "measure": "pcs", "caf_tax_id": 1,
            "category_ref_code": "cat-" + ref, "workspace_ref_code": "ws1",
            "prices": [{"caf_shop_id": 2, "caf_storage_id": 1, "price": 1.5}]}
    body.update(kw)
    return body


def test_create_gives_an_integer_caffesta_id(emu):
    pid = ok_data(emu.post("/product/", product("p1")))["id"]
    assert isinstance(pid, int) and pid not in (1, 2, 3)
    got = ok_data(emu.get("/product/by_ref_code/p1"))
    assert got["id"] == pid and got["name"] == "Товар p1" and got["tax"] == {"id": 1}
    assert got["entity_type"] == "product" and got["type"] == "simple" and got["active"]


def test_post_is_find_or_create_by_ref_code(emu):
    before = emu.stats()
    a = ok_data(emu.post("/product/", product("same")))["id"]
    b = ok_data(emu.post("/product/", product("same", name="Новое имя")))["id"]
    assert a == b
    after = emu.stats()
    assert after["products"] == before["products"] + 1
    assert after["categories"] == before["categories"] + 1  # cat-same, made once
    assert after["workspaces"] == before["workspaces"] + 1
    assert ok_data(emu.get("/product/by_ref_code/same"))["name"] == "Новое имя"


def test_category_and_workspace_are_found_by_ref_code(emu):
    ok_data(emu.post("/product/", product("x1", category_ref_code="shared")))
    ok_data(emu.post("/product/", product("x2", category_ref_code="shared")))
    p1 = ok_data(emu.get("/product/by_ref_code/x1"))
    p2 = ok_data(emu.get("/product/by_ref_code/x2"))
    assert p1["category"] == p2["category"] and p1["work_space"] == p2["work_space"]


def test_put_by_ref_code_on_unknown_ref_is_404(emu):
    status, body = emu.put("/product/by_ref_code/nope", product("nope"))
    assert status == 404
    assert body == {"success": False, "data": {"error": "product not found"}}
    status, body = emu.get("/product/by_ref_code/nope")
    assert status == 404 and body["data"]["error"] == "product not found"
    assert emu.stats()["products"] == SEED_PRODUCTS


def test_put_by_id_on_unknown_id_is_404(emu):
    status, body = emu.put("/product/424242", product("z"))
    assert (status, body) == (404, {"success": False, "data": {"error": "product not found"}})


def test_put_updates_by_ref_code_and_by_id(emu):
    pid = ok_data(emu.post("/product/", product("u1")))["id"]
    assert ok_data(emu.put("/product/by_ref_code/u1", {"name": "A", "measure": "kg"})) == \
        {"id": pid}
    got = ok_data(emu.get("/product/by_ref_code/u1"))
    assert got["name"] == "A" and got["measure"] == "kg" and got["type"] == "weighting"
    assert ok_data(emu.put("/product/%d" % pid, {"ref_code": "u1", "name": "B",
                                                 "cancellation_type": 2,
                                                 "for_sale": False})) == {"id": pid}
    got = ok_data(emu.get("/product/by_ref_code/u1"))
    assert got["name"] == "B" and got["cancellation_type"] == "cancel_ingredients"
    assert got["active"] is False


def test_put_by_id_can_rename_the_ref_code_but_not_onto_another(emu):
    pid = ok_data(emu.post("/product/", product("old")))["id"]
    ok_data(emu.post("/product/", product("taken")))
    assert "already used" in api_error(emu.put("/product/%d" % pid, {"ref_code": "taken"}))
    ok_data(emu.put("/product/%d" % pid, {"ref_code": "new"}))
    assert ok_data(emu.get("/product/by_ref_code/new"))["id"] == pid
    assert emu.get("/product/by_ref_code/old")[0] == 404


def test_upsert_flow_of_the_library(emu):
    """PUT by ref_code; on 404, POST (docs/api.md, Decision — upsert by ref_code)."""
    def upsert(body):
        status, resp = emu.put("/product/by_ref_code/" + body["ref_code"], body)
        if status == 404:
            return "created", ok_data(emu.post("/product/", body))["id"]
        return "updated", ok_data((status, resp))["id"]
    a = upsert(product("flow"))
    b = upsert(product("flow", name="v2"))
    assert a[0] == "created" and b == ("updated", a[1])


def test_validation_of_product_fields(emu):
    base = product("v")
    cases = [
        ({"cancellation_type": 7}, "cancellation_type must be one of 0, 1, 2"),
        ({"type": "dish"}, "type must be one of product, tech_map, sub_product"),
        ({"caf_tax_id": 99}, "caf_tax_id: tax 99 not found"),
        ({"weight_in_gram": "1000"}, "weight_in_gram must be an integer"),
        ({"weight_in_gram": -1}, "weight_in_gram must not be negative"),
        ({"prices": [{"caf_shop_id": 99, "price": 1}]}, "prices[0].caf_shop_id: shop 99 not found"),
        ({"prices": [{"caf_shop_id": 2, "caf_storage_id": 6, "price": 1}]},
         "prices[0].caf_storage_id: storage 6 not found"),
        ({"prices": [{"price": 1}]}, "prices[0].caf_shop_id is required"),
        ({"prices": {"caf_shop_id": 2}}, "prices must be an array"),
        ({"prices": [{"caf_shop_id": 2, "price": -1}]}, "prices[0].price must not be negative"),
        ({"name": ""}, "name must not be empty"),
        ({"ref_code": ""}, "ref_code must not be empty"),
        ({"use_discounts": 1}, "use_discounts must be a boolean"),
    ]
    for patch, message in cases:
        body = dict(base)
        body.update(patch)
        assert api_error(emu.post("/product/", body)) == message, patch
    assert emu.stats()["products"] == SEED_PRODUCTS


def test_nullable_weight_and_optional_fields(emu):
    ok_data(emu.post("/product/", {"ref_code": "min", "name": "Минимум", "weight_in_gram": None,
                                   "barcode": None}))
    got = ok_data(emu.get("/product/by_ref_code/min"))
    assert got["measure"] == "pcs" and got["tax"] == {"id": 1} and got["category"] is None


def test_deleted_product_is_not_found_and_post_restores_it(emu):
    pid = ok_data(emu.post("/product/", product("gone")))["id"]
    emu.admin("POST", "products/gone/delete")
    assert emu.get("/product/by_ref_code/gone")[0] == 404
    assert emu.put("/product/by_ref_code/gone", {"name": "x"})[0] == 404
    assert emu.put("/product/%d" % pid, {"name": "x"})[0] == 404
    assert ok_data(emu.post("/product/", product("gone")))["id"] == pid
    assert ok_data(emu.get("/product/by_ref_code/gone"))["id"] == pid


def import_body(items, **kw):
    body = {"update_balances": False, "categories": [{"id": "c1", "name": "Кат", "level": 1,
                                                      "parent": None}],
            "menus": [], "taxes": [], "shops": [], "items": items}
    body.update(kw)
    return body


def item(ref, **kw):
    d = {"id": ref, "deleted": False, "name": "Имп " + ref, "barcode": "", "country": "",
         "weight_in_gram": None, "for_sale": True, "measure": "pcs", "use_discounts": True,
         "prices": [{"shop_id": 2, "value": 2.5, "value_day": 2.5}], "balances": [],
         "category_id": "c1", "menus": [], "tax_id": None, "work_space_code": "1",
         "description": ""}
    d.update(kw)
    return d


def test_import_removes_what_the_body_lacks(emu):
    ok_data(emu.post("/product/", product("keep")))
    ok_data(emu.post("/product/", product("drop")))
    res = ok_data(emu.post("/product/import", import_body([item("keep"), item("new")])))
    assert res["created"] == 1 and res["updated"] == 1
    assert res["deleted"] == 1 + SEED_PRODUCTS  # drop + the seed products
    assert emu.get("/product/by_ref_code/drop")[0] == 404
    assert emu.get("/product/by_ref_code/1")[0] == 404
    assert ok_data(emu.get("/product/by_ref_code/keep"))["name"] == "Имп keep"
    assert ok_data(emu.get("/product/by_ref_code/new"))["name"] == "Имп new"


def test_import_part_menu_removes_nothing(emu):
    ok_data(emu.post("/product/", product("stay")))
    res = ok_data(emu.post("/product/import_part_menu", import_body([item("added")])))
    assert isinstance(res.pop("id"), int)  # the import's number, as the docs' answer shows
    assert res == {"created": 1, "updated": 0, "deleted": 0}
    assert ok_data(emu.get("/product/by_ref_code/stay"))
    assert ok_data(emu.get("/product/by_ref_code/1"))


def test_import_item_marked_deleted(emu):
    ok_data(emu.post("/product/", product("del")))
    res = ok_data(emu.post("/product/import_part_menu", import_body([item("del",
                                                                           deleted=True)])))
    assert res["deleted"] == 1
    assert emu.get("/product/by_ref_code/del")[0] == 404


def test_import_update_balances(emu):
    body = import_body([item("bal", balances=[{"storage_id": 2, "balance": 10}])],
                       update_balances=True)
    ok_data(emu.post("/product/import_part_menu", body))
    pid = ok_data(emu.get("/product/by_ref_code/bal"))["id"]
    stock = {r["id"]: r for r in emu.get("/draft/store/2")[1]}
    assert stock[pid]["balance"] == "10"
    body["update_balances"] = False
    body["items"][0]["balances"][0]["balance"] = 99
    ok_data(emu.post("/product/import_part_menu", body))
    stock = {r["id"]: r for r in emu.get("/draft/store/2")[1]}
    assert stock[pid]["balance"] == "10"


def test_import_validation(emu):
    assert api_error(emu.post("/product/import", {"update_balances": False})) == \
        "items is required"
    assert api_error(emu.post("/product/import", import_body([item("a", name=5)]))) == \
        "items[0].name must be a string"
    assert api_error(emu.post("/product/import", import_body([item("a", prices=[
        {"shop_id": 42, "value": 1}])]))) == "items[0].prices[0].shop_id: shop 42 not found"
    assert api_error(emu.post("/product/import", import_body(
        [item("a")], categories=[{"id": "c2", "name": "x", "parent": "zzz"}]))) == \
        "categories[0].parent: category zzz not found"
    assert emu.stats()["products"] == SEED_PRODUCTS  # all or nothing
