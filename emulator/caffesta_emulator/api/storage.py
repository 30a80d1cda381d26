"""Storage: the auth check, the storage list, stock on a storage, and the stock rules (balances
and weighted average cost) that invoices, moves, imports and sales apply."""

from ..validation import not_found
from ..wire import fixed, fmt_balance, fmt_summ, ok
from .common import Area


class Storage(Area):
    ROUTES = (
        ("GET", "/a/v1.0/storage/test", "auth_test"),
        ("GET", "/a/v1.0/draft/storages", "storages"),
        ("GET", "/a/v1.0/draft/store/{id:int}", "storage_stock"),
    )

    def auth_test(self, ctx):
        return ok({"id": "test"})

    def storages(self, ctx):
        with self.store.lock:
            rows = self.store.db.execute("SELECT id, name FROM storages ORDER BY id").fetchall()
        # The key is the storage's position in the answer, the id is in the label: with a
        # storage deleted (the seed has no id 6), keys and ids part ways.
        return {str(position): "(id:%d) %s" % (r[0], r[1])
                for position, r in enumerate(rows, start=1)}

    def storage_stock(self, ctx):
        with self.store.tx() as db:
            if db.execute("SELECT 1 FROM storages WHERE id=?",
                          (ctx.params["id"],)).fetchone() is None:
                raise not_found("storage")
            rows = db.execute("SELECT s.product_id, p.name, p.measure, s.cost, s.balance "
                              "FROM stock s JOIN products p ON p.id = s.product_id "
                              "WHERE s.storage_id=? ORDER BY s.product_id",
                              (ctx.params["id"],)).fetchall()
        return [{"id": r[0], "name": r[1], "measure": r[2], "cost": fixed(r[3], 6),
                 "summ": fmt_summ(max(r[4], 0) * r[3]), "balance": fmt_balance(r[4], r[2])}
                for r in rows]


# ---- rules -----------------------------------------------------------------------------------

def set_stock(store, db, storage_id, product_id, balance, cost=None):
    """Sets a balance (and the cost when given); bumps the balances section."""
    ts = store.bump("balances")
    db.execute("INSERT INTO stock (storage_id, product_id, balance, cost, updated_at) "
               "VALUES (?, ?, ?, coalesce(?, 0), ?) ON CONFLICT (storage_id, product_id) "
               "DO UPDATE SET balance=excluded.balance, cost=coalesce(?, cost), "
               "updated_at=excluded.updated_at",
               (storage_id, product_id, balance, cost, ts, cost))


def add_stock(store, db, storage_id, product_id, qty, unit_cost=None):
    """Adds qty (negative: takes it); what comes in at unit_cost moves the average cost."""
    row = db.execute("SELECT balance, cost FROM stock WHERE storage_id=? AND product_id=?",
                     (storage_id, product_id)).fetchone()
    balance, cost = (row[0], row[1]) if row is not None else (0.0, 0.0)
    new_balance = balance + qty
    if unit_cost is not None and qty > 0:  # weighted average cost of what is on hand
        base = max(balance, 0.0)
        cost = (base * cost + qty * unit_cost) / (base + qty)
    set_stock(store, db, storage_id, product_id, round(new_balance, 9), cost)
