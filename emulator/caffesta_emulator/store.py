"""State: the SQLite schema, the seed data the docs' samples refer to, and the Store that runs
every request in one transaction."""

import json
import sqlite3
import sys
import threading
import time
from datetime import datetime

from .settings import ACCOUNT_TZ, APP_MARK, FIRST_JOB_ID, SCHEMA_VERSION, SECTIONS
from .validation import StartError

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE sections (name TEXT PRIMARY KEY, ts INTEGER NOT NULL);
CREATE TABLE storages (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE shops (id INTEGER PRIMARY KEY, name TEXT NOT NULL, storage_id INTEGER NOT NULL);
CREATE TABLE pos (id INTEGER PRIMARY KEY, shop_id INTEGER NOT NULL, name TEXT NOT NULL);
CREATE TABLE taxes (id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL,
    value REAL NOT NULL, fiscal INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE payment_types (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE discount_groups (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
    discount_type TEXT NOT NULL, rate REAL NOT NULL, birth_day_discount_amount REAL,
    bonus_max_bill_rate REAL, group_float INTEGER NOT NULL DEFAULT 0);
CREATE TABLE categories (id INTEGER PRIMARY KEY AUTOINCREMENT, ref_code TEXT UNIQUE,
    name TEXT NOT NULL, parent_id INTEGER, position INTEGER, updated_at INTEGER NOT NULL);
CREATE TABLE workspaces (id INTEGER PRIMARY KEY AUTOINCREMENT, ref_code TEXT UNIQUE,
    name TEXT NOT NULL, grp INTEGER NOT NULL DEFAULT 1, updated_at INTEGER NOT NULL);
CREATE TABLE packages (id INTEGER PRIMARY KEY AUTOINCREMENT, ref_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, measure TEXT NOT NULL, value REAL NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, hidden INTEGER NOT NULL DEFAULT 0);
CREATE TABLE shippers (id INTEGER PRIMARY KEY AUTOINCREMENT, ref_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, created_at INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);
CREATE TABLE menus (id INTEGER PRIMARY KEY AUTOINCREMENT, ref_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, level INTEGER, parent_ref TEXT, caf_id INTEGER,
    updated_at INTEGER NOT NULL);
CREATE TABLE products (id INTEGER PRIMARY KEY AUTOINCREMENT, ref_code TEXT UNIQUE,
    name TEXT NOT NULL, cancellation_type INTEGER NOT NULL DEFAULT 0,
    for_sale INTEGER NOT NULL DEFAULT 1, measure TEXT NOT NULL DEFAULT 'pcs',
    barcode TEXT NOT NULL DEFAULT '', country TEXT NOT NULL DEFAULT '',
    use_discounts INTEGER NOT NULL DEFAULT 1, type TEXT NOT NULL DEFAULT 'product',
    weight_in_gram INTEGER, tax_id INTEGER, category_id INTEGER, workspace_id INTEGER,
    description TEXT NOT NULL DEFAULT '', menus TEXT NOT NULL DEFAULT '[]',
    deleted INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL);
CREATE INDEX products_updated_at ON products (updated_at);
CREATE TABLE product_prices (product_id INTEGER NOT NULL, shop_id INTEGER NOT NULL,
    storage_id INTEGER, price REAL NOT NULL DEFAULT 0, day_price REAL,
    self_cost REAL NOT NULL DEFAULT 0, in_stop_list INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL, PRIMARY KEY (product_id, shop_id));
CREATE TABLE stock (storage_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
    balance REAL NOT NULL DEFAULT 0, cost REAL NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL, PRIMARY KEY (storage_id, product_id));
CREATE TABLE invoices (id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT NOT NULL,
    doc_date INTEGER NOT NULL, sum REAL, comment TEXT NOT NULL DEFAULT '',
    shipper_id INTEGER, storage_id INTEGER NOT NULL, status TEXT NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE invoice_items (id INTEGER PRIMARY KEY AUTOINCREMENT, invoice_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL, package_id INTEGER NOT NULL, amount REAL NOT NULL,
    price REAL, tax_id INTEGER, price_with_tax REAL, cost REAL, cost_with_tax REAL);
CREATE TABLE moves (id INTEGER PRIMARY KEY AUTOINCREMENT, comment TEXT NOT NULL DEFAULT '',
    doc_date INTEGER NOT NULL, storage_from INTEGER NOT NULL, storage_to INTEGER NOT NULL,
    status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE move_items (id INTEGER PRIMARY KEY AUTOINCREMENT, move_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL, amount REAL NOT NULL);
CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, bill TEXT NOT NULL,
    polls INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, message TEXT,
    created_at INTEGER NOT NULL);
CREATE TABLE receipts (uuid TEXT PRIMARY KEY, pos_id INTEGER NOT NULL, shift_day TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'sale', income INTEGER NOT NULL DEFAULT 1,
    status TEXT NOT NULL DEFAULT 'closed', created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL, total REAL NOT NULL, total_sum REAL NOT NULL,
    discount_sum REAL NOT NULL, cash REAL NOT NULL DEFAULT 0, card REAL NOT NULL DEFAULT 0,
    cashless REAL NOT NULL DEFAULT 0, bonus REAL NOT NULL DEFAULT 0,
    credit REAL NOT NULL DEFAULT 0, client_id INTEGER, count_clients INTEGER NOT NULL DEFAULT 1,
    job_id INTEGER);
CREATE TABLE receipt_items (id INTEGER PRIMARY KEY AUTOINCREMENT, receipt_uuid TEXT NOT NULL,
    line_uuid TEXT NOT NULL, parent_uuid TEXT, product_id INTEGER NOT NULL, count REAL NOT NULL,
    weight REAL NOT NULL DEFAULT 1, price REAL NOT NULL, origin_price REAL NOT NULL,
    discount_sum REAL NOT NULL, total_sum REAL NOT NULL, self_cost_sum REAL NOT NULL DEFAULT 0);
CREATE TABLE clients (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, last_name TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '', card_number TEXT NOT NULL DEFAULT '', email TEXT,
    birthday TEXT, bonus_balance REAL NOT NULL DEFAULT 0, point_balance REAL NOT NULL DEFAULT 0,
    pay_balance REAL NOT NULL DEFAULT 0, group_id INTEGER,
    promotion_keeps TEXT NOT NULL DEFAULT '[]', deleted_at INTEGER,
    updated_at INTEGER NOT NULL);
CREATE TABLE modifier_groups (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE imports (id INTEGER PRIMARY KEY AUTOINCREMENT, whole INTEGER NOT NULL,
    created_at INTEGER NOT NULL);
"""

# Tables whose rows /__emulator/stats counts, in this order.
STAT_TABLES = ("products", "product_prices", "categories", "workspaces", "packages", "shippers",
               "menus", "storages", "shops", "pos", "taxes", "payment_types", "discount_groups",
               "stock", "invoices", "invoice_items", "moves", "move_items", "jobs", "receipts",
               "receipt_items", "clients", "modifier_groups", "imports")

SEED_TS = 1648000000
SEED_SECTION_TS = {
    "categories": SEED_TS, "menus": 0, "desks": 0, "taxes": SEED_TS, "workspaces": SEED_TS,
    "comments": 0, "discounts": SEED_TS, "promotions": 1648303396, "payments": SEED_TS,
    "settings": 1648566884, "balances": 1648638899, "products": 1648657344,
    "device_models": 1648038317, "clients": 1648638898,
}
SEED_CREATED = 1522766140  # 2018-04-03T17:35:40+03:00

MODIFIER_GROUP_SEED = {
    "id": 1, "name": "Сиропы", "multiple": True, "min": 0, "max": 10, "deleted": False,
    "productModifiers": [{"id": 100}, {"id": 101}],
    "items": [
        {"id": 2, "name": "Клубника", "image": None, "count": "1.000", "price": "1.00",
         "product": {"id": 9900, "descr": "product"}},
        {"id": 3, "name": "Малина", "image": None, "count": "1.000", "price": "1.00",
         "product": {"id": 9898, "descr": "product"}},
    ],
}


# lines: (line uuid, parent line uuid, product id, count, weight, price, self cost of the line)
SEED_RECEIPTS = (
    {"uuid": "4f52125c-58ea-touc-0301-650467649790", "pos": 2, "at": (2022, 4, 20, 18, 14, 14),
     "closed_after": 34, "income": 1, "total": 8, "client": 2,
     "lines": (("7d0b7c36-2f4e-4a8e-9d3c-4b1f3a6f0a01", None, 3, 2, 1, 4, 0),)},
    {"uuid": "0021826c-47bb-0dev-0301-695901418364", "pos": 3, "at": (2023, 9, 28, 14, 50, 27),
     "closed_after": 11, "income": 1, "total": 17.5, "client": None,
     "lines": (("cacbeee7-6069-4dc8-a4a0-84612103b779", None, 200, 0.5, 1, 29, 1.1625),
               ("14e096e6-0eae-4cbd-bf68-d1b6bf2371cd", "cacbeee7-6069-4dc8-a4a0-84612103b779",
                9900, 1, 1, 2, 0.5))},
    {"uuid": "0021826c-47bb-0dev-0301-695901418399", "pos": 3, "at": (2023, 9, 28, 16, 5, 0),
     "closed_after": 20, "income": -1, "total": 1.2, "client": None,
     "lines": (("5b1e2c7a-93d4-4f0e-8a61-2c9f1d7e4b02", None, 2, 1, 1, 1.2, 0.25),)},
)


def seed(db):
    """Fills an empty schema with the seed data that the docs' samples refer to."""
    x = db.execute
    for name in SECTIONS:
        x("INSERT INTO sections VALUES (?, ?)", (name, SEED_SECTION_TS[name]))
    for sid, name in ((1, "Склад кафе Буран"), (2, "Общий склад"), (3, "Резервный склад"),
                      (4, "Склад магазина К звёздам"), (5, "Склад бара Берико"),
                      (7, "Склад доставки")):
        x("INSERT INTO storages VALUES (?, ?)", (sid, name))
    for shop_id, name, storage_id in ((1, "Бар «Берико»", 5), (2, "Кафе «Буран»", 1),
                                      (3, "Магазин «К звёздам»", 4)):
        x("INSERT INTO shops VALUES (?, ?, ?)", (shop_id, name, storage_id))
    for pos_id, shop_id, name in ((1, 1, "Касса бара"), (2, 2, "Касса кафе"),
                                  (3, 3, "Касса магазина")):
        x("INSERT INTO pos VALUES (?, ?, ?)", (pos_id, shop_id, name))
    x("INSERT INTO taxes VALUES (1, 'Без налога', 'inner', 0, 0, ?)", (SEED_TS,))
    x("INSERT INTO taxes VALUES (2, 'НДС', 'inner', 20, 0, ?)", (SEED_TS,))
    for pid, name, kind in ((1, "Наличные", "cash"), (2, "Банковская карта", "card"),
                            (3, "Безналичный расчёт", "cashless"), (4, "Бонусы", "bonus"),
                            (5, "В кредит", "credit")):
        x("INSERT INTO payment_types VALUES (?, ?, ?)", (pid, name, kind))
    x("INSERT INTO discount_groups VALUES (1, 'Бонусная 20%', 'bonus', 0.2, 15, 50, 0)")
    x("INSERT INTO discount_groups VALUES (2, 'Скидка 10%', 'discount', 0.1, 0, 100, 0)")
    x("INSERT INTO categories VALUES (1, NULL, 'Напитки', NULL, 1, ?)", (SEED_TS,))
    x("INSERT INTO categories VALUES (2, NULL, 'Главная', NULL, 2, ?)", (SEED_TS,))
    x("INSERT INTO workspaces VALUES (1, '123', 'Кухня', 1, ?)", (SEED_TS,))
    x("INSERT INTO workspaces VALUES (2, NULL, 'Бар', 1, ?)", (SEED_TS,))
    for pkg_id, ref, name, measure in ((1, "pcs", "шт", "pcs"), (2, "kg", "кг", "kg"),
                                       (3, "l", "л", "l")):
        # built in, so hidden from the panel's list of packages (the invoice sample's pcs)
        x("INSERT INTO packages (id, ref_code, name, measure, value, hidden) "
          "VALUES (?, ?, ?, ?, 1, 1)", (pkg_id, ref, name, measure))
    pts = SEED_SECTION_TS["products"]
    # 1, 2: the move sample's product codes and the stock sample's rows; 3: the order
    # sample's product_id; 4: the ref_code of the product update samples; 200: the
    # product_by_ref_code sample; 9898, 9900: the modifier group sample's syrups.
    for pid, ref, name, measure, cat, ws in (
            (1, "1", "Клюквенный морс", "kg", 1, 2),
            (2, "2", "Вафельный батончик", "pcs", 2, 2),
            (3, "3", "Сырный раф", "pcs", 1, 2),
            (4, "12345", "Вино красное", "pcs", 1, 2),
            (200, "23452432", "Печенье домашнее", "kg", 2, 1),
            (9898, "9898", "Сироп малиновый", "pcs", 1, 2),
            (9900, "9900", "Сироп клубничный", "pcs", 1, 2)):
        x("INSERT INTO products (id, ref_code, name, cancellation_type, measure, tax_id, "
          "category_id, workspace_id, created_at, updated_at) "
          "VALUES (?, ?, ?, 1, ?, 1, ?, ?, ?, ?)",
          (pid, ref, name, measure, cat, ws, SEED_CREATED, pts))
    for pid, shop, storage, price, stop in ((1, 2, 1, 3.5, 0), (2, 2, 1, 1.2, 0),
                                            (3, 2, 1, 5.5, 0), (4, 2, 1, 12.0, 0),
                                            (200, 2, 1, 9.8, 0), (9898, 2, 1, 1.0, 0),
                                            (9900, 2, 1, 1.0, 0), (1, 3, 4, 5.0, 1)):
        x("INSERT INTO product_prices (product_id, shop_id, storage_id, price, in_stop_list, "
          "updated_at) VALUES (?, ?, ?, ?, ?, ?)", (pid, shop, storage, price, stop, pts))
    bts = SEED_SECTION_TS["balances"]
    x("INSERT INTO stock VALUES (1, 1, -3, 0, ?)", (bts,))
    x("INSERT INTO stock VALUES (1, 2, 50, 0.245614, ?)", (bts,))
    cts = SEED_SECTION_TS["clients"]
    keeps = [{"id": 1, "amount": "{\"19\":9}",
              "promotion": {"id": 3, "active": True, "deleted": False}},
             {"id": 7, "amount": "{\"108\":18,\"109\":16,\"110\":14}",
              "promotion": {"id": 7, "active": False, "deleted": False}}]
    x("INSERT INTO clients (id, uuid, name, last_name, phone, address, card_number, email, "
      "bonus_balance, pay_balance, group_id, promotion_keeps, updated_at) "
      "VALUES (1, '64b14c01-c9d1-4a72-95f6-b3bd51488293', 'Сидор', 'Сидоров', "
      "'+375 29 182-14-62', 'пр.Победителей', '111155553333', NULL, 3989.13, 20981.5, 1, ?, ?)",
      (json.dumps(keeps), cts))
    x("INSERT INTO clients (id, uuid, name, last_name, phone, address, card_number, email, "
      "birthday, group_id, updated_at) VALUES (2, '569224f7-8f91-4142-9a7e-85a3bc24bbd9', "
      "'Иван', 'Иванов', '+375292222222', 'Адрес Ивана Иванова', '111222333444', "
      "'ivan@ivanov.iv', '2000-12-21', 1, ?)", (cts,))
    x("INSERT INTO modifier_groups VALUES (1, ?)", (json.dumps(MODIFIER_GROUP_SEED),))
    # Closed receipts, so that the sales exports and receipts_by_shift_day have data: one sale
    # on POS 2 (2022-04-20), and on POS 3 (2023-09-28) the final docs' example (half a kilo
    # with a syrup as its modifier line) and a return (income -1).
    for r in SEED_RECEIPTS:
        t0 = int(datetime(*r["at"], tzinfo=ACCOUNT_TZ).timestamp())
        x("INSERT INTO receipts (uuid, pos_id, shift_day, type, income, created_at, updated_at, "
          "total, total_sum, discount_sum, cash, client_id) VALUES (?, ?, ?, 'sale', ?, ?, ?, "
          "?, ?, 0, ?, ?)", (r["uuid"], r["pos"], "%04d-%02d-%02d" % r["at"][:3], r["income"],
                             t0, t0 + r["closed_after"], r["total"], r["total"], r["total"],
                             r["client"]))
        for line, parent, product, count, weight, price, cost in r["lines"]:
            x("INSERT INTO receipt_items (receipt_uuid, line_uuid, parent_uuid, product_id, "
              "count, weight, price, origin_price, discount_sum, total_sum, self_cost_sum) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
              (r["uuid"], line, parent, product, count, weight, price, price,
               round(count * price, 6), cost))
    x("INSERT INTO sqlite_sequence (name, seq) VALUES ('jobs', ?)", (FIRST_JOB_ID - 1,))
    x("INSERT INTO meta VALUES ('seeded_at', ?)", (str(int(time.time())),))
    x("INSERT INTO meta VALUES ('app', ?)", (APP_MARK,))


class Store:
    """One SQLite connection, guarded by one lock; every request runs in one transaction."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.RLock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self._tx_ts = None
        with self.lock:
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            tables = [r[0] for r in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type='table'").fetchall()]
            if not tables:
                self._rebuild()
                return
            mark = self.db.execute("SELECT value FROM meta WHERE key='app'").fetchone() \
                if "meta" in tables else None
            ours = mark is not None and mark[0] == APP_MARK
            if not ours:
                raise StartError("%s is a database of something else; choose another --db"
                                 % path)
            if version != SCHEMA_VERSION:
                sys.stderr.write("caffesta emulator: %s has an older schema; starting anew\n"
                                 % path)
                self._rebuild()

    def _rebuild(self):
        db = self.db
        db.execute("BEGIN")
        try:
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                      "AND name NOT LIKE 'sqlite_%'").fetchall():
                db.execute('DROP TABLE "%s"' % name)
            for stmt in SCHEMA.split(";"):
                if stmt.strip():
                    db.execute(stmt)
            seed(db)
            db.execute("PRAGMA user_version=%d" % SCHEMA_VERSION)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def reset(self):
        with self.lock:
            db = self.db
            db.execute("BEGIN")
            try:
                for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                          "AND name NOT LIKE 'sqlite_%'").fetchall():
                    db.execute('DELETE FROM "%s"' % name)
                db.execute("DELETE FROM sqlite_sequence")
                seed(db)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def close(self):
        with self.lock:
            self.db.close()

    # A transaction: `with store.tx() as db:`; rolled back on any exception.
    class _Tx:
        def __init__(self, store):
            self.store = store

        def __enter__(self):
            self.store.lock.acquire()
            self.store._tx_ts = {}
            self.store.db.execute("BEGIN")
            return self.store.db

        def __exit__(self, exc_type, exc, tb):
            try:
                if exc_type is None:
                    self.store.db.execute("COMMIT")
                else:
                    self.store.db.execute("ROLLBACK")
            finally:
                self.store._tx_ts = None
                self.store.lock.release()
            return False

    def tx(self):
        return Store._Tx(self)

    def bump(self, section):
        """The section's new timestamp: now, but always greater than the previous one, so that
        a client comparing timestamps never misses a change made in the same second. One bump
        per section per transaction; rows changed in it carry the same value."""
        cached = self._tx_ts.get(section)
        if cached is not None:
            return cached
        prev = self.db.execute("SELECT ts FROM sections WHERE name=?", (section,)).fetchone()[0]
        ts = max(int(time.time()), prev + 1)
        self.db.execute("UPDATE sections SET ts=? WHERE name=?", (ts, section))
        self._tx_ts[section] = ts
        return ts

    def set_section(self, section, ts):
        self.db.execute("UPDATE sections SET ts=? WHERE name=?", (ts, section))

    def counts(self):
        with self.lock:
            return {t: self.db.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0]
                    for t in STAT_TABLES}
