"""The update feeds under /draft/get_*: section timestamps, products in keyset pages, balances,
clients, reference lists and per-shop data. Every answer is {"code": "ok", "data": ...}."""

import json
import re

from ..settings import CANCELLATION_NAMES, SECTIONS
from ..wire import feed, fixed, iso, num
from . import common
from .common import Area


class Feeds(Area):
    ROUTES = (
        ("GET", "/a/v1.0/draft/get_updates/{pos:int}", "updates"),
        ("GET", "/a/v1.0/draft/get_products0/{pos:int}/{start:int}/{ts:int}", "products0"),
        ("GET", "/a/v1.0/draft/get_products/{pos:int}/{start:int}/{ts:int}",
         "products_deprecated"),
        ("GET", "/a/v1.0/draft/get_balances/{pos:int}/{ts:int}", "balances"),
        ("GET", "/a/v1.0/draft/get_clients/{ts:int}", "clients"),
        ("GET", "/a/v1.0/draft/get_categories", "categories"),
        ("GET", "/a/v1.0/draft/get_workspaces", "workspaces"),
        ("GET", "/a/v1.0/draft/get_taxes", "taxes"),
        ("GET", "/a/v1.0/draft/get_modifier_groups", "modifier_groups"),
        ("GET", "/a/v1.0/draft/get_product_shop_data/{pos:int}/{ts:int}", "product_shop_data"),
    )
    # ---- update feeds ----------------------------------------------------------------------

    def updates(self, ctx):
        with self.store.tx() as db:
            common.pos_shop(db, ctx.params["pos"])
            ts = dict(db.execute("SELECT name, ts FROM sections").fetchall())
        return feed({name: ts[name] for name in SECTIONS})

    def _product_rows(self, db, shop_id, start, ts):
        if ts == 0:
            cond, args = "p.deleted = 0", ()
        else:
            cond, args = "p.updated_at >= ?", (ts,)
        return db.execute("SELECT p.*, pp.price AS shop_price, pp.self_cost AS shop_self_cost, "
                          "pp.in_stop_list AS shop_stop FROM products p LEFT JOIN product_prices "
                          "pp ON pp.product_id = p.id AND pp.shop_id = ? WHERE p.id > ? AND "
                          + cond + " ORDER BY p.id LIMIT ?",
                          (shop_id, start) + args + (self.config.page_size,)).fetchall()

    def _feed_product(self, p):
        return {
            "id": p["id"], "name": p["name"], "entityType": p["type"],
            "cancellationType": CANCELLATION_NAMES[p["cancellation_type"]],
            "measure": p["measure"], "deleted": bool(p["deleted"]),
            "useDiscounts": bool(p["use_discounts"]), "color": "gray", "shortDescription": None,
            "alternateName": p["ref_code"], "buttonColor": None, "image": None,
            "type": "weighting" if p["measure"] in ("kg", "l") else "simple",
            "coefficients": None, "code": p["barcode"], "active": bool(p["for_sale"]),
            "freePrice": False, "descr": p["type"],
        }

    def products0(self, ctx):
        with self.store.tx() as db:
            pos = common.pos_shop(db, ctx.params["pos"])
            rows = self._product_rows(db, pos["shop_id"], ctx.params["start"], ctx.params["ts"])
        out = []
        for p in rows:
            d = self._feed_product(p)
            d.update({"category_id": p["category_id"], "workSpace_id": p["workspace_id"],
                      "tax_id": p["tax_id"], "price": num(p["shop_price"] or 0),
                      "image_path": None})
            out.append(d)
        return feed(out)

    def products_deprecated(self, ctx):
        with self.store.tx() as db:
            pos = common.pos_shop(db, ctx.params["pos"])
            rows = self._product_rows(db, pos["shop_id"], ctx.params["start"], ctx.params["ts"])
        out = []
        for p in rows:
            d = self._feed_product(p)
            d.update({"workSpace": {"id": p["workspace_id"]} if p["workspace_id"] else None,
                      "category_id": p["category_id"], "tax_id": p["tax_id"],
                      "price": num(p["shop_price"] or 0), "self_cost": num(p["shop_self_cost"]
                                                                           or 0),
                      "image_path": None, "in_stop_list": bool(p["shop_stop"])})
            out.append(d)
        return feed(out)

    def balances(self, ctx):
        with self.store.tx() as db:
            pos = common.pos_shop(db, ctx.params["pos"])
            rows = db.execute("SELECT product_id, balance, cost FROM stock WHERE storage_id=? "
                              "AND updated_at >= ? ORDER BY product_id",
                              (pos["storage_id"], ctx.params["ts"])).fetchall()
        return feed([{"balance": fixed(r[1], 3), "self_cost": fixed(r[2], 6),
                      "product_id": r[0]} for r in rows])

    def clients(self, ctx):
        with self.store.tx() as db:
            rows = db.execute("SELECT * FROM clients WHERE updated_at >= ? ORDER BY id",
                              (ctx.params["ts"],)).fetchall()
            return feed([client_json(db, c) for c in rows])

    def categories(self, ctx):
        with self.store.tx() as db:
            rows = db.execute("SELECT * FROM categories ORDER BY id").fetchall()
        parents = {r["id"]: r["parent_id"] for r in rows}

        def level(cid):
            n, seen = 1, set()
            while parents.get(cid) is not None and cid not in seen:
                seen.add(cid)
                cid = parents[cid]
                n += 1
            return n
        return feed([{"id": r["id"], "name": r["name"], "buttonColor": "#D3D3D3",
                      "image": None, "lft": r["position"], "lvl": level(r["id"]),
                      "availableForPos": True, "useMarking": False, "type": None,
                      "depositId": None, "position": r["position"], "parent": r["parent_id"],
                      "course": None, "deposit_id": None} for r in rows])

    def workspaces(self, ctx):
        with self.store.tx() as db:
            rows = db.execute("SELECT * FROM workspaces ORDER BY id").fetchall()
        return feed([{"id": r["id"], "group": r["grp"], "refCode": r["ref_code"],
                      "name": r["name"]} for r in rows])

    def taxes(self, ctx):
        with self.store.tx() as db:
            rows = db.execute("SELECT * FROM taxes ORDER BY id").fetchall()
        return feed([{"id": r["id"], "refId": None, "refCode": None, "name": r["name"],
                      "type": r["type"], "value": num(r["value"]), "fiscal": bool(r["fiscal"]),
                      "ref_id": 1} for r in rows])

    def modifier_groups(self, ctx):
        with self.store.tx() as db:
            rows = db.execute("SELECT data FROM modifier_groups ORDER BY id").fetchall()
        return feed([json.loads(r[0]) for r in rows])

    def product_shop_data(self, ctx):
        ts = ctx.params["ts"]
        with self.store.tx() as db:
            pos = common.pos_shop(db, ctx.params["pos"])
            cond = "p.deleted = 0" if ts == 0 else "pp.updated_at >= ?"
            rows = db.execute("SELECT pp.*, p.for_sale, p.deleted, s.cost AS stock_cost FROM "
                              "product_prices pp JOIN products p ON p.id = pp.product_id "
                              "LEFT JOIN stock s ON s.product_id = pp.product_id AND "
                              "s.storage_id = pp.storage_id WHERE pp.shop_id = ? AND " + cond +
                              " ORDER BY pp.product_id",
                              (pos["shop_id"],) + (() if ts == 0 else (ts,))).fetchall()
        return feed([{"price": fixed(r["price"], 2),
                      "avgInvoicedSelfCost": fixed(r["stock_cost"] if r["stock_cost"] is not None
                                                   else r["self_cost"], 6),
                      "availableForSale": bool(r["for_sale"]) and not r["deleted"],
                      "inStopList": bool(r["in_stop_list"]), "shop_id": r["shop_id"],
                      "product_id": r["product_id"]} for r in rows])


# ---- wire format -------------------------------------------------------------------------------

def client_json(db, c):
    g = None
    if c["group_id"] is not None:
        g = db.execute("SELECT * FROM discount_groups WHERE id=?", (c["group_id"],)).fetchone()
    name = ("%s %s" % (c["name"], c["last_name"])).strip()
    return {
        "uuid": c["uuid"], "name": c["name"], "lastName": c["last_name"],
        "normName": name.lower(), "phone": c["phone"], "address": c["address"],
        "account": 0, "normPhone": re.sub(r"\D", "", c["phone"]),
        "cardNumber": c["card_number"], "bonusBalance": num(c["bonus_balance"]),
        "pointBalance": num(c["point_balance"]), "payBalance": num(c["pay_balance"]),
        "email": c["email"], "deletedAt": iso(c["deleted_at"]),
        "group_id": c["group_id"],
        "birth_day_discount_amount": num(g["birth_day_discount_amount"]) if g else None,
        "discount_type": g["discount_type"] if g else None,
        "bonus_max_bill_rate": num(g["bonus_max_bill_rate"]) if g else None,
        "discount_name": g["name"] if g else None,
        "discount_rate": num(g["rate"]) if g else None,
        "group_float": bool(g["group_float"]) if g else False,
        "discount_group": {"id": g["id"]} if g else None,
        "promotionKeeps": json.loads(c["promotion_keeps"]),
    }
