"""Sales: the exports (sales by POS, price and product; totals by shop, or by POS with
add_gr_by=terminal_id) and every receipt of one shift day. They read the receipts that placed
orders (and the seed) leave; a return (income -1) counts against the sales."""

from ..settings import ACCOUNT_TZ
from ..validation import Invalid, parse_day, parse_iso
from ..wire import compact, fixed, iso, num
from . import common
from .common import Area

# Receipts that never became a sale: the exports leave them out.
NOT_SOLD = ("annuled", "cancel")
GROUPINGS = ("terminal_id",)


class Sales(Area):
    ROUTES = (
        ("GET", "/a/v1.0/product/export_sales", "export_sales"),
        ("GET", "/a/v1.0/product/export_sales_totals", "export_sales_totals"),
        ("GET", "/a/v1.0/draft/receipts_by_shift_day/{pos:int}/{day}", "receipts_by_day"),
    )

    def receipts_by_day(self, ctx):
        """Every receipt of one POS and shift day, ungrouped (a bare array), lines included."""
        day = parse_day(ctx.params["day"], "date")
        with self.store.tx() as db:
            common.pos_shop(db, ctx.params["pos"])
            receipts = db.execute("SELECT * FROM receipts WHERE pos_id=? AND shift_day=? "
                                  "ORDER BY created_at, uuid",
                                  (ctx.params["pos"], day)).fetchall()
            lines = {r["uuid"]: db.execute(
                "SELECT i.*, p.ref_code FROM receipt_items i JOIN products p ON p.id = "
                "i.product_id WHERE i.receipt_uuid=? ORDER BY i.id", (r["uuid"],)).fetchall()
                for r in receipts}
        return [receipt_json(r, lines[r["uuid"]]) for r in receipts]

    # ---- sales exports ---------------------------------------------------------------------

    def _sales_filter(self, ctx):
        """(SQL condition on receipts r, its arguments, grouped by terminal?) from the query."""
        by_terminal = False
        group = ctx.q("add_gr_by")
        if group is not None:
            if group not in GROUPINGS:
                raise Invalid("add_gr_by must be one of %s" % ", ".join(GROUPINGS))
            by_terminal = True
        sold = "r.status NOT IN (%s)" % ", ".join("'%s'" % s for s in NOT_SOLD)
        shift_day = ctx.q("shift_day")
        if shift_day is not None:
            return sold + " AND r.shift_day = ?", (parse_day(shift_day, "shift_day"),), \
                by_terminal
        start, end = ctx.q("start"), ctx.q("end")
        if start is None:
            raise Invalid("start (with end) or shift_day is required")
        a = parse_iso(start, "start", ACCOUNT_TZ)
        if end is None:
            return sold + " AND r.created_at >= ?", (a,), by_terminal
        b = parse_iso(end, "end", ACCOUNT_TZ, end_of_day=True)
        return sold + " AND r.created_at >= ? AND r.created_at < ?", (a, b), by_terminal

    def export_sales(self, ctx):
        """Rows by POS, price and product (already one POS a row, so add_gr_by=terminal_id
        changes nothing here)."""
        where, args, _ = self._sales_filter(ctx)
        groups = {}
        with self.store.tx() as db:
            for r in db.execute("SELECT r.pos_id, r.total_sum, r.cash, r.card, r.cashless, "
                                "r.bonus, r.credit, i.product_id, i.price, i.count, i.total_sum, "
                                "p.name, p.ref_code, p.deleted, r.income FROM receipts r JOIN "
                                "receipt_items i ON i.receipt_uuid = r.uuid JOIN products p ON "
                                "p.id = i.product_id WHERE " + where +
                                " ORDER BY r.pos_id, i.product_id", args).fetchall():
                key = (r[0], round(r[8], 4), r[7])
                g = groups.setdefault(key, {"name": r[11], "ref_code": r[12], "deleted": r[13],
                                            "qnt": 0.0, "pay": [0.0] * 5, "total": 0.0})
                sign = r[14]
                g["qnt"] += sign * r[9]
                g["total"] += sign * r[10]
                share = r[10] / r[1] if r[1] else 0.0  # this line's part of the payments
                for k in range(5):
                    g["pay"][k] += sign * r[2 + k] * share
        out = []
        for (pos_id, price, pid), g in sorted(groups.items()):
            out.append({
                "caf_terminal_id": str(pos_id), "caf_id": str(pid), "name": g["name"],
                "ref_code": g["ref_code"] or "", "price": fixed(price, 4),
                "qnt": compact(g["qnt"]), "deleted": "1" if g["deleted"] else "0",
                "cash": compact(g["pay"][0]), "card": compact(g["pay"][1]),
                "cashless": compact(g["pay"][2]), "bonus": compact(g["pay"][3]),
                "credit": compact(g["pay"][4]), "total_pay": compact(g["total"]),
            })
        return {"data": out, "success": True}

    def export_sales_totals(self, ctx):
        """Rows by shop (cafe_workspace_id) with caf_terminal_id null, as the final docs show;
        with add_gr_by=terminal_id one row per POS, caf_terminal_id its id."""
        where, args, by_terminal = self._sales_filter(ctx)
        with self.store.tx() as db:
            rows = db.execute(
                "SELECT r.pos_id, s.id, r.income, (SELECT coalesce(sum(count), 0) FROM "
                "receipt_items i WHERE i.receipt_uuid = r.uuid) AS qnt, r.cash, r.card, "
                "r.cashless, r.credit, r.discount_sum, r.total_sum FROM receipts r JOIN pos p ON "
                "p.id = r.pos_id JOIN shops s ON s.id = p.shop_id WHERE " + where,
                args).fetchall()
        groups = {}
        for r in rows:
            g = groups.setdefault((r[0] if by_terminal else 0, r[1]), [0.0] * 7)
            for k in range(7):
                g[k] += r[2] * r[3 + k]
        out = []
        for (pos_id, shop_id), g in sorted(groups.items()):
            out.append({"qnt": compact(g[0]), "caf_terminal_id": pos_id if by_terminal else None,
                        "cafe_workspace_id": str(shop_id), "cash": fixed(g[1], 2),
                        "card": fixed(g[2], 2), "cashless": fixed(g[3], 2),
                        "credit": fixed(g[4], 2), "discount": fixed(-g[5], 2),
                        "total_pay": fixed(g[6], 2)})
        return {"data": out, "success": True}


# ---- wire format -----------------------------------------------------------------------------

def receipt_json(r, lines):
    """A receipt as receipts_by_shift_day answers it: no client; each line with its own id, a
    modifier line with its parent's id."""
    return {
        "id": r["uuid"], "terminal_number": r["pos_id"], "type": r["type"],
        "income": r["income"], "total": num(r["total"]), "total_sum": num(r["total_sum"]),
        "discount_sum": num(r["discount_sum"]), "created_at": iso(r["created_at"]),
        "updated_at": iso(r["updated_at"]), "bill_dishes": [line_json(i) for i in lines],
        "count_clients": r["count_clients"], "cash_pay": num(r["cash"]),
        "card_pay": num(r["card"]), "back_pay": 0,
    }


def line_json(i):
    out = {"id": i["line_uuid"], "count": num(i["count"]), "weight": num(i["weight"]),
           "price": num(i["price"]), "self_cost_sum": num(i["self_cost_sum"]),
           "total": num(i["origin_price"] * i["count"]), "discount_sum": num(i["discount_sum"]),
           "total_sum": num(i["total_sum"]),
           "dish": {"id": i["product_id"], "ref_code": i["ref_code"] or ""}}
    if i["parent_uuid"] is not None:
        out["parent_id"] = i["parent_uuid"]
    return out
