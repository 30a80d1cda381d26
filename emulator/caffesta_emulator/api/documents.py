"""Storage documents: incoming invoices (create, list, read, wire/unwire) and moves between
storages (create, wire/unwire). Wiring applies the stock rules of storage.py."""

import time

from ..settings import ACCOUNT_TZ, MEASURES
from ..validation import (Invalid, field, non_negative, nonempty, not_found, objects, one_of,
                          parse_doc_date, parse_iso)
from ..wire import iso, num, ok
from . import common
from .common import Area
from .products import insert_product, product_fields, product_json, update_product
from .storage import add_stock

# A document is "wired" (posted: its stock moved) or "not_wired", as the final docs write it.
STATE_TEXT = {"wired": "already wired", "not_wired": "not wired"}


class Documents(Area):
    ROUTES = (
        ("POST", "/a/v1.0/storage/invoices", "invoice_create"),
        ("GET", "/a/v1.0/storage/invoices", "invoice_list"),
        ("GET", "/a/v1.0/storage/invoices/{id:int}", "invoice_get"),
        ("PUT", "/a/v1.0/storage/invoices/{id:int}", "invoice_action"),
        ("POST", "/a/v1.0/storage/moves", "move_create"),
        ("PUT", "/a/v1.0/storage/moves/{id:int}", "move_action"),
    )
    # ---- invoices --------------------------------------------------------------------------

    def invoice_create(self, ctx):
        body = ctx.json()
        with self.store.tx() as db:
            number = field(body, "number", "", "code")
            doc_date = parse_doc_date(field(body, "date", "", "str"), "date")
            total = field(body, "sum", "", "num", required=False)
            comment = field(body, "comment", "", "str", required=False, default="")
            storage = field(body, "storage", "", "obj")
            storage_id = field(storage, "caf_id", "storage.", "int")
            common.storage(db, storage_id, "storage.caf_id")
            shipper_id = None
            shipper = field(body, "shipper", "", "obj", required=False)
            if shipper is not None:
                sref = nonempty(field(shipper, "ref_code", "shipper.", "code"),
                                "shipper.ref_code")
                sname = field(shipper, "name", "shipper.", "str", required=False)
                row = db.execute("SELECT id FROM shippers WHERE ref_code=?", (sref,)).fetchone()
                if row is not None:
                    shipper_id = row[0]
                else:
                    shipper_id = db.execute(
                        "INSERT INTO shippers (ref_code, name, created_at) VALUES (?, ?, ?)",
                        (sref, sname or sref, int(time.time()))).lastrowid
            # The ref_code objects the items need: find-or-create, existing ones unchanged.
            cats = []
            for _, c, cpath in objects(body, "categories", ""):
                ref = nonempty(field(c, "ref_code", cpath, "code"), cpath + "ref_code")
                name = field(c, "name", cpath, "str", required=False)
                parent = field(c, "parent", cpath, "code", required=False, nullable=True)
                cats.append((ref, name, parent, cpath))
            new_cats = [c for c in cats if db.execute(
                "SELECT 1 FROM categories WHERE ref_code=?", (c[0],)).fetchone() is None]
            for ref, name, _, _ in new_cats:
                common.category(self.store, db, ref, name)
            for ref, _, parent, cpath in new_cats:
                common.link_parent(db, ref, parent, cpath)
            for _, w, wpath in objects(body, "workspaces", ""):
                ref = nonempty(field(w, "ref_code", wpath, "code"), wpath + "ref_code")
                name = field(w, "name", wpath, "str", required=False)
                common.workspace(self.store, db, ref, name)
            for _, p, ppath in objects(body, "packages", ""):
                ref = nonempty(field(p, "ref_code", ppath, "code"), ppath + "ref_code")
                name = field(p, "name", ppath, "str", required=False)
                measure = one_of(field(p, "measure", ppath, "str", required=False),
                                 MEASURES, ppath + "measure")
                value = field(p, "value", ppath, "num", required=False)
                if value is not None and value <= 0:
                    raise Invalid("%svalue must be positive" % ppath)
                if db.execute("SELECT 1 FROM packages WHERE ref_code=?", (ref,)).fetchone():
                    continue
                if ref not in MEASURES and (measure is None or value is None):
                    raise Invalid("%s: a new package needs measure and value" % ppath[:-1])
                db.execute("INSERT INTO packages (ref_code, name, measure, value) "
                           "VALUES (?, ?, ?, ?)", (ref, name or ref, measure or ref, value or 1))
            for _, p, ppath in objects(body, "products", ""):
                ref = nonempty(field(p, "ref_code", ppath, "code"), ppath + "ref_code")
                fields, prices = product_fields(self.store, db, p, ppath)
                row = db.execute("SELECT id, deleted FROM products WHERE ref_code=?",
                                 (ref,)).fetchone()
                if row is None:
                    if "name" not in fields:
                        raise Invalid("%sname is required" % ppath)
                    insert_product(self.store, db, ref, fields, prices)
                elif row[1]:
                    update_product(self.store, db, row[0], {}, [], undelete=True)
            items = []
            for _, it, ipath in objects(body, "items", "", required=True):
                amount = field(it, "amount", ipath, "num")
                if amount <= 0:
                    raise Invalid("%samount must be positive" % ipath)
                pref = nonempty(field(it, "product_code", ipath, "code"), ipath + "product_code")
                prod = common.product_by_ref(db, pref)
                if prod is None:
                    raise Invalid("%sproduct_code: product %s not found" % (ipath, pref))
                pkg_ref = field(it, "package_code", ipath, "code", required=False) or "pcs"
                pkg = db.execute("SELECT id FROM packages WHERE ref_code=?", (pkg_ref,)).fetchone()
                if pkg is None:
                    raise Invalid("%spackage_code: package %s not found" % (ipath, pkg_ref))
                tax_id = field(it, "caf_tax_id", ipath, "int", required=False)
                if tax_id is not None:
                    common.tax(db, tax_id, ipath + "caf_tax_id")
                nums = [non_negative(field(it, k, ipath, "num", required=False), ipath + k)
                        for k in ("price", "price_with_tax", "cost", "cost_with_tax")]
                items.append((prod["id"], pkg[0], amount, nums[0], tax_id if tax_id is not None
                              else prod["tax_id"], nums[1], nums[2], nums[3]))
            if not items:
                raise Invalid("items must not be empty")
            now = int(time.time())
            inv_id = db.execute("INSERT INTO invoices (number, doc_date, sum, comment, shipper_id,"
                                " storage_id, status, created_at, updated_at) VALUES "
                                "(?, ?, ?, ?, ?, ?, 'not_wired', ?, ?)",
                                (number, doc_date, total, comment, shipper_id, storage_id, now,
                                 now)).lastrowid
            for it in items:
                db.execute("INSERT INTO invoice_items (invoice_id, product_id, package_id, "
                           "amount, price, tax_id, price_with_tax, cost, cost_with_tax) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (inv_id,) + it)
            return ok({"id": inv_id})

    def _invoice_json(self, db, inv):
        """One invoice with its items, as GET /storage/invoices/{id} answers."""
        items = []
        totals = [0.0, 0.0, 0.0]
        for it in db.execute("SELECT i.*, k.ref_code AS k_ref, k.name AS k_name, k.measure AS "
                             "k_measure, k.value AS k_value, k.deleted AS k_deleted, k.hidden AS "
                             "k_hidden FROM invoice_items i JOIN packages k ON k.id = "
                             "i.package_id WHERE i.invoice_id=? ORDER BY i.id",
                             (inv["id"],)).fetchall():
            p = db.execute("SELECT * FROM products WHERE id=?", (it["product_id"],)).fetchone()
            price = it["price"] or 0.0
            cost = it["cost"] if it["cost"] is not None else price * it["amount"]
            cost_wt = it["cost_with_tax"] if it["cost_with_tax"] is not None else cost
            totals[0] += cost
            totals[1] += cost_wt - cost
            totals[2] += cost_wt
            items.append({
                "count": num(it["amount"]), "price": num(price), "cost": num(cost),
                "package": {"id": it["package_id"], "ref_code": it["k_ref"],
                            "name": it["k_name"], "measure": it["k_measure"],
                            "value": num(it["k_value"]), "deleted": bool(it["k_deleted"]),
                            "hidden": bool(it["k_hidden"])},
                "product": product_json(db, p, with_category_ref=True, with_weight=True),
                "tax": {"id": it["tax_id"]} if it["tax_id"] is not None else None,
                "tax_sum": num(cost_wt - cost), "cost_with_tax": num(cost_wt),
            })
        st = db.execute("SELECT id, name FROM storages WHERE id=?",
                        (inv["storage_id"],)).fetchone()
        return {
            "id": inv["id"], "type": "incoming", "name": inv["number"],
            "total_amount": num(sum(i["count"] for i in items)),
            "shipper": self._shipper_json(db, inv["shipper_id"], with_ref=True),
            "items": items, "storage": {"id": st[0], "name": st[1]},
            "doc_date": iso(inv["doc_date"]), "paid": False, "status": inv["status"],
            "finished": inv["status"] == "wired", "total_wo_nds": num(totals[0]),
            "total_nds_sum": num(totals[1]), "total_cost": num(totals[2]),
            "created_at": iso(inv["created_at"]), "created_by": {"id": 1},
            "updated_at": iso(inv["updated_at"]), "updated_by": {"id": 1},
        }

    def _invoice_summary(self, db, inv):
        """One row of GET /storage/invoices?start=: the invoice without its items."""
        full = self._invoice_json(db, inv)
        shipper = full["shipper"]
        if shipper is not None:
            shipper = {k: v for k, v in shipper.items() if k != "ref_code"}
        out = {k: full[k] for k in ("id", "name", "total_amount", "total_wo_nds",
                                    "total_nds_sum", "type")}
        out["shipper"] = shipper
        out.update((k, full[k]) for k in ("created_at", "created_by", "updated_at",
                                          "updated_by", "storage", "status", "finished",
                                          "doc_date", "paid"))
        return out

    def _shipper_json(self, db, shipper_id, with_ref):
        if shipper_id is None:
            return None
        s = db.execute("SELECT * FROM shippers WHERE id=?", (shipper_id,)).fetchone()
        out = {"id": s["id"]}
        if with_ref:
            out["ref_code"] = s["ref_code"]
        out.update(name=s["name"], created_at=iso(s["created_at"]), deleted=bool(s["deleted"]))
        return out

    def invoice_get(self, ctx):
        with self.store.tx() as db:
            inv = db.execute("SELECT * FROM invoices WHERE id=?", (ctx.params["id"],)).fetchone()
            if inv is None:
                raise not_found("invoice")
            return ok(self._invoice_json(db, inv))

    def invoice_list(self, ctx):
        start = ctx.q("start")
        if start is None:
            raise Invalid("start is required (YYYY-MM-DD)")
        since = parse_iso(start, "start", ACCOUNT_TZ)
        with self.store.tx() as db:
            rows = db.execute("SELECT * FROM invoices WHERE doc_date >= ? ORDER BY id",
                              (since,)).fetchall()
            return ok([self._invoice_summary(db, r) for r in rows])

    def _action(self, ctx):
        body = ctx.json()
        action = field(body, "action", "", "str")
        return one_of(action, ("wire", "unwire"), "action")

    def invoice_action(self, ctx):
        action = self._action(ctx)
        with self.store.tx() as db:
            inv = db.execute("SELECT * FROM invoices WHERE id=?", (ctx.params["id"],)).fetchone()
            if inv is None:
                raise not_found("invoice")
            want = "wired" if action == "wire" else "not_wired"
            if inv["status"] == want:
                raise Invalid("invoice %d is %s" % (inv["id"], STATE_TEXT[want]))
            sign = 1 if action == "wire" else -1
            for it in db.execute("SELECT i.product_id, i.amount, i.price, i.cost, k.value FROM "
                                 "invoice_items i JOIN packages k ON k.id = i.package_id "
                                 "WHERE invoice_id=?", (inv["id"],)).fetchall():
                qty = it[1] * it[4]
                if it[3] is not None:
                    unit = it[3] / qty
                elif it[2] is not None:
                    unit = it[2] / it[4]
                else:
                    unit = None
                add_stock(self.store, db, inv["storage_id"], it[0], sign * qty,
                          unit if sign > 0 else None)
            db.execute("UPDATE invoices SET status=?, updated_at=? WHERE id=?",
                       (want, int(time.time()), inv["id"]))
            return ok(with_data=False)

    # ---- moves -----------------------------------------------------------------------------

    def move_create(self, ctx):
        body = ctx.json()
        with self.store.tx() as db:
            comment = field(body, "comment", "", "str", required=False, default="")
            doc_date = parse_doc_date(field(body, "date", "", "str"), "date")
            src = field(field(body, "storage_from", "", "obj"), "caf_id", "storage_from.", "int")
            dst = field(field(body, "storage_to", "", "obj"), "caf_id", "storage_to.", "int")
            item_list = objects(body, "items", "", required=True)
            items = []
            for _, it, ipath in item_list:
                amount = field(it, "amount", ipath, "num")
                if amount <= 0:
                    raise Invalid("%samount must be positive" % ipath)
                pref = nonempty(field(it, "product_code", ipath, "code"), ipath + "product_code")
                items.append((pref, amount, ipath))
            if not items:
                raise Invalid("items must not be empty")
            common.storage(db, src, "storage_from.caf_id")
            common.storage(db, dst, "storage_to.caf_id")
            if src == dst:
                raise Invalid("storage_from and storage_to must differ")
            resolved = []
            for pref, amount, ipath in items:
                prod = common.product_by_ref(db, pref)
                if prod is None:
                    raise Invalid("%sproduct_code: product %s not found" % (ipath, pref))
                resolved.append((prod["id"], amount))
            now = int(time.time())
            mid = db.execute("INSERT INTO moves (comment, doc_date, storage_from, storage_to, "
                             "status, created_at, updated_at) "
                             "VALUES (?, ?, ?, ?, 'not_wired', ?, ?)",
                             (comment, doc_date, src, dst, now, now)).lastrowid
            for pid, amount in resolved:
                db.execute("INSERT INTO move_items (move_id, product_id, amount) VALUES (?, ?, ?)",
                           (mid, pid, amount))
            return ok({"id": mid})

    def move_action(self, ctx):
        action = self._action(ctx)
        with self.store.tx() as db:
            mv = db.execute("SELECT * FROM moves WHERE id=?", (ctx.params["id"],)).fetchone()
            if mv is None:
                raise not_found("move")
            want = "wired" if action == "wire" else "not_wired"
            if mv["status"] == want:
                raise Invalid("move %d is %s" % (mv["id"], STATE_TEXT[want]))
            src, dst = mv["storage_from"], mv["storage_to"]
            if action == "unwire":
                src, dst = dst, src
            for pid, amount in db.execute("SELECT product_id, amount FROM move_items "
                                          "WHERE move_id=?", (mv["id"],)).fetchall():
                c = db.execute("SELECT cost FROM stock WHERE storage_id=? AND product_id=?",
                               (src, pid)).fetchone()
                add_stock(self.store, db, src, pid, -amount)
                add_stock(self.store, db, dst, pid, amount, c[0] if c is not None else None)
            db.execute("UPDATE moves SET status=?, updated_at=? WHERE id=?",
                       (want, int(time.time()), mv["id"]))
            return ok(with_data=False)
