"""Products: create (find-or-create by ref_code), read and update by id or ref_code, and menu
imports (whole menu or a part)."""

import json
import time

from ..settings import CANCELLATION_NAMES, MEASURES, PRODUCT_TYPES
from ..validation import (Invalid, check_kind, field, non_negative, nonempty, not_found, objects,
                          one_of)
from ..wire import iso, ok
from . import common
from .common import Area
from .storage import set_stock


class Products(Area):
    ROUTES = (
        ("POST", "/a/v1.0/product/", "product_create"),
        ("POST", "/a/v1.0/product", "product_create"),
        ("PUT", "/a/v1.0/product/{id:int}", "product_update_by_id"),
        ("GET", "/a/v1.0/product/by_ref_code/{ref}", "product_get_by_ref"),
        ("PUT", "/a/v1.0/product/by_ref_code/{ref}", "product_update_by_ref"),
        ("POST", "/a/v1.0/product/import", "menu_import"),
        ("POST", "/a/v1.0/product/import_part_menu", "menu_import_part"),
    )

    def _body_ref(self, db, body, current_id):
        """A ref_code in an update body: renames the product when it differs."""
        ref = field(body, "ref_code", "", "str", required=False)
        if ref is None:
            return {}
        nonempty(ref, "ref_code")
        other = db.execute("SELECT id FROM products WHERE ref_code=?", (ref,)).fetchone()
        if other is not None and other[0] != current_id:
            raise Invalid("ref_code %s is already used by product %d" % (ref, other[0]))
        return {"ref_code": ref}

    def product_create(self, ctx):
        body = ctx.json()
        with self.store.tx() as db:
            ref = nonempty(field(body, "ref_code", "", "str"), "ref_code")
            fields, prices = product_fields(self.store, db, body)
            row = db.execute("SELECT id FROM products WHERE ref_code=?", (ref,)).fetchone()
            if row is not None:  # find-or-create: the product exists (or was deleted)
                update_product(self.store, db, row[0], fields, prices, undelete=True)
                return ok({"id": row[0]})
            if "name" not in fields:
                raise Invalid("name is required")
            return ok({"id": insert_product(self.store, db, ref, fields, prices)})

    def product_update_by_id(self, ctx):
        body = ctx.json()
        with self.store.tx() as db:
            row = db.execute("SELECT id FROM products WHERE id=? AND deleted=0",
                             (ctx.params["id"],)).fetchone()
            if row is None:
                raise not_found("product")
            fields, prices = product_fields(self.store, db, body)
            fields.update(self._body_ref(db, body, row[0]))
            update_product(self.store, db, row[0], fields, prices)
            return ok({"id": row[0]})

    def product_update_by_ref(self, ctx):
        body = ctx.json()
        with self.store.tx() as db:
            row = common.product_by_ref(db, ctx.params["ref"])
            if row is None:
                raise not_found("product")
            fields, prices = product_fields(self.store, db, body)
            fields.update(self._body_ref(db, body, row["id"]))
            update_product(self.store, db, row["id"], fields, prices)
            return ok({"id": row["id"]})

    def product_get_by_ref(self, ctx):
        with self.store.tx() as db:
            row = common.product_by_ref(db, ctx.params["ref"])
            if row is None:
                raise not_found("product")
            return ok(product_json(db, row))

    def _import(self, ctx, whole):
        body = ctx.json()
        with self.store.tx() as db:
            update_balances = field(body, "update_balances", "", "bool", required=False,
                                    default=False)
            categories = objects(body, "categories", "")
            seen = {}
            for _, c, cpath in categories:
                ref = nonempty(field(c, "id", cpath, "code"), cpath + "id")
                name = nonempty(field(c, "name", cpath, "str"), cpath + "name")
                field(c, "level", cpath, "int", required=False)
                parent = field(c, "parent", cpath, "code", required=False, nullable=True)
                seen[ref] = (name, parent, cpath)
            for ref, (name, _, _) in seen.items():
                common.category(self.store, db, ref, name, update=True)
            for ref, (name, parent, cpath) in seen.items():
                common.link_parent(db, ref, parent, cpath)
            for _, m, mpath in objects(body, "menus", ""):
                ref = nonempty(field(m, "id", mpath, "code"), mpath + "id")
                name = nonempty(field(m, "name", mpath, "str"), mpath + "name")
                level = field(m, "level", mpath, "int", required=False)
                parent = field(m, "parent", mpath, "code", required=False, nullable=True)
                caf_id = field(m, "caf_id", mpath, "int", required=False)
                db.execute("INSERT INTO menus (ref_code, name, level, parent_ref, caf_id, "
                           "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ref_code) DO "
                           "UPDATE SET name=excluded.name, level=excluded.level, parent_ref="
                           "excluded.parent_ref, caf_id=excluded.caf_id, updated_at="
                           "excluded.updated_at",
                           (ref, name, level, parent, caf_id, self.store.bump("menus")))
            field(body, "taxes", "", "list", required=False)   # accepted, not used
            field(body, "shops", "", "list", required=False)   # accepted, not used
            created = updated = deleted = 0
            listed = set()
            for _, it, ipath in objects(body, "items", "", required=True):
                ref = nonempty(field(it, "id", ipath, "code"), ipath + "id")
                listed.add(ref)
                fields = {}
                name = field(it, "name", ipath, "str", required=False)
                if name is not None:
                    fields["name"] = nonempty(name, ipath + "name")
                for key in ("barcode", "country", "description"):
                    v = field(it, key, ipath, "str", required=False)
                    if v is not None:
                        fields[key] = v
                if "weight_in_gram" in it:
                    fields["weight_in_gram"] = non_negative(
                        field(it, "weight_in_gram", ipath, "int", nullable=True),
                        ipath + "weight_in_gram")
                for key in ("for_sale", "use_discounts"):
                    v = field(it, key, ipath, "bool", required=False)
                    if v is not None:
                        fields[key] = int(v)
                v = field(it, "measure", ipath, "str", required=False)
                if v is not None:
                    fields["measure"] = one_of(v, MEASURES, ipath + "measure")
                v = field(it, "category_id", ipath, "code", required=False, nullable=True)
                if v is not None:
                    fields["category_id"] = common.category(self.store, db, v)
                v = field(it, "work_space_code", ipath, "code", required=False, nullable=True)
                if v is not None:
                    fields["workspace_id"] = common.workspace(self.store, db, v)
                if "tax_id" in it:  # null: the account's default tax (id 1)
                    v = field(it, "tax_id", ipath, "int", nullable=True)
                    fields["tax_id"] = common.tax(db, v, ipath + "tax_id") if v is not None else 1
                menus = field(it, "menus", ipath, "list", required=False)
                if menus is not None:
                    for j, mid in enumerate(menus):
                        if not check_kind(mid, "code"):
                            raise Invalid("%smenus[%d] must be a menu id" % (ipath, j))
                    fields["menus"] = json.dumps([str(m) for m in menus])
                is_deleted = field(it, "deleted", ipath, "bool", required=False, default=False)
                prices = []
                for _, p, ppath in objects(it, "prices", ipath):
                    shop_id = field(p, "shop_id", ppath, "int")
                    shop = db.execute("SELECT storage_id FROM shops WHERE id=?",
                                      (shop_id,)).fetchone()
                    if shop is None:
                        raise Invalid("%sshop_id: shop %d not found" % (ppath, shop_id))
                    value = non_negative(field(p, "value", ppath, "num"), ppath + "value")
                    day = non_negative(field(p, "value_day", ppath, "num", required=False),
                                       ppath + "value_day")
                    # value is the cost, value_day the retail price (the final docs); without
                    # value_day the retail price stays as it was
                    prices.append((shop_id, shop[0], day, day, value))
                balances = []
                for _, b, bpath in objects(it, "balances", ipath):
                    sid = field(b, "storage_id", bpath, "int")
                    common.storage(db, sid, bpath + "storage_id")
                    balances.append((sid, field(b, "balance", bpath, "num")))
                row = db.execute("SELECT id, deleted FROM products WHERE ref_code=?",
                                 (ref,)).fetchone()
                if row is None:
                    if "name" not in fields:
                        raise Invalid("%sname is required" % ipath)
                    pid = insert_product(self.store, db, ref, fields, prices)
                    created += 1
                else:
                    pid = row[0]
                    update_product(self.store, db, pid, fields, prices, undelete=not is_deleted)
                    updated += 1
                if is_deleted:
                    db.execute("UPDATE products SET deleted=1 WHERE id=?", (pid,))
                    deleted += 1
                if update_balances:
                    for sid, balance in balances:
                        set_stock(self.store, db, sid, pid, balance)
            if whole:  # what the body lacks is removed from the menu
                ts = self.store.bump("products")
                for (pid, ref) in db.execute("SELECT id, ref_code FROM products WHERE deleted=0"
                                             ).fetchall():
                    if ref not in listed:
                        db.execute("UPDATE products SET deleted=1, updated_at=? WHERE id=?",
                                   (ts, pid))
                        deleted += 1
            # the docs' (commented-out) answer is {"id": N}: the import's number; the counts are
            # the emulator's own
            import_id = db.execute("INSERT INTO imports (whole, created_at) VALUES (?, ?)",
                                   (int(whole), int(time.time()))).lastrowid
            return ok({"id": import_id, "created": created, "updated": updated,
                       "deleted": deleted})

    def menu_import(self, ctx):
        return self._import(ctx, whole=True)

    def menu_import_part(self, ctx):
        return self._import(ctx, whole=False)

# ---- rules -------------------------------------------------------------------------------------


def product_fields(store, db, body, path=""):
    """Validated product columns present in body (docs/api.md, product body); prices apart."""
    f = {}
    v = field(body, "name", path, "str", required=False)
    if v is not None:
        f["name"] = nonempty(v, path + "name")
    v = field(body, "cancellation_type", path, "int", required=False)
    if v is not None:
        f["cancellation_type"] = one_of(v, (0, 1, 2), path + "cancellation_type")
    v = field(body, "for_sale", path, "bool", required=False)
    if v is not None:
        f["for_sale"] = int(v)
    v = field(body, "measure", path, "str", required=False)
    if v is not None:
        f["measure"] = one_of(v, MEASURES, path + "measure")
    for key in ("barcode", "country", "description"):
        v = field(body, key, path, "str", required=False)
        if v is not None:
            f[key] = v
    v = field(body, "use_discounts", path, "bool", required=False)
    if v is not None:
        f["use_discounts"] = int(v)
    v = field(body, "type", path, "str", required=False)
    if v is not None:
        f["type"] = one_of(v, PRODUCT_TYPES, path + "type")
    if "weight_in_gram" in body:
        v = field(body, "weight_in_gram", path, "int", nullable=True)
        f["weight_in_gram"] = non_negative(v, path + "weight_in_gram")
    v = field(body, "caf_tax_id", path, "int", required=False)
    if v is not None:
        f["tax_id"] = common.tax(db, v, path + "caf_tax_id")
    v = field(body, "category_ref_code", path, "code", required=False)
    if v is not None:
        f["category_id"] = common.category(store, db, nonempty(v, path + "category_ref_code"))
    v = field(body, "workspace_ref_code", path, "code", required=False)
    if v is not None:
        f["workspace_id"] = common.workspace(store, db, nonempty(v, path + "workspace_ref_code"))
    prices = []
    for _, p, ppath in objects(body, "prices", path):
        shop_id = field(p, "caf_shop_id", ppath, "int")
        shop = db.execute("SELECT storage_id FROM shops WHERE id=?", (shop_id,)).fetchone()
        if shop is None:
            raise Invalid("%scaf_shop_id: shop %d not found" % (ppath, shop_id))
        storage_id = field(p, "caf_storage_id", ppath, "int", required=False)
        if storage_id is None:
            storage_id = shop[0]
        else:
            common.storage(db, storage_id, ppath + "caf_storage_id")
        price = non_negative(field(p, "price", ppath, "num"), ppath + "price")
        self_cost = non_negative(field(p, "self_cost", ppath, "num", required=False,
                                       default=0), ppath + "self_cost")
        prices.append((shop_id, storage_id, price, None, self_cost))
    return f, prices


def write_prices(db, product_id, prices, ts):
    """(shop, storage, retail price, value_day, cost) rows; a retail price None keeps the one
    the product has in that shop (0 when it has none)."""
    for shop_id, storage_id, price, day_price, self_cost in prices:
        db.execute("INSERT INTO product_prices (product_id, shop_id, storage_id, price, "
                   "day_price, self_cost, updated_at) VALUES (?, ?, ?, coalesce(?, 0), ?, ?, ?) "
                   "ON CONFLICT (product_id, shop_id) DO UPDATE SET storage_id=excluded."
                   "storage_id, price=coalesce(?, price), day_price=excluded.day_price, "
                   "self_cost=excluded.self_cost, updated_at=excluded.updated_at",
                   (product_id, shop_id, storage_id, price, day_price, self_cost, ts, price))


def insert_product(store, db, ref, fields, prices):
    ts = store.bump("products")
    cols = dict(fields)
    cols.update(ref_code=ref, created_at=ts, updated_at=ts)
    cols.setdefault("tax_id", 1)
    names = list(cols)
    cur = db.execute("INSERT INTO products (%s) VALUES (%s)"
                     % (", ".join(names), ", ".join("?" * len(names))),
                     [cols[n] for n in names])
    write_prices(db, cur.lastrowid, prices, ts)
    return cur.lastrowid


def update_product(store, db, product_id, fields, prices, undelete=False):
    ts = store.bump("products")
    cols = dict(fields)
    cols["updated_at"] = ts
    if undelete:
        cols["deleted"] = 0
    names = list(cols)
    db.execute("UPDATE products SET %s WHERE id=?" % ", ".join("%s=?" % n for n in names),
               [cols[n] for n in names] + [product_id])
    write_prices(db, product_id, prices, ts)


# ---- wire format -----------------------------------------------------------------------------

def product_json(db, p, with_category_ref=False, with_weight=False):
    category = None
    if p["category_id"] is not None:
        category = {"id": p["category_id"]}
        if with_category_ref:
            c = db.execute("SELECT ref_code FROM categories WHERE id=?",
                           (p["category_id"],)).fetchone()
            category["ref_code"] = c[0] if c is not None and c[0] is not None else ""
    out = {
        "id": p["id"], "ref_code": p["ref_code"] or "", "name": p["name"],
        "cancellation_type": CANCELLATION_NAMES[p["cancellation_type"]],
        "measure": p["measure"], "category": category,
    }
    if not with_category_ref:
        out["tax"] = {"id": p["tax_id"]} if p["tax_id"] is not None else None
    out["work_space"] = {"id": p["workspace_id"]} if p["workspace_id"] is not None else None
    out.update({
        "created_at": iso(p["created_at"]), "updated_at": iso(p["updated_at"]),
        "use_discounts": bool(p["use_discounts"]),
        "type": "weighting" if p["measure"] in ("kg", "l") else "simple",
        "code": p["barcode"], "active": bool(p["for_sale"]) and not p["deleted"],
        "country": p["country"], "has_g_m_o": False, "free_price": False,
    })
    if with_weight:
        out["weight_in_gram"] = p["weight_in_gram"]
    out["entity_type"] = p["type"]
    return out
