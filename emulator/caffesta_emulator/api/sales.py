"""Sales: the exports (sales by POS, price and product; totals by POS) and every receipt of one
shift day. They read the receipts that placed orders (and the seed) leave."""

from ..settings import ACCOUNT_TZ
from ..validation import Invalid, parse_day, parse_iso
from ..wire import compact, fixed, iso, num
from . import common
from .common import Area


class Sales(Area):
    ROUTES = (
        ("GET", "/a/v1.0/product/export_sales", "export_sales"),
        ("GET", "/a/v1.0/product/export_sales_totals", "export_sales_totals"),
        ("GET", "/a/v1.0/draft/receipts_by_shift_day/{pos:int}/{day}", "receipts_by_day"),
    )

    def receipts_by_day(self, ctx):
        day = parse_day(ctx.params["day"], "date")
        with self.store.tx() as db:
            common.pos_shop(db, ctx.params["pos"])
            out = []
            for r in db.execute("SELECT * FROM receipts WHERE pos_id=? AND shift_day=? "
                                "ORDER BY created_at, uuid", (ctx.params["pos"], day)).fetchall():
                dishes = [{"count": num(i["count"]), "price": num(i["price"]),
                           "self_cost_sum": num(i["self_cost_sum"]),
                           "total": num(i["origin_price"] * i["count"]),
                           "discount_sum": num(i["discount_sum"]),
                           "total_sum": num(i["total_sum"]), "dish": {"id": i["product_id"]}}
                          for i in db.execute("SELECT * FROM receipt_items WHERE receipt_uuid=? "
                                              "ORDER BY id", (r["uuid"],)).fetchall()]
                out.append({
                    "id": r["uuid"], "type": r["type"], "income": 1, "total": num(r["total"]),
                    "total_sum": num(r["total_sum"]), "discount_sum": num(r["discount_sum"]),
                    "client": {"id": r["client_id"]} if r["client_id"] is not None else None,
                    "created_at": iso(r["created_at"]), "updated_at": iso(r["updated_at"]),
                    "bill_dishes": dishes, "count_clients": r["count_clients"],
                    "cash_pay": num(r["cash"]), "card_pay": num(r["card"]), "back_pay": 0,
                })
            return out

    # ---- sales exports ---------------------------------------------------------------------

    def _sales_filter(self, ctx):
        shift_day = ctx.q("shift_day")
        if shift_day is not None:
            return "r.shift_day = ?", (parse_day(shift_day, "shift_day"),)
        start, end = ctx.q("start"), ctx.q("end")
        if start is None:
            raise Invalid("start (with end) or shift_day is required")
        a = parse_iso(start, "start", ACCOUNT_TZ)
        if end is None:
            return "r.created_at >= ?", (a,)
        b = parse_iso(end, "end", ACCOUNT_TZ, end_of_day=True)
        return "r.created_at >= ? AND r.created_at < ?", (a, b)

    def export_sales(self, ctx):
        where, args = self._sales_filter(ctx)
        groups = {}
        with self.store.tx() as db:
            for r in db.execute("SELECT r.pos_id, r.total_sum, r.cash, r.card, r.cashless, "
                                "r.bonus, r.credit, i.product_id, i.price, i.count, i.total_sum, "
                                "p.name, p.ref_code, p.deleted FROM receipts r JOIN receipt_items "
                                "i ON i.receipt_uuid = r.uuid JOIN products p ON p.id = "
                                "i.product_id WHERE " + where + " ORDER BY r.pos_id, i.product_id",
                                args).fetchall():
                key = (r[0], round(r[8], 4), r[7])
                g = groups.setdefault(key, {"name": r[11], "ref_code": r[12], "deleted": r[13],
                                            "qnt": 0.0, "pay": [0.0] * 5, "total": 0.0})
                g["qnt"] += r[9]
                g["total"] += r[10]
                share = r[10] / r[1] if r[1] else 0.0  # this line's part of the payments
                for k in range(5):
                    g["pay"][k] += r[2 + k] * share
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
        where, args = self._sales_filter(ctx)
        with self.store.tx() as db:
            rows = db.execute(
                "SELECT r.pos_id, s.id, (SELECT coalesce(sum(count), 0) FROM receipt_items i "
                "WHERE i.receipt_uuid = r.uuid) AS qnt, r.cash, r.card, r.cashless, r.credit, "
                "r.discount_sum, r.total_sum FROM receipts r JOIN pos p ON p.id = r.pos_id "
                "JOIN shops s ON s.id = p.shop_id WHERE " + where, args).fetchall()
        groups = {}
        for r in rows:
            g = groups.setdefault((r[0], r[1]), [0.0] * 7)
            for k in range(7):
                g[k] += r[2 + k]
        out = []
        for (pos_id, shop_id), g in sorted(groups.items()):
            out.append({"qnt": compact(g[0]), "caf_terminal_id": str(pos_id),
                        "cafe_workspace_id": str(shop_id), "cash": fixed(g[1], 2),
                        "card": fixed(g[2], 2), "cashless": fixed(g[3], 2),
                        "credit": fixed(g[4], 2), "discount": fixed(-g[5], 2),
                        "total_pay": fixed(g[6], 2)})
        return {"data": out, "success": True}
